"""The sign-in backend: Django's ModelBackend (passwords, permissions, inactive users refused), with the signed-in
learner loaded by one plain query.

Every request loads its learner, and the ORM spent about a tenth of a review request building
``User.objects.get(pk=...)``, many times what the database took to answer it.
"""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from cards import queue_sql

PATH = "accounts.backends.LearnerBackend"  # what a session names as the backend that signed its learner in


@functools.cache
def _select() -> str:
    return f"SELECT {queue_sql.columns(User, 'u')} FROM {User._meta.db_table} u WHERE u.id = %s"


class LearnerBackend(ModelBackend):
    def get_user(self, user_id: int) -> User | None:
        found = queue_sql.rows(_select(), [user_id])
        user = queue_sql.instance(User, found[0]) if found else None
        return user if user is not None and self.user_can_authenticate(user) else None

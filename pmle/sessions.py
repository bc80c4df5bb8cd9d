"""Django's database sessions, read with one plain query.

Every request reads its session, and the ORM spent longer building ``Session.objects.get(...)`` than the database
took to answer it (about a tenth of a review request's time). The rows, the writes and the expiry rule are
Django's own; only the read is written out.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

_READ = f"SELECT session_data FROM {Session._meta.db_table} WHERE session_key = %s AND expire_date > %s"


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        connection = connections[router.db_for_read(Session)]
        with connection.cursor() as cursor:
            cursor.execute(_READ, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(session_key=self.session_key, session_data=row[0])

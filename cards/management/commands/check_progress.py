from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from cards.replay import check_user


class Command(BaseCommand):
    help = "Replay every learner's review log and compare it with their progress rows; exits 1 on a mismatch."

    def handle(self, *args, **options) -> None:
        problems, users = [], 0
        for user_id in User.objects.order_by("id").values_list("id", flat=True).iterator():
            problems += check_user(user_id)
            users += 1
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(f"{len(problems)} mismatch(es) between logs and progress ({users} learners).")
        self.stdout.write(f"{users} learners: every progress row is what its log replays to.")

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from cards.forecast import MIN_REVIEWS_TO_FIT
from cards.scheduling import refit


class Command(BaseCommand):
    help = "Fit every learner's FSRS memory model to their review log (those with enough reviews)."

    def handle(self, *args, **options) -> None:
        fitted = 0
        for user in User.objects.order_by("id").iterator():
            if refit(user, timezone.now()) is not None:
                fitted += 1
        self.stdout.write(f"{fitted} learner(s) fitted; the others have fewer than {MIN_REVIEWS_TO_FIT} graded days.")

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in TIME_ZONES]


class User(AbstractUser):
    """A learner, with the preferences that shape their study days and daily queue."""

    time_zone = models.CharField(max_length=64, default="UTC", choices=TIME_ZONE_CHOICES)
    rollover_hour = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(23)],
        help_text="The hour (local time) at which a new study day starts.",
    )
    new_cards_per_day = models.PositiveSmallIntegerField(
        default=20, validators=[MaxValueValidator(500)], help_text="New cards introduced per study day."
    )
    max_reviews_per_day = models.PositiveSmallIntegerField(
        default=200,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
        help_text="Due reviews shown per study day, at most.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rollover_hour__lte=23), name="user_rollover_hour_range"),
            models.CheckConstraint(condition=Q(max_reviews_per_day__gte=1), name="user_max_reviews_positive"),
        ]

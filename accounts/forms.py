from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User


class SignupForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("time_zone", "rollover_hour", "new_cards_per_day", "max_reviews_per_day")
        labels = {
            "time_zone": "Time zone",
            "rollover_hour": "New study day starts at (hour)",
            "new_cards_per_day": "New cards per day",
            "max_reviews_per_day": "Maximum reviews per day",
        }

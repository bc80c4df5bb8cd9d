from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Study preferences", {"fields": ("time_zone", "rollover_hour", "new_cards_per_day", "max_reviews_per_day")}),
    )

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Membership, StudyGroup, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Study preferences", {"fields": ("time_zone", "rollover_hour", "new_cards_per_day", "max_reviews_per_day")}),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at", "invite_expires_at")
    search_fields = ("name", "slug")
    readonly_fields = ("invite_digest",)
    inlines = [MembershipInline]

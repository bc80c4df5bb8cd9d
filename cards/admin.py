from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.utils import timezone

from cards import deckio
from cards.models import (
    Card,
    Consideration,
    Deck,
    DeckShare,
    Edition,
    LeechReport,
    Objective,
    Progress,
    Review,
    Section,
)


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


class ConsiderationInline(admin.TabularInline):
    model = Consideration
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "year", "is_current")
    readonly_fields = ("slug",)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "edition", "weight", "slug")
    list_filter = ("edition",)
    search_fields = ("title",)
    inlines = [ObjectiveInline]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "section")
    list_filter = ("section__edition", "section")
    search_fields = ("number", "title")
    inlines = [ConsiderationInline]


@admin.register(Consideration)
class ConsiderationAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "objective")
    list_filter = ("objective__section__edition", "objective__section")
    search_fields = ("key", "title")
    list_select_related = ("objective",)


@admin.register(Deck)
class DeckAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "owner", "edition", "is_public", "created_at")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("owner",)
    readonly_fields = ("version",)

    def save_model(self, request, obj: Deck, form, change: bool) -> None:
        if change and form.changed_data:
            obj.version += 1  # as for cards: an owner's older form is refused after an admin edit
        super().save_model(request, obj, form, change)


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ("front", "key", "deck", "consideration", "retired", "edited_in_admin", "updated_at")
    list_filter = ("deck", "retired", "edited_in_admin", "consideration__objective__section__edition")
    search_fields = ("front", "back", "explanation", "key", "tags")
    list_select_related = ("deck", "consideration")
    raw_id_fields = ("consideration", "carried_from")
    readonly_fields = ("key", "updated_at", "version")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["export_json"]

    @admin.action(description="Export the selected cards as a deck file (JSON)")
    def export_json(self, request, queryset) -> HttpResponse:
        """The selected cards in the deck file format any deck imports (Decks › Import cards from a file)."""
        selection = Deck(title="Cards exported from admin", description=f"{queryset.count()} selected cards")
        cards = queryset.select_related("consideration__objective__section__edition").order_by("deck", "position")
        response = HttpResponse(deckio.to_json(selection, cards), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cards.json"'
        return response

    def save_model(self, request, obj: Card, form, change: bool) -> None:
        # An admin's edit of the text wins over later file loads (see README: "Content: the official deck").
        if change and {"front", "back", "explanation", "link", "consideration"} & set(form.changed_data):
            obj.edited_in_admin = True
        if change and {"front", "back", "explanation", "link"} & set(form.changed_data):
            obj.content_changed_at = timezone.now()
        if change and form.changed_data:
            obj.version += 1  # an editor's form opened before this admin edit is now refused, not silently reverted
        super().save_model(request, obj, form, change)


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ("user", "card", "due", "interval", "easiness", "repetitions", "suspended")
    list_filter = ("suspended",)
    raw_id_fields = ("user", "card")
    search_fields = ("user__username",)

    def has_add_permission(self, request) -> bool:
        return False  # progress is written only by cards/reviews.py

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("user", "card", "grade", "kind", "study_day", "reviewed_at", "undone_at")
    list_filter = ("kind", "grade")
    raw_id_fields = ("user", "card")
    search_fields = ("user__username",)
    date_hierarchy = "reviewed_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the review log is append-only


@admin.register(DeckShare)
class DeckShareAdmin(admin.ModelAdmin):
    list_display = ("deck", "group", "shared_by", "shared_at")
    raw_id_fields = ("deck", "group", "shared_by")
    list_select_related = ("deck", "group", "shared_by")


@admin.register(LeechReport)
class LeechReportAdmin(admin.ModelAdmin):
    """Learners' reports of cards they keep forgetting: how official cards' editors hear of them."""

    list_display = ("card", "reporter", "lapses", "created_at")
    list_filter = ("card__deck",)
    search_fields = ("note", "card__front")
    raw_id_fields = ("card", "reporter")

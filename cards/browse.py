"""The card browser: every card a learner studies (the official deck of their edition, their own, their groups'),
searched and filtered, with the learner's own state of each card. Read-only.

The search box takes words (PostgreSQL's full-text search where the database is PostgreSQL, with stemming; on
SQLite every word must appear in the question, answer, explanation or tags) and comparisons on the learner's own
figures: ``lapses>3``, ``ease<2.0`` (operators < <= = >= >).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from cards.editions import edition_q
from cards.models import Card, Edition, Progress
from cards.reviews import CURRICULUM_ORDER, Scope, studied_decks

MATURE_DAYS = 21
STATES = [
    ("", "Any state"),
    ("new", "New"),
    ("learning", "Learning (interval under 21 days)"),
    ("mature", "Mature (21 days or more)"),
    ("suspended", "Suspended"),
    ("leech", "Leech"),
]
SORTS = {
    "curriculum": ("Exam order", CURRICULUM_ORDER),
    "due": ("Next due first", (F("my_due").asc(nulls_last=True), "id")),
    "lapses": ("Most lapses first", ("-my_lapses", "id")),
    "ease": ("Hardest first (lowest ease)", (F("my_ease").asc(nulls_last=True), "id")),
    "recent": ("Recently edited", ("-updated_at", "-id")),
}
COMPARISON = re.compile(r"^(lapses|ease)(<=|>=|=|<|>)(\d{1,4}(?:\.\d{1,3})?)$")
LOOKUPS = {"<": "lt", "<=": "lte", "=": "exact", ">=": "gte", ">": "gt"}
FIELDS = {"lapses": "my_lapses", "ease": "my_ease"}


class BrowseForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Search")
    deck = forms.ChoiceField(required=False, label="Deck")
    edition = forms.ChoiceField(required=False, label="Exam edition")
    section = forms.ChoiceField(required=False, label="Exam section")
    consideration = forms.RegexField(
        regex=r"^(?:\d{4}:)?\d{1,2}\.\d{1,2}\.\d{1,3}$",
        max_length=20,
        required=False,
        label="Consideration",
        error_messages={"invalid": "Name a consideration by its key, such as 3.4.2 (or 2020:3.4.2)."},
    )
    tag = forms.CharField(max_length=50, required=False, label="Tag")
    state = forms.ChoiceField(choices=STATES, required=False, label="State")
    flag = forms.ChoiceField(
        choices=[("", "Any flag"), *[(str(v), label) for v, label in Progress.Flag.choices if v]],
        required=False,
        label="Flag",
    )
    sort = forms.ChoiceField(choices=[(k, label) for k, (label, _) in SORTS.items()], required=False, label="Sort")

    def __init__(self, data, *, user: User) -> None:
        super().__init__(data)
        decks = studied_decks(user).order_by("owner_id", "title").values_list("slug", "title")
        self.fields["deck"].choices = [("", "All decks"), *decks]
        from cards.editions import sections_of

        self.fields["edition"].choices = [("", "Any edition"), *Edition.objects.values_list("slug", "title")]
        self.fields["section"].choices = [("", "All sections")] + [
            (s.slug, f"{s.number}. {s.title}") for s in sections_of(user)
        ]


@dataclass
class Search:
    words: list[str] = field(default_factory=list)
    comparisons: list[tuple[str, str, float]] = field(default_factory=list)


def parse(q: str) -> Search:
    search = Search()
    for token in q.split():
        match = COMPARISON.match(token.lower())
        if match:
            name, op, number = match.groups()
            search.comparisons.append((FIELDS[name], LOOKUPS[op], float(number)))
        else:
            search.words.append(token)
    return search


def _text_search(cards: QuerySet[Card], words: list[str]) -> QuerySet[Card]:
    if not words:
        return cards
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("front", "back", "explanation", "tags", config="english")
        query = SearchQuery(" ".join(words), search_type="websearch", config="english")
        return cards.annotate(search=vector).filter(search=query)
    for word in words:
        cards = cards.filter(
            Q(front__icontains=word)
            | Q(back__icontains=word)
            | Q(explanation__icontains=word)
            | Q(tags__icontains=word)
        )
    return cards


def tag_q(tag: str) -> Q:
    """Cards carrying exactly this tag (tags are stored sorted, separated by single spaces)."""
    return Q(tags=tag) | Q(tags__startswith=f"{tag} ") | Q(tags__endswith=f" {tag}") | Q(tags__contains=f" {tag} ")


def browse(user: User, data: dict) -> QuerySet[Card]:
    """The cards matching a valid BrowseForm's cleaned data, annotated with the learner's own state."""
    cards = (
        Scope()
        .cards(user)
        .annotate(mine=FilteredRelation("progress", condition=Q(progress__user=user)))
        .annotate(
            my_due=F("mine__due"),
            my_interval=F("mine__interval"),
            my_lapses=Coalesce(F("mine__lapses"), Value(0)),
            my_ease=F("mine__easiness"),
            my_suspended=Coalesce(F("mine__suspended"), Value(False)),
            my_flag=Coalesce(F("mine__flag"), Value(0)),
        )
        .select_related("deck", "consideration__objective__section")
    )
    search = parse(data.get("q") or "")
    cards = _text_search(cards, search.words)
    for name, lookup, number in search.comparisons:
        cards = cards.filter(**{f"{name}__{lookup}": number})
    if data.get("deck"):
        cards = cards.filter(deck__slug=data["deck"])
    if data.get("edition"):
        cards = cards.filter(consideration__objective__section__edition__slug=data["edition"])
    if data.get("consideration"):
        year, _, key = data["consideration"].rpartition(":")
        cards = cards.filter(consideration__key=key)
        if year:
            cards = cards.filter(consideration__objective__section__edition__year=int(year))
        else:
            cards = cards.filter(edition_q(user, "consideration__objective__section__edition"))
    if data.get("section"):
        cards = cards.filter(consideration__objective__section__slug=data["section"])
    if data.get("tag"):
        cards = cards.filter(tag_q(data["tag"].strip().lower()))
    if data.get("flag"):
        cards = cards.filter(my_flag=int(data["flag"]))
    state = data.get("state")
    if state == "new":
        cards = cards.filter(my_due__isnull=True, my_suspended=False)
    elif state == "learning":
        cards = cards.filter(my_due__isnull=False, my_interval__lt=MATURE_DAYS, my_suspended=False)
    elif state == "mature":
        cards = cards.filter(my_interval__gte=MATURE_DAYS, my_suspended=False)
    elif state == "suspended":
        cards = cards.filter(my_suspended=True)
    elif state == "leech":
        cards = cards.filter(my_lapses__gte=user.leech_threshold)
    _, order = SORTS.get(data.get("sort") or "curriculum", SORTS["curriculum"])
    return cards.order_by(*order)

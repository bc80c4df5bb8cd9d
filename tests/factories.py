from __future__ import annotations

import factory

from accounts.models import Membership, StudyGroup, User
from cards.models import Card, Consideration, Deck, DeckShare, Objective, Section


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda s: f"Section {s.number}")
    slug = factory.LazyAttribute(lambda s: f"section-{s.number}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    section = factory.SubFactory(SectionFactory)
    position = 1
    number = factory.LazyAttribute(lambda o: f"{o.section.number}.{o.position}")
    title = factory.LazyAttribute(lambda o: f"Objective {o.number}")


class ConsiderationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consideration

    objective = factory.SubFactory(ObjectiveFactory)
    position = 1
    key = factory.LazyAttribute(lambda c: f"{c.objective.number}.{c.position}")
    title = factory.LazyAttribute(lambda c: f"Consideration {c.key}")


class DeckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deck

    title = factory.Sequence(lambda n: f"Deck {n}")
    slug = factory.Sequence(lambda n: f"deck-{n}")
    owner = None


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    deck = factory.SubFactory(DeckFactory)
    consideration = factory.SubFactory(ConsiderationFactory)
    front = factory.Sequence(lambda n: f"Question {n}?")
    back = factory.Sequence(lambda n: f"Answer {n}.")
    position = factory.Sequence(lambda n: n)


# --- Study groups and shared decks --------------------------------------------------------------------------------


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(StudyGroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class DeckShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeckShare

    deck = factory.SubFactory(DeckFactory)
    group = factory.SubFactory(StudyGroupFactory)

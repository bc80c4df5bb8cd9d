"""Rendering user Markdown stays cheap whatever the input: the denial-of-service corpus, the markup limit, the
plain-text fallback, and the preview's rate limit."""

from __future__ import annotations

import string
import time

import pytest
from django.urls import reverse

from cards.models import Card
from cards.rendering import MAX_MARKUP_SYMBOLS, markup_symbols, render_markdown, too_much_markup
from tests.factories import CardFactory, DeckFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
FIELD = 4000  # the longest card field


def pathological_corpus() -> dict[str, str]:
    """Long runs of every punctuation character and of every pair of Markdown's own, deep nesting, long lines."""
    corpus = {f"run of {ch!r}": ch * FIELD for ch in string.punctuation}
    markdown_chars = "[]()<>*_~`!#|\\&-+=^{}"
    for a in markdown_chars:
        for b in markdown_chars:
            if a != b:
                corpus[f"pairs of {a}{b}"] = (a + b) * (FIELD // 2)
    corpus |= {
        "nested brackets": "[" * (FIELD // 2) + "]" * (FIELD // 2),
        "link openers": ("[a](" * FIELD)[:FIELD],
        "image openers": ("![a](" * FIELD)[:FIELD],
        "nested quotes": "> " * (FIELD // 2),
        "nested lists": "\n".join("  " * i + "- x" for i in range(60))[:FIELD],
        "emphasis": ("*a _b " * FIELD)[:FIELD],
        "one long line": ("word " * FIELD)[:FIELD],
        "brackets then prose": "[" * MAX_MARKUP_SYMBOLS + "x" * (FIELD - MAX_MARKUP_SYMBOLS),
        "table cells": ("|a" * FIELD)[:FIELD],
        "code fence full of brackets": ("```python\n" + "[" * (FIELD - 20) + "\n```")[:FIELD],
        "html tags": ("<b>" * FIELD)[:FIELD],
        "entities": ("&amp;" * FIELD)[:FIELD],
    }
    return corpus


@pytest.mark.parametrize(("name", "text"), pathological_corpus().items(), ids=lambda v: v if len(v) < 40 else None)
def test_pathological_input_renders_quickly(name, text):
    # The budget is 50 ms (make bench prints the worst case); a generous bound keeps a busy CI machine from
    # flaking while still failing on the quadratic parser, which took 4.7 s on the run of '['.
    start = time.perf_counter()
    render_markdown(text)
    assert time.perf_counter() - start < 0.5, name


def test_a_run_of_brackets_is_shown_as_plain_text():
    html = render_markdown("[" * 600)
    assert html == "<p>" + "[" * 600 + "</p>"


def test_the_plain_text_fallback_escapes_html_and_keeps_paragraphs():
    html = render_markdown("<script>x</script>" + "*" * 600 + "\n\nsecond")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert html.endswith("<p>second</p>")


def test_code_blocks_do_not_count_towards_the_markup_limit():
    code = "```python\n" + "f(x[0])\n" * 200 + "```\n"
    assert markup_symbols(code) == 0
    assert too_much_markup(code) == ""
    assert 'class="highlight"' in render_markdown(code)


def test_ordinary_markdown_still_renders():
    html = render_markdown("**b** _i_ `c` ~~s~~ [l](https://cloud.google.com/)\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>b</strong>" in html and "<em>i</em>" in html and "<code>c</code>" in html
    assert "<s>s</s>" in html and '<a href="https://cloud.google.com/"' in html and "<td>1</td>" in html


def test_the_official_decks_stay_far_below_the_markup_limit():
    from cards.deckfile import edition_dirs, read_cards

    worst = max(
        markup_symbols(t) for d in edition_dirs() for c in read_cards(d) for t in (c.front, c.back, c.explanation)
    )
    assert worst < MAX_MARKUP_SYMBOLS // 4


@pytest.fixture
def owner_client(client, learner):
    client.force_login(learner)
    return client


def test_the_card_form_refuses_too_much_markup_and_saves_nothing(owner_client, learner):
    deck = DeckFactory(owner=learner)
    response = owner_client.post(reverse("card_create", args=[deck.slug]), {"front": "[" * 600, "back": "b"})
    assert response.status_code == 400
    assert "Markdown symbols" in response.content.decode()
    assert not Card.objects.filter(deck=deck).exists()


def test_the_preview_refuses_too_much_markup_with_a_message(owner_client):
    response = owner_client.post(reverse("card_preview"), {"front": "[" * 600}, **HTMX)
    assert response.status_code == 400
    assert f"at most {MAX_MARKUP_SYMBOLS} are allowed" in response.content.decode()


def test_the_preview_is_rate_limited_per_learner(owner_client, client, outsider, settings):
    settings.PREVIEW_RATE_PER_MINUTE = 3
    statuses = [owner_client.post(reverse("card_preview"), {"front": "x"}, **HTMX).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many previews" in owner_client.post(reverse("card_preview"), {"front": "x"}, **HTMX).content.decode()
    client.force_login(outsider)  # another learner has a count of their own
    assert client.post(reverse("card_preview"), {"front": "x"}, **HTMX).status_code == 200


def test_an_admin_saved_row_with_too_much_markup_renders_as_text(db):
    card = CardFactory(front="[" * 700)
    assert card.front_html == "<p>" + "[" * 700 + "</p>"

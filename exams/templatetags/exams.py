from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def chosen(view, option) -> bool:
    return view.chosen(option)


@register.filter
def answered_count(palette) -> int:
    return sum(item.answered for item in palette)


@register.filter
def flagged_count(palette) -> int:
    return sum(item.flagged for item in palette)


@register.filter
def ids(considerations) -> list[int]:
    return [c.id for c in considerations]


@register.filter
def duration(seconds: int) -> str:
    minutes, seconds = divmod(int(seconds or 0), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


@register.filter
def time_left(seconds: int) -> str:
    hours, rest = divmod(int(seconds or 0), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def markdown(text: str):
    """The same sanitised rendering as saving does: for previews of text not saved yet."""
    from django.utils.safestring import mark_safe

    from cards.rendering import render_markdown

    return mark_safe(render_markdown(text))  # noqa: S308 - render_markdown sanitises with nh3

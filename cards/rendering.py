"""Markdown to safe HTML: rendered once on the server, highlighted with Pygments, sanitised with nh3."""

from __future__ import annotations

import markdown
import nh3

EXTENSIONS = ["fenced_code", "tables", "sane_lists", "codehilite"]
EXTENSION_CONFIGS = {"codehilite": {"guess_lang": False, "css_class": "highlight"}}

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "span", "div", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}


def markdown_to_html(text: str) -> str:
    """Unsanitised Markdown output: only for checking content, never for showing it."""
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    if not text:
        return ""
    return sanitise(markdown_to_html(text))

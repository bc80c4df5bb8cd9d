"""Markdown to safe HTML: rendered once on the server, highlighted with Pygments, sanitised with nh3.

The parser is markdown-it-py, whose work grows linearly with its input. Linear is not enough on its own: a field
made of nothing but link and emphasis openers still costs tens of microseconds a character. So text with more
than ``MAX_MARKUP_SYMBOLS`` markup symbols outside code blocks is not parsed at all: the forms refuse it with a
message, and anything that reaches the renderer anyway (an old row, a file) is shown as escaped plain text.
"""

from __future__ import annotations

import re
from html import escape

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "span", "div", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "del", "s", "sup", "sub", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}
# Classes are kept only as the highlighter writes them: Pygments' token classes on spans ("k", "s1", and for token
# types without a short name "p p-Indicator"), "highlight" on code. Anything else could borrow the app's own
# chrome (class="message error", "messages", "button", ...) to fake it.
_SHORT_NAMES = sorted((name for name in STANDARD_TYPES.values() if name), key=len, reverse=True)
_TOKEN_CLASS = re.compile(rf"(?:{'|'.join(map(re.escape, _SHORT_NAMES))})(?:-[A-Z][A-Za-z0-9]*)*")


def class_allowed(tag: str, name: str) -> bool:
    return (tag == "span" and _TOKEN_CLASS.fullmatch(name) is not None) or (tag == "code" and name == "highlight")


# An image may only come from this site's own image view (cards/image_views.py), which checks who may see it.
OWN_IMAGE = re.compile(r"/images/[0-9]{1,18}/")


def _keep_highlighter_classes(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if OWN_IMAGE.fullmatch(value) else None
    if attribute != "class":
        return value
    return " ".join(name for name in value.split() if class_allowed(tag, name)) or None


# The characters Markdown gives a meaning to; prose and code blocks use few of them (the official decks at most 43).
MARKUP_SYMBOLS = frozenset("[]()<>*_~`!#|\\&-+=^{}")
MAX_MARKUP_SYMBOLS = 500
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Fenced code with a language is highlighted by Pygments; without one (or unknown) markdown-it escapes it."""
    try:
        lexer = get_lexer_by_name(lang) if lang else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""
    return f'<pre><code class="highlight">{highlight(code, lexer, _FORMATTER)}</code></pre>\n'


_PARSER = MarkdownIt("commonmark", {"html": True, "highlight": _highlight}).enable(["table", "strikethrough"])


def markup_symbols(text: str) -> int:
    """Markup symbols outside fenced code blocks: what the parser's work depends on. One pass, linear."""
    count = 0
    fence = ""
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        count += sum(ch in MARKUP_SYMBOLS for ch in line)
    return count


def too_much_markup(text: str) -> str:
    """A message for a form when ``text`` would not be rendered as Markdown, else an empty string."""
    n = markup_symbols(text)
    if n <= MAX_MARKUP_SYMBOLS:
        return ""
    return (
        f"This text has {n} Markdown symbols such as [ ] ( ) * _ outside code blocks; at most "
        f"{MAX_MARKUP_SYMBOLS} are allowed. Put code in a fenced block (```) or remove some symbols."
    )


def validate_markup(text: str) -> None:
    """Field validator for every Markdown field a person can write."""
    from django.core.exceptions import ValidationError  # the rendering itself stays free of Django

    message = too_much_markup(text)
    if message:
        raise ValidationError(message, code="too_much_markup")


def markdown_to_html(text: str) -> str:
    """Unsanitised Markdown output: only for checking content, never for showing it."""
    return _PARSER.render(text)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_highlighter_classes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> str:
    if not text:
        return ""
    if too_much_markup(text):
        paragraphs = (escape(p).replace("\n", "<br>") for p in re.split(r"\n\s*\n", text) if p.strip())
        return "".join(f"<p>{p}</p>" for p in paragraphs)
    return sanitise(markdown_to_html(text)).strip()

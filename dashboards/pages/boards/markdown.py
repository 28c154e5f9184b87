"""Markdown of text widgets as HTML that is safe to put in the page: raw HTML in the text
is escaped, and markdown-it refuses javascript:, vbscript: and data: links itself."""

from __future__ import annotations

from django.utils.safestring import SafeString
from markdown_it import MarkdownIt

_RENDERER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def render_markdown(text: str) -> SafeString:
    return SafeString(_RENDERER.render(text))

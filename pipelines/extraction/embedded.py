"""The story a JavaScript application carries in its scripts, for pages that show none.

Single-page applications (Next.js, Nuxt, a CMS's own) send an empty shell and the story
as data for their scripts: `__NEXT_DATA__`, a React server payload, `window.__STATE__`.
Their article is a string of HTML there ("contentHtml": "<p>...</p><p>..."), escaped
once or twice. When the page shows next to no text, the longest such string that holds
paragraphs is the story.
"""

from __future__ import annotations

import json
import re

from lxml import html

# A quoted string of at least a few hundred characters in a script.
STRING = re.compile(r'"((?:[^"\\]|\\.){300,})"', re.DOTALL)
# An opening paragraph tag, as written, or escaped once or twice.
PARAGRAPH = re.compile(r"(?:<|\\u003c|\\\\u003c)p[\s>\\]", re.IGNORECASE)
MIN_PARAGRAPHS = 3
# Where the application puts an advertisement or a widget: "$$ARTICLEAD$$", "{{ad}}".
PLACEHOLDER = re.compile(r"\$\$\w+\$\$|\{\{\s*\w+\s*\}\}|\[\[\w+\]\]")
MAX_UNESCAPE = 2  # a string inside a string: React's server payload


def embedded_html(tree: html.HtmlElement) -> str | None:
    """The longest HTML fragment with MIN_PARAGRAPHS paragraphs that the page's scripts
    (not its JSON-LD) carry as a string, unescaped; None when there is none."""
    best: str | None = None
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" or not script.text:
            continue
        if len(PARAGRAPH.findall(script.text)) < MIN_PARAGRAPHS:
            continue
        for match in STRING.finditer(script.text):
            fragment = _unescape(match.group(1))
            if not fragment or len(PARAGRAPH.findall(fragment)) < MIN_PARAGRAPHS:
                continue
            if best is None or len(fragment) > len(best):
                best = fragment
    return PLACEHOLDER.sub("", best) if best else None


def _unescape(literal: str) -> str | None:
    """A JSON string literal's text, unescaped again while it is itself escaped."""
    text = literal
    for _ in range(MAX_UNESCAPE):
        if "<" in text and "\\u003c" not in text and '\\"' not in text:
            return text
        try:
            text = json.loads(f'"{text}"')
        except ValueError:
            return None
    return text if "<" in text else None

"""Where on the page a line of the text is shown: its place in the site's template.

A site's template repeats blocks in the same place with the same markup on every page,
while their text changes: a section's label over the headline ("WORLD", "SPORT"), an
issue number, a "tip of the day", a widget's reading. Text alone never repeats there, so
the site's learned template (`templates`) also counts places: the chain of tags and class
names (digits dropped) of the element that shows a short line at the top or the end of
the text, when no sibling shares its markup. A story's paragraphs share theirs (`<p>` after
`<p>`) and are never a place.
"""

from __future__ import annotations

import re

from lxml import html

EDGE_LINES = 2  # lines at each end of the text whose places are read
PLACE_WORDS = 12  # longer lines are prose, wherever they are shown
PLACE_DEPTH = 3  # elements of the chain, from the line's own up
DIGITS = re.compile(r"[-_]?\d+")
TOP, END = "top", "end"
# Elements that show a line of text (the walk skips the rest in C: scripts, images,
# SVG, form fields cost nothing).
SHOWN = (
    "p", "div", "span", "a", "li", "td", "th", "dd", "dt", "b", "strong", "i", "em",
    "small", "font", "time", "label", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "header", "footer", "aside", "center", "cite", "figcaption",
)  # fmt: skip


def edge_places(lines: list[str], tree: html.HtmlElement) -> dict[str, str]:
    """For each short line at the text's edges shown in an element of its own (with a
    class or id, and no sibling of the same markup), its edge and place: line -> place."""
    wanted: dict[str, str] = {}
    for index, line in enumerate(lines):
        if index >= EDGE_LINES and index < len(lines) - EDGE_LINES:
            continue
        text = " ".join(line.split())
        if text and len(text.split()) <= PLACE_WORDS:
            wanted.setdefault(text, TOP if index < EDGE_LINES else END)
    if not wanted:
        return {}
    starts = tuple({text.split()[0] for text in wanted})
    found: dict[str, str] = {}
    body = tree.find(".//body")
    for element in body.iter(SHOWN) if body is not None else ():
        text = element.text
        if not text or not text.lstrip().startswith(starts):
            continue
        holder = _holder(element, wanted)
        if holder is not None:
            text = " ".join(holder.text_content().split())
            place = _place(holder)
            if place and text not in found:
                found[text] = f"{wanted[text]}:{place}"
    return found


def _holder(element: html.HtmlElement, wanted: dict[str, str]) -> html.HtmlElement | None:
    """The element, or the ancestor, whose whole text is one of the wanted lines."""
    longest = max(len(text) for text in wanted)
    current: html.HtmlElement | None = element
    while current is not None and current.tag != "body":
        text = " ".join(current.text_content().split())
        if text in wanted:
            return current
        if len(text) > longest:
            return None
        current = current.getparent()
    return None


def _place(element: html.HtmlElement) -> str | None:
    """The element's markup chain ("div.fg-content > p.fg-kicker"), if it names itself
    and stands alone among its siblings."""
    own = _markup(element)
    if "." not in own and "#" not in own:
        return None
    parent = element.getparent()
    if parent is not None and any(
        sibling is not element and isinstance(sibling.tag, str) and _markup(sibling) == own
        for sibling in parent
    ):
        return None
    chain = [own]
    for ancestor in element.iterancestors():
        if len(chain) >= PLACE_DEPTH or ancestor.tag == "body":
            break
        chain.append(_markup(ancestor))
    return " > ".join(reversed(chain))


def _markup(element: html.HtmlElement) -> str:
    """Tag, class words and id, digits dropped: "div.story-box#main"."""
    classes = sorted(DIGITS.sub("", word) for word in (element.get("class") or "").split())
    name = DIGITS.sub("", element.get("id") or "")
    return str(element.tag) + "".join(f".{c}" for c in classes if c) + (f"#{name}" if name else "")

"""The text a reader of a page sees: one reading for every rule that needs it.

Scripts, styles, `<noscript>` and `<template>` hold text no reader sees (JSON-LD with the
page's description and dates, fallbacks for browsers without scripts): a lead or a date
found there is not one the page shows.
"""

from __future__ import annotations

from lxml import etree, html

UNSHOWN = frozenset({"script", "style", "noscript", "template"})


def visible_text(tree: html.HtmlElement, until: html.HtmlElement | None = None) -> str:
    """The body's visible text runs in reading order, joined by spaces (up to the element
    `until`, when given): one walk of the elements (1 ms a page), where an XPath testing
    each text's ancestors takes 2.3."""
    body = tree.find(".//body")
    if body is None:
        return ""
    texts = []
    hidden = 0  # depth inside elements whose text is not shown
    for event, element in etree.iterwalk(body, events=("start", "end")):
        unshown = element.tag in UNSHOWN
        if event == "start":
            if element is until:
                break
            hidden += unshown
            if not hidden and element.text and isinstance(element.tag, str):
                texts.append(element.text)
        else:
            hidden -= unshown
            if not hidden and element.tail and element is not body:
                texts.append(element.tail)
    return " ".join(texts)

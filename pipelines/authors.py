"""Authors as a list of people: the names the page declares, the site's own name left out."""

from __future__ import annotations

from lxml import html

from pipelines.metadata import PageMetadata
from pipelines.normalise import is_site_name, tidy, unique


def choose_authors(
    tree: html.HtmlElement,
    declared: PageMetadata,
    extracted: str | None,
    site_name: str | None,
    site: str,
) -> list[str]:
    """Author names from declared metadata, else from trafilatura's byline."""
    names = declared.authors or [n for n in (extracted or "").split(";")]
    return unique(
        name for name in map(tidy, names) if name and not is_site_name(name, site_name, site)
    )

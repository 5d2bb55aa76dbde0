"""The operator's sources file: one `[[source]]` table per site, every value checked.

    [[source]]
    name = "allAfrica"
    feeds = ["https://allafrica.com/tools/headlines/rdf/latest/headlines.rdf"]
    sitemaps = []          # sitemap URLs, or a site's robots.txt
    start = []             # home or section pages for a site crawl
    depth = 2              # link depth for start pages
    home = "https://..."   # or only this: the site's feeds and sitemaps discovered
                           # from its home page at each run (`crawler.discovery`),
                           # reused for DISCOVERY_TTL

TOML accepts values the crawl cannot use: `feeds = "https://..."` (a string, not a
list) would be read letter by letter. Every key's type is checked when the file is
read, and a mistake is a `ConfigError` naming the file, the source and the key; each
URL keeps the line it was written on, so an unusable one is reported there.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from typing import Any

from crawler.config import ConfigError, Integer, did_you_mean, read_file
from crawler.urllists import Listed

DEFAULT_DEPTH = 2
LISTS = ("feeds", "sitemaps", "start")
KEYS = ("name", *LISTS, "depth", "home")


@dataclass
class Source:
    name: str
    feeds: list[Listed] = field(default_factory=list)
    sitemaps: list[Listed] = field(default_factory=list)
    start: list[Listed] = field(default_factory=list)
    depth: int = DEFAULT_DEPTH
    home: Listed | None = None

    def entries(self) -> list[Listed]:
        return [*self.feeds, *self.sitemaps, *self.start, *([self.home] if self.home else [])]


class _Lines:
    """Finds the line each string value was written on, in the order the file has them."""

    def __init__(self, text: str):
        self.text = text
        self.cursor = 0

    def of(self, value: str) -> int | None:
        found = [
            at
            for quote in ('"', "'")
            if (at := self.text.find(f"{quote}{value}{quote}", self.cursor)) >= 0
        ]
        if not found:  # written with escapes: the location falls back to the key
            return None
        at = min(found)
        self.cursor = at + len(value) + 2
        return self.text.count("\n", 0, at) + 1


def read_sources(path: str) -> list[Source]:
    """Sources from a TOML file; ConfigError naming the file, source and key that is wrong."""
    text = read_file(path, f"-a sources={path}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"-a sources={path}: not valid TOML: {error}") from None
    extra = sorted(set(data) - {"source"})
    if extra:
        raise ConfigError(
            f"{path}: unknown key {extra[0]!r}{did_you_mean(extra[0], ['source'])}: "
            "the file holds [[source]] tables"
        )
    tables = data.get("source", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ConfigError(f"{path}: 'source' must be [[source]] tables (see sources.example.toml)")
    lines = _Lines(text)
    sources = [_source(path, number, table, lines) for number, table in enumerate(tables, 1)]
    if not sources:
        raise ConfigError(f"{path}: no [[source]] tables (see sources.example.toml)")
    return sources


def _source(path: str, number: int, table: dict[str, Any], lines: _Lines) -> Source:
    name = table.get("name", f"source {number}")
    label = f"{path}: source {number}" + (f" ({name!r})" if isinstance(name, str) else "")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{label} has unknown keys {unknown}{did_you_mean(unknown[0], KEYS)}; "
            f"a source has {', '.join(KEYS)}"
        )
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f'{label}: name must be text, e.g. name = "Example News", not {name!r}')
    depth = table.get("depth", DEFAULT_DEPTH)
    if not isinstance(depth, int) or not Integer(0).valid(depth):
        raise ConfigError(
            f"{label}: depth must be {Integer(0).wants} (links to follow), e.g. depth = 2, "
            f"not {depth!r}"
        )
    source = Source(name=name, depth=depth)
    for key in table:  # in the file's order, so that the lines are found in order
        if key in LISTS:
            setattr(source, key, _urls(path, label, name, key, table[key], lines))
    if "home" in table:
        home = table["home"]
        if not isinstance(home, str):
            raise ConfigError(
                f'{label}: home must be a URL in quotes, e.g. home = "https://...", not {home!r}'
            )
        line = lines.of(home)
        where = f"{path} line {line}" if line else f"{path} home"
        source.home = Listed(home.strip(), f"{where} (source {name!r}, home)", source=name)
    if not (source.feeds or source.sitemaps or source.start or source.home):
        raise ConfigError(f"{label} lists no feeds, sitemaps, start or home")
    return source


def _urls(path: str, label: str, name: str, key: str, value: Any, lines: _Lines) -> list[Listed]:
    if not isinstance(value, list):
        shown = "a string" if isinstance(value, str) else repr(value)
        raise ConfigError(
            f'{label}: {key} must be a list of URLs, e.g. {key} = ["https://..."], not {shown}'
        )
    entries = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise ConfigError(f"{label}: {key} item {number} is {item!r}, not a URL in quotes")
        line = lines.of(item)
        where = f"{path} line {line}" if line else f"{path} {key} item {number}"
        entries.append(Listed(item.strip(), f"{where} (source {name!r}, {key})", source=name))
    return entries


def source_block(name: str, chosen: list[tuple[str, str, str]], note: str = "") -> str:
    """A `[[source]]` table to append to a sources file: `chosen` is (key, URL, comment)
    with key one of LISTS, each URL on its line with its comment."""
    lines = [f"# {line}" for line in note.splitlines()] + ["[[source]]", f"name = {_quoted(name)}"]
    for key in LISTS:
        urls = [(url, comment) for listed, url, comment in chosen if listed == key]
        if urls:
            lines.append(f"{key} = [")
            lines += [
                f"    {_quoted(url)},  # {' '.join(comment.split())}" for url, comment in urls
            ]
            lines.append("]")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, but for DEL, which TOML refuses raw."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")

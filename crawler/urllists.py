"""URL lists as operators give them: a file of one URL per line, or a comma list.

Each entry keeps where it was written (a file's line, an argument's item), so an
unusable one is reported where the operator can find it, and skipped while every other
entry is crawled: one line without a scheme must not cost the hundred lines after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from crawler.config import ConfigError, read_file
from crawler.urls import url_problem


@dataclass(frozen=True)
class Listed:
    """One URL of a list: as written, where it was written, and what will be fetched."""

    text: str
    where: str  # "urls.txt line 3", "-a urls= item 2"
    source: str | None = None  # the named source it belongs to, if any
    url: str = ""  # what is fetched, when not `text` itself (a site's robots.txt)

    @property
    def target(self) -> str:
        return self.url or self.text

    @property
    def problem(self) -> str | None:
        """Why it cannot be fetched, or None."""
        return url_problem(self.target)

    def located(self, locate: Callable[[str], str]) -> Listed:
        """The same entry fetched at `locate(text)` (e.g. a site name's robots.txt)."""
        return replace(self, url=locate(self.text))


def from_file(path: str | None, argument: str = "file") -> list[Listed]:
    """The entries of a list file: one per line, without blank lines and `#` comments."""
    if not path:
        return []
    text = read_file(path, f"-a {argument}={path}")
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        written = line.split("#", 1)[0].strip()
        if written:
            entries.append(Listed(written, f"{path} line {number}"))
    return entries


def from_argument(name: str, value: str | None) -> list[Listed]:
    """The entries of a comma-separated spider argument (`-a urls=U1,U2`)."""
    parts = [part.strip() for part in (value or "").split(",")]
    return [
        Listed(part, f"-a {name}= item {number}")
        for number, part in enumerate(parts, start=1)
        if part
    ]


def usable(entries: Iterable[Listed], needs: str) -> tuple[list[Listed], list[Listed]]:
    """The entries that can be fetched and those that cannot.

    ConfigError when none can: a run with nothing to crawl did not start (exit code 3),
    and `needs` says what the spider needs.
    """
    good: list[Listed] = []
    bad: list[Listed] = []
    for entry in entries:
        (bad if entry.problem else good).append(entry)
    if good:
        return good, bad
    if not bad:
        raise ConfigError(needs)
    first = bad[0]
    more = f" (and {len(bad) - 1} more unusable entries)" if len(bad) > 1 else ""
    raise ConfigError(f"nothing to crawl: {first.where}: {first.text!r}: {first.problem}{more}")

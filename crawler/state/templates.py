"""The site-template part of the state: which text blocks each site's pages share
(`pipelines.templates` drops a block most pages of a site have), and the tags that count
each page once.

A block remembers the short tags (`page_tag`) of the pages that had it, stored
concatenated, so a page cleaned again (revisits, repaired runs) is not counted twice.
The tag helpers here are shared by every backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from crawler.state.base import Store


class TemplateBlocks(Store, Protocol):
    """Per site, the pages that had each block."""

    def count_blocks(self, site: str, page: str, keys: Sequence[int], cap: int) -> dict[int, int]:
        """For each block key, how many pages of `site` other than `page` had it; records
        that `page` has it. A page is counted once however often it is cleaned (revisits,
        repaired runs), and a block remembers at most `cap` pages: enough to decide."""
        ...

    def retag_blocks(self, site: str, keys: Sequence[int], page: str, story: str) -> None:
        """Count `page`'s blocks as `story`'s from now on: pages of one story are one."""
        ...


TAG_BYTES = 4


def page_tag(page: str) -> bytes:
    """A page's short name in the site-template counts (a collision costs one count)."""
    return hashlib.blake2b(page.encode(), digest_size=TAG_BYTES).digest()


def split_tags(tags: bytes | None) -> list[bytes]:
    """A block's page tags, as stored (concatenated)."""
    tags = tags or b""
    return [tags[i : i + TAG_BYTES] for i in range(0, len(tags), TAG_BYTES)]


def tag_blocks(
    tag: bytes, keys: Sequence[int], known: dict[int, tuple[int, bytes]], cap: int
) -> tuple[dict[int, int], dict[int, bytes]]:
    """The page `tag`'s count of other pages per block, and the blocks' new tags.

    `known` holds each stored block's untagged page count and its tags.
    """
    counts: dict[int, int] = {}
    writes: dict[int, bytes] = {}
    for key in keys:
        untagged, tags = known.get(key, (0, b""))
        split = split_tags(tags)
        pages, mine = untagged + len(split), tag in split
        if pages - mine:
            counts[key] = pages - mine
        if not mine and pages < cap:
            writes[key] = tags + tag
    return counts, writes


def retagged(blocks: Iterable[tuple[int, bytes | None]], page: str, story: str) -> dict[int, bytes]:
    """The blocks whose tags name `page`, with `story`'s tag (once) in its place."""
    old, new = page_tag(page), page_tag(story)
    changed = {}
    for key, tags in blocks:
        split = split_tags(tags)
        if old in split:
            changed[key] = b"".join([*(tag for tag in split if tag not in (old, new)), new])
    return changed

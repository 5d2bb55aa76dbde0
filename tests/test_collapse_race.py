"""Crawler processes (and threads) folding copies of the same stories at once on one Redis.

Each story has two or three copies, split between two OS processes that decide them in
the same order, released together by a barrier: the copies of a story are decided at
nearly the same instant. Exactly one page per story must be kept, the others its copies,
and the clusters must be those of a one-process run.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from crawler.state import StateStore, open_state
from pipelines.collapse import Collapser
from pipelines.fingerprint import Fingerprinter
from tests.conftest import prose

STORIES = 100


def story_pages() -> list[list[tuple[str, str]]]:
    """Each story's copies (id, text): the original, a credited copy, sometimes a retitle."""
    stories = []
    for n in range(STORIES):
        body = prose(1000 + n, paragraphs=8)
        copies = [
            (f"s{n}-a", "\n\n".join(body)),
            (f"s{n}-b", "\n\n".join(["Source: Wire", *body, "First published on Wire."])),
            (f"s{n}-c", "\n\n".join([body[0] + " Updated.", *body[1:]])),
        ]
        stories.append(copies[: 2 + n % 2])
    return stories


def collapser(store: StateStore) -> Collapser:
    return Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40)


def decide_all(url: str, pages: list[tuple[str, str]], barrier: Any, out: Any) -> None:
    """A worker: fingerprint first, then decide every page as soon as all are ready."""
    store = open_state(url)
    deciding = collapser(store)
    prints = [(doc, deciding.fingerprinter.fingerprint(text)) for doc, text in pages]
    barrier.wait()
    decisions = {}
    for doc, fingerprint in prints:
        match = deciding.decide_fingerprint(doc, fingerprint)
        decisions[doc] = match.duplicate_of if match else None
    store.close()
    out.put(decisions)


def clusters(store: StateStore, docs: list[str]) -> set[frozenset[str]]:
    found = store.clusters_of(docs)
    return {frozenset(d for d in docs if found[d] == c) for c in set(found.values())}


def test_concurrent_copies_fold_as_one_process_would(redis_server):
    stories = story_pages()
    docs = [doc for story in stories for doc, _ in story]
    sequential = open_state(redis_server.url + "?prefix=sequential")
    alone = collapser(sequential)
    for story in stories:
        for doc, text in story:
            alone.decide(doc, text)
    expected = clusters(sequential, docs)
    sequential.close()
    assert expected == {frozenset(doc for doc, _ in story) for story in stories}

    context = multiprocessing.get_context("fork")  # the workers need not import again
    barrier, out = context.Barrier(2), context.Queue()
    shares = [
        [page for story in stories for page in story[0::2]],  # a and c copies
        [page for story in stories for page in story[1::2]],  # b copies, same story order
    ]
    workers = [
        context.Process(target=decide_all, args=(redis_server.url, share, barrier, out))
        for share in shares
    ]
    for worker in workers:
        worker.start()
    decisions = {**out.get(timeout=120), **out.get(timeout=120)}
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    store = open_state(redis_server.url)
    assert clusters(store, docs) == expected
    for story in stories:
        names = [doc for doc, _ in story]
        kept = [doc for doc in names if decisions[doc] is None]
        assert len(kept) == 1, (names, decisions)
        assert all(decisions[doc] == kept[0] for doc in names if doc != kept[0])
        members = [store.member(doc) for doc in names]
        relations = sorted(m.relation for m in members if m is not None)
        assert relations == ["copy"] * (len(names) - 1) + ["kept"]
    store.close()


def test_threads_of_one_process_fold_as_one_thread_would(redis_server):
    """The collapse pipeline decides on Redis in threads sharing one store: every copy of
    a story decided at once by different threads still folds into one cluster."""
    stories = story_pages()
    docs = [doc for story in stories for doc, _ in story]
    store = open_state(redis_server.url)
    deciding = collapser(store)
    prints = [
        (doc, deciding.fingerprinter.fingerprint(text)) for story in stories for doc, text in story
    ]
    barrier = threading.Barrier(4)

    def decide(share: list[tuple[str, Any]]) -> dict[str, str | None]:
        barrier.wait()
        found = {}
        for doc, fingerprint in share:
            match = deciding.decide_fingerprint(doc, fingerprint)
            found[doc] = match.duplicate_of if match else None
        return found

    with ThreadPoolExecutor(4) as pool:
        decisions = {
            doc: kept
            for found in pool.map(decide, [prints[n::4] for n in range(4)])
            for doc, kept in found.items()
        }
    assert clusters(store, docs) == {frozenset(doc for doc, _ in story) for story in stories}
    for story in stories:
        kept = [doc for doc, _ in story if decisions[doc] is None]
        assert len(kept) == 1 and all(decisions[doc] in (None, kept[0]) for doc, _ in story)
    store.close()


def test_a_page_claimed_by_a_killed_worker_is_waited_for_once(redis_server, monkeypatch):
    """A worker killed between claim and settle: the next copy waits `SETTLE_WAIT`, then
    goes on without the page; no later copy waits for it, and when it comes back it
    joins the story like any later copy."""
    import pipelines.collapse

    monkeypatch.setattr(pipelines.collapse, "SETTLE_WAIT", 0.2)
    (first, text_a), (second, text_b), (third, text_c) = story_pages()[1]
    store = open_state(redis_server.url)
    deciding = collapser(store)
    assert deciding.decide(third, text_c) is None
    fingerprint = deciding.fingerprinter.fingerprint(text_a)
    claim = store.claim(first, fingerprint.band_keys, fingerprint.shingles)  # then killed
    assert claim.known is None
    match = deciding.decide(second, text_b)  # waited, then went on without it
    assert match is not None and match.duplicate_of == third
    assert redis_server.client().hexists(f"newsfold:d:{first}", "abandoned")
    back = deciding.decide(first, text_a)
    assert back is not None and back.duplicate_of == third
    assert set(store.clusters_of([first, second, third]).values()) == {third}
    store.close()

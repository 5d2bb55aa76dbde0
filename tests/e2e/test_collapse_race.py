"""Crawler processes (and threads) folding copies of the same stories at once on one Redis.

Each story has two or three copies, split between two OS processes that decide them in
the same order, released together by a barrier: the copies of a story are decided at
nearly the same instant, and the later original of a story makes itself its article while
the other process adds a copy. Each process writes the records its decisions changed, as
the store pipeline does. Exactly one page per story must be its article, the one a
one-process run chooses, the clusters must be those of a one-process run, and the records
written must fold to the state: no re-emission lost, no revision written twice.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from crawler.fingerprint import Fingerprinter
from crawler.state import StateStore, open_state
from pipelines.collapser import Collapser
from tests.conftest import prose
from tests.pipelines.test_collapse import fields

STORIES = 100


def story_pages() -> list[list[tuple[str, str, str]]]:
    """Each story's copies (id, text, published): a reprint, a credited copy a day later,
    and (in every other story) the original, published the day before the reprint."""
    stories = []
    for n in range(STORIES):
        body = prose(1000 + n, paragraphs=8)
        copies = [
            (f"s{n}-a", "\n\n".join(body), "2024-03-02T08:00:00+00:00"),
            (
                f"s{n}-b",
                "\n\n".join(["Source: Wire", *body, "First published on Wire."]),
                "2024-03-03T08:00:00+00:00",
            ),
            (
                f"s{n}-c",
                "\n\n".join([body[0] + " Updated.", *body[1:]]),
                "2024-03-01T08:00:00+00:00",
            ),
        ]
        stories.append(copies[: 2 + n % 2])
    return stories


def collapser(store: StateStore, owner: str = "") -> Collapser:
    return Collapser(store, Fingerprinter(128, 0.4, 0.5), 0.7, 0.85, 40, owner=owner)


def decide_and_write(
    deciding: Collapser, store: StateStore, doc: str, text: str, published: str
) -> list[Any]:
    """Decide a page, then write the records the decision changed in `store` (the
    collapser's), as the store pipeline does: (page, kind, article, revision) of each
    record committed."""
    page = {**fields(doc, published), "text": text}
    decision = deciding.decide_fingerprint(doc, deciding.fingerprinter.fingerprint(text), page)
    written = []
    for changed in decision.changed:
        with store.transaction():
            emission = store.emit(changed, deciding.owner)
        if emission is not None:
            placement = emission.placement
            written.append((changed, placement.kind, placement.duplicate_of, placement.revision))
    return written


def decide_all(url: str, pages: list[tuple[str, str, str]], barrier: Any, out: Any) -> None:
    """A worker: decide and write every page as soon as both workers are ready."""
    store = open_state(url)
    deciding = collapser(store, owner=f"worker-{len(pages)}")
    barrier.wait()
    written = [record for page in pages for record in decide_and_write(deciding, store, *page)]
    store.close()
    out.put(written)


def clusters(store: StateStore, docs: list[str]) -> set[frozenset[str]]:
    found = store.clusters_of(docs)
    return {frozenset(d for d in docs if found[d] == c) for c in set(found.values())}


def check_records_fold_to_the_state(store: StateStore, written: list[Any], docs: list[str]):
    """Every page's highest revision says what the state says; no revision twice."""
    revisions = [(doc, revision) for doc, _, _, revision in written]
    assert len(revisions) == len(set(revisions)), "a revision written twice"
    latest: dict[str, tuple[str, str | None, int]] = {}
    for doc, kind, article, revision in written:
        if doc not in latest or revision > latest[doc][2]:
            latest[doc] = (kind, article, revision)
    assert set(latest) == set(docs), "a page never written"
    for doc in docs:
        member = store.member(doc)
        assert member is not None
        article = None if member.relation == "article" else store.kept(member.cluster)
        assert latest[doc][:2] == (member.relation, article), doc
    assert store.outbox() == [], "a changed record left unwritten"


def test_concurrent_copies_fold_as_one_process_would(redis_server):
    stories = story_pages()
    docs = [doc for story in stories for doc, _, _ in story]
    sequential = open_state(redis_server.url + "?prefix=sequential")
    alone = collapser(sequential)
    for story in stories:
        for page in story:
            decide_and_write(alone, sequential, *page)
    expected = clusters(sequential, docs)
    articles = {sequential.kept(sequential.clusters_of([d])[d]) for d in docs}
    sequential.close()
    assert expected == {frozenset(doc for doc, _, _ in story) for story in stories}
    assert articles == {story[-1][0] if len(story) == 3 else story[0][0] for story in stories}

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
    written = [*out.get(timeout=120), *out.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0

    store = open_state(redis_server.url)
    assert clusters(store, docs) == expected
    for story in stories:
        names = [doc for doc, _, _ in story]
        members = [store.member(doc) for doc in names]
        relations = sorted(m.relation for m in members if m is not None)
        assert relations == ["article"] + ["copy"] * (len(names) - 1)
        (article,) = [m.doc for m in members if m is not None and m.relation == "article"]
        assert article in articles
    check_records_fold_to_the_state(store, written, docs)
    store.close()


def test_threads_of_one_process_fold_as_one_thread_would(redis_server):
    """The collapse pipeline decides on Redis in threads sharing one store: every copy of
    a story decided at once by different threads still folds into one cluster, with the
    article one thread would choose."""
    stories = story_pages()
    docs = [doc for story in stories for doc, _, _ in story]
    store = open_state(redis_server.url)
    deciding = collapser(store, owner="threads")
    pages = [page for story in stories for page in story]
    barrier = threading.Barrier(4)

    def decide(share: list[tuple[str, str, str]]) -> list[Any]:
        barrier.wait()
        return [record for page in share for record in decide_and_write(deciding, store, *page)]

    with ThreadPoolExecutor(4) as pool:
        written = [r for found in pool.map(decide, [pages[n::4] for n in range(4)]) for r in found]
    assert clusters(store, docs) == {frozenset(doc for doc, _, _ in story) for story in stories}
    for story in stories:
        original = story[-1][0] if len(story) == 3 else story[0][0]
        assert {store.kept(store.clusters_of([doc])[doc]) for doc, _, _ in story} == {original}
    check_records_fold_to_the_state(store, written, docs)
    store.close()


def test_a_page_claimed_by_a_killed_worker_is_waited_for_once(redis_server, monkeypatch):
    """A worker killed between claim and settle: the next copy waits `SETTLE_WAIT`, then
    goes on without the page; no later copy waits for it, and when it comes back it
    joins the story like any later copy."""
    import pipelines.collapser

    monkeypatch.setattr(pipelines.collapser, "SETTLE_WAIT", 0.2)
    (first, text_a, day_a), (second, text_b, day_b), (third, text_c, day_c) = story_pages()[1]
    store = open_state(redis_server.url)
    deciding = collapser(store)

    def decide(doc: str, text: str, published: str) -> Any:
        return deciding.decide(doc, text, {**fields(doc, published), "text": text}).match

    assert decide(third, text_c, day_c) is None
    fingerprint = deciding.fingerprinter.fingerprint(text_a)
    claim = store.claim(first, fingerprint.band_keys, fingerprint.shingles)  # then killed
    assert claim.known is None
    match = decide(second, text_b, day_b)  # waited, then went on without it
    assert match is not None and match.duplicate_of == third
    assert redis_server.client().hexists(f"newsfold:d:{first}", "abandoned")
    back = decide(first, text_a, day_a)
    assert back is not None and back.duplicate_of == third
    assert set(store.clusters_of([first, second, third]).values()) == {third}
    store.close()

"""The synthetic syndication web must be what its truth says, or folding scores are fiction.

Most tests use a small web of synthetic prose (fast, runs anywhere); the tests marked for
the development set build the default web from real news text when the set is present.
"""

from __future__ import annotations

import difflib
import html
import json
import re
import urllib.request
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from email.utils import parsedate_to_datetime
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from bench.syndication_web import (
    COPY_KINDS,
    DEV_SET,
    LAYOUTS,
    ORDERS,
    SITES,
    Web,
    WebPage,
    build_web,
    sentences,
)
from tests.conftest import SitesServer

WORD = re.compile(r"\w+")
NAMES = {s.host: s.name for s in SITES}
needs_dev_set = pytest.mark.skipif(not DEV_SET.is_dir(), reason="development set not present")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Web:
    return build_web(tmp_path_factory.mktemp("small"), originals=40, seed=3, source=None)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Web:
    if not DEV_SET.is_dir():
        pytest.skip("development set not present")
    return build_web(tmp_path_factory.mktemp("real"))


def words(texts: list[str]) -> int:
    return sum(len(WORD.findall(t)) for t in texts)


def by_url(web: Web) -> dict[str, WebPage]:
    return {p.url: p for p in web.pages}


def local(root: Path, url: str) -> Path:
    """The file serve.py answers `url` with."""
    host, _, path = url.removeprefix("http://").partition("/")
    target = root / host / path
    return target / "index.html" if url.endswith("/") or target.is_dir() else target


def page_html(web: Web, url: str) -> str:
    return local(web.root, url).read_text(encoding="utf-8")


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def kinds(web: Web) -> Counter[str]:
    return Counter(p.kind for p in web.pages)


# --- Shape and counts ------------------------------------------------------------------------


def test_small_web_counts(small: Web) -> None:
    count = kinds(small)
    assert len({p.site for p in small.pages}) >= 16
    assert count["original"] == 40
    assert count["followup"] >= 20 and count["short"] >= 20
    assert all(count[k] > 0 for k in COPY_KINDS)
    assert len({p.url for p in small.pages}) == len(small.pages)


def test_full_synthetic_web_has_every_kind_often(tmp_path: Path) -> None:
    """160 originals give each copy kind at least 25 times, with or without the dev set."""
    web = build_web(tmp_path, source=None)
    count = kinds(web)
    assert count["original"] == 160
    assert min(count[k] for k in COPY_KINDS) >= 25
    copied = {p.copy_of for p in web.pages if p.copy_of}
    assert 0.5 <= len(copied) / 160 <= 0.7


def test_synthetic_prose_is_article_shaped(small: Web) -> None:
    for page in small.pages:
        if page.kind == "original":
            paras = small.texts[page.url]
            assert 6 <= len(paras) <= 14
            assert all(40 <= words([p]) <= 90 for p in paras)


@needs_dev_set
def test_real_web_counts_and_prose(real: Web) -> None:
    """Originals are whole articles of the development set, 6+ paragraphs and 250+ words."""
    count = kinds(real)
    assert len({p.site for p in real.pages}) >= 12
    assert count["original"] == 160
    assert min(count[k] for k in COPY_KINDS) >= 25
    assert count["followup"] >= 20 and count["short"] >= 20
    known: set[str] = set()
    for expected in DEV_SET.glob("*/*.json"):
        for version in json.loads(expected.read_text(encoding="utf-8")).values():
            body = version.get("body") or {}
            parts = list(body.get("summary", []))
            for section in body.get("sections", []):
                parts += section.get("headline", []) + section.get("paragraphs", [])
            known.update(" ".join(p.split()) for p in parts)
    originals = [p for p in real.pages if p.kind == "original"]
    for page in originals:
        paras = real.texts[page.url]
        assert len(paras) >= 6 and words(paras) >= 250
        assert set(paras) <= known
    assert len({real.texts[p.url][0] for p in originals}) == 160


# --- Copies ----------------------------------------------------------------------------------


def copies(web: Web, kind: str) -> list[tuple[WebPage, WebPage]]:
    pages = by_url(web)
    return [(pages[p.copy_of], p) for p in web.pages if p.kind == kind and p.copy_of]


@pytest.mark.parametrize("name", ["small", "real"])
def test_copies_follow_their_original(name: str, request: pytest.FixtureRequest) -> None:
    """Copies are on other sites, one per site, later, in the same story; nothing else is."""
    web: Web = request.getfixturevalue(name)
    pages = by_url(web)
    for page in web.pages:
        if page.kind == "original" or page.kind in ("followup", "short"):
            assert page.copy_of is None
            continue
        original = pages[page.copy_of or ""]
        assert original.kind == "original" and original.story == page.story
        assert original.site != page.site
        assert datetime.fromisoformat(original.published) < datetime.fromisoformat(page.published)
        lag = datetime.fromisoformat(page.published) - datetime.fromisoformat(original.published)
        assert lag.days <= 4
    sites = Counter((p.story, p.site) for p in web.pages)
    assert max(sites.values()) == 1
    stories = Counter(p.story for p in web.pages if p.kind in ("followup", "short", "original"))
    assert max(stories.values()) == 1


@pytest.mark.parametrize("name", ["small", "real"])
def test_copy_kinds_do_what_they_say(name: str, request: pytest.FixtureRequest) -> None:
    web: Web = request.getfixturevalue(name)
    texts = web.texts
    for original, copy in copies(web, "verbatim"):
        assert copy.title == original.title and texts[copy.url] == texts[original.url]
    for original, copy in copies(web, "retitled"):
        assert copy.title != original.title and texts[copy.url] == texts[original.url]
    for original, copy in copies(web, "padded"):
        paras, source = texts[copy.url], texts[original.url]
        extra = [i for i in range(len(paras)) if paras[:i] + paras[i + 1 :] == source]
        assert extra and abs(extra[0] - len(source) // 2) <= 1
        assert web.tags[copy.url][extra[0]] == "promo"
        added = paras[extra[0]]
        assert added.startswith("Also read: ") or NAMES[copy.site] in added


@pytest.mark.parametrize("name", ["small", "real"])
def test_wire_copies_open_with_an_agency_dateline(
    name: str, request: pytest.FixtureRequest
) -> None:
    """The first paragraph gains "CITY[, date] (Agency) -|—|– "; Reuters copies may end with
    a reporting line; nothing else changes."""
    web: Web = request.getfixturevalue(name)
    dateline = re.compile(r"[A-Z][A-Z ]+(, (\w+ \d{1,2}|\d{1,2} \w+))? \((\w+)\) ([-—–]) ")
    styles, trailers = Counter[str](), 0
    for original, copy in copies(web, "wire"):
        paras, source = list(web.texts[copy.url]), web.texts[original.url]
        if paras[-1].startswith("(Reporting by "):
            assert re.search(r"\(Reuters\) ", paras[0])
            paras.pop()
            trailers += 1
        m = dateline.match(paras[0])
        assert m, paras[0][:80]
        styles[m.group(4)] += 1
        assert [paras[0][m.end() :], *paras[1:]] == source
    assert set(styles) == {"-", "—", "–"} and trailers


@pytest.mark.parametrize("name", ["small", "real"])
def test_reflowed_copies_have_one_paragraph_per_sentence(
    name: str, request: pytest.FixtureRequest
) -> None:
    web: Web = request.getfixturevalue(name)
    for original, copy in copies(web, "reflowed"):
        paras, source = web.texts[copy.url], web.texts[original.url]
        assert len(paras) > len(source)
        assert " ".join(paras) == " ".join(source)  # same words, same order
        tags = web.tags[copy.url]
        assert all(len(sentences(p)) == 1 for p, t in zip(paras, tags, strict=True) if t == "p")
        assert tags.count("h") == web.tags[original.url].count("h")  # headlines kept whole


def test_sentences_split_at_capitals_only() -> None:
    assert sentences('He left. "Then," she said, "we wait." It was 3.5 km. ok.') == [
        "He left.",
        '"Then," she said, "we wait."',
        "It was 3.5 km. ok.",
    ]
    assert sentences("No end") == ["No end"]


@pytest.mark.parametrize("name", ["small", "real"])
def test_captioned_copies_have_photo_captions_between_paragraphs(
    name: str, request: pytest.FixtureRequest
) -> None:
    web: Web = request.getfixturevalue(name)
    forms = Counter[str]()
    for original, copy in copies(web, "captioned"):
        tags, paras = web.tags[copy.url], web.texts[copy.url]
        captions = [i for i, t in enumerate(tags) if t == "caption"]
        assert 1 <= len(captions) <= 3 and 0 not in captions
        assert [p for p, t in zip(paras, tags, strict=True) if t != "caption"] == web.texts[
            original.url
        ]
        for i in captions:
            forms["credit only" if paras[i].startswith("Photo: ") else "scene"] += 1
            assert re.search(r"Photo: |[A-Z]+/[A-Z]", paras[i])
        markup = page_html(web, copy.url)
        if copy.layout == "semantic":
            assert markup.count("<figcaption>") == len(captions)
    assert set(forms) == {"credit only", "scene"}


@pytest.mark.parametrize("name", ["small", "real"])
def test_credited_copies_carry_credit_lines(name: str, request: pytest.FixtureRequest) -> None:
    web: Web = request.getfixturevalue(name)
    forms = Counter[str]()
    for original, copy in copies(web, "credited"):
        credit = NAMES[original.site]
        lines = {
            "source": f"Source: {credit}",
            "originally": f"This article was originally published on {credit}.",
        }
        paras, kept = list(web.texts[copy.url]), []
        dateline = re.compile(rf"[A-Z][A-Z ]+ \({re.escape(credit)}\) - ")
        for i, text in enumerate(paras):
            if text in lines.values():
                forms[next(k for k, v in lines.items() if v == text)] += 1
            elif re.fullmatch(rf"Article by .+, {re.escape(credit)}\.", text):
                forms["by"] += 1
            else:
                if m := dateline.match(text):
                    forms["dateline"] += 1
                    text = text[m.end() :]
                kept.append(text)
            assert i or not re.match(r"(This article|Article by)", text)
        assert kept == web.texts[original.url]
        assert len(paras) - len(web.texts[original.url]) <= 2
    assert set(forms) == {"source", "originally", "by", "dateline"}


@pytest.mark.parametrize("name", ["small", "real"])
def test_excerpts_are_40_to_60_percent(name: str, request: pytest.FixtureRequest) -> None:
    web: Web = request.getfixturevalue(name)
    for original, copy in copies(web, "excerpt"):
        *head, last = web.texts[copy.url]
        source = web.texts[original.url]
        assert head == source[: len(head)]
        assert 0.4 <= len(head) / len(source) <= 0.6
        assert last == f"Read the full story on {NAMES[original.site]}"
        assert f'<a href="{original.url}">' in page_html(web, copy.url)


@pytest.mark.parametrize("name", ["small", "real"])
def test_edited_copies_are_lightly_edited(name: str, request: pytest.FixtureRequest) -> None:
    """One paragraph dropped, two merged, quotes swapped, 3-6 words changed."""
    web: Web = request.getfixturevalue(name)
    for original, copy in copies(web, "edited"):
        source, paras = web.texts[original.url], web.texts[copy.url]
        assert len(paras) == len(source) - 2
        old = WORD.findall(" ".join(source))
        new = WORD.findall(" ".join(paras))
        ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        changed = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal")
        # Words changed beyond one whole paragraph dropped: 3-6 (paragraph counts drop by 2:
        # one dropped, two merged into one).
        assert any(3 <= changed - words([p]) <= 6 for p in source[1:])
        was = " ".join(source)
        now = " ".join(paras)
        if re.search("[“”„‘’‚«»]", was):  # curly quotes (and apostrophes) made straight
            assert not re.search("[“”„‘’‚«»]", now)
        else:  # straight ones curled, but the dropped paragraph may have held some
            assert '"' not in now
            curled = now.count("“") + now.count("”")
            assert curled >= was.count('"') - max(p.count('"') for p in source)


# --- Hard negatives --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["small", "real"])
def test_followups_quote_exactly_two_paragraphs(name: str, request: pytest.FixtureRequest) -> None:
    web: Web = request.getfixturevalue(name)
    where: dict[str, list[tuple[WebPage, int]]] = {}
    for page in web.pages:
        if page.kind == "original":
            for i, text in enumerate(web.texts[page.url]):
                where.setdefault(text, []).append((page, i))
    followups = [p for p in web.pages if p.kind == "followup"]
    assert len(followups) >= 20
    for page in followups:
        paras = web.texts[page.url]
        quoted = [i for i, text in enumerate(paras) if text in where]
        assert len(quoted) == 2 and quoted[1] == quoted[0] + 1
        assert quoted[0] > 0 and quoted[1] < len(paras) - 1  # inside new text
        (first,) = where[paras[quoted[0]]]
        (second,) = where[paras[quoted[1]]]
        assert first[0] is second[0] and second[1] == first[1] + 1
        assert datetime.fromisoformat(first[0].published) < datetime.fromisoformat(page.published)
        assert page.story != first[0].story and page.copy_of is None
    new = [t for p in followups for t in web.texts[p.url] if t not in where]
    assert len(new) == len(set(new))


@pytest.mark.parametrize("name", ["small", "real"])
def test_shorts_are_distinct_briefs_on_shared_templates(
    name: str, request: pytest.FixtureRequest
) -> None:
    web: Web = request.getfixturevalue(name)
    shorts = [p for p in web.pages if p.kind == "short"]
    assert len(shorts) >= 20
    assert 2 <= len({p.site for p in shorts}) <= 3
    assert len({p.story for p in shorts}) == len(shorts)
    texts = [web.texts[p.url] for p in shorts]
    assert all(2 <= len(t) <= 3 and 60 <= words(t) <= 150 for t in texts)
    assert len({tuple(t) for t in texts}) == len(shorts)
    everything_else = {t for p in web.pages if p.kind != "short" for t in web.texts[p.url]}
    assert not everything_else.intersection(t for ts in texts for t in ts)


# --- Files -----------------------------------------------------------------------------------


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_web(tmp_path: Path, small: Web) -> None:
    again = build_web(tmp_path / "again", originals=40, seed=3, source=None)
    assert tree(again.root) == tree(small.root)
    other = build_web(tmp_path / "other", originals=40, seed=4, source=None)
    assert [asdict(p) for p in other.pages] != [asdict(p) for p in small.pages]
    assert tree(other.root) != tree(small.root)


def test_truth_json_is_the_pages(small: Web) -> None:
    truth = json.loads((small.root / "truth.json").read_text(encoding="utf-8"))
    assert truth == [asdict(p) for p in small.pages]


def test_truth_names_each_page_layout(small: Web) -> None:
    layouts = {s.host: s.layout for s in SITES}
    assert {p.layout for p in small.pages} == set(LAYOUTS)
    assert all(p.layout == layouts[p.site] for p in small.pages)
    for layout in LAYOUTS:  # several templates in every family
        assert len({s.host for s in SITES if s.layout == layout}) >= 2


@pytest.mark.parametrize("order", ORDERS)
def test_crawl_orders_put_their_group_first(small: Web, order: str) -> None:
    urls = small.ordered_urls(order, 5)
    pages = by_url(small)
    assert sorted(urls) == sorted(pages)
    assert urls == small.ordered_urls(order, 5) != small.ordered_urls(order, 6)
    groups = [small.group(order, pages[u]) for u in urls]
    assert groups == sorted(groups)  # the first group, then the rest
    first = {pages[u].kind for u, g in zip(urls, groups, strict=True) if g == 0}
    want = {
        "random": set(),
        "originals-first": {"original"},
        "copies-first": set(COPY_KINDS),
        "excerpts-first": {"excerpt"},
    }
    assert first == want[order]


def test_article_urls_is_a_seeded_shuffle(small: Web) -> None:
    urls = small.article_urls(1)
    assert sorted(urls) == sorted(p.url for p in small.pages)
    assert urls == small.article_urls(1) != small.article_urls(2)


def test_every_page_is_written_with_its_text_and_dates(small: Web) -> None:
    for page in small.pages:
        assert page.url.startswith(f"http://{page.site}/")
        markup = page_html(small, page.url)
        shown = visible(markup)
        assert all(text in shown for text in small.texts[page.url])
        assert html.escape(page.title, quote=True) in markup
        assert datetime.fromisoformat(page.published).utcoffset() is not None
        for date in re.findall(r'(?:published_time|DC\.date\.issued)" content="([^"]+)"', markup):
            assert date == page.published
        if "application/ld+json" in markup:
            data = json.loads(re.search(r'ld\+json">(.*?)</script>', markup).group(1))  # type: ignore[union-attr]
            assert data["@type"] == "NewsArticle" and data["datePublished"] == page.published


def test_feeds_and_home_pages_list_every_article(small: Web) -> None:
    for host in {p.site for p in small.pages}:
        mine = {p.url: p for p in small.pages if p.site == host}
        assert (small.root / host / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
        channel = ElementTree.parse(small.root / host / "feed.xml").getroot().find("channel")
        assert channel is not None
        items = channel.findall("item")
        assert {i.findtext("link") for i in items} == set(mine)
        for item in items:
            page = mine[item.findtext("link") or ""]
            assert item.findtext("title") == page.title
            when = parsedate_to_datetime(item.findtext("pubDate") or "")
            assert when == datetime.fromisoformat(page.published)
        home = (small.root / host / "index.html").read_text(encoding="utf-8")
        assert set(mine) <= set(re.findall(r'href="([^"]+)"', home))


def test_every_local_link_resolves(small: Web) -> None:
    """Home pages, feeds and articles link only to files that exist (no crawl into 404s)."""
    for path in small.root.rglob("*"):
        if path.suffix not in (".html", ".xml"):
            continue
        host = path.relative_to(small.root).parts[0]
        text = path.read_text(encoding="utf-8")
        links = re.findall(r'href="([^"]+)"', text) + re.findall(r"<link>([^<]+)</link>", text)
        for link in map(html.unescape, links):
            url = f"http://{host}{link}" if link.startswith("/") else link
            if (urlsplit(url).hostname or "").endswith(".test"):
                assert local(small.root, urlsplit(url)._replace(query="").geturl()).is_file(), url


STRUCTURE = {
    "div", "section", "article", "main", "aside", "nav", "header", "footer", "table", "tr", "td",
    "form", "ul", "ol", "h1", "time", "span", "font", "input", "button",
}  # fmt: skip


def skeleton(markup: str) -> str:
    """The page's layout tags in order, repeats collapsed: the template without the text."""
    tags = [t for t in re.findall(r"<(\w+)", markup) if t in STRUCTURE]
    return " ".join(t for i, t in enumerate(tags) if i == 0 or t != tags[i - 1])


def test_templates_differ(small: Web) -> None:
    """Each site has its own markup: class names, layout and metadata all differ."""
    classes: dict[str, set[str]] = {}
    skeletons: dict[str, set[str]] = {}
    jsonld = set()
    for page in small.pages:
        markup = page_html(small, page.url)
        names = {c for attr in re.findall(r'class="([^"]+)"', markup) for c in attr.split()}
        classes.setdefault(page.site, set()).update(names)
        skeletons.setdefault(page.site, set()).add(skeleton(markup))
        if "application/ld+json" in markup:
            jsonld.add(page.site)
    assert len(classes) >= 12
    for a, b in combinations(sorted(classes), 2):
        overlap = len(classes[a] & classes[b]) / len(classes[a] | classes[b])
        assert overlap < 0.2, (a, b, classes[a] & classes[b])
        assert not skeletons[a] & skeletons[b], (a, b)
    assert 1 <= len(jsonld) <= 3
    layouts = [" ".join(skeletons[s]) for s in sorted(skeletons)]
    assert any("article" in s for s in layouts) and any("table" in s for s in layouts)
    assert any("article" not in s and "table" not in s for s in layouts)


def test_legacy_pages_nest_tables_beside_a_column_of_headlines(small: Web) -> None:
    """Nested tables, the story cell and a column of dated or bulleted headlines in one
    row (left or right of it), <font> and <br> markup; no divs and no metadata."""
    sides = set()
    for page in (p for p in small.pages if p.layout == "nested-table"):
        markup = page_html(small, page.url)
        assert "<div" not in markup and "<meta property" not in markup and "ld+json" not in markup
        assert re.search(r"<table[^>]*>(?:(?!</table>).)*<table", markup, re.S)  # nested
        row = re.search(r"<tr>\n(<td[^>]*>.*?)\n</tr></table>", markup, re.S)
        assert row, page.url
        cells = re.findall(r'<td valign="top"[^>]*class="([^"]+)"', row.group(1))
        assert len(cells) >= 2 and any("sidebar" in c or "Sidebar" in c for c in cells)
        sides.add("left" if "idebar" in cells[0] else "right")
        assert markup.split("HEADLINES</b>")[1].split("</table>")[0].count("</a><br>") >= 3
        assert "<font" in markup and "<br>" in markup
        body = re.search(r'<font face="Verdana, Arial" size="2"[^>]*>(.*?)\n</font>', markup, re.S)
        assert body and "</p>" not in body.group(1)  # <br><br> or unclosed <p>
        assert "<h1" not in markup
    assert sides == {"left", "right"}


def test_bare_pages_have_no_metadata_and_put_the_site_name_first(small: Web) -> None:
    semantic = ("<article", "<time", "<main", "<header", "<footer", "<nav", "<aside", "<h1")
    forms = set()
    for page in (p for p in small.pages if p.layout == "bare-divs"):
        markup = page_html(small, page.url)
        head = re.sub(r"<title>.*?</title>", "", markup.split("</head>")[0])
        assert head.count("<meta") == 1 and head.count("<link") == 1  # charset, feed
        assert "og:" not in markup and "ld+json" not in markup and "itemprop" not in markup
        assert not any(tag in markup for tag in semantic)
        name = NAMES[page.site]
        title = html.unescape(re.search(r"<title>(.*?)</title>", markup).group(1))  # type: ignore[union-attr]
        assert title.lower().startswith(name.lower()) and title.endswith(page.title)
        forms.add(title[: len(name)])
        shown = visible(markup.split("<body>")[1])
        kicker = shown.index(name if name in shown.split(page.title)[0] else name.upper())
        assert kicker < shown.index(page.title)
    assert len(forms) >= 2  # the name as written, and in capitals


def test_served_by_sample_server(small: Web) -> None:
    """sample/serve.py serves the web as written, directly and as a proxy for .test hosts."""
    server = SitesServer(small.root)
    try:
        page = next(p for p in small.pages if p.url.endswith("/"))
        proxy = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.address}))
        for url in (page.url, f"http://{page.site}/feed.xml", f"http://{page.site}/"):
            direct = f"{server.address}/{url.removeprefix('http://')}"
            for opener, address in ((urllib.request.build_opener(), direct), (proxy, url)):
                with opener.open(address, timeout=5) as response:
                    assert response.status == 200
                    assert response.read() == local(small.root, url).read_bytes()
    finally:
        server.stop()

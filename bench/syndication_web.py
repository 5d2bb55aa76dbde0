"""A synthetic web of news sites that republish each other's stories, for measuring folding.

newsfold folds republished copies of a story into one article. To measure how well, this
module writes a folder of static news sites (served by `sample/serve.py`) where the truth
is known: real news prose from the development set published once as an original, copied
onto other sites verbatim, retitled, with credit lines, as excerpts, lightly edited,
padded with promos, as agency wire copy with a dateline, re-flowed into one paragraph per
sentence, or with photo captions between paragraphs, beside hard negatives that must NOT
be folded (follow-up stories that quote two paragraphs of an earlier story, short briefs
on one shared template). Every site has its own template so that page furniture differs
as it does on the real web, in five layout families: semantic HTML5, div soup, legacy
tables, nested legacy tables with a column of headlines beside the story, and bare divs
with no metadata at all and the site's name before the headline. The truth (every page's
story, kind, original and layout) is in `root/truth.json`.

    python -m bench.syndication_web OUT [--originals 160] [--seed 7] [--synthetic]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "data" / "fundus-news-pages"
COPY_KINDS = (
    "verbatim", "retitled", "credited", "excerpt", "edited", "padded", "wire", "reflowed",
    "captioned",
)  # fmt: skip
LAYOUTS = ("semantic", "divs", "table", "nested-table", "bare-divs")
ORDERS = ("random", "originals-first", "copies-first", "excerpts-first")
NEGATIVES = 20  # follow-ups, and short briefs: enough of each to measure false folds
SHORT_SITES = ("newsroom-digest.test", "valley-herald.test")
START = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)  # originals fall in the 8 weeks after this
TODAY = START + timedelta(days=70)  # "the day of the visit" that date widgets show
WORD = re.compile(r"\w+")


@dataclass
class WebPage:
    url: str
    site: str
    story: str
    kind: str
    copy_of: str | None
    title: str
    published: str
    layout: str  # the template family of its site (LAYOUTS)


@dataclass
class Web:
    root: Path
    pages: list[WebPage]
    texts: dict[str, list[str]] = field(default_factory=dict)  # url -> paragraphs as published
    tags: dict[str, list[str]] = field(default_factory=dict)  # url -> each paragraph's Block.tag

    def article_urls(self, seed: int) -> list[str]:
        """Every article URL, shuffled: a crawl meets copies before or after originals."""
        urls = sorted(page.url for page in self.pages)
        random.Random(seed).shuffle(urls)
        return urls

    def ordered_urls(self, order: str, seed: int) -> list[str]:
        """Every article URL in one of the `ORDERS`: two groups of pages, each shuffled.

        "originals-first": every original, then the copies and hard negatives;
        "copies-first": every copy, then the originals and hard negatives;
        "excerpts-first": every excerpt, then everything else; "random": one shuffle.
        """
        rng = random.Random(f"{order}:{seed}")
        groups: list[list[str]] = [[], []]
        for page in sorted(self.pages, key=lambda p: p.url):
            groups[self.group(order, page)].append(page.url)
        for group in groups:
            rng.shuffle(group)
        return groups[0] + groups[1]

    @staticmethod
    def group(order: str, page: WebPage) -> int:
        """0 when `order` puts the page in its first group, else 1."""
        first = {
            "random": (),
            "originals-first": ("original",),
            "copies-first": COPY_KINDS,
            "excerpts-first": ("excerpt",),
        }[order]
        return int(page.kind not in first)


# --- Article text --------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One article's text: from the development set, or synthetic where there is none."""

    title: str
    paras: tuple[str, ...]
    headings: frozenset[str]
    authors: tuple[str, ...]
    lang: str
    publisher: str

    @property
    def words(self) -> int:
        return sum(len(WORD.findall(p)) for p in self.paras)


@dataclass(frozen=True)
class Block:
    """A paragraph as published; `anchor`, when set, is the part of `text` linked to `href`."""

    text: str
    tag: str = "p"  # "p", "h" (section headline), "credit" (syndication line), "quote",
    # "caption" (a photo's caption between paragraphs), "promo" (a padded copy's insert),
    # "trailer" (a wire copy's reporting line); the last two are published as paragraphs
    href: str | None = None
    anchor: str = ""


def load_dev_set(source: Path) -> list[Source]:
    """Articles of the development set, each paragraph in one article only (Taz has two)."""
    import py3langid  # only needed here; slow-ish to import

    found: list[Source] = []
    seen: set[str] = set()
    for country in sorted(p for p in source.iterdir() if p.is_dir()):
        for expected in sorted(country.glob("*.json")):
            for version in json.loads(expected.read_text(encoding="utf-8")).values():
                body = version.get("body") or {}
                paras: list[str] = list(body.get("summary", []))
                headings: set[str] = set()
                for section in body.get("sections", []):
                    headings.update(" ".join(h.split()) for h in section.get("headline", []))
                    paras += section.get("headline", []) + section.get("paragraphs", [])
                clean = list(dict.fromkeys(" ".join(p.split()) for p in paras if p.strip()))
                title = " ".join((version.get("title") or "").split())
                if not title or not clean or seen.intersection(clean):
                    continue
                seen.update(clean)
                lang = str(py3langid.classify(" ".join([title, *clean])[:600])[0])
                authors = tuple(a for a in version.get("authors") or [] if a)
                found.append(
                    Source(title, tuple(clean), frozenset(headings), authors, lang, expected.stem)
                )
    return found


COMMON_TEXT = """the of and to in a is that for it as was with be by on not he this are or his from
at which but have an they you were her she there been one all we their has would when if so
no will more about up out them some time could into only other new than then now over also
after did many before must through back years where much your way well down should because
each just those people how too little state good very make world still own see men work long
get here between both life being under never day same another know while last might us great
old year off come since against go came right used take three states himself few house use
during without again place american around however home small found thought went say part
once general high upon school every does got united left number course war until always away
something fact though water less public put think almost hand enough far took head yet
government system better set told nothing night end why called didn find look asked later
point knew city next program business give group toward young days let room president side
social given present several order national possible rather second face per among form
important often things looked early white case john become large big need four within felt
along children saw best church ever least power development light thought family interest
want members mind country area others done turned although open god service certain kind
problem began different door thus help sense means whole matter perhaps itself york times law
human line above name example action company hands local show whether five history gave today
either act across taken quite anything having seemed"""
COMMON = COMMON_TEXT.split()

SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "about": "around", "big": "large",
    "large": "big", "small": "little", "quickly": "rapidly", "start": "begin", "started": "began",
    "began": "started", "help": "assist", "buy": "purchase", "bought": "purchased",
    "show": "reveal", "showed": "revealed", "shows": "reveals", "many": "numerous",
    "important": "significant", "major": "key", "however": "but", "because": "since",
    "after": "following", "children": "kids", "people": "individuals", "increase": "rise",
    "announced": "unveiled", "use": "utilise", "used": "utilised", "need": "require",
    "needs": "requires", "tried": "attempted", "think": "believe", "almost": "nearly",
    "nearly": "almost", "enough": "sufficient", "city": "town", "country": "nation",
    "also": "additionally", "very": "extremely", "often": "frequently", "want": "wish",
}  # fmt: skip


def synthetic_words(rng: random.Random, count: int) -> str:
    """`count` common words in sentences of 6-16: prose-shaped, meaning-free, deterministic."""
    sentences: list[str] = []
    while count > 0:
        size = min(count, rng.randint(6, 16))
        size = count if count - size < 4 else size
        words = [rng.choice(COMMON) for _ in range(size)]
        sentences.append(" ".join(words).capitalize() + ".")
        count -= size
    return " ".join(sentences)


def synthetic_source(rng: random.Random, lengths: list[int] | None = None) -> Source:
    """An article of 6-14 paragraphs of 40-90 words (or the given paragraph lengths)."""
    lengths = lengths or [rng.randint(40, 90) for _ in range(rng.randint(6, 14))]
    title = synthetic_words(rng, rng.randint(5, 9)).rstrip(".").title()
    paras = tuple(synthetic_words(rng, n) for n in lengths)
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return Source(title, paras, frozenset(), (author,), "en", "synthetic")


def varied(sources: list[Source], rng: random.Random) -> list[Source]:
    """Shuffle, then interleave publishers so the first N come from as many as possible."""
    rng.shuffle(sources)
    by_publisher: dict[str, list[Source]] = {}
    for item in sources:
        by_publisher.setdefault(item.publisher, []).append(item)
    rounds = max((len(v) for v in by_publisher.values()), default=0)
    return [v[i] for i in range(rounds) for v in by_publisher.values() if i < len(v)]


def short_window(item: Source, rng: random.Random) -> tuple[str, ...] | None:
    """2-3 consecutive plain paragraphs of 60-150 words from `item`, if it has them."""
    starts = list(range(len(item.paras)))
    rng.shuffle(starts)
    for start in starts:
        for size in (2, 3):
            window = item.paras[start : start + size]
            words = sum(len(WORD.findall(p)) for p in window)
            plain = not item.headings.intersection(window)
            if len(window) == size and plain and 60 <= words <= 150:
                return window
    return None


# --- Sites and their templates ----------------------------------------------------------------


def prefixed(prefix: str, joiner: str = "-") -> Callable[[str], str]:
    """Class names like `dmp-body`, `w1-story__body` or `hg_body`."""
    return lambda role: f"{prefix}{joiner}{role}"


def camel(prefix: str) -> Callable[[str], str]:
    """Class names like `reviewBody` or `ESBody`."""
    return lambda role: prefix + "".join(w.capitalize() for w in role.split("-"))


def hashed(prefix: str) -> Callable[[str], str]:
    """CSS-in-JS class names like `css-1f3a9c`: nothing to learn from the name."""
    return lambda role: "css-" + hashlib.sha1(f"{prefix}{role}".encode()).hexdigest()[:6]


def mapped(names: dict[str, str], fallback: str) -> Callable[[str], str]:
    """A CMS's fixed class names (WordPress, Drupal, Bootstrap, Tailwind utilities)."""
    return lambda role: names.get(role, f"{fallback}-{role}")


WORDPRESS = {
    "page": "home blog wp-custom-logo", "header": "site-header", "nav": "main-navigation",
    "main": "site-main", "article": "post type-post status-publish hentry",
    "title": "entry-title", "byline": "entry-meta", "body": "entry-content",
    "sidebar": "widget-area", "box": "widget", "footer": "site-footer",
    "crumbs": "yoast-breadcrumbs", "comments": "comments-area",
}  # fmt: skip
DRUPAL = {
    "page": "path-node page-node-type-article", "header": "region region-header",
    "main": "region region-content", "article": "node node--type-article node--view-mode-full",
    "title": "page-title", "body": "field field--name-body field--type-text-with-summary",
    "sidebar": "region region-sidebar-second", "box": "block", "footer": "region-footer",
}  # fmt: skip
BOOTSTRAP = {
    "page": "container", "columns": "row", "main": "col-md-8", "sidebar": "col-md-4",
    "header": "navbar navbar-expand-lg", "nav": "navbar-nav", "box": "card mb-3",
    "footer": "footer mt-auto py-3 bg-light", "crumbs": "breadcrumb", "share": "btn-group",
}  # fmt: skip
TAILWIND = {
    "page": "min-h-screen bg-white text-gray-900", "header": "border-b px-6 py-3 flex",
    "main": "mx-auto max-w-3xl px-4", "title": "text-4xl font-bold leading-tight",
    "body": "prose prose-lg max-w-none", "byline": "text-sm text-gray-500",
    "sidebar": "hidden lg:block w-72", "box": "rounded-lg border p-4 my-6",
    "footer": "mt-12 bg-gray-900 text-gray-300 p-8",
}  # fmt: skip


PLAIN_CMS = {
    "page": "wrapper", "header": "top", "nav": "menu", "main": "content", "sidebar": "right",
    "title": "storytitle", "byline": "storyinfo", "body": "storytext", "footer": "bottom",
    "box": "module", "kicker": "sitename",
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    """A news site: name, time zone, URL scheme and template (layout, classes, widgets)."""

    host: str
    name: str
    tz: int  # UTC offset, minutes
    layout: str  # one of LAYOUTS: article/main/aside, div soup, tables, nested legacy
    # tables with a column of headlines, or bare divs with no metadata at all
    cls: Callable[[str], str]  # role -> class attribute
    meta: str  # "jsonld", "og", "dc" or "none": what the head says about the article
    path: str  # URL path pattern; one ending in / is a folder with index.html
    parts: tuple[str, ...]  # article widgets, in order
    aside: tuple[str, ...]  # sidebar widgets
    sep: str = " | "  # between headline and site name in <title>
    datefmt: str = "%d %B %Y, %H:%M"
    paras: str = "p"  # "p", "open" (<p> never closed), "br" (split by <br><br>) or "div"
    weight: int = 2  # how often it publishes originals
    title_fmt: str = "{title}{sep}{name}"  # the <title>; some sites put their name first
    kicker: str = ""  # printed above the headline (bare divs: the site's name, a section)
    side: str = "right"  # nested tables: the column of headlines, left or right of the story
    bullet: str = ""  # nested tables: what goes before each headline of that column

    def zone(self) -> timezone:
        return timezone(timedelta(minutes=self.tz))


SITES = (
    Site("wire-one.test", "Wire One", 0, "semantic", prefixed("w1-story", "__"), "jsonld",
         "/news/{y}/{m}/{d}/{slug}.html", ("title", "byline", "body"), ("related",),
         datefmt="%H:%M GMT, %d %b %Y", weight=5),
    Site("daily-mirror-press.test", "Daily Mirror Press", 60, "divs", prefixed("dmp"), "og",
         "/news/{section}/{slug}-{id}.html",
         ("title", "share", "byline", "body", "share", "newsletter", "comments"),
         ("popular", "ad", "related"), sep=" - ", datefmt="%I:%M %p, %d %b %Y"),
    Site("harbour-gazette.test", "The Harbour Gazette", -300, "table", prefixed("hg", "_"),
         "none", "/stories/{y}{m}{d}-{id}.html", ("today", "title", "byline", "body"),
         ("popular", "related"), sep=" :: ", datefmt="%A, %B %d, %Y", paras="br"),
    Site("metro-ledger.test", "Metro Ledger", -240, "divs", mapped(WORDPRESS, "ml"), "og",
         "/{y}/{m}/{slug}/", ("crumbs", "title", "byline", "body", "share", "comments"),
         ("newsletter", "related"), sep=" – ", datefmt="%B %d, %Y at %I:%M %p"),
    Site("northern-courier.test", "Northern Courier", 60, "semantic",
         prefixed("c-article", "__"), "jsonld", "/article/{slug}-{id}.html",
         ("crumbs", "title", "byline", "share", "body", "newsletter"), ("related", "popular"),
         datefmt="%d.%m.%Y %H:%M", weight=3),
    Site("capital-bulletin.test", "Capital Bulletin", 120, "semantic",
         mapped(TAILWIND, "cb"), "og", "/{section}/{slug}.html",
         ("title", "byline", "body", "share"),
         ("today", "related", "newsletter"), sep=" · ", datefmt="%b %d, %Y"),
    Site("newsroom-digest.test", "Newsroom Digest", 0, "divs", hashed("nd"), "og", "/a/{hex}.html",
         ("title", "byline", "body", "related"), ("popular", "newsletter"),
         datefmt="%Y-%m-%d %H:%M", weight=1),
    Site("valley-herald.test", "Valley Herald", -360, "divs", mapped(BOOTSTRAP, "vh"), "dc",
         "/local/{y}-{m}-{d}/{slug}.html",
         ("today", "crumbs", "title", "byline", "body", "comments"),
         ("related", "ad", "newsletter")),
    Site("global-brief.test", "Global Brief", 0, "divs", mapped(DRUPAL, "gb"), "jsonld",
         "/content/{slug}.html", ("crumbs", "title", "byline", "body", "share", "related"),
         ("popular",), sep=" | GB | ", datefmt="%a %d %b %Y - %H:%M", weight=3),
    Site("river-city-times.test", "River City Times", -420, "table", camel("Rct"), "none",
         "/archive/{y}/{id}.html", ("title", "byline", "body", "comments"), ("today", "related"),
         sep=" - ", datefmt="%m/%d/%Y %I:%M %p"),
    Site("sunday-review.test", "The Sunday Review", 600, "semantic", camel("review"), "og",
         "/features/{slug}/", ("crumbs", "title", "byline", "body", "newsletter"), ("related",),
         sep=" — ", datefmt="%d %B %Y", paras="div", weight=1),
    Site("eastern-star-online.test", "Eastern Star Online", 330, "divs", camel("ES"), "dc",
         "/news/{id}/{slug}.html", ("today", "title", "byline", "share", "body", "comments"),
         ("popular", "related", "ad"), datefmt="%d %b %Y | %H:%M IST"),
    # Legacy sites: a page of nested tables, a column of headlines beside the story cell,
    # <font> and <br> markup, no metadata.
    Site("tri-county-sentinel.test", "Tri-County Sentinel", -300, "nested-table",
         prefixed("tcs"), "none", "/news/{y}/{m}{d}/story{id}.htm", ("title", "byline", "body"),
         ("headlines",), sep=" - ", datefmt="%m/%d/%Y", paras="open", bullet="» "),
    Site("coastal-mail.test", "The Coastal Mail", 0, "nested-table", camel("cm"), "none",
         "/archive/{y}{m}{d}/{slug}.html", ("today", "title", "byline", "body", "comments"),
         ("headlines", "popular"), sep=" :: ", datefmt="%d/%m/%Y %H:%M", paras="br",
         side="left", bullet="· "),
    # Bare sites: divs only, no metadata of any kind, the site's name before the headline.
    Site("lakeside-chronicle.test", "Lakeside Chronicle", 180, "bare-divs", prefixed("lc", "_"),
         "none", "/read/{id}.html", ("kicker", "title", "byline", "body", "share"),
         ("related", "ad"), title_fmt="{name}{sep}{title}", kicker="{name}", paras="div",
         datefmt="%d.%m.%Y"),
    Site("metro-pulse.test", "Metro Pulse", 540, "bare-divs", hashed("mp"), "none",
         "/{section}/{id}-{slug}.html", ("kicker", "title", "byline", "body", "newsletter"),
         ("popular",), sep=" :: ", title_fmt="{NAME}{sep}{title}", kicker="{NAME} » {Section}",
         paras="br", datefmt="%B %d, %Y"),
    Site("highland-voice.test", "Highland Voice", 60, "bare-divs", mapped(PLAIN_CMS, "hv"),
         "none", "/story/{slug}/", ("today", "kicker", "title", "byline", "body", "comments"),
         ("related", "newsletter"), sep=": ", title_fmt="{name}{sep}{title}",
         kicker="{name} | {Section}", datefmt="%d %B %Y %H:%M"),
)  # fmt: skip
SECTIONS = ("world", "politics", "business", "society", "culture", "sport")
CITIES = ("LONDON", "BERLIN", "NAIROBI", "NEW YORK", "SYDNEY", "MADRID", "TOKYO", "JOHANNESBURG")
WIRE_CITIES = ("LAGOS", "NAIROBI", "ACCRA", "BRUSSELS", "PARIS", "WASHINGTON", "GENEVA", "DELHI")
AGENCIES = ("Reuters", "AFP", "AP", "dpa", "ANSA")
PHOTO = (
    ("Residents", "Police officers", "Protesters", "Workers", "Visitors", "Officials",
     "Supporters", "Firefighters", "Students", "Members of parliament"),
    ("gather outside", "walk past", "wait in front of", "stand near", "arrive at", "leave",
     "queue outside", "speak to reporters at"),
    ("the town hall", "the main station", "a polling station", "the central market",
     "the parliament building", "the harbour", "a school", "the court building"),
    ("on Monday", "on Tuesday", "on Thursday", "last week", "earlier this month", "in March",
     "on Saturday morning", "late on Friday"),
)  # fmt: skip
FIRST_NAMES = ("Anna", "James", "Mira", "Tomás", "Grace", "Yusuf", "Lena", "David", "Aiko", "Sam")
LAST_NAMES = ("Keller", "Okafor", "Lindqvist", "Moreau", "Reyes", "Banda", "Hughes", "Sato")
COMMENTS = (
    "This is exactly what I have been saying for years.",
    "Does anyone know when this takes effect?",
    "Great reporting, thank you.",
    "I doubt anything will change, honestly.",
    "Who is paying for all of this?",
    "Finally some good news.",
    "The headline is misleading, read the whole thing.",
    "My neighbour was affected by this last year.",
    "Interesting, but the numbers don't add up.",
    "Sad to read. Thoughts with everyone involved.",
)


@dataclass
class Plan:
    """A page decided but not yet written: its truth, text, byline and language."""

    page: WebPage
    blocks: list[Block]
    authors: tuple[str, ...]
    lang: str
    when: datetime


# --- Copy kinds -----------------------------------------------------------------------------


def retitle(rng: random.Random, title: str, blocks: list[Block]) -> str:
    """A new headline: a kicker, the halves swapped, or the first sentence cut short."""
    options = [f"{rng.choice(('Update:', 'Breaking:', 'Report:', 'Latest:', 'In depth:'))} {title}"]
    if m := re.match(r"(.+?)(?:: | – | — | - | \| )(.+)", title):
        options.append(f"{m.group(2).rstrip('.')}: {m.group(1)}")
    elif m := re.match(r"(\S+(?: \S+){0,3}) (says|warns|claims|admits|reveals) (.+)", title):
        who, verb, rest = m.groups()
        options.append(f"{rest[0].upper()}{rest[1:].rstrip('.')}, {who} {verb}")
    first = next(b.text for b in blocks if b.tag == "p")
    words = re.split(r"(?<=[.!?])\s", first)[0].rstrip(".!?").split()
    if len(words) > 12:
        commas = [i for i, w in enumerate(words[:12]) if w.endswith(",") and i >= 5]
        words = words[: commas[-1] + 1] if commas else words[:10]
    if len(words) >= 4:
        options.append(" ".join(words).rstrip(",;:"))
    choices = [o for o in options[1:] if o != title] if rng.random() < 0.75 else []
    return rng.choice(choices or options[:1])


def swap_quotes(text: str, curly: bool) -> str:
    """Curly quotes straight, or straight ones curly, as copy desks and CMSes do."""
    if curly:
        return re.sub("[‘’‚]", "'", re.sub("[“”„«»]", '"', text))
    text = re.sub(r'"([^"]*)"', r"“\1”", text).replace('"', "”")  # an unpaired one closes
    return re.sub(r"(\w)'(\w)", r"\1’\2", text)


def change_words(rng: random.Random, blocks: list[Block], count: int) -> list[Block]:
    """`count` different words edited: swapped for a synonym where one is known, else deleted."""
    spots = [
        (i, m.start(), m.end())
        for i, b in enumerate(blocks)
        if b.tag == "p" and len(b.text.split()) > 12
        for m in re.finditer(r"\b[^\W\d_]{3,}\b", b.text)
        if m.start() > 0
    ]
    known = [s for s in spots if blocks[s[0]].text[s[1] : s[2]].lower() in SYNONYMS]
    picked = rng.sample(known, min(len(known), rng.randint(count // 2, count)))
    loose = [s for s in spots if s not in picked and blocks[s[0]].text[s[2] : s[2] + 1] == " "]
    picked += rng.sample(loose, count - len(picked))
    blocks = list(blocks)
    for i, start, end in sorted(picked, reverse=True):  # from the end: offsets stay valid
        text, word = blocks[i].text, blocks[i].text[start:end]
        if word.lower() in SYNONYMS:
            new = SYNONYMS[word.lower()]
            text = text[:start] + (new.capitalize() if word[0].isupper() else new) + text[end:]
        else:
            text = text[:start] + text[end + 1 :]
        blocks[i] = replace(blocks[i], text=text)
    return blocks


def make_copy(
    kind: str,
    rng: random.Random,
    original: Plan,
    home: Site,
    also: tuple[str, str] | None,
    promo: str,
) -> tuple[str, list[Block]]:
    """Headline and text of one copy of `original` (published on `home`)."""
    title, blocks, url = original.page.title, list(original.blocks), original.page.url
    if kind == "retitled":
        title = retitle(rng, title, blocks)
    elif kind == "credited":
        author = original.authors[0] if original.authors else "Staff"
        lines = rng.sample(range(4), rng.randint(1, 2))
        if 0 in lines:
            blocks.insert(0, Block(f"Source: {home.name}", "credit", url, home.name))
        if 1 in lines:
            text = f"This article was originally published on {home.name}."
            blocks.append(Block(text, "credit", url, home.name))
        if 2 in lines:
            blocks.append(Block(f"Article by {author}, {home.name}.", "credit"))
        if 3 in lines:
            first = next(i for i, b in enumerate(blocks) if b.tag == "p")
            dateline = f"{rng.choice(CITIES)} ({home.name}) - "
            blocks[first] = replace(blocks[first], text=dateline + blocks[first].text)
    elif kind == "excerpt":
        keep = [k for k in range(1, len(blocks)) if 0.4 <= k / len(blocks) <= 0.6]
        blocks = blocks[: rng.choice(keep)]
        blocks.append(Block(f"Read the full story on {home.name}", "credit", url, home.name))
    elif kind == "edited":
        plain = [i for i, b in enumerate(blocks) if b.tag == "p"]
        if len(plain) > 2:
            del blocks[rng.choice(plain[1:])]
        pairs = [i for i in range(len(blocks) - 1) if blocks[i].tag == blocks[i + 1].tag == "p"]
        if pairs:
            i = rng.choice(pairs)
            blocks[i : i + 2] = [Block(f"{blocks[i].text} {blocks[i + 1].text}")]
        curly = any(c in b.text for b in blocks for c in "“”„‘’«»")
        blocks = [replace(b, text=swap_quotes(b.text, curly)) for b in blocks]
        blocks = change_words(rng, blocks, rng.randint(3, 6))
    elif kind == "padded":
        middle = len(blocks) // 2 + rng.randint(-1, 1)
        if also and rng.random() < 0.6:
            insert = Block(f"Also read: {also[1]}", "promo", also[0], also[1])
        else:
            insert = Block(promo, "promo")
        blocks.insert(middle, insert)
    elif kind == "wire":
        blocks = wire_copy(rng, blocks, original.when)
    elif kind == "reflowed":
        blocks = [
            Block(text) if b.tag == "p" else b
            for b in blocks
            for text in (sentences(b.text) if b.tag == "p" else [b.text])
        ]
    elif kind == "captioned":
        spots = rng.sample(range(1, len(blocks)), min(len(blocks) - 1, rng.randint(1, 3)))
        for at in sorted(spots, reverse=True):  # from the end: positions stay valid
            blocks.insert(at, Block(photo_caption(rng, original.when), "caption"))
    return title, blocks


def wire_copy(rng: random.Random, blocks: list[Block], when: datetime) -> list[Block]:
    """An agency's dateline on the first paragraph, sometimes Reuters' reporting line."""
    agency, city = rng.choice(AGENCIES), rng.choice(WIRE_CITIES)
    dateline = rng.choice(
        (
            f"{city}, {when:%B} {when.day} ({agency}) - ",
            f"{city} ({agency}) — ",
            f"{city}, {when.day} {when:%B} ({agency}) – ",
        )
    )
    first = next(i for i, b in enumerate(blocks) if b.tag == "p")
    blocks = list(blocks)
    blocks[first] = replace(blocks[first], text=dateline + blocks[first].text)
    if agency == "Reuters" and rng.random() < 0.5:
        names = [f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(2)]
        blocks.append(Block(f"(Reporting by {names[0]}; Editing by {names[1]})", "trailer"))
    return blocks


SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’»)]))\s+(?=[\"“„«‘(]?[^\W\d_])")


def sentences(text: str) -> list[str]:
    """A paragraph cut after each sentence that is followed by a capital letter."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        nxt = text[m.end() :].lstrip('"“„«‘(')
        if nxt[:1].isupper():
            out.append(text[start : m.start()])
            start = m.end()
    return [*out, text[start:]]


def photo_caption(rng: random.Random, when: datetime) -> str:
    """A photo caption as agencies and sites write them, with the photographer's credit."""
    scene = " ".join(rng.choice(part) for part in PHOTO)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    agency = rng.choice(AGENCIES)
    return rng.choice(
        (
            f"{scene}. Photo: {name}/{agency}",
            f"{scene}, {when.day} {when:%B} {when.year}. {agency.upper()}/{name}",
            f"Photo: {name}/{agency}",
            f"{scene}. (Photo: {name})",
        )
    )


# --- Planning -------------------------------------------------------------------------------


class Planner:
    """Decides every page (site, URL, date, text) before any is written."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"syndication-web:{seed}")
        self.plans: list[Plan] = []
        self.ids: dict[str, int] = {s.host: 10_000 + 997 * i for i, s in enumerate(SITES)}
        self.used: set[str] = set()

    def url(self, site: Site, title: str, when: datetime) -> str:
        """A fresh URL on `site` in its own scheme."""
        self.ids[site.host] += self.rng.randint(1, 40)
        number = self.ids[site.host]
        slug = slugify(title) or f"story-{number}"
        local = when.astimezone(site.zone())
        path = site.path.format(
            y=f"{local.year:04d}", m=f"{local.month:02d}", d=f"{local.day:02d}", slug=slug,
            id=number, hex=hashlib.sha1(f"{site.host}{number}".encode()).hexdigest()[:10],
            section=SECTIONS[number % len(SECTIONS)],
        )  # fmt: skip
        while path in self.used:  # two stories with one slug: the CMS appends a number
            path = re.sub(r"(/?)(\.html)?$", r"-2\1\2", path, count=1)
        self.used.add(path)
        return f"http://{site.host}{path}"

    def add(
        self,
        site: Site,
        story: str,
        kind: str,
        copy_of: str | None,
        title: str,
        blocks: list[Block],
        authors: tuple[str, ...],
        lang: str,
        when: datetime,
    ) -> Plan:
        when = when.replace(second=0, microsecond=0)
        url = self.url(site, title, when)
        published = when.astimezone(site.zone()).isoformat(timespec="seconds")
        page = WebPage(url, site.host, story, kind, copy_of, title, published, site.layout)
        plan = Plan(page, blocks, authors, lang, when)
        self.plans.append(plan)
        return plan


def slugify(title: str) -> str:
    """An ASCII URL slug, as most CMSes make one; empty for titles in other scripts."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())[:9]
    return "-".join(words)[:70].strip("-")


def site_of(host: str) -> Site:
    """The site serving `host`."""
    return next(s for s in SITES if s.host == host)


def pick_sources(
    source: Path | None, originals: int, rng: random.Random
) -> tuple[list[Source], list[Source], list[Source]]:
    """Originals, texts for follow-ups, and a pool for short briefs."""
    if source is None or not source.is_dir():
        made = [synthetic_source(rng) for _ in range(originals + NEGATIVES)]
        return made[:originals], made[originals:], []
    articles = load_dev_set(source)
    qualify = varied([a for a in articles if len(a.paras) >= 6 and a.words >= 250], rng)
    chosen = {id(a) for a in qualify}
    rest = [a for a in articles if id(a) not in chosen]
    spare = qualify[originals:]
    pool = rest + spare[NEGATIVES:]
    rng.shuffle(pool)
    return qualify[:originals], spare[:NEGATIVES], pool


def plan_web(originals: int, seed: int, source: Path | None) -> list[Plan]:
    """Originals on their sites, their copies elsewhere, then the hard negatives."""
    planner = Planner(seed)
    rng = planner.rng
    first, followup_texts, short_pool = pick_sources(source, originals, rng)
    weights = [s.weight for s in SITES]
    window = 8 * 7 * 24 * 60
    for n, src in enumerate(first):
        site = rng.choices(SITES, weights)[0]
        blocks = [Block(p, "h" if p in src.headings else "p") for p in src.paras]
        when = START + timedelta(minutes=rng.randrange(window))
        planner.add(
            site, f"story-{n:03d}", "original", None, src.title, blocks, src.authors, src.lang, when
        )
    origs = list(planner.plans)

    # About 60% of originals get 1-4 copies (2.5 on average); kinds are dealt from shuffled
    # full decks so every kind is about equally common, and one story never gets the same
    # kind twice.
    copied = rng.sample(origs, round(0.6 * len(origs)))
    counts = [1 + n % 4 for n in range(len(copied))]
    rng.shuffle(counts)
    deck: list[str] = []
    while len(deck) < sum(counts) + len(COPY_KINDS):
        deck += rng.sample(COPY_KINDS, len(COPY_KINDS))
    for original, count in zip(copied, counts, strict=True):
        home = site_of(original.page.site)
        kinds: list[str] = []
        for _ in range(count):
            kinds.append(next(k for k in deck if k not in kinds))
            deck.remove(kinds[-1])
        others = [s for s in SITES if s is not home]
        for kind, site in zip(kinds, rng.sample(others, count), strict=True):
            crng = random.Random(f"{seed}:{original.page.url}:{kind}")
            mine = [p for p in origs if p.page.site == site.host]
            also = crng.choice(mine) if mine else None
            promo = crng.choice(PROMOS).format(site=site.name)
            title, blocks = make_copy(
                kind, crng, original, home,
                (also.page.url, also.page.title) if also else None, promo,
            )  # fmt: skip
            authors = original.authors if crng.random() < 0.5 else (f"{site.name} staff",)
            when = original.when + timedelta(minutes=crng.randint(60, 4 * 24 * 60))
            planner.add(
                site, original.page.story, kind, original.page.url, title, blocks, authors,
                original.lang, when,
            )  # fmt: skip

    plan_followups(planner, origs, followup_texts)
    plan_shorts(planner, short_pool)
    return planner.plans


PROMOS = (
    "Get the {site} morning briefing: the day's top stories, in your inbox before 7am. "
    "Sign up for free.",
    "Download the {site} app to follow this story as it develops.",
    "Support independent journalism: subscribe to {site} from just 1 a week.",
    "Have a news tip? Contact the {site} newsroom in confidence.",
)


def quotable(plan: Plan) -> list[int]:
    """Where two consecutive real paragraphs (12+ words each) start: worth quoting."""
    b = plan.blocks
    return [
        i
        for i in range(len(b) - 1)
        if b[i].tag == b[i + 1].tag == "p"
        and min(len(b[i].text.split()), len(b[i + 1].text.split())) >= 12
    ]


def plan_followups(planner: Planner, origs: list[Plan], texts: list[Source]) -> None:
    """New stories that quote exactly two consecutive paragraphs of an earlier original."""
    rng = planner.rng
    texts = texts + [synthetic_source(rng) for _ in range(NEGATIVES - len(texts))]
    spots = {p.page.url: quotable(p) for p in origs}
    taken: set[str] = set()
    for n, src in enumerate(texts):
        fresh = [p for p in origs if p.page.url not in taken and spots[p.page.url]]
        usable = fresh or [p for p in origs if spots[p.page.url]]  # few originals: reuse
        same = [p for p in usable if p.lang == src.lang] or usable
        source = rng.choice(same)
        taken.add(source.page.url)
        at = rng.choice(spots[source.page.url])
        tag = "quote" if rng.random() < 0.4 else "p"
        quoted = [Block(b.text, tag) for b in source.blocks[at : at + 2]]
        new = [Block(p, "h" if p in src.headings else "p") for p in src.paras[: rng.randint(4, 8)]]
        cut = rng.randint(1, len(new) - 1)
        site = rng.choice(SITES)
        when = source.when + timedelta(minutes=rng.randint(24 * 60, 6 * 24 * 60))
        planner.add(
            site, f"followup-{n:02d}", "followup", None, src.title, new[:cut] + quoted + new[cut:],
            src.authors, src.lang, when,
        )  # fmt: skip


def plan_shorts(planner: Planner, pool: list[Source]) -> None:
    """Distinct 2-3 paragraph briefs (60-150 words) on the same two templates."""
    rng = planner.rng
    briefs: list[tuple[Source, tuple[str, ...]]] = []
    for src in pool:
        if len(briefs) < NEGATIVES and (window := short_window(src, rng)):
            briefs.append((src, window))
    while len(briefs) < NEGATIVES:
        sizes = rng.choice(
            ([rng.randint(30, 75) for _ in range(2)], [rng.randint(20, 50) for _ in range(3)])
        )
        made = synthetic_source(rng, sizes)
        briefs.append((made, made.paras))
    for n, (src, paras) in enumerate(briefs):
        site = site_of(SHORT_SITES[n % len(SHORT_SITES)])
        when = START + timedelta(minutes=rng.randrange(8 * 7 * 24 * 60))
        planner.add(
            site, f"short-{n:02d}", "short", None, src.title, [Block(p) for p in paras],
            src.authors, src.lang, when,
        )  # fmt: skip


# --- Rendering ------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Text for HTML: attribute-safe too."""
    return html.escape(text, quote=True)


def inline(block: Block) -> str:
    """A block's text as HTML, its anchor (if any) linked."""
    text = esc(block.text)
    if block.href and block.anchor:
        link = f'<a href="{esc(block.href)}">{esc(block.anchor)}</a>'
        text = text.replace(esc(block.anchor), link, 1)
    return text


@dataclass
class Ctx:
    """What a template needs to render one page."""

    site: Site
    plan: Plan | None
    related: list[tuple[str, str]]  # (url, headline) of other articles on the site
    rng: random.Random

    def c(self, role: str) -> str:
        return esc(self.site.cls(role))

    def box(self, role: str, heading: str, inner: str) -> str:
        """A sidebar or in-article box in the layout's idiom."""
        c, layout = self.c, self.site.layout
        if layout == "semantic":
            title = f'<h2 class="{c("box-title")}">{heading}</h2>'
            return f'<section class="{c(role)}">{title}{inner}</section>'
        if layout in ("table", "nested-table"):
            return (
                f'<table class="{c(role)}" width="100%" cellpadding="4"><tr><td bgcolor="#eeeeee">'
                f"<b>{heading}</b></td></tr><tr><td>{inner}</td></tr></table>"
            )
        title = f'<div class="{c("box-title")}">{heading}</div>'
        return f'<div class="{c("box")} {c(role)}">{title}{inner}</div>'

    def links(self, items: list[tuple[str, str]], ordered: bool = False) -> str:
        if self.site.layout == "nested-table":
            return "".join(f'<a href="{esc(u)}">{esc(t)}</a><br>' for u, t in items)
        tag = "ol" if ordered else "ul"
        lis = "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for u, t in items)
        return f'<{tag} class="{self.c("list")}">{lis}</{tag}>'


# Widgets: one piece of page furniture each, in the idiom of the site's layout.


def w_title(x: Ctx) -> str:
    assert x.plan
    title = esc(x.plan.page.title)
    if x.site.layout == "table":
        return f'<font size="5" class="{x.c("headline")}"><b>{title}</b></font><br>'
    if x.site.layout == "nested-table":
        return (
            f'<font face="Arial, Helvetica" size="4" class="{x.c("headline")}">'
            f"<b>{title}</b></font><br>"
        )
    if x.site.layout == "bare-divs":
        return f'<div class="{x.c("title")}">{title}</div>'
    return f'<h1 class="{x.c("title")}">{title}</h1>'


def w_kicker(x: Ctx) -> str:
    """The site's name (and a section) printed above the headline."""
    assert x.plan
    section = SECTIONS[len(x.plan.page.title) % len(SECTIONS)]
    name = x.site.name
    text = x.site.kicker.format(name=name, NAME=name.upper(), Section=section.capitalize())
    return f'<div class="{x.c("kicker")}">{esc(text)}</div>'


def w_headlines(x: Ctx) -> str:
    """A legacy column of headlines: a bullet, a link and a line break each, some dated."""
    lines = []
    for url, title in x.related[:8]:
        line = f'{esc(x.site.bullet)}<a href="{esc(url)}">{esc(title)}</a><br>'
        if x.site.side == "left":  # this template dates each headline
            day = (TODAY - timedelta(days=x.rng.randint(1, 60))).strftime("%d/%m")
            line = f'<font size="1" color="#888888">{day}</font><br>{line}'
        lines.append(line)
    inner = f'<font face="Verdana" size="1">{"".join(lines)}</font>'
    return x.box("headlines", "HEADLINES", inner)


def w_byline(x: Ctx) -> str:
    assert x.plan
    names = " and ".join(x.plan.authors)
    local = x.plan.when.astimezone(x.site.zone())
    date = esc(shown(x.site, x.plan.when))
    by = f"By {esc(names)}" if names else ""
    if x.site.layout == "semantic":
        when = f'<time datetime="{local.isoformat()}">{date}</time>'
        return f'<p class="{x.c("byline")}"><span class="{x.c("author")}">{by}</span> {when}</p>'
    if x.site.layout == "table":
        return f'<i>{by}</i><br><font size="2">{date}</font><br><br>'
    if x.site.layout == "nested-table":
        return f'<font size="1" color="#666666">{by} - Posted {date}</font><br><br>'
    if x.site.layout == "bare-divs":
        posted = f"Posted by {esc(', '.join(x.plan.authors))} on" if names else "Posted"
        return f'<div class="{x.c("byline")}">{posted} {date}</div>'
    return f'<div class="{x.c("byline")}">{by} <span class="{x.c("date")}">{date}</span></div>'


def shown(site: Site, when: datetime) -> str:
    """The date as the site prints it for readers, in its own time zone and format."""
    return when.astimezone(site.zone()).strftime(site.datefmt)


def w_body(x: Ctx) -> str:
    assert x.plan
    c, style, out = x.c, x.site.paras, []
    for b in x.plan.blocks:
        text = inline(b)
        if b.tag == "h":
            out.append(
                f"<b>{text}</b>" if style == "br" else f'<h2 class="{c("subhead")}">{text}</h2>'
            )
        elif b.tag == "caption":
            out.append(caption(x, b))
        elif b.tag == "credit" and style in ("br", "open"):
            out.append(f"<i>{text}</i>" if style == "br" else f"<p><i>{text}</i>")
        elif b.tag == "credit":
            out.append(f'<p class="{c("credit")}"><em>{text}</em></p>')
        elif b.tag == "quote" and style == "open":
            out.append(f"<blockquote>{text}</blockquote>")
        elif b.tag == "quote" and style != "br":
            out.append(f'<blockquote class="{c("quote")}"><p>{text}</p></blockquote>')
        elif style == "div":
            out.append(f'<div class="{c("para")}">{text}</div>')
        elif style == "open":
            out.append(f"<p>{text}")
        else:
            out.append(text if style == "br" else f"<p>{text}</p>")
    sep = "<br><br>\n" if style == "br" else "\n"
    if x.site.layout == "nested-table":
        font = f'<font face="Verdana, Arial" size="2" class="{c("body")}">'
        return f"{font}\n{sep.join(out)}\n</font>"
    tag = "div" if x.site.layout != "semantic" else "section"
    prop = "" if x.site.layout == "bare-divs" else ' itemprop="articleBody"'
    return f'<{tag} class="{c("body")}"{prop}>\n{sep.join(out)}\n</{tag}>'


def caption(x: Ctx, block: Block) -> str:
    """A photo and its caption between paragraphs, in the idiom of the site's layout."""
    c, text = x.c, esc(block.text)
    image = f'<img src="/img/{hashlib.sha1(block.text.encode()).hexdigest()[:12]}.jpg" alt="">'
    if x.site.layout == "semantic":
        return f'<figure class="{c("figure")}">{image}<figcaption>{text}</figcaption></figure>'
    if x.site.layout in ("table", "nested-table"):
        return (
            f'<table class="{c("photo")}" align="right" width="240"><tr><td>{image}</td></tr>'
            f'<tr><td><font size="1"><i>{text}</i></font></td></tr></table>'
        )
    if x.site.layout == "bare-divs":
        return f"<div>{image}<br>{text}</div>"
    if x.site.paras == "br":
        return f"<i>{text}</i>"
    return f'<div class="{c("photo")}">{image}<div class="{c("caption")}">{text}</div></div>'


def w_share(x: Ctx) -> str:
    assert x.plan
    url = esc(x.plan.page.url)
    nets = (("Facebook", "https://www.facebook.com/sharer/sharer.php?u="), ("X", "https://x.com/intent/post?url="),
            ("WhatsApp", "https://wa.me/?text="), ("Email", "mailto:?body="))  # fmt: skip
    items = " ".join(
        f'<a class="{x.c("share-" + n.lower())}" href="{p}{url}">{n}</a>' for n, p in nets
    )
    return f'<div class="{x.c("share")}">Share this article: {items}</div>'


def w_crumbs(x: Ctx) -> str:
    assert x.plan
    section = SECTIONS[len(x.plan.page.title) % len(SECTIONS)].capitalize()
    items = (
        f'<a href="/">Home</a> › <a href="/">{section}</a> › <span>{esc(x.plan.page.title)}</span>'
    )
    tag = "nav" if x.site.layout == "semantic" else "div"
    return f'<{tag} class="{x.c("crumbs")}" aria-label="Breadcrumb">{items}</{tag}>'


def w_newsletter(x: Ctx) -> str:
    inner = (
        f"<p>The day's essential stories from {esc(x.site.name)}, every morning. Free.</p>"
        f'<form class="{x.c("signup")}"><input type="email" placeholder="Your email">'
        "<button>Sign up</button></form>"
    )
    return x.box("newsletter", "Newsletter", inner)


def w_comments(x: Ctx) -> str:
    picked = x.rng.sample(COMMENTS, x.rng.randint(2, 4))
    items = "".join(
        f'<li class="{x.c("comment")}"><b>{x.rng.choice(FIRST_NAMES)}{x.rng.randint(1, 99)}</b> '
        f"<span>{x.rng.randint(1, 23)}h ago</span><p>{esc(text)}</p></li>"
        for text in picked
    )
    return x.box(
        "comments", f"{len(picked)} comments", f"<ul>{items}</ul><p>Log in to comment.</p>"
    )


def w_related(x: Ctx) -> str:
    return x.box("related", "Related stories", x.links(x.related[:5]))


def w_popular(x: Ctx) -> str:
    return x.box("popular", "Most read", x.links(x.related[5:10] or x.related[:5], ordered=True))


def w_today(x: Ctx) -> str:
    today = TODAY.astimezone(x.site.zone()).strftime("%A, %d %B %Y")
    if x.site.layout == "nested-table":
        return f'<font size="1" class="{x.c("today")}">{today}</font><br>'
    return f'<div class="{x.c("today")}">{today}</div>'


def w_ad(x: Ctx) -> str:
    return f'<div class="{x.c("ad")}" data-slot="{x.rng.randint(100, 999)}">Advertisement</div>'


WIDGETS: dict[str, Callable[[Ctx], str]] = {
    "title": w_title, "byline": w_byline, "body": w_body, "share": w_share, "crumbs": w_crumbs,
    "newsletter": w_newsletter, "comments": w_comments, "related": w_related,
    "popular": w_popular, "today": w_today, "ad": w_ad, "kicker": w_kicker,
    "headlines": w_headlines,
}  # fmt: skip


def head(x: Ctx, title: str, lang: str) -> str:
    """<head>: title, feed link, and whatever metadata this site's CMS emits."""
    s, p = x.site, x.plan
    charset = '<meta charset="utf-8">'
    if s.layout == "nested-table":
        charset = '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    shown = s.title_fmt.format(title=title, sep=s.sep, name=s.name, NAME=s.name.upper())
    out = [
        charset,
        f"<title>{esc(shown)}</title>",
        f'<link rel="alternate" type="application/rss+xml" title="{esc(s.name)}" href="/feed.xml">',
    ]
    if p is None or s.meta == "none":
        return "\n".join(out)
    published = p.page.published
    description = esc(" ".join(next(b.text for b in p.blocks if b.tag == "p").split()[:30]))
    if s.meta == "dc":
        out += [
            f'<meta name="DC.title" content="{esc(p.page.title)}">',
            f'<meta name="DC.date.issued" content="{published}">',
            f'<meta name="author" content="{esc(", ".join(p.authors))}">',
            f'<meta name="description" content="{description}">',
        ]
        return "\n".join(out)
    out += [
        f'<link rel="canonical" href="{esc(p.page.url)}">',
        f'<meta name="description" content="{description}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(p.page.title)}">',
        f'<meta property="og:url" content="{esc(p.page.url)}">',
        f'<meta property="og:site_name" content="{esc(s.name)}">',
        f'<meta property="article:published_time" content="{published}">',
    ]
    if s.meta == "jsonld":
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": p.page.title,
            "datePublished": published,
            "inLanguage": lang,
            "mainEntityOfPage": p.page.url,
            "author": [{"@type": "Person", "name": a} for a in p.authors],
            "publisher": {"@type": "Organization", "name": s.name},
        }
        text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        out.append(f'<script type="application/ld+json">{text}</script>')
    return "\n".join(out)


def shell(x: Ctx, title: str, lang: str, content: str) -> str:
    """The whole page: the site's header, navigation, sidebar and footer around `content`."""
    s, c = x.site, x.c
    aside = "\n".join(WIDGETS[w](x) for w in s.aside)
    nav = [("/", "Home"), ("/", "Latest"), ("/about.html", "About"), ("/feed.xml", "RSS")]
    year = f"© {TODAY.year} {esc(s.name)}. All rights reserved."
    top = f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{head(x, title, lang)}\n</head>\n'
    if s.layout == "semantic":
        items = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in nav)
        return (
            f'{top}<body class="{c("page")}">\n<header class="{c("header")}">'
            f'<a class="{c("logo")}" href="/">{esc(s.name)}</a>'
            f'<nav class="{c("nav")}"><ul>{items}</ul></nav></header>\n'
            f'<main class="{c("main")}">\n<article class="{c("article")}">\n{content}\n</article>\n'
            f'<aside class="{c("sidebar")}">\n{aside}\n</aside>\n</main>\n'
            f'<footer class="{c("footer")}"><p>{year}</p>'
            '<a href="/about.html">About us</a></footer>\n'
            "</body>\n</html>\n"
        )
    if s.layout == "table":
        items = " | ".join(f'<a href="{u}">{t}</a>' for u, t in nav)
        return (
            f'{top}<body bgcolor="#ffffff">\n<table width="100%" class="{c("page")}" border="0">\n'
            f'<tr><td colspan="2" class="{c("header")}"><font size="6"><b>{esc(s.name)}</b></font>'
            f"<br>{items}</td></tr>\n"
            f'<tr><td valign="top" width="180" class="{c("sidebar")}">\n{aside}\n</td>\n'
            f'<td valign="top" class="{c("main")}">\n{content}\n</td></tr>\n'
            f'<tr><td colspan="2" class="{c("footer")}"><font size="1">{year}</font></td></tr>\n'
            "</table>\n</body>\n</html>\n"
        )
    if s.layout == "nested-table":
        return top + legacy_body(x, content, aside, nav, year)
    return top + divs_body(x, content, aside, nav, year)


def divs_body(x: Ctx, content: str, aside: str, nav: list[tuple[str, str]], year: str) -> str:
    """Div soup: header, columns of story and sidebar, footer. A bare site has no column
    wrapper, no article box and a plain row of menu links."""
    c, bare = x.c, x.site.layout == "bare-divs"
    if bare:
        items = " ".join(f'<a href="{u}">{t}</a>' for u, t in nav)
    else:
        items = "".join(f'<div class="{c("nav-item")}"><a href="{u}">{t}</a></div>' for u, t in nav)
    main = content if bare else f'<div class="{c("article")}">\n{content}\n</div>'
    columns = ("", "") if bare else (f'<div class="{c("columns")}">\n', "</div>\n")
    about = "" if bare else ' <a href="/about.html">About</a>'
    root = "" if bare else ' id="root"'
    return (
        f'<body>\n<div{root} class="{c("page")}">\n'
        f'<div class="{c("header")}"><div class="{c("logo")}"><a href="/">{esc(x.site.name)}</a>'
        f'</div><div class="{c("nav")}">{items}</div></div>\n{columns[0]}'
        f'<div class="{c("main")}">\n{main}\n</div>\n'
        f'<div class="{c("sidebar")}">\n{aside}\n</div>\n{columns[1]}'
        f'<div class="{c("footer")}">{year}{about}</div>\n</div>\n</body>\n</html>\n'
    )


def legacy_body(x: Ctx, content: str, aside: str, nav: list[tuple[str, str]], year: str) -> str:
    """A fixed-width page of nested tables: masthead, menu bar, a column of sections, and a
    table holding the story cell beside a column of headlines."""
    s, c = x.site, x.c
    items = " | ".join(f'<a href="{u}">{t}</a>' for u, t in nav)
    sections = "<br>".join(f'<a href="/">{name.capitalize()}</a>' for name in SECTIONS)
    story = f'<td valign="top" class="{c("story")}">\n{content}\n</td>'
    column = f'<td valign="top" width="200" class="{c("sidebar")}">\n{aside}\n</td>'
    cells = f"{column}\n{story}" if s.side == "left" else f"{story}\n{column}"
    return (
        '<body bgcolor="#ffffff" leftmargin="0" topmargin="0">\n'
        f'<table width="760" border="0" cellspacing="0" cellpadding="0" align="center"'
        f' class="{c("page")}">\n'
        f'<tr><td colspan="2" class="{c("masthead")}"><font face="Georgia" size="6"'
        f' color="#003366"><b>{esc(s.name)}</b></font></td></tr>\n'
        f'<tr><td colspan="2" bgcolor="#003366" class="{c("nav")}"><font face="Verdana"'
        f' size="1" color="#ffffff">{items}</font></td></tr>\n'
        f'<tr><td valign="top" width="120" bgcolor="#eeeeee" class="{c("sections")}">'
        f'<font face="Verdana" size="1">{sections}</font></td>\n'
        f'<td valign="top"><table width="100%" border="0" cellpadding="6"'
        f' class="{c("content")}"><tr>\n{cells}\n</tr></table></td></tr>\n'
        f'<tr><td colspan="2" align="center" class="{c("footer")}"><font size="1">{year} | '
        '<a href="/about.html">About</a></font></td></tr>\n</table>\n</body>\n</html>\n'
    )


def render_article(x: Ctx) -> str:
    """An article page: the site's widgets in its order, inside its shell."""
    assert x.plan
    content = "\n".join(WIDGETS[w](x) for w in x.site.parts)
    return shell(x, x.plan.page.title, x.plan.lang, content)


def teaser(plan: Plan) -> str:
    """The first 25 words, for home pages and feeds."""
    return " ".join(next(b.text for b in plan.blocks if b.tag == "p").split()[:25]) + " …"


def render_index(x: Ctx, plans: list[Plan]) -> str:
    """The home page: every article of the site, newest first, with a teaser."""
    items = "\n".join(
        f'<div class="{x.c("teaser")}"><h3><a href="{esc(p.page.url)}">{esc(p.page.title)}</a></h3>'
        f"<p>{esc(teaser(p))}</p>"
        f'<span class="{x.c("date")}">{esc(shown(x.site, p.when))}</span></div>'
        for p in plans
    )
    return shell(x, "Latest news", "en", f'<h1 class="{x.c("title")}">Latest news</h1>\n{items}')


def render_about(x: Ctx) -> str:
    """A page that is not an article (the nav links to it), for crawlers to drop."""
    text = (
        f"<h1>About {esc(x.site.name)}</h1><p>{esc(x.site.name)} is an independent news "
        "organisation. We report on politics, business, society and culture, and work with "
        "partner publications that may republish our reporting.</p>"
        "<p>Contact the newsroom at newsroom@" + x.site.host + ".</p>"
    )
    return shell(x, "About us", "en", text)


def render_feed(site: Site, plans: list[Plan]) -> str:
    """RSS 2.0 with every article of the site, newest first."""
    items = "".join(
        f"<item><title>{esc(p.page.title)}</title><link>{esc(p.page.url)}</link>"
        f'<guid isPermaLink="true">{esc(p.page.url)}</guid>'
        f"<pubDate>{format_datetime(p.when.astimezone(site.zone()))}</pubDate>"
        f"<description>{esc(teaser(p))}</description></item>\n"
        for p in plans
    )
    built = format_datetime(plans[0].when.astimezone(site.zone())) if plans else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
        f"<title>{esc(site.name)}</title><link>http://{site.host}/</link>"
        f"<description>Latest news from {esc(site.name)}</description>"
        f"<lastBuildDate>{built}</lastBuildDate>\n{items}</channel></rss>\n"
    )


def local_file(root: Path, url: str) -> Path:
    """Where serve.py looks for `url` under `root`."""
    rest = url.removeprefix("http://")
    host, _, path = rest.partition("/")
    target = root / host / path
    return target / "index.html" if url.endswith("/") else target


def write_site(root: Path, site: Site, plans: list[Plan], seed: int) -> None:
    """All files of one site: articles, home page, about page, feed and robots.txt."""
    mine = sorted(plans, key=lambda p: (p.when, p.page.url), reverse=True)
    heads = [(p.page.url, p.page.title) for p in mine]
    base = root / site.host
    files: dict[Path, str] = {
        base / "robots.txt": "User-agent: *\nAllow: /\n",
        base / "feed.xml": render_feed(site, mine),
    }
    for plan in mine:
        rng = random.Random(f"{seed}:{plan.page.url}")
        others = [h for h in heads if h[0] != plan.page.url]
        related = rng.sample(others, min(10, len(others)))
        files[local_file(root, plan.page.url)] = render_article(Ctx(site, plan, related, rng))
    rng = random.Random(f"{seed}:{site.host}")
    front = Ctx(site, None, heads[:10], rng)
    files[base / "index.html"] = render_index(front, mine)
    files[base / "about.html"] = render_about(front)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def build_web(
    root: Path, originals: int = 160, seed: int = 7, source: Path | None = DEV_SET
) -> Web:
    """Write the sites under `root` (plus `truth.json`) and return what was written.

    `root` should be new or empty: files of an earlier build that this one does not
    rewrite would stay and be served.
    """
    plans = plan_web(originals, seed, source)
    root.mkdir(parents=True, exist_ok=True)
    for site in SITES:
        mine = [p for p in plans if p.page.site == site.host]
        write_site(root, site, mine, seed)
    pages = [p.page for p in plans]
    truth = json.dumps([asdict(p) for p in pages], ensure_ascii=False, indent=1)
    (root / "truth.json").write_text(truth + "\n", encoding="utf-8")
    texts = {p.page.url: [b.text for b in p.blocks] for p in plans}
    return Web(root, pages, texts, {p.page.url: [b.tag for b in p.blocks] for p in plans})


def summary(web: Web) -> dict[str, Any]:
    """Sites, pages and pages per kind: what to check after a build."""
    kinds: dict[str, int] = {}
    for page in web.pages:
        kinds[page.kind] = kinds.get(page.kind, 0) + 1
    return {"sites": len({p.site for p in web.pages}), "pages": len(web.pages), "kinds": kinds}


def main() -> None:
    """Build a web from the command line and print its summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--originals", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic", action="store_true", help="ignore the development set")
    args = parser.parse_args()
    began = time.perf_counter()
    web = build_web(args.root, args.originals, args.seed, None if args.synthetic else DEV_SET)
    info = summary(web) | {"seconds": round(time.perf_counter() - began, 2)}
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()

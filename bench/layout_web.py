"""One news site per layout family, for measuring extraction on templates as a whole.

Extraction rules tuned on one template pass on it and fail on the next. This module
writes a site of about 30 article pages for each of ten structurally different layout
families, so that a crawl of each can be checked for chrome (any line of a record's text
that the article did not publish) and for exact titles. Five families are the syndication
web's own templates (`bench.syndication_web`): semantic HTML5 with metadata, div soup,
legacy tables, nested tables with a column of headlines, and bare divs with no metadata
and the site's name before the headline. Five are written here:

- `amp`: an AMP page (`<html ⚡>`, `amp-img`, an `amp-sidebar` menu, `amp-social-share`),
- `print`: a print view (print and close links, "Article printed from ..." footer, the
  site's name and "Print" before the headline),
- `js-skeleton`: a JavaScript application shell whose story is only in its data: the
  JSON-LD `articleBody`, `__NEXT_DATA__` or a React server payload ("Loading ...",
  skeleton lines, a `<noscript>` notice),
- `frames`: frame-like fixed sidebars (a section tree, an archive by month, a ticker of
  dated headlines, a column of headlines) around the story,
- `comments`: a heavy comment thread (20-45 comments of prose, nested replies) under
  a short-ish story.

The truth of every page (site, family, title, paragraphs) is in `root/truth.json`.

    python -m bench.layout_web OUT [--seed 7] [--pages 30]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from bench.syndication_web import (
    COMMON,
    FIRST_NAMES,
    LAST_NAMES,
    SECTIONS,
    SITES,
    START,
    TODAY,
    Block,
    Ctx,
    Plan,
    Site,
    WebPage,
    camel,
    esc,
    hashed,
    inline,
    local_file,
    prefixed,
    render_about,
    render_article,
    render_feed,
    render_index,
    shown,
    slugify,
    synthetic_words,
)

FAMILIES = (
    "semantic", "divs", "table", "nested-table", "bare-divs",
    "amp", "print", "js-skeleton", "frames", "comments",
)  # fmt: skip


@dataclass
class LayoutPage:
    url: str
    site: str
    family: str
    title: str
    published: str
    paragraphs: list[str]  # every block the article published, in order (headings too)


# The syndication web's sites stand for its own families; the hardest of each is taken.
BORROWED = {
    "semantic": "northern-courier.test",
    "divs": "daily-mirror-press.test",
    "table": "harbour-gazette.test",
    "nested-table": "coastal-mail.test",
    "bare-divs": "metro-pulse.test",
}
OWN = (
    Site("pocket-news.test", "Pocket News", 0, "amp", prefixed("pn"), "jsonld",
         "/amp/{section}/{slug}.html", (), (), sep=" | ", datefmt="%d %b %Y %H:%M"),
    Site("paper-trail.test", "Paper Trail Daily", -300, "print", camel("pt"), "og",
         "/print/{id}.html", (), (), sep=" - ", title_fmt="{name}{sep}Print{sep}{title}",
         datefmt="%B %d, %Y"),
    Site("app-times.test", "App Times", 120, "js-skeleton", hashed("at"), "jsonld",
         "/story/{hex}/", (), (), sep=" · ", datefmt="%d.%m.%Y"),
    Site("frame-gazette.test", "Frame Gazette", 60, "frames", prefixed("fg", "_"), "none",
         "/cgi-bin/view/{id}.htm", (), (), sep=" >> ", title_fmt="{NAME}{sep}{title}",
         datefmt="%d/%m/%Y"),
    Site("talkback-tribune.test", "Talkback Tribune", -480, "comments",
         prefixed("tt"), "og", "/{y}/{m}/{d}/{slug}/", (), (), sep=" — ",
         datefmt="%b %d, %Y %I:%M %p"),
)  # fmt: skip


def site_for(family: str) -> Site:
    """The site that stands for `family`."""
    if family in BORROWED:
        return next(s for s in SITES if s.host == BORROWED[family])
    return next(s for s in OWN if s.layout == family)


# --- Articles --------------------------------------------------------------------------------


def article_blocks(rng: random.Random) -> list[Block]:
    """A story's blocks: paragraphs of 12-90 words, sometimes a quote and a subheading."""
    blocks = [Block(synthetic_words(rng, rng.randint(35, 70)))]
    for n in range(rng.randint(5, 11)):
        if n == 3 and rng.random() < 0.5:
            blocks.append(Block(synthetic_words(rng, rng.randint(3, 6)).rstrip("."), "h"))
        words = rng.choice((rng.randint(12, 25), rng.randint(40, 90), rng.randint(40, 90)))
        text = synthetic_words(rng, words)
        if rng.random() < 0.15:
            text = f"“{text}” said {rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}."
        blocks.append(Block(text))
    return blocks


def headline(rng: random.Random) -> str:
    """A headline of 5-11 words, some with a colon or a quote, as newsrooms write them."""
    words = synthetic_words(rng, rng.randint(5, 11)).rstrip(".")
    shape = rng.random()
    if shape < 0.2:
        head, _, rest = words.partition(" ")
        rest_words = rest.split()
        return f"{head.title()} {' '.join(rest_words[:2])}: {' '.join(rest_words[2:])}"
    if shape < 0.3:
        return f"‘{words}’"
    return words


def plan_site(site: Site, pages: int, seed: int) -> list[Plan]:
    """`pages` articles on `site`, a few hours to days apart."""
    rng = random.Random(f"layout-web:{seed}:{site.host}")
    when = START
    plans: list[Plan] = []
    used: set[str] = set()
    for n in range(pages):
        when += timedelta(minutes=rng.randint(90, 3000))
        title = headline(rng)
        number = 30_000 + 37 * n
        local = when.astimezone(site.zone())
        path = site.path.format(
            y=f"{local.year:04d}", m=f"{local.month:02d}", d=f"{local.day:02d}",
            slug=slugify(title) or f"story-{number}", id=number, hex=f"{number:x}a{n}",
            section=SECTIONS[n % len(SECTIONS)],
        )  # fmt: skip
        while path in used:
            path = path.replace(".html", "-2.html") if ".html" in path else path + "-2"
        used.add(path)
        url = f"http://{site.host}{path}"
        published = when.astimezone(site.zone()).isoformat(timespec="seconds")
        authors = tuple(
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 2))
        )
        page = WebPage(
            url, site.host, f"{site.host}-{n}", "original", None, title, published, site.layout
        )
        plans.append(Plan(page, article_blocks(rng), authors, "en", when))
    return plans


# --- The five families written here -----------------------------------------------------------


def paragraphs_html(plan: Plan, para: str = "p") -> str:
    out = []
    for block in plan.blocks:
        if block.tag == "h":
            out.append(f"<h2>{inline(block)}</h2>")
        else:
            out.append(f"<{para}>{inline(block)}</{para}>")
    return "\n".join(out)


def json_ld(x: Ctx, body: bool = False) -> str:
    assert x.plan
    p = x.plan
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": p.page.title,
        "datePublished": p.page.published,
        "author": [{"@type": "Person", "name": a} for a in p.authors],
        "publisher": {"@type": "Organization", "name": x.site.name},
        "mainEntityOfPage": p.page.url,
    }
    if body:
        data["articleBody"] = "\n\n".join(b.text for b in p.blocks)
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def og(x: Ctx) -> str:
    assert x.plan
    p = x.plan
    return (
        '<meta property="og:type" content="article">'
        f'<meta property="og:title" content="{esc(p.page.title)}">'
        f'<meta property="og:site_name" content="{esc(x.site.name)}">'
        f'<meta property="article:published_time" content="{p.page.published}">'
        f'<meta name="author" content="{esc(", ".join(p.authors))}">'
    )


def title_tag(x: Ctx, title: str) -> str:
    s = x.site
    shown_title = s.title_fmt.format(title=title, sep=s.sep, name=s.name, NAME=s.name.upper())
    return f"<title>{esc(shown_title)}</title>"


def more_links(x: Ctx, count: int = 6) -> str:
    return "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for u, t in x.related[:count])


def render_amp(x: Ctx) -> str:
    assert x.plan
    p, c = x.plan, x.c
    menu = "".join(f'<li><a href="/">{s.capitalize()}</a></li>' for s in SECTIONS)
    image = (
        f'<amp-img src="/img/{p.page.story}.jpg" width="1200" height="675" layout="responsive"'
        ' alt=""></amp-img>'
    )
    shares = "".join(
        f'<amp-social-share type="{n}" width="40" height="40"></amp-social-share>'
        for n in ("twitter", "facebook", "whatsapp", "email")
    )
    return (
        '<!doctype html>\n<html ⚡ lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>\n'
        f"{title_tag(x, p.page.title)}\n"
        f'<link rel="canonical" href="{esc(p.page.url)}">\n'
        '<meta name="viewport" content="width=device-width">\n'
        "<style amp-boilerplate>body{visibility:hidden}</style>"
        "<noscript><style amp-boilerplate>body{visibility:visible}</style></noscript>\n"
        f"<style amp-custom>.{c('header')}{{display:flex}}</style>\n"
        f"{og(x)}\n{json_ld(x)}\n</head>\n<body>\n"
        f'<amp-sidebar id="menu" layout="nodisplay" side="left"><nav><ul>{menu}</ul></nav>'
        "</amp-sidebar>\n"
        f'<header class="{c("header")}"><button on="tap:menu.toggle">Menu</button>'
        f'<a href="/" class="{c("logo")}">{esc(x.site.name)}</a></header>\n'
        f'<main><article class="{c("article")}">\n<h1>{esc(p.page.title)}</h1>\n'
        f'<div class="{c("byline")}">By {esc(" and ".join(p.authors))} · '
        f"{esc(shown(x.site, p.when))}</div>\n{image}\n"
        f'<div class="{c("body")}">\n{paragraphs_html(p)}\n</div>\n'
        f'<div class="{c("share")}">{shares}</div>\n</article>\n'
        '<amp-ad width="300" height="250" type="doubleclick"'
        f' data-slot="/1/{x.rng.randint(1, 99)}"></amp-ad>\n'
        f'<section class="{c("more")}"><h2>More from {esc(x.site.name)}</h2>'
        f"<ul>{more_links(x)}</ul></section>\n</main>\n"
        f'<footer class="{c("footer")}"><p>© {TODAY.year} {esc(x.site.name)}</p>'
        '<a href="/">View full site</a></footer>\n</body>\n</html>\n'
    )


def render_print(x: Ctx) -> str:
    assert x.plan
    p, c, s = x.plan, x.c, x.site
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{title_tag(x, p.page.title)}\n{og(x)}\n"
        '<link rel="stylesheet" href="/css/print.css" media="print">\n</head>\n'
        '<body onload="window.print()">\n'
        f'<div class="{c("print-header")}"><img src="/img/logo.gif" alt=""> '
        f"<b>{esc(s.name)}</b></div>\n"
        f'<div class="{c("print-links")}"><a href="javascript:window.print()">Print this page</a>'
        ' | <a href="javascript:window.close()">Close window</a></div>\n<hr>\n'
        f"<h1>{esc(p.page.title)}</h1>\n"
        f'<div class="{c("print-byline")}">By {esc(", ".join(p.authors))}</div>\n'
        f'<div class="{c("print-date")}">Published {esc(shown(s, p.when))}</div>\n'
        f'<div class="{c("print-content")}">\n{paragraphs_html(p)}\n</div>\n<hr>\n'
        f'<div class="{c("print-footer")}">Article printed from {esc(s.name)}: http://{s.host}/'
        f"<br>URL to article: {esc(p.page.url.replace('/print/', '/news/'))}<br>"
        f"Copyright © {TODAY.year} {esc(s.name)}. All rights reserved.</div>\n"
        "</body>\n</html>\n"
    )


def render_js_skeleton(x: Ctx) -> str:
    """An application shell: the story in JSON-LD `articleBody`, or as HTML in the
    application's data (`__NEXT_DATA__`), or in a React server payload (escaped twice)."""
    assert x.plan
    p, c, s = x.plan, x.c, x.site
    lines = "".join(f'<div class="{c("skeleton-line")}"></div>' for _ in range(8))
    mode = x.rng.choice(("json-ld", "next-data", "flight"))
    story = "".join(f"<p>{esc(b.text)}</p>" for b in p.blocks)
    props: dict[str, object] = {"id": p.page.story, "section": "news"}
    if mode == "next-data":
        props["article"] = {"title": p.page.title, "contentHtml": story}
    state = {"props": {"pageProps": props}, "page": "/story/[id]"}
    flight = ""
    if mode == "flight":  # a text chunk's header, then the chunk, each a JSON string
        chunks = (json.dumps([1, "24:T1b7b,"]), json.dumps([1, story]))
        flight = "".join(f"<script>self.__next_f.push({c})</script>" for c in chunks)
        flight = flight.replace("<p>", "\\u003cp\\u003e").replace("</p>", "\\u003c/p\\u003e") + "\n"
    data = json.dumps(state).replace("<", "\\u003c")
    nav = "".join(f'<a href="/">{n.capitalize()}</a>' for n in SECTIONS)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{title_tag(x, p.page.title)}\n{og(x)}\n{json_ld(x, body=mode == 'json-ld')}\n"
        '<script src="/static/app.js" defer></script>\n</head>\n<body>\n'
        f'<div id="__next"><header class="{c("header")}"><a href="/">{esc(s.name)}</a>'
        f"<nav>{nav}</nav></header>\n"
        f'<main class="{c("main")}"><div class="{c("skeleton")}">{lines}</div>'
        f'<p class="{c("loading")}">Loading…</p></main>\n'
        f'<footer class="{c("footer")}">© {TODAY.year} {esc(s.name)} · Terms · Privacy'
        "</footer></div>\n"
        "<noscript>You need to enable JavaScript to read this article.</noscript>\n"
        f'<script id="__NEXT_DATA__" type="application/json">{data}</script>\n'
        f"{flight}</body>\n</html>\n"
    )


def render_frames(x: Ctx) -> str:
    assert x.plan
    p, c, s = x.plan, x.c, x.site
    tree = "".join(
        f'<div class="{c("node")}">+ <a href="/">{n.capitalize()}</a></div>' for n in SECTIONS
    )
    months = "".join(
        f'<a href="/">{(TODAY - timedelta(days=30 * k)).strftime("%B %Y")}</a><br>'
        for k in range(1, 7)
    )
    ticker = " +++ ".join(
        f"{(TODAY - timedelta(hours=3 * k)).strftime('%H:%M')} {esc(t)}"
        for k, (_, t) in enumerate(x.related[:4])
    )
    heads = "".join(
        f'<div class="{c("headline")}"><a href="{esc(u)}">{esc(t)}</a></div>'
        for u, t in x.related[4:10]
    )
    fixed = "position:fixed;top:0;overflow:auto"
    return (
        f'<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        f"{title_tag(x, p.page.title)}\n</head>\n<body>\n"
        f'<div class="{c("left")}" style="{fixed};left:0;width:180px">'
        f'<div class="{c("brand")}"><b>{esc(s.name.upper())}</b></div>{tree}'
        f'<div class="{c("archive")}"><b>Archive</b><br>{months}</div></div>\n'
        f'<div class="{c("top")}" style="{fixed};left:180px;height:40px">'
        f"<marquee>{ticker}</marquee></div>\n"
        f'<div class="{c("content")}" style="margin:40px 220px 0 180px">\n'
        f'<p class="{c("kicker")}">{esc(SECTIONS[len(p.page.title) % 6].upper())}</p>\n'
        f"<h2>{esc(p.page.title)}</h2>\n"
        f'<p class="{c("meta")}">{esc(shown(s, p.when))} | {esc(", ".join(p.authors))}</p>\n'
        f"{paragraphs_html(p)}\n"
        f'<p class="{c("back")}"><a href="/">&lt;&lt; Back</a> | <a href="#top">Top</a></p>\n'
        "</div>\n"
        f'<div class="{c("right")}" style="{fixed};right:0;width:220px">'
        f"<b>Latest headlines</b>{heads}"
        '<iframe src="/ads/banner.html" width="200" height="200">Your browser does not '
        "support inline frames.</iframe></div>\n</body>\n</html>\n"
    )


def render_comments(x: Ctx) -> str:
    assert x.plan
    p, c, s, rng = x.plan, x.c, x.site, x.rng

    def comment(depth: int) -> str:
        user = f"{rng.choice(FIRST_NAMES).lower()}_{rng.choice(COMMON)}{rng.randint(1, 999)}"
        text = "".join(
            f"<p>{esc(synthetic_words(rng, rng.randint(12, 70)))}</p>"
            for _ in range(rng.randint(1, 3))
        )
        replies = ""
        if depth < 2 and rng.random() < 0.35:
            replies = (
                f'<div class="{c("replies")}">'
                + "".join(comment(depth + 1) for _ in range(rng.randint(1, 3)))
                + "</div>"
            )
        return (
            f'<div class="{c("comment")}" id="c{rng.randint(10_000, 99_999)}">'
            f'<div class="{c("comment-meta")}"><b>{user}</b> '
            f"<span>{rng.randint(1, 23)} hours ago</span></div>"
            f'<div class="{c("comment-body")}">{text}</div>'
            f'<a class="{c("reply")}" href="#">Reply</a> '
            f'<span class="{c("votes")}">▲ {rng.randint(0, 300)}</span>{replies}</div>'
        )

    thread = "".join(comment(0) for _ in range(rng.randint(20, 45)))
    nav = "".join(f'<li><a href="/">{n.capitalize()}</a></li>' for n in SECTIONS)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"{title_tag(x, p.page.title)}\n{og(x)}\n</head>\n<body>\n"
        f'<div class="{c("top")}"><a href="/">{esc(s.name)}</a><ul>{nav}</ul></div>\n'
        f'<div class="{c("post")}">\n<h1>{esc(p.page.title)}</h1>\n'
        f'<div class="{c("meta")}">{esc(", ".join(p.authors))} | {esc(shown(s, p.when))}</div>\n'
        f'<div class="{c("text")}">\n{paragraphs_html(p)}\n</div>\n</div>\n'
        f'<div class="{c("discussion")}"><h3>Discussion</h3>'
        f'<form><textarea placeholder="Join the discussion"></textarea>'
        "<button>Post comment</button></form>\n"
        f"{thread}\n"
        f'<a class="{c("more-comments")}" href="#">Load more comments</a></div>\n'
        f'<div class="{c("bottom")}">{esc(s.name)} · Community guidelines · '
        '<a href="/about.html">About</a></div>\n</body>\n</html>\n'
    )


RENDERERS: dict[str, Callable[[Ctx], str]] = {
    "amp": render_amp,
    "print": render_print,
    "js-skeleton": render_js_skeleton,
    "frames": render_frames,
    "comments": render_comments,
}


# --- Writing ---------------------------------------------------------------------------------


def write_family(root: Path, family: str, pages: int, seed: int) -> list[LayoutPage]:
    """One site of `family`: its articles, a home page linking them all, about and feed."""
    site = site_for(family)
    plans = plan_site(site, pages, seed)
    mine = sorted(plans, key=lambda p: p.when, reverse=True)
    heads = [(p.page.url, p.page.title) for p in mine]
    render = RENDERERS.get(family, render_article)
    files: dict[Path, str] = {}
    for plan in mine:
        rng = random.Random(f"{seed}:{plan.page.url}")
        others = [h for h in heads if h[0] != plan.page.url]
        files[local_file(root, plan.page.url)] = render(
            Ctx(site, plan, rng.sample(others, 10), rng)
        )
    front = Ctx(site, None, heads[:10], random.Random(f"{seed}:{site.host}"))
    base = root / site.host
    files[base / "index.html"] = render_index(front, mine)
    files[base / "about.html"] = render_about(front)
    files[base / "feed.xml"] = render_feed(site, mine)
    files[base / "robots.txt"] = "User-agent: *\nAllow: /\n"
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    return [
        LayoutPage(p.page.url, site.host, family, p.page.title, p.page.published,
                   [b.text for b in p.blocks])
        for p in plans
    ]  # fmt: skip


def build(root: Path, pages: int = 30, seed: int = 7) -> list[LayoutPage]:
    """Every family's site under `root`, and `root/truth.json`."""
    found = [page for family in FAMILIES for page in write_family(root, family, pages, seed)]
    truth = json.dumps([asdict(p) for p in found], ensure_ascii=False, indent=1)
    (root / "truth.json").write_text(truth + "\n", encoding="utf-8")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pages = build(args.root, args.pages, args.seed)
    print(json.dumps({f: sum(p.family == f for p in pages) for f in FAMILIES}, indent=1))


if __name__ == "__main__":
    main()

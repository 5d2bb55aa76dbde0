"""Places: the markup a short line at the text's edges is shown in, when it is its own."""

from lxml import html

from pipelines.extraction.places import edge_places
from tests.conftest import prose

STORY = [
    "The council voted on Tuesday to build a bridge over the canal after years of talks.",
    "Work starts in spring and should take three years, the mayor said after the vote.",
    "The province pays a third of the cost; the state has yet to decide on its share.",
]


def page(label: str, end: str = "") -> html.HtmlElement:
    paras = "".join(f"<p>{p}</p>" for p in STORY)
    return html.document_fromstring(
        f'<html><body><div class="content-42"><p class="kicker">{label}</p>'
        f'<div class="issue"><b>Issue</b> 4521</div><h2>A bridge at last</h2>{paras}'
        f"{end}</div></body></html>"
    )


def test_short_lines_at_the_edges_in_markup_of_their_own_have_a_place():
    lines = ["WORLD", "Issue 4521", *STORY, "Tip of the day: water your plants"]
    tree = page("WORLD", '<p class="tip">Tip of the day: water your plants</p>')
    assert edge_places(lines, tree) == {
        "WORLD": "top:div.content > p.kicker",
        "Issue 4521": "top:div.content > div.issue",
        "Tip of the day: water your plants": "end:div.content > p.tip",
    }


def test_paragraphs_subheadings_and_lines_inside_the_text_have_none():
    tree = page("WORLD", "<p>Short last line.</p><h3>Not</h3>")
    # A plain paragraph shares its markup with its siblings; a heading with no class names
    # nothing; a line inside the text is no edge; a long line is prose.
    lines = [STORY[0], "A bridge at last", "WORLD", STORY[1], STORY[2], "Short last line."]
    assert edge_places(lines, tree) == {}
    twins = html.document_fromstring(
        '<html><body><p class="note">One note</p><p class="note">Two notes</p></body></html>'
    )
    assert edge_places(["One note", *STORY], twins) == {}


def test_a_crawl_learns_a_place_and_the_next_run_applies_it_from_its_first_page(make_web, crawl):
    """An issue line that changes on every page, in markup of its own under the headline:
    no rule knows it, the site's pages teach it, and the state keeps it for the next run."""

    def shown(n: int) -> str:
        paras = "".join(f"<p>{p}</p>" for p in prose(40 + n, paragraphs=4))
        return (
            f'<html><head><meta charset="utf-8"><title>Story {n}</title>'
            '<meta property="og:type" content="article"></head><body><article>'
            f'<h1>Story {n}</h1><p class="issue">Issue {4510 + n} · Week {n + 3}</p>'
            f"{paras}</article></body></html>"
        )

    files = {f"weekly.test/2024/story-{n}.html": shown(n) for n in range(6)}
    server = make_web(files)
    urls = [f"http://weekly.test/2024/story-{n}.html" for n in range(6)]

    def lines(result) -> list[str]:
        return [r["text"].split("\n\n")[0] for r in result.current]

    first = crawl("urls", args={"urls": ",".join(urls[:4])}, proxy=server.address)
    assert first.returncode == 0, first.log[-2000:]
    assert len(first.current) == 4
    # The first pages keep it (nothing has shown it is the template's yet); then it goes.
    assert 1 <= sum(line.startswith("Issue") for line in lines(first)) <= 2, lines(first)
    second = crawl(
        "urls", args={"urls": ",".join(urls[4:])}, proxy=server.address, output="out2.jsonl"
    )
    assert second.returncode == 0, second.log[-2000:]
    assert len(second.current) == 2
    assert not any(line.startswith("Issue") for line in lines(second))

import pytest

from pipelines.extraction.credits import parse_credit_line, split_credits


@pytest.mark.parametrize(
    ("line", "publisher", "author"),
    [
        ("Article by Walid Ramzi, allAfrica.", "allAfrica", "Walid Ramzi"),
        ("This article was originally published here.", None, None),
        ("This story first appeared on AfricaWire.", "AfricaWire", None),
        ("Source: Reuters", "Reuters", None),
        ("Read the full story on AfricaWire", "AfricaWire", None),
        ("© 2013 AfricaWire. All rights reserved.", "AfricaWire", None),
    ],
)
def test_credit_lines(line, publisher, author):
    credit = parse_credit_line(line)
    assert credit is not None
    assert credit.publisher == publisher
    assert credit.author == author
    assert credit.raw == line


@pytest.mark.parametrize(
    "line",
    [
        "Source: The ministry said the talks would continue into next week.",
        "He added that the army had seized sophisticated weapons.",
        "The article by the minister was published in the official gazette last year, "
        "prompting a debate that lasted for months across the whole region and beyond.",
    ],
)
def test_prose_is_not_a_credit(line):
    assert parse_credit_line(line) is None


def test_split_credits_takes_head_and_tail_only_and_keeps_link():
    paragraphs = [
        "ALGIERS (allAfrica) - Chaos in Libya has prompted action.",
        "Second paragraph.",
        "Source: Reuters",  # in the middle of a long text: prose position, kept
        *[f"Body paragraph {i}." for i in range(6)],
        "Article by Walid Ramzi, allAfrica.",
        "This article was originally published here.",
    ]
    links = {"This article was originally published here.": "http://origin.test/story"}
    kept, credits = split_credits(paragraphs, links)
    assert kept[0] == "Chaos in Libya has prompted action."
    assert "Source: Reuters" in kept
    assert kept[-1] == "Body paragraph 5."
    assert [c.publisher for c in credits] == ["allAfrica", "allAfrica", None]
    assert credits[0].raw == "ALGIERS (allAfrica) -"
    assert credits[2].original_url == "http://origin.test/story"


def test_a_dateline_after_a_standfirst_is_found():
    paragraphs = [
        "A standfirst that sums the story up.",
        "ALGIERS (allAfrica) - Chaos in Libya.",
        "x",
    ]
    kept, credits = split_credits(paragraphs)
    assert kept[:2] == ["A standfirst that sums the story up.", "Chaos in Libya."]
    assert [c.publisher for c in credits] == ["allAfrica"]


@pytest.mark.parametrize(
    ("first", "raw", "publisher", "rest"),
    [
        (
            "ACCRA, June 12 (Reuters) - Ghana's cedi fell.",
            "ACCRA, June 12 (Reuters) -",
            "Reuters",
            "Ghana's cedi fell.",
        ),
        (
            "GENÈVE, 4 juin (AFP) – Les négociations.",
            "GENÈVE, 4 juin (AFP) –",
            "AFP",
            "Les négociations.",
        ),
        ("SANTA FE, N.M. (AP) — Crews battled.", "SANTA FE, N.M. (AP) —", "AP", "Crews battled."),
        ("HAMBURG, 2. Juni (dpa) - Der Hafen.", "HAMBURG, 2. Juni (dpa) -", "dpa", "Der Hafen."),
        (
            "SÃO PAULO, 3 de junho (Reuters) - O real.",
            "SÃO PAULO, 3 de junho (Reuters) -",
            "Reuters",
            "O real.",
        ),
    ],
)
def test_wire_datelines_with_a_state_or_a_day_are_credits(first, raw, publisher, rest):
    kept, credits = split_credits([first, "More."])
    assert kept == [rest, "More."]
    assert [(c.raw, c.publisher) for c in credits] == [(raw, publisher)]


@pytest.mark.parametrize(
    "first",
    [
        "Madrid (EFE) - a place not in capitals is prose's",
        "Officials said (AP) - nothing",
        "The minister, speaking on Tuesday (local time) - said more",
    ],
)
def test_lines_that_only_look_like_datelines_stay(first):
    kept, credits = split_credits([first])
    assert kept == [first] and credits == []


def test_a_wire_reporting_line_is_a_credit_with_its_reporter():
    line = "(Reporting by Lena Moreau and Tom Sato; Writing by Aiko Banda; Editing by Sam Hughes)"
    kept, credits = split_credits(["Body.", *["More."] * 5, line])
    assert line not in kept
    assert [(c.raw, c.author) for c in credits] == [(line, "Lena Moreau")]

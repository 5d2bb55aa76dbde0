import pytest

from crawler.config import ConfigError
from crawler.sources import read_sources


def write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_sources_with_every_key(tmp_path):
    path = write(
        tmp_path,
        '# news\n[[source]]\nname = "Wire"\nfeeds = ["https://wire.test/rss",\n'
        "  \"wire.test/atom\"]\nsitemaps = ['https://wire.test/']\nstart = []\ndepth = 1\n\n"
        '[[source]]\nstart = ["https://b.test/"]\n',
    )
    wire, second = read_sources(path)
    assert wire.name == "Wire" and wire.depth == 1
    assert [(e.text, e.where) for e in wire.entries()] == [
        ("https://wire.test/rss", f"{path} line 4 (source 'Wire', feeds)"),
        ("wire.test/atom", f"{path} line 5 (source 'Wire', feeds)"),
        ("https://wire.test/", f"{path} line 6 (source 'Wire', sitemaps)"),
    ]
    assert all(e.source == "Wire" for e in wire.entries())
    assert second.name == "source 2" and second.depth == 2
    assert second.start[0].where == f"{path} line 11 (source 'source 2', start)"


def test_the_same_url_twice_gets_each_its_own_line(tmp_path):
    path = write(
        tmp_path,
        '[[source]]\nname = "a"\nfeeds = ["x.test/f"]\n'
        '[[source]]\nname = "b"\nfeeds = ["x.test/f"]\n',
    )
    first, second = read_sources(path)
    assert first.feeds[0].where.startswith(f"{path} line 3 ")
    assert second.feeds[0].where.startswith(f"{path} line 6 ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[source]]\nname = "x"\nfeeds = "https://x.test/feed"\n',
            "source 1 ('x'): feeds must be a list of URLs, e.g. feeds = [\"https://...\"], "
            "not a string",
        ),
        (
            '[[source]]\nname = "x"\nsitemaps = {url = "https://x.test/"}\n',
            "source 1 ('x'): sitemaps must be a list of URLs",
        ),
        (
            '[[source]]\nname = "x"\nstart = ["https://x.test/", 4]\n',
            "source 1 ('x'): start item 2 is 4, not a URL in quotes",
        ),
        (
            '[[source]]\nname = "x"\nfeeds = [["https://x.test/"]]\n',
            "source 1 ('x'): feeds item 1 is ['https://x.test/'], not a URL in quotes",
        ),
        ('[[source]]\nname = 3\nfeeds = ["https://x.test/f"]\n', "source 1: name must be text"),
        ('[[source]]\nname = ""\nfeeds = ["https://x.test/f"]\n', "name must be text"),
        (
            '[[source]]\nname = "x"\ndepth = "2"\nstart = ["https://x.test/"]\n',
            "source 1 ('x'): depth must be a whole number >= 0 (links to follow), e.g. depth = 2,"
            " not '2'",
        ),
        ('[[source]]\nname = "x"\ndepth = -1\nstart = ["https://x.test/"]\n', "not -1"),
        ('[[source]]\nname = "x"\ndepth = true\nstart = ["https://x.test/"]\n', "not True"),
        ('[[source]]\nname = "x"\ndepth = 1.5\nstart = ["https://x.test/"]\n', "not 1.5"),
        (
            '[[source]]\nname = "x"\nfeed = ["https://x.test/"]\n',
            "source 1 ('x') has unknown keys ['feed'] (did you mean feeds?)",
        ),
        ('[[source]]\nname = "x"\n', "source 1 ('x') lists no feeds, sitemaps, start or home"),
        ('[[source]]\nname = "x"\nhome = ["https://x.test/"]\n', "home must be a URL in quotes"),
        ('[[sources]]\nname = "x"\n', "unknown key 'sources' (did you mean source?)"),
        ('source = "x"\n', "'source' must be [[source]] tables"),
        ("# nothing yet\n", "no [[source]] tables"),
    ],
)
def test_every_key_is_checked_and_named(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        read_sources(path)
    assert str(raised.value).startswith(path)
    assert message in str(raised.value)


def test_a_source_may_give_only_its_home_and_a_written_block_reads_back(tmp_path):
    from crawler.sources import source_block

    block = source_block(
        'The "Times"',
        [("feeds", "https://x.test/rss", "feed: 3 entries"), ("sitemaps", "https://x.test/s", "")],
        "added by a test",
    )
    path = write(tmp_path, '[[source]]\nname = "x"\nhome = "https://x.test/"\n\n' + block)
    home, written = read_sources(path)
    assert home.home is not None and home.home.target == "https://x.test/"
    assert home.home.where.startswith(f"{path} line 3")
    assert (written.name, [e.target for e in written.entries()]) == (
        'The "Times"',
        ["https://x.test/rss", "https://x.test/s"],
    )


def test_a_toml_syntax_error_names_the_file_line_and_column(tmp_path):
    path = write(tmp_path, '[[source]]\nname = "x"\nfeeds ["https://x.test/"]\n')
    with pytest.raises(ConfigError) as raised:
        read_sources(path)
    assert str(raised.value) == (
        f"-a sources={path}: not valid TOML: Expected '=' after a key in a key/value pair "
        "(at line 3, column 7)"
    )


def test_a_missing_sources_file(tmp_path):
    with pytest.raises(ConfigError, match=r"^-a sources=.*nope.toml: no such file"):
        read_sources(str(tmp_path / "nope.toml"))

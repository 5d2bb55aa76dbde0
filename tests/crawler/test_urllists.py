import pytest

from crawler.config import ConfigError
from crawler.urllists import Listed, from_argument, from_file, usable


def test_a_file_keeps_each_url_with_its_line(tmp_path):
    listed = tmp_path / "urls.txt"
    listed.write_text(
        "# morning list\n\nhttps://news.test/a\nwww.news.test/b  # no scheme\n"
        "   https://news.test/c   \n#https://news.test/commented\n"
    )
    entries = from_file(str(listed))
    assert [(e.text, e.where) for e in entries] == [
        ("https://news.test/a", f"{listed} line 3"),
        ("www.news.test/b", f"{listed} line 4"),
        ("https://news.test/c", f"{listed} line 5"),
    ]
    assert [e.problem for e in entries] == [None, "no scheme (write https://www.news.test/b)", None]


def test_a_missing_file_is_a_config_error_naming_the_argument(tmp_path):
    with pytest.raises(ConfigError, match=r"^-a file=.*nope.txt: no such file"):
        from_file(str(tmp_path / "nope.txt"))


def test_an_argument_keeps_each_item_with_its_position():
    entries = from_argument("urls", " https://news.test/a, ,not a url,https://news.test/b,")
    assert [(e.text, e.where) for e in entries] == [
        ("https://news.test/a", "-a urls= item 1"),
        ("not a url", "-a urls= item 3"),
        ("https://news.test/b", "-a urls= item 4"),
    ]


def test_usable_splits_good_from_bad_and_refuses_a_list_with_nothing_usable():
    entries = from_argument("urls", "https://news.test/a,mailto:x@news.test,https://news.test/b")
    good, bad = usable(entries, "needs urls")
    assert [e.text for e in good] == ["https://news.test/a", "https://news.test/b"]
    assert [e.text for e in bad] == ["mailto:x@news.test"]
    with pytest.raises(ConfigError, match=r"^needs urls$"):
        usable([], "needs urls")
    with pytest.raises(ConfigError) as raised:
        usable(from_argument("urls", "news.test/a,javascript:x,ftp://f.test/"), "needs urls")
    assert str(raised.value) == (
        "nothing to crawl: -a urls= item 1: 'news.test/a': no scheme (write https://news.test/a)"
        " (and 2 more unusable entries)"
    )


def test_a_located_entry_is_checked_where_it_is_fetched():
    entry = Listed("news.test", "-a sites= item 1").located(
        lambda site: f"https://{site}/robots.txt"
    )
    assert entry.text == "news.test" and entry.target == "https://news.test/robots.txt"
    assert entry.problem is None

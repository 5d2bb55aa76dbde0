import pytest
from scrapy.settings import Settings

from crawler.addon import CHECKS, SETTING_KINDS
from crawler.config import (
    Age,
    AutoOrInteger,
    Boolean,
    ConfigError,
    Integer,
    Number,
    Url,
    check_setting_names,
    check_settings,
    closest,
    read_file,
    setting_kinds,
)
from crawler.defaults import DEFAULTS


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (Integer(0), [0, 3, "12", " 7 "], [-1, "-2", "2.5", "two", True, 2.0, None, ""]),
        (Integer(2), [2, "128"], [1, "0"]),
        (Number(0, 1), [0, 1, 0.5, "0.7", ".85"], [-0.1, 1.01, "nan", "x", False, ""]),
        (Number(0), [0, 60, "0.5", "1e3"], ["-1", "abc", "inf-ish"]),
        (Boolean(), [True, False, 0, 1, "0", "1", "True", "false"], ["yes", "", 2, "TRUE", None]),
        (Age(), ["", None, "12h", "7d", " 90m ", "1w"], ["2", "two days", "7x", "-1d"]),
        (AutoOrInteger(), ["auto", "", 0, "4"], ["all", "-1", "2.5"]),
        (
            Url(("redis", "rediss"), ("", "local")),
            ["", "local", "redis://h:6379/0", "REDIS://h", "rediss://:pw@h/1"],
            ["sqlite:///x", "h:6379", "redis:/h", "Local"],
        ),
    ],
)
def test_kinds_accept_what_the_components_read_and_nothing_else(kind, good, bad):
    assert all(kind.valid(value) for value in good), [v for v in good if not kind.valid(v)]
    assert not any(kind.valid(value) for value in bad), [v for v in bad if kind.valid(v)]


def test_every_default_of_a_type_is_checked_without_its_own_entry():
    kinds = setting_kinds(
        {**DEFAULTS, "KEEP_RUNS": 0, "NEW_SWITCH": False, "NEW_RATIO": 0.5, "NEW_TEXT": ""},
        CHECKS,
    )
    assert kinds["KEEP_RUNS"] == Integer(0)
    assert kinds["NEW_SWITCH"] == Boolean()
    assert kinds["NEW_RATIO"] == Number(0)
    assert "NEW_TEXT" not in kinds
    # Every setting with a bool or number default is checked, and every default passes.
    typed = {n for n, v in DEFAULTS.items() if isinstance(v, bool | int | float)}
    assert typed <= set(SETTING_KINDS)
    check_settings(Settings(DEFAULTS), SETTING_KINDS)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOCK_WAIT", "abc", "-s LOCK_WAIT='abc': use a number of seconds >= 0"),
        ("DEDUP_SIMILARITY", "1.5", "DEDUP_SIMILARITY='1.5': use a number from 0 to 1"),
        ("MIN_ARTICLE_CHARS", "400.5", "MIN_ARTICLE_CHARS='400.5': use a whole number >= 0"),
        ("DEDUP_ENABLED", "yes", "DEDUP_ENABLED='yes': use True or False"),
        ("REVISIT_AFTER", "2", "REVISIT_AFTER='2': use an age such as 90m"),
        ("SEEN_EXPIRE_AFTER", "90 days", "SEEN_EXPIRE_AFTER='90 days': use an age"),
        ("EXTRACT_WORKERS", "many", "EXTRACT_WORKERS='many': use auto, or a whole number"),
        ("STATE_URL", "state.sqlite", "STATE_URL='state.sqlite': use sqlite:///PATH or redis://"),
        ("FRONTIER_URL", "redis-host:6379", "FRONTIER_URL='redis-host:6379': use redis://"),
        ("REDIS_RETRY_FOR", "-1", "REDIS_RETRY_FOR='-1': use a number of seconds >= 0"),
    ],
)
def test_a_wrong_value_names_the_setting_and_what_it_wants(name, value, message):
    settings = Settings(DEFAULTS)
    settings.set(name, value, priority="cmdline")
    with pytest.raises(ConfigError) as raised:
        check_settings(settings, SETTING_KINDS)
    assert message in str(raised.value)


def test_a_setting_from_the_project_is_named_as_a_setting_not_as_minus_s():
    settings = Settings(DEFAULTS)
    settings.set("LOCK_WAIT", "soon", priority="project")
    with pytest.raises(ConfigError, match=r"^setting LOCK_WAIT='soon'"):
        check_settings(settings, SETTING_KINDS)


def test_misspelled_setting_names_are_refused_and_unknown_ones_warned():
    known = {"STATE_URL", "STATE_THREADS", "LOCK_WAIT", "DUPEFILTER_DEBUG", "LOG_LEVEL"}
    typos = [("STATE_ULR", "STATE_URL"), ("LOCK_WAT", "LOCK_WAIT"), ("state_url", "STATE_URL")]
    for typo, meant in typos:
        with pytest.raises(ConfigError, match=f"-s {typo}: no such setting; did you mean {meant}"):
            check_setting_names([typo], known)
    # scrapy-redis's DUPEFILTER_KEY is not a misspelling of DUPEFILTER_DEBUG: a warning only
    warnings = check_setting_names(["LOG_LEVEL", "DUPEFILTER_KEY", "MY_OWN"], known)
    assert warnings == [
        "-s DUPEFILTER_KEY: no component of this project reads this setting",
        "-s MY_OWN: no component of this project reads this setting",
    ]


def test_closest():
    assert closest("sinse", ["file", "urls", "since"]) == "since"
    assert closest("feed", ["name", "feeds", "sitemaps"]) == "feeds"
    assert closest("colour", ["file", "urls", "since"]) is None


def test_read_file_names_the_file_and_the_problem(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("http://x.test/café\n", encoding="utf-8")
    assert read_file(str(good), "-a file=good.txt") == "http://x.test/café\n"
    with pytest.raises(ConfigError, match=r"^-a file=nope.txt: no such file"):
        read_file(str(tmp_path / "nope.txt"), "-a file=nope.txt")
    with pytest.raises(ConfigError, match="is a directory"):
        read_file(str(tmp_path), "-a file=dir")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("http://x.test/caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(invalid .* at byte 17\)"):
        read_file(str(latin), "-a file=latin.txt")

import pytest
from twisted.internet.error import DNSLookupError

from crawler.resolver import PublicOnlyResolver
from tests.conftest import article_page, prose


def test_loopback_is_refused_unless_allowed(make_web, crawl, tmp_path):
    web = make_web({"news.test/a.html": article_page("A", prose(1))})
    url = web.url("news.test", "/a.html")
    refused = crawl(
        "urls",
        args={"urls": url},
        settings={"ALLOW_PRIVATE_NETWORKS": "False"},
        workdir=tmp_path / "refused",
    )
    assert refused.records == []
    assert refused.stats["newsfold/skipped/private_network"] >= 1
    assert "ALLOW_PRIVATE_NETWORKS" in refused.log
    allowed = crawl("urls", args={"urls": url}, workdir=tmp_path / "allowed")
    assert [r["title"] for r in allowed.records] == ["A"]


def test_resolver_refuses_private_answers():
    with pytest.raises(DNSLookupError):
        PublicOnlyResolver._refuse_private("10.0.0.5", "internal.example")
    assert PublicOnlyResolver._refuse_private("93.184.216.34", "example.com") == "93.184.216.34"


def test_legacy_ipv4_forms_are_recognised():
    from crawler.urls import is_private_host

    assert is_private_host("127.1") and is_private_host("2130706433")
    assert is_private_host("0x7f.0.0.1") and is_private_host("10.1")
    assert not is_private_host("93.184.216.34") and not is_private_host("1234.example.com")

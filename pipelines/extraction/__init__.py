"""The extraction library: a page's `Document` (`document.extract_document`, the entry
point: title, authors, dates, body, language) and its cleaning (`cleaning.clean_page`:
identity, credits, non-articles refused), by pure functions free of Scrapy
(tests/test_layers.py checks it).

The Scrapy stages in `pipelines/` call it (`pipelines.extract`, `pipelines.clean`), and
so do the benchmarks, directly on stored pages.
"""

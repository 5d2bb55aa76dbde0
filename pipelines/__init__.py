"""newsfold's item pipelines, in flow order: extract, clean, collapse, store; and the pure
logic they call, free of Scrapy: the extraction library (`pipelines.extraction`) and the
collapse decision (`pipelines.collapser`)."""

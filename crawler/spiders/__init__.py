"""newsfold's spiders: `urls`, `feeds`, `sitemaps`, `site` and the operator's `news`."""

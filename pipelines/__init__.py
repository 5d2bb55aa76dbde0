"""newsfold's item pipelines, in flow order: extract, clean, collapse, store."""

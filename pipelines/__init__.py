"""newsfold's item pipelines, in flow order: extract, clean, collapse, store; and the
extraction library they call (`pipelines.extraction`)."""

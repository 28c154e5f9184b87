"""The query pipeline every path shares: `runs` submits (cache, single-flight, enqueue),
`tasks` are the thin Celery entry points, `execution` runs on the engine inside a worker,
`governance` is the one place a statement is allowed, bound, limited, fingerprinted and
audited, and `result_store` keeps finished results as Arrow files that `downloads` streams."""

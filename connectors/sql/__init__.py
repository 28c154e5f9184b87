"""sqlglot helpers: small pure passes over one parsed statement.

`parse` turns text into one statement, `classify` says whether it may run, `tables` lists
what it reads, `params` binds Redash-style parameters as typed literals, `policy` splices
row filters and column masks into every read of a governed table, `limit` caps the rows,
`transpile` writes it for an engine, `fingerprint` keys the result cache and `positions`
maps an engine's error position back to the user's text.
"""

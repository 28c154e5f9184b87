"""PostgreSQL type facts, one source each: the built-in types read from the dumped
`pg_type.json` (`builtin`), engine column types → PostgreSQL types (`engine`), and the type
a client sees for an Arrow field (`arrow`)."""

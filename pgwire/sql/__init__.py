"""SQL as BI tools send it: statements split (`lexer`), `$n` parameters bound, result
columns named as PostgreSQL names them, and client names mapped to engine names."""

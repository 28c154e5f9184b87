"""A PostgreSQL v3 wire-protocol endpoint in front of dashwire's governed data sources.

Layered as asyncpg is: `protocol` (messages, no I/O) and `types` at the bottom, then `sql`,
`encoding` and `catalog` (the emulated pg_catalog/information_schema), `session` (one
client's state machine), `server` (sockets, TLS, SCRAM). Everything the application decides
(users, grants, data sources, the governance path) is reached through `ports.Backend`;
`django_backend` is its one Django implementation, and `python -m pgwire` runs the server.
"""

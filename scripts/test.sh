#!/usr/bin/env bash
# `make test`: the whole suite on the embedded defaults (SQLite, filesystem broker), then
# the pipeline again on PostgreSQL as the metadata database and Redis as the broker.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${TEST_METADATA_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/dashwire}"
REDIS="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

"$PY" -m pytest -q "$@"

if pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -u "$REDIS" ping >/dev/null 2>&1; then
  redis-cli -u "$REDIS" flushdb >/dev/null
  DATABASE_URL="$PG_URL" REDIS_URL="$REDIS" "$PY" -m pytest -q tests/pipeline "$@"
elif [ -n "${DASHWIRE_REQUIRE_SERVICES:-}" ]; then
  echo "PostgreSQL or Redis is not reachable; they are required here" >&2
  exit 1
else
  echo "skipped the PostgreSQL + Redis pass: start them to run it" >&2
fi

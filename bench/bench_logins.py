"""Wire logins per second (issue #5): connect + `SELECT 1` + close with psycopg, one client
after the other, for a password login and a token login — the workload of
bench_pgwire.py's "connect+SELECT 1+close", without its TPC-H data.

Run: .venv/bin/python bench/bench_logins.py [--rounds 5]

Each login's SCRAM verifier has 4,096 iterations, which libpq recomputes at every
connection (~2.5 ms of client CPU here): that alone bounds one client to a few hundred
logins per second, whatever the server does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_pgwire import DEMO_LOGIN, connections_per_s, wait_for_wire
from bench.stack import free_port, running_stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of about a second")
    args = parser.parse_args()
    wire_port = free_port()
    with running_stack({"PGWIRE_PORT": str(wire_port)}, without=("beat",)) as stack:
        base = f"host=127.0.0.1 port={wire_port} dbname=demo sslmode=disable"
        logins = {
            "password login": f"{base} {DEMO_LOGIN}",
            "token login": f"{base} user=token password={stack.token}",
        }
        wait_for_wire(logins["password login"])
        for name, dsn in logins.items():
            samples = connections_per_s(dsn, args.rounds)
            print(f"connect+SELECT 1+close, {name}: {statistics.median(samples):.0f}/s median")


if __name__ == "__main__":
    main()

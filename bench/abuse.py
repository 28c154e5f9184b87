"""Abuse benchmark: the attacks of issue 12 against a `manage.py up` stack, each for a
bounded time, beside the quiet system measured in the same run.

Run: .venv/bin/python bench/abuse.py [--seconds 10]

While each attack runs, a probe measures three things a bystander does: `GET /healthz`, a
second user's uncached `SELECT 'victim'` through the REST API (submit -> succeeded), and the
same user's `SELECT 'victim'` over the wire. It prints their p99 during the attack and the
ratio to the quiet p99; the target is within 2x.
"""

from __future__ import annotations

import argparse
import itertools
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import Stack, free_port, running_stack

VICTIM = "victim"
VICTIM_PASSWORD = "victim-password-1"
TERMINAL = {"succeeded", "failed", "cancelled"}
SLOW_SQL = "SELECT count(*) FROM range(1000000000) a, range(1000) b WHERE a.range % {} = 1"


def add_victim(stack: Stack) -> None:
    stack.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.create_user('{VICTIM}', password='{VICTIM_PASSWORD}')",
    )


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


class Probe:
    """A bystander's requests, timed in ms, while `seconds` pass."""

    def __init__(self, stack: Stack, victim_token: str, wire_dsn: str) -> None:
        self.stack = stack
        self.rest = requests.Session()
        self.rest.headers["Authorization"] = f"Bearer {victim_token}"
        self.wire_dsn = wire_dsn
        self.counter = itertools.count()

    def measure(self, seconds: float) -> dict[str, float]:
        samples: dict[str, list[float]] = {"healthz": [], "rest": [], "wire": []}
        deadline = time.monotonic() + seconds
        with psycopg.connect(self.wire_dsn, autocommit=True) as wire:
            while time.monotonic() < deadline:
                samples["healthz"].append(timed(self.healthz))
                samples["rest"].append(timed(self.rest_select))
                samples["wire"].append(timed(lambda: wire.execute("SELECT 'victim'").fetchall()))
        return {name: p99(values) for name, values in samples.items()}

    def healthz(self) -> None:
        requests.get(f"{self.stack.url}/healthz", timeout=60).raise_for_status()

    def rest_select(self) -> None:
        sql = f"SELECT 'victim' AS v, {next(self.counter)} AS n"  # never a cache hit
        body = self.rest.post(
            f"{self.stack.url}/api/runs", json={"datasource": "demo", "sql": sql}, timeout=60
        ).json()
        while body["status"] not in TERMINAL:
            time.sleep(0.005)
            body = self.rest.get(f"{self.stack.url}/api/runs/{body['id']}", timeout=60).json()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def in_threads(count: int, action: Callable[[threading.Event], None]) -> Callable[[], Iterator]:
    """An attack: `count` threads repeating `action` until told to stop."""

    @contextmanager
    def attack() -> Iterator[None]:
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    action(stop)
                except (OSError, requests.RequestException, psycopg.Error):
                    time.sleep(0.05)  # refused or cut off: what a bounded server does

        threads = [threading.Thread(target=loop, daemon=True) for _ in range(count)]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

    return attack


def startup_packet(user: str, database: str) -> bytes:
    body = struct.pack("!I", 196608) + f"user\0{user}\0database\0{database}\0\0".encode()
    return struct.pack("!I", len(body) + 4) + body


def preauth_flood(port: int) -> Callable[[threading.Event], None]:
    def action(stop: threading.Event) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(startup_packet("demo", "demo"))
            sock.recv(65536)  # the authentication request
            sock.sendall(b"p" + struct.pack("!I", 256 * 1024 * 1024 - 1))
            while not stop.wait(0.5):
                sock.sendall(b"x" * 4096)

    return action


def slowloris(web_port: int) -> Callable[[threading.Event], None]:
    def action(stop: threading.Event) -> None:
        with socket.create_connection(("127.0.0.1", web_port), timeout=30) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            for number in itertools.count():
                if stop.wait(1.0):
                    return
                sock.sendall(f"X-Slow-{number}: 1\r\n".encode())

    return action


def wire_query(dsn: str, sql: str) -> Callable[[threading.Event], None]:
    def action(stop: threading.Event) -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("SET statement_timeout = '5s'")
            connection.execute(sql)

    return action


def rest_run(stack: Stack, body: dict[str, object]) -> Callable[[threading.Event], None]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.token}"

    def action(stop: threading.Event) -> None:
        session.post(f"{stack.url}/api/runs", json=body, timeout=120)

    return action


def slow_queries(stack: Stack) -> Callable[[], Iterator]:
    """One user keeps six slow queries submitted; they are cancelled at the end."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.token}"

    @contextmanager
    def attack() -> Iterator[None]:
        runs = [
            session.post(
                f"{stack.url}/api/runs",
                json={"datasource": "demo", "sql": SLOW_SQL.format(n)},
                timeout=60,
            ).json()["id"]
            for n in range(2, 8)
        ]
        try:
            yield
        finally:
            for run_id in runs:
                session.post(f"{stack.url}/api/runs/{run_id}/cancel", timeout=60)

    return attack


def public_views(stack: Stack) -> Callable[[threading.Event], None]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {stack.token}"
    board = session.get(f"{stack.url}/api/dashboards", timeout=60).json()[0]
    link = session.post(
        f"{stack.url}/api/dashboards/{board['id']}/share/links", json={}, timeout=60
    ).json()
    data_url = link["url"].rstrip("/") + "/data"
    if data_url.startswith("/"):
        data_url = stack.url + data_url

    def action(stop: threading.Event) -> None:
        with requests.get(data_url, stream=True, timeout=60) as response:
            for _ in response.iter_content(65536):
                pass

    return action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each attack")
    args = parser.parse_args()
    wire_port = free_port()
    env = {"PGWIRE_PORT": str(wire_port), "PGWIRE_CACHE_MAX_AGE_S": "0"}
    with running_stack(env, without=("beat",), setup=add_victim) as stack:
        web_port = int(stack.url.rsplit(":", 1)[1])
        victim_token = stack.manage("token", "create", VICTIM).strip()
        dsn = f"host=127.0.0.1 port={wire_port} dbname=demo sslmode=disable"
        attacker_dsn = f"{dsn} user=demo password=demo-dashwire"
        probe = Probe(stack, victim_token, f"{dsn} user={VICTIM} password={VICTIM_PASSWORD}")
        huge_select = "SELECT " + ", ".join(["1"] * 333_333)
        huge_wire_select = "SELECT " + ", ".join(["1"] * 1_750_000)
        in_list = ", ".join(str(n) for n in range(40_000))
        attacks: list[tuple[str, Callable[[], Iterator]]] = [
            ("1 pre-auth 256 MB messages x8 (wire)", in_threads(8, preauth_flood(wire_port))),
            ("2 slowloris x16 (web)", in_threads(16, slowloris(web_port))),
            (
                "3 catalog x range(3e8) x2 (wire)",
                in_threads(
                    2,
                    wire_query(
                        attacker_dsn, "SELECT count(*) FROM pg_catalog.pg_class, range(300000000)"
                    ),
                ),
            ),
            (
                "4 1M-character statements x2 (REST)",
                in_threads(2, rest_run(stack, {"datasource": "demo", "sql": huge_select})),
            ),
            ("4 5 MB statement (wire)", in_threads(1, wire_query(attacker_dsn, huge_wire_select))),
            (
                "5 IN list of 40,000 values x4 (REST)",
                in_threads(
                    4,
                    rest_run(
                        stack,
                        {
                            "datasource": "demo",
                            "sql": "SELECT 1 WHERE 1 IN ({{ a }})",
                            "parameters": {"a": in_list.split(", ")},
                        },
                    ),
                ),
            ),
            (
                "6 Delta VERSION AS OF 2^63-1 x2 (REST)",
                in_threads(
                    2,
                    rest_run(
                        stack,
                        {
                            "datasource": "lake",
                            "sql": f"SELECT count(*) FROM gapminder VERSION AS OF {2**63 - 1}",
                        },
                    ),
                ),
            ),
            ("8 one user's six slow queries (REST)", slow_queries(stack)),
            ("9 anonymous public views x8 (web)", in_threads(8, public_views(stack))),
            (
                "12 900 nested parentheses x2 (REST)",
                in_threads(
                    2,
                    rest_run(
                        stack,
                        {"datasource": "demo", "sql": "SELECT " + "(" * 900 + "1" + ")" * 900},
                    ),
                ),
            ),
        ]
        probe.measure(2.0)  # warm up
        quiet = probe.measure(args.seconds)
        print(f"bystander p99 in ms, quiet and during each attack ({args.seconds:g} s each)")
        print(f"  {'':46s} {'/healthz':>13s} {'REST':>13s} {'wire':>13s}")
        print(f"  {'quiet (baseline)':46s}", " ".join(f"{quiet[k]:7.1f}      " for k in quiet))
        for name, attack in attacks:
            with attack():
                time.sleep(1.0)  # let the attack take hold
                during = probe.measure(args.seconds)
            ratios = {k: during[k] / quiet[k] for k in quiet}
            verdict = "ok" if max(ratios.values()) <= 2 else "OVER 2x"
            cells = " ".join(f"{during[k]:7.1f} {ratios[k]:4.1f}x" for k in quiet)
            print(f"  {name:46s} {cells}  {verdict}")


if __name__ == "__main__":
    main()

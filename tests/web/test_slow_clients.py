"""Slow and idle clients against a real gunicorn with the web tier's worker class: while
32 sockets dribble a header line a second (slowloris), /healthz still answers at once, and
the server closes each slow socket within the head timeout; a body sent a byte a second
frees its thread within the body timeout."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT, stop_process, worker_env

HEAD_TIMEOUT_S = 3.0
BODY_TIMEOUT_S = 3.0
SLOW_SOCKETS = 32  # twice the threads of 2 workers of 8
DRIBBLE_S = 1.0

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get_healthz(port: int, timeout_s: float = 10.0) -> float:
    """Seconds until /healthz answered 200; raises on a timeout or another answer."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return time.monotonic() - started


@pytest.fixture
def web_port(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    env = {
        **worker_env(),
        "WEB_REQUEST_HEAD_TIMEOUT_S": str(HEAD_TIMEOUT_S),
        "WEB_REQUEST_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{port}"),
            *("--worker-class", "config.gunicorn_worker.HeadFirstWorker"),
            *("--workers", "2", "--threads", "8", "--graceful-timeout", "2"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get_healthz(port, timeout_s=2)
                break
            except (OSError, AssertionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "gunicorn.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        yield port
    finally:
        stop_process(process)
        log.close()


def dribble_head(port: int, give_up_s: float) -> float | None:
    """Send a request head a line every DRIBBLE_S; the seconds until the server closed the
    connection, or None when it was still open after `give_up_s`."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.settimeout(DRIBBLE_S)
        while time.monotonic() - started < give_up_s:
            try:
                if sock.recv(1024) == b"":
                    return time.monotonic() - started
            except TimeoutError:
                pass
            except OSError:
                return time.monotonic() - started
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                return time.monotonic() - started
    return None


def test_slowloris_does_not_starve_healthz_and_slow_heads_are_cut(web_port: int) -> None:
    give_up_s = HEAD_TIMEOUT_S + 10
    with ThreadPoolExecutor(max_workers=SLOW_SOCKETS) as pool:
        slow = [pool.submit(dribble_head, web_port, give_up_s) for _ in range(SLOW_SOCKETS)]
        time.sleep(DRIBBLE_S * 1.5)  # every slow socket has sent a few lines by now
        latencies = sorted(get_healthz(web_port) for _ in range(20))
        closed_after = [future.result(timeout=give_up_s + 10) for future in slow]
    assert latencies[-1] < 2.0, latencies  # p99 of 20 is the slowest
    assert all(t is not None for t in closed_after), closed_after
    assert max(t for t in closed_after if t is not None) < HEAD_TIMEOUT_S + 2.5, closed_after


def dribble_body(port: int) -> tuple[float, bytes]:
    """POST a body of 1,000 bytes a byte a second: the seconds until the server answered or
    closed, and what it answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        started = time.monotonic()
        sock.sendall(
            b"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            # a well-formed CSRF cookie: the middleware then reads the body for the token
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
        )
        sock.settimeout(DRIBBLE_S)
        for _ in range(60):
            try:
                answer = sock.recv(65536)
                return time.monotonic() - started, answer
            except TimeoutError:
                pass
            except OSError:
                return time.monotonic() - started, b""
            try:
                sock.sendall(b"a")
            except OSError:
                return time.monotonic() - started, b""
    raise AssertionError("the server waited a minute for the body")


def test_a_body_sent_a_byte_at_a_time_frees_its_thread_by_the_deadline(web_port: int) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        slow = [pool.submit(dribble_body, web_port) for _ in range(16)]
        ended = [future.result(timeout=90) for future in slow]
    assert max(seconds for seconds, _ in ended) < BODY_TIMEOUT_S + 3, ended
    assert get_healthz(web_port) < 2.0

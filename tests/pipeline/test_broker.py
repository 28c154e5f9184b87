"""The embedded broker: messages written by another process while a consumer reads
always arrive whole."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

MESSAGES = 150
PAYLOAD = "x" * 1_000_000  # big enough that writing one takes a while
TRANSPORT = "config.broker:Transport"


def options(folder: Path) -> dict[str, object]:
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "polling_interval": 0,
    }


def produce(folder: Path, transport: str) -> None:
    with Connection(
        "filesystem://", transport=transport, transport_options=options(folder)
    ) as conn:
        queue = conn.SimpleQueue("jobs")
        for n in range(MESSAGES):
            queue.put({"n": n, "body": PAYLOAD})


@pytest.mark.timeout(120)
def test_a_consumer_never_reads_half_a_message(tmp_path: Path):
    producer = multiprocessing.get_context("spawn").Process(
        target=produce, args=(tmp_path, TRANSPORT)
    )
    producer.start()
    received: list[int] = []
    with Connection(
        "filesystem://", transport=TRANSPORT, transport_options=options(tmp_path)
    ) as conn:
        queue = conn.SimpleQueue("jobs")
        deadline = time.monotonic() + 100
        while len(received) < MESSAGES and time.monotonic() < deadline:
            try:
                message = queue.get(timeout=0.001)
            except Empty:
                continue
            assert message.payload["body"] == PAYLOAD
            received.append(message.payload["n"])
    producer.join(timeout=30)
    assert sorted(received) == list(range(MESSAGES))

"""kombu's filesystem transport, made safe for several processes on one folder.

The stock transport creates a message file and only then locks and fills it, while a
consumer moves and reads files without a lock: under load a worker can read half a
message and crash its consumer on a JSONDecodeError (seen here with the web process
polling workers while tasks were queued). Here messages are written under a hidden
name and renamed into place, so a consumer only ever sees whole files; and a fanout
table read while another process creates it is read again.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

TABLE_READ_ATTEMPTS = 20
TABLE_READ_PAUSE_S = 0.005


class Channel(filesystem.Channel):
    # kombu names the argument `message` in the base class and `payload` here
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        with open(partial, "wb") as file:
            file.write(str_to_bytes(dumps(payload)))
        os.replace(partial, os.path.join(self.data_folder_out, name))

    def get_table(self, exchange: str) -> list[Any]:
        for _ in range(TABLE_READ_ATTEMPTS - 1):
            try:
                return super().get_table(exchange)
            except ValueError:  # an empty or half-written table file
                time.sleep(TABLE_READ_PAUSE_S)
        return super().get_table(exchange)


class Transport(filesystem.Transport):
    Channel = Channel

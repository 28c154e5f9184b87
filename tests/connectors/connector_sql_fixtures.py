"""Read SQL fixture files: blocks separated by blank lines, like sqlglot's fixtures.

A block is optional `-- key: value` lines, then SQL; `-- =>` splits a block into its
input and its expected output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
_META = re.compile(r"^--\s*(\w+):\s*(.*)$")
_ARROW = "-- =>"


@dataclass(frozen=True)
class Block:
    sql: str
    expected: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    line: int = 0

    def get(self, key: str, default: str) -> str:
        return self.meta.get(key, default)


def load_blocks(name: str) -> list[Block]:
    """The blocks of fixtures/`name`, each with the line it starts on."""
    text = (FIXTURES / name).read_text()
    blocks: list[Block] = []
    for start, chunk in _chunks(text):
        meta: dict[str, str] = {}
        body: list[str] = []
        for line in chunk:
            match = _META.match(line)
            if match and not body:
                meta[match.group(1)] = match.group(2).strip()
            else:
                body.append(line)
        joined = "\n".join(body)
        sql, _, expected = joined.partition(_ARROW)
        blocks.append(Block(sql.strip(), expected.strip(), meta, start))
    return blocks


def _chunks(text: str) -> list[tuple[int, list[str]]]:
    chunks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            chunks.append((start, current))
            current = []
    if current:
        chunks.append((start, current))
    return chunks


def block_id(block: Block) -> str:
    return f"line{block.line}"

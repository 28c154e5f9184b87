// Where statements start and end in a script, skipping ';' inside strings, quoted names and
// comments, so Ctrl+Enter can run just the statement under the cursor.

export function statementRanges(text) {
  const ranges = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "'" || ch === '"' || ch === "`") i = skipQuoted(text, i, ch);
    else if (ch === "-" && next === "-") i = skipTo(text, i, "\n");
    else if (ch === "/" && next === "*") i = skipTo(text, i + 2, "*/") + 1;
    else if (ch === ";") {
      ranges.push({ from: start, to: i });
      start = i + 1;
    }
    i += 1;
  }
  ranges.push({ from: start, to: text.length });
  return ranges.filter((r) => text.slice(r.from, r.to).trim() !== "");
}

function skipQuoted(text, i, quote) {
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j;
    } else j += 1;
  }
  return j;
}

function skipTo(text, i, marker) {
  const found = text.indexOf(marker, i);
  return found < 0 ? text.length : found;
}

// The piece of `text` to run: the selection when there is one, else the statement holding the
// cursor (or the last one before it). `from` is its offset, to map error positions back.
export function pickStatement(text, selection) {
  if (selection.from !== selection.to) {
    const chosen = text.slice(selection.from, selection.to);
    const lead = chosen.length - chosen.trimStart().length;
    return { sql: chosen.trim(), from: selection.from + lead };
  }
  const ranges = statementRanges(text);
  if (!ranges.length) return { sql: "", from: 0 };
  const cursor = selection.head;
  const hit = ranges.find((r) => cursor >= r.from && cursor <= r.to + 1) || ranges.filter((r) => r.from <= cursor).pop() || ranges[0];
  const raw = text.slice(hit.from, hit.to);
  const lead = raw.length - raw.trimStart().length;
  return { sql: raw.trim(), from: hit.from + lead };
}

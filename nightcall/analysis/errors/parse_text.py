"""Find and parse stack traces inside arbitrary text: log bodies, exception messages, dumps.

`find_stacks` runs each format's scanner (Python, JVM, JavaScript, Go, .NET, Apple crash
logs) over the lines and keeps the traces that do not overlap, the longer one winning where
two scanners claim the same lines. Text that was JSON-escaped on its way into a log body
(`"Traceback ...\\n  File ..."`, a single line with literal `\\n`) is unescaped first. It never
raises: text that holds no trace gives an empty list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

from nightcall.analysis.errors.frames import Stack, StackMatch
from nightcall.analysis.errors.text_cocoa import scan_cocoa
from nightcall.analysis.errors.text_dotnet import scan_dotnet
from nightcall.analysis.errors.text_go import scan_go
from nightcall.analysis.errors.text_js import scan_js
from nightcall.analysis.errors.text_jvm import scan_jvm
from nightcall.analysis.errors.text_python import scan_python

Scanner: TypeAlias = Callable[[Sequence[str], Sequence[str]], list[StackMatch]]
"""A format's scanner: lines and in-app prefixes in, the traces it recognised out."""

SCANNERS: tuple[Scanner, ...] = (scan_python, scan_jvm, scan_dotnet, scan_js, scan_go, scan_cocoa)
MAX_TEXT_CHARS = 1_000_000  # a log body larger than this is cut: traces sit near its start
MAX_LINE_CHARS = 2_000  # no frame line is longer; cutting keeps every pattern's work linear


def split_lines(text: str) -> list[str]:
    """The text's lines (JSON-escaped newlines undone when it has no real ones), long ones cut."""
    text = text[:MAX_TEXT_CHARS]
    if "\n" not in text and "\\n" in text:
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", "\t")
        text = text.replace('\\"', '"')
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line[:MAX_LINE_CHARS] for line in lines]


def find_stack_matches(
    text: str, *, in_app_prefixes: Sequence[str] = (), scanners: Sequence[Scanner] = SCANNERS
) -> list[StackMatch]:
    """Every stack trace in `text` with the lines it spans, in the order they appear.

    Args:
        text: any text; a log body, an exception message, a whole crash report.
        in_app_prefixes: module or path prefixes of the application's own code; when given,
            they alone decide which frames are in-app.
        scanners: the formats to look for (all six by default).
    """
    lines = split_lines(text)
    found: list[StackMatch] = []
    for scanner in scanners:
        found.extend(m for m in scanner(lines, in_app_prefixes) if m.stack.frames)
    found.sort(key=lambda m: (m.start_line, -(m.end_line - m.start_line)))
    kept: list[StackMatch] = []
    for match in sorted(found, key=lambda m: -(m.end_line - m.start_line)):
        if all(match.end_line <= k.start_line or match.start_line >= k.end_line for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start_line)


def find_stacks(text: str, *, in_app_prefixes: Sequence[str] = ()) -> list[Stack]:
    """Every stack trace in `text`, parsed, in the order they appear (see the module doc)."""
    return [m.stack for m in find_stack_matches(text, in_app_prefixes=in_app_prefixes)]


def parse_stack(text: str, *, in_app_prefixes: Sequence[str] = ()) -> Stack | None:
    """The first stack trace in `text`, or None when it holds none."""
    stacks = find_stacks(text, in_app_prefixes=in_app_prefixes)
    return stacks[0] if stacks else None

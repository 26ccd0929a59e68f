"""Python tracebacks in text: `Traceback (most recent call last):`, `File "x", line N, in f`.

Chained tracebacks ("During handling of the above exception, another exception occurred:" and
"The above exception was the direct cause of the following exception:") become one `Stack`
whose `cause` is the traceback printed before. Source lines, 3.11's `^^^^` markers and
"[Previous line repeated N more times]" are skipped. A traceback may sit after a log prefix
(`2024-05-01 ERROR Traceback ...`): the frame lines are searched for, not anchored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app

_HEADER = re.compile(r"Traceback \(most recent call last\):\s*$")
_FRAME = re.compile(
    r'^\s*(?:\|\s*)?File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<fn>.+?))?\s*$'
)
_EXCEPTION = re.compile(r"^(?:\|\s*)?(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<value>.*))?$")
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)
_ROOTS = re.compile(r"^.*(?:site-packages|dist-packages|lib/python\d+(?:\.\d+)?)/")


def module_from_path(path: str) -> str:
    """A best guess at the dotted module name from a file path (`.../requests/api.py` -> ...)."""
    tail = _ROOTS.sub("", path.replace("\\", "/"))
    if tail == path.replace("\\", "/"):
        tail = re.sub(r"^(?:/?(?:app|srv|code|src|usr|opt|home/[^/]+|workspace))+/", "", tail)
        tail = tail.lstrip("/")
    tail = re.sub(r"\.pyc?$", "", tail)
    if tail.endswith("/__init__"):
        tail = tail[: -len("/__init__")]
    return tail.replace("/", ".")


def scan_python(lines: Sequence[str], in_app_prefixes: Sequence[str] = ()) -> list[StackMatch]:
    """Every Python traceback in `lines`, chained ones joined into one `Stack`."""
    matches: list[StackMatch] = []
    index = 0
    while index < len(lines):
        if not _HEADER.search(lines[index]):
            index += 1
            continue
        start = index
        stack, index = _read_traceback(lines, index + 1, in_app_prefixes)
        while True:
            nxt = _next_chained(lines, index)
            if nxt is None:
                break
            later, index = _read_traceback(lines, nxt + 1, in_app_prefixes)
            stack = Stack(exc_type=later.exc_type, value=later.value, frames=later.frames,
                          platform=Platform.PYTHON, cause=stack)  # fmt: skip
        if stack.frames or stack.exc_type:
            matches.append(StackMatch(start_line=start, end_line=index, stack=stack))
    return matches


def _next_chained(lines: Sequence[str], index: int) -> int | None:
    """The line of the next chained traceback's header, when the text goes on with one."""
    probe = index
    seen_marker = False
    while probe < len(lines) and probe < index + 4:
        text = lines[probe].strip()
        if any(text.endswith(marker) for marker in _CHAINED):
            seen_marker = True
        elif seen_marker and _HEADER.search(text):
            return probe
        elif text:
            return None
        probe += 1
    return None


def _read_traceback(
    lines: Sequence[str], index: int, in_app_prefixes: Sequence[str]
) -> tuple[Stack, int]:
    """Frames from `index` until the exception line; returns the stack and the next line."""
    frames: list[Frame] = []
    while index < len(lines):
        line = lines[index]
        match = _FRAME.search(line)
        if match:
            path = match["file"]
            module = module_from_path(path)
            frames.append(Frame(
                function=(match["fn"] or "<module>").strip(), module=module, filename=path,
                lineno=int(match["line"]), platform=Platform.PYTHON,
                is_in_app=is_in_app(Platform.PYTHON, module, path, in_app_prefixes),
            ))  # fmt: skip
            index += 1
            continue
        stripped = line.strip()
        if not stripped or (line[:1].isspace() and frames and not _is_exception_line(stripped)):
            index += 1  # source line, caret markers, "[Previous line repeated ...]"
            continue
        if stripped.startswith("[Previous line repeated"):
            index += 1
            continue
        exc = _EXCEPTION.match(stripped)
        if exc:
            return (Stack(exc_type=exc["type"], value=(exc["value"] or "").strip(),
                          frames=tuple(frames), platform=Platform.PYTHON), index + 1)  # fmt: skip
        break
    return Stack(exc_type="", frames=tuple(frames), platform=Platform.PYTHON), index


def _is_exception_line(text: str) -> bool:
    """An indented line that still reads as `SomeError: message` (tracebacks in a log body)."""
    match = _EXCEPTION.match(text)
    return bool(match and match["value"] is not None and match["type"][:1].isupper())

"""JavaScript stack traces in text: V8/Node (`at fn (file:line:col)`, `at file:line:col`,
`at async fn (...)`) and Firefox/Safari (`fn@file:line:col`).

The header is the `SomeError: message` line just above the frames (`Uncaught` and log
prefixes allowed). Node's `[cause]: Error: ...` blocks (an `Error` with a `cause`, as
`util.inspect` prints it) become the cause of the error above them. Frames are printed
innermost first and returned innermost last. Node's internals (`node:internal/...`),
`node_modules` and `<anonymous>`/`native` frames are library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app

_V8 = re.compile(
    r"^\s*(?:\S.{0,160}?\s)?at\s+(?:async\s+)?(?:(?P<fn>[^()]{1,400}?)\s+\((?P<loc>[^()]+)\)"
    r"|(?P<bare>\S+:\d+:\d+))\s*\{?\s*$"
)
_CAUSE = re.compile(r"^\s*\[cause\]:\s*(?P<header>.*?)\s*\{?\s*$")
_PROPERTY = re.compile(r"^\s*(?:[\w$]+: .*|\}|\]),?\s*$")  # `code: 'ECONNREFUSED',`, `}`
_GECKO = re.compile(r"^\s*(?P<fn>[^@\s]*)@(?P<loc>\S+:\d+:\d+)\s*$")
_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)$")
_SPECIAL = re.compile(r"^(?:<anonymous>|native|index \d+|eval at .*)$")
_HEADER = re.compile(
    r"^(?:.*?\b)?(?:Uncaught\s+(?:\(in promise\)\s+)?)?"
    r"(?P<type>[A-Z][\w$]*(?:Error|Exception)[\w$]*|Error|AbortError|DOMException)"
    r"(?:\s*\[(?P<code>[\w-]+)\])?(?::\s?(?P<value>.*))?$"
)


def parse_js_frame(line: str, in_app_prefixes: Sequence[str] = ()) -> Frame | None:
    """One V8 or Gecko frame line as a frame, or None when it is not one."""
    function = ""
    match = _V8.match(line)
    if match:
        location = match["loc"] or match["bare"] or ""
        function = (match["fn"] or "").strip()
    else:
        gecko = _GECKO.match(line)
        if not gecko:
            return None
        location, function = gecko["loc"], gecko["fn"]
    function = re.sub(r"\s*\[as [^\]]+\]$", "", function)
    place = _LOCATION.match(location.strip())
    if place is None:
        if not _SPECIAL.match(location.strip()) or not function:
            return None
        filename, lineno, colno = f"<{location.strip().strip('<>')}>", None, None
        filename = "<anonymous>" if location.strip() == "<anonymous>" else filename
    else:
        filename, lineno, colno = place["file"], int(place["line"]), int(place["col"])
    return Frame(
        function=function or "<anonymous>", filename=filename, lineno=lineno, colno=colno,
        platform=Platform.JAVASCRIPT,
        is_in_app=is_in_app(Platform.JAVASCRIPT, "", filename, in_app_prefixes)
        and not filename.startswith("<"),
    )  # fmt: skip


def _read_frames(
    lines: Sequence[str], index: int, in_app_prefixes: Sequence[str]
) -> tuple[list[Frame], int]:
    """Consecutive frame lines from `index`, innermost last; returns them and the next line."""
    frames: list[Frame] = []
    while index < len(lines):
        frame = parse_js_frame(lines[index], in_app_prefixes)
        if frame is None:
            break
        frames.append(frame)
        index += 1
    return frames[::-1], index


def _read_causes(
    lines: Sequence[str], index: int, in_app_prefixes: Sequence[str]
) -> tuple[list[Stack], int]:
    """Node's `[cause]:` blocks after a trace, outermost first; returns them and the next line."""
    causes: list[Stack] = []
    probe = index
    while probe < len(lines) and probe < index + 12:
        cause = _CAUSE.match(lines[probe])
        if cause is None:
            if not _PROPERTY.match(lines[probe]):
                break
            probe += 1
            continue
        header = _HEADER.match(cause["header"])
        frames, probe = _read_frames(lines, probe + 1, in_app_prefixes)
        causes.append(Stack(
            exc_type=header["type"] if header else "", platform=Platform.JAVASCRIPT,
            value=(header["value"] or "").strip() if header else cause["header"],
            frames=tuple(frames),
        ))  # fmt: skip
        index = probe
    return causes, index


def scan_js(lines: Sequence[str], in_app_prefixes: Sequence[str] = ()) -> list[StackMatch]:
    """Every JavaScript stack trace in `lines`, Node's `[cause]:` blocks as causes."""
    matches: list[StackMatch] = []
    index = 0
    while index < len(lines):
        if parse_js_frame(lines[index], in_app_prefixes) is None:
            index += 1
            continue
        start = index
        exc_type, value = "", ""
        if index > 0 and (header := _HEADER.match(lines[index - 1].strip())) is not None:
            exc_type, value, start = header["type"], (header["value"] or "").strip(), index - 1
        frames, index = _read_frames(lines, index, in_app_prefixes)
        causes, index = _read_causes(lines, index, in_app_prefixes)
        stack: Stack | None = None
        for cause in reversed(causes):
            stack = Stack(exc_type=cause.exc_type, value=cause.value, frames=cause.frames,
                          platform=Platform.JAVASCRIPT, cause=stack)  # fmt: skip
        stack = Stack(exc_type=exc_type, value=value, frames=tuple(frames),
                      platform=Platform.JAVASCRIPT, cause=stack)  # fmt: skip
        matches.append(StackMatch(start_line=start, end_line=index, stack=stack))
    return matches

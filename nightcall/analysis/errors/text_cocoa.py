"""Symbolicated Apple crash logs (Swift, Objective-C): `N  Image  0xaddr  symbol + off (File:N)`.

From a whole crash report the stack returned is the `Last Exception Backtrace` when there is
one (an uncaught NSException), else the crashed thread (`Thread N Crashed:`); other threads are
left out. The type is the NSException name (`Terminating app due to uncaught exception 'X'`)
or the Mach exception (`Exception Type: EXC_BAD_ACCESS (SIGSEGV)`), and the message the
exception's reason or Swift's `Fatal error: ...` line. A bare numbered backtrace (no report
around it) is returned as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app

_FRAME = re.compile(r"^\s*\d+\s+(?P<image>\S+)\s+0x[0-9a-fA-F]+\s+(?P<symbol>.+?)\s*$")
_SOURCE = re.compile(r"\s*\((?P<file>[^():]+):(?P<line>\d+)(?::\d+)?\)$")
_OFFSET = re.compile(r"\s+\+\s+\d+$")
_THREAD = re.compile(
    r"^(?:Thread \d+(?: name:.*)?(?P<crashed> Crashed)?:|Last Exception Backtrace:)"
)
_MACH = re.compile(r"^Exception Type:\s+(?P<type>\w+)(?:\s+\((?P<signal>\w+)\))?")
_NSEXCEPTION = re.compile(r"uncaught exception '(?P<type>[^']+)', reason: '(?P<value>.*)'")
_FATAL = re.compile(r"(?P<value>Fatal error: .*)$")
_REPORT_START = ("Incident Identifier:", "-------------------------------------")


def parse_cocoa_frame(line: str, in_app_prefixes: Sequence[str] = ()) -> Frame | None:
    """One numbered crash-log frame line as a frame, or None when it is not one."""
    match = _FRAME.match(line)
    if not match:
        return None
    symbol = match["symbol"]
    filename, lineno = "", None
    if source := _SOURCE.search(symbol):
        filename, lineno = source["file"], int(source["line"])
        symbol = symbol[: source.start()]
    symbol = _OFFSET.sub("", symbol).strip()
    if symbol.startswith("0x"):
        symbol = "<unknown>"
    image = match["image"]
    return Frame(
        function=symbol, module=image, filename=filename, lineno=lineno, platform=Platform.COCOA,
        is_in_app=is_in_app(Platform.COCOA, image, filename, in_app_prefixes),
    )  # fmt: skip


def _crash_info(lines: Sequence[str], before: int) -> tuple[str, str]:
    """The report's exception type and message, read above line `before`."""
    exc_type, value, signal = "", "", ""
    for index in range(before - 1, max(-1, before - 200), -1):
        line = lines[index].strip()
        if nsexc := _NSEXCEPTION.search(line):
            return nsexc["type"], nsexc["value"]
        if mach := _MACH.match(line):
            exc_type, signal = exc_type or mach["type"], mach["signal"] or ""
        elif fatal := _FATAL.search(line):
            value = value or fatal["value"]
        if line.startswith(_REPORT_START):
            break
    return exc_type, value or signal


def scan_cocoa(lines: Sequence[str], in_app_prefixes: Sequence[str] = ()) -> list[StackMatch]:
    """The crashing stack of every crash report in `lines`, or bare backtraces as they are."""
    blocks: list[tuple[int, int, str, list[Frame]]] = []  # start, end, label, frames
    index = 0
    while index < len(lines):
        if parse_cocoa_frame(lines[index], in_app_prefixes) is None:
            index += 1
            continue
        start, label = index, ""
        if index > 0 and (thread := _THREAD.match(lines[index - 1].strip())):
            start = index - 1
            label = "crashed" if thread["crashed"] or "Last" in thread[0] else "thread"
            label = "exception" if "Last" in thread[0] else label
        frames: list[Frame] = []
        while index < len(lines) and (frame := parse_cocoa_frame(lines[index], in_app_prefixes)):
            frames.append(frame)
            index += 1
        if len(frames) >= 2 or label:
            blocks.append((start, index, label, frames))
    chosen = [b for b in blocks if b[2] == "exception"] or [b for b in blocks if b[2] == "crashed"]
    chosen = chosen or [b for b in blocks if b[2] == ""]
    matches = []
    for start, end, _label, frames in chosen[:1] if chosen and chosen[0][2] else chosen:
        exc_type, value = _crash_info(lines, start)
        stack = Stack(exc_type=exc_type, value=value, frames=tuple(reversed(frames)),
                      platform=Platform.COCOA)  # fmt: skip
        matches.append(StackMatch(start_line=start, end_line=end, stack=stack))
    return matches

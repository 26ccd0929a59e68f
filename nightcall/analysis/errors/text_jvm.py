"""JVM stack traces in text (Java, Kotlin, Scala, Android): `at pkg.Class.method(File.java:N)`.

The first exception is the one thrown; each `Caused by:` is the cause of the one before it.
A cause's `... N more` stands for the last N frames of the trace it is nested in, and those
frames are filled back in, so a cause has the same frames as in a Sentry event. `Suppressed:`
blocks are skipped, and so are logback's `~[jar:version]` suffixes and Java 9 module prefixes
(`java.base/`, `app//`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app

_FRAME = re.compile(
    r"^\s*(?:\S.{0,160}?\s)?at\s+(?:[\w.\-@]*/)*(?P<cls>[\w$.<>\-]+)\.(?P<fn>[\w$<>\-]+)"
    r"\((?P<loc>[^()]*)\)(?:\s*~?\[[^\]]*\])?\s*$"
)
_LOCATION = re.compile(
    r"^(?:(?P<file>[\w$\-]+\.[A-Za-z]+|SourceFile|Unknown Source)(?::(?P<line>\d+))?"
    r"|Native Method|Compiled Code)$"
)
_HIDDEN_CLASS = re.compile(r"(\$\$Lambda)(?:\$\d+)?/0x[0-9a-fA-F]+")  # Svc$$Lambda$12/0x0a0b
_MORE = re.compile(r"^\s*\.\.\. (\d+) (?:more|common frames omitted)\s*$")
_TYPE = r"(?P<type>(?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*)"
_HEADER = re.compile(rf"^{_TYPE}(?::\s?(?P<value>.*))?$")
_HEADER_IN_LOG = re.compile(
    r"(?P<type>(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Failure)[\w$]*)"
    r"(?::\s?(?P<value>.*))?$"
)
_THREAD_PREFIX = re.compile(r'^Exception in thread "[^"]*"\s+')


@dataclass(slots=True)
class _Segment:
    """One exception of the chain while it is being read: frames in printed order."""

    exc_type: str
    value: str
    frames: list[Frame] = field(default_factory=list)
    omitted: int = 0


def parse_jvm_frame(line: str, in_app_prefixes: Sequence[str] = ()) -> Frame | None:
    """One `at pkg.Class.method(File.java:N)` line as a frame, or None when it is not one."""
    match = _FRAME.match(_HIDDEN_CLASS.sub(r"\1", line))
    if not match:
        return None
    location = _LOCATION.match(match["loc"].strip())
    if not location:
        return None
    module = match["cls"]
    filename = location["file"] or ""
    if filename in {"SourceFile", "Unknown Source"}:
        filename = ""
    return Frame(
        function=match["fn"], module=module, filename=filename,
        lineno=int(location["line"]) if location["line"] else None, platform=Platform.JAVA,
        is_in_app=is_in_app(Platform.JAVA, module, "", in_app_prefixes),
    )  # fmt: skip


def parse_jvm_header(line: str) -> tuple[str, str] | None:
    """`[Exception in thread "x"] pkg.SomeException: message` as (type, message), or None."""
    text = _THREAD_PREFIX.sub("", line.strip())
    for prefix in ("Caused by:", "Suppressed:"):
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
    match = _HEADER.match(text) or _HEADER_IN_LOG.search(text)
    if not match:
        return None
    return match["type"], (match["value"] or "").strip()


def scan_jvm(lines: Sequence[str], in_app_prefixes: Sequence[str] = ()) -> list[StackMatch]:
    """Every JVM stack trace in `lines`, its `Caused by:` chain joined into one `Stack`."""
    matches: list[StackMatch] = []
    index = 0
    while index < len(lines):
        if parse_jvm_frame(lines[index], in_app_prefixes) is None:
            index += 1
            continue
        start = index
        header = None
        for back in range(index - 1, max(-1, index - 4), -1):
            header = parse_jvm_header(lines[back])
            if header is not None:
                start = back
                break
            if lines[back].strip().startswith("at "):
                break
        exc_type, value = header or ("", "")
        segments = [_Segment(exc_type, value)]
        index = _read_segments(lines, index, segments, in_app_prefixes)
        matches.append(StackMatch(start_line=start, end_line=index, stack=_chain(segments)))
    return matches


def _read_segments(
    lines: Sequence[str], index: int, segments: list[_Segment], in_app_prefixes: Sequence[str]
) -> int:
    """Frames, `... N more` and `Caused by:` lines from `index`; returns the next line."""
    suppressed = False
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith("Caused by:") and not (suppressed and line[:1].isspace()):
            header = parse_jvm_header(stripped)
            segments.append(_Segment(*(header or ("", ""))))
            suppressed = False
        elif stripped.startswith("Suppressed:"):
            suppressed = True
        elif (more := _MORE.match(line)) is not None:
            if not suppressed:
                segments[-1].omitted = int(more[1])
        elif (frame := parse_jvm_frame(line, in_app_prefixes)) is not None:
            if not suppressed:
                segments[-1].frames.append(frame)
        elif not (suppressed and line[:1].isspace() and stripped):
            return index
        index += 1
    return index


def _chain(segments: list[_Segment]) -> Stack:
    """Segments (thrown first, root cause last) as a `Stack` chain, frames innermost last."""
    for outer, inner in pairwise(segments):
        if inner.omitted and outer.frames:
            inner.frames.extend(outer.frames[-inner.omitted :])
    last = segments[-1]
    stack = Stack(exc_type=last.exc_type, value=last.value, platform=Platform.JAVA,
                  frames=tuple(reversed(last.frames)))  # fmt: skip
    for segment in reversed(segments[:-1]):
        stack = Stack(exc_type=segment.exc_type, value=segment.value, platform=Platform.JAVA,
                      frames=tuple(reversed(segment.frames)), cause=stack)  # fmt: skip
    return stack

"""Go panics and goroutine dumps in text.

A dump is `goroutine N [state]:` followed by pairs of lines, `pkg.fn(args)` and
`\\t/path/file.go:N +0xoff`, ending with `created by pkg.fn in goroutine M`. A panic's
`panic: message` (or `fatal error: message`) above the first goroutine gives its type: the
type sentry-go reports for the same panic (`runtime.boundsError` for an index out of range,
`runtime.errorString` for a nil dereference, `*errors.errorString` for `panic("text")`), so
the text and the event group together. Each goroutine is one `Stack`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app

_GOROUTINE = re.compile(r"^\s*goroutine (\d+) \[([^\]]*)\]:\s*$")
_CALL = re.compile(r"^\s*(?:created by )?(?P<fn>[^\s()][^\s]*?)(?:\((?P<args>[^()]*)\))?"
                   r"(?: in goroutine \d+)?\s*$")  # fmt: skip
_PLACE = re.compile(r"^\t(?P<file>\S.*?):(?P<line>\d+)(?: \+0x[0-9a-fA-F]+)?\s*$")
_PANIC = re.compile(r"^(?P<kind>panic|fatal error): (?P<value>.*?)(?: \[recovered\])?\s*$")
_RUNTIME_TYPES = (
    ("runtime error: index out of range", "runtime.boundsError"),
    ("runtime error: slice bounds out of range", "runtime.boundsError"),
    ("runtime error: ", "runtime.errorString"),
    ("assignment to entry in nil map", "runtime.plainError"),
    ("interface conversion: ", "*runtime.TypeAssertionError"),
)


def split_go_function(qualified: str) -> tuple[str, str]:
    """`github.com/a/b.(*T).M` as (`github.com/a/b`, `(*T).M`): the package and the function."""
    slash = qualified.rfind("/")
    dot = qualified.find(".", slash + 1)
    if dot < 0:
        return "", qualified
    return qualified[:dot], qualified[dot + 1 :]


def panic_type(kind: str, value: str) -> str:
    """The exception type sentry-go reports for a panic with this message."""
    if kind == "fatal error":
        return "fatal error"
    for prefix, exc_type in _RUNTIME_TYPES:
        if value.startswith(prefix):
            return exc_type
    return "*errors.errorString"


def scan_go(lines: Sequence[str], in_app_prefixes: Sequence[str] = ()) -> list[StackMatch]:
    """Every goroutine stack in `lines`; the first after a panic carries the panic's type."""
    matches: list[StackMatch] = []
    pending: tuple[str, str, int] | None = None  # a panic's type, message and line
    index = 0
    while index < len(lines):
        panic = _PANIC.match(lines[index].strip())
        if panic:
            pending = (panic_type(panic["kind"], panic["value"]), panic["value"], index)
            index += 1
            continue
        if not _GOROUTINE.match(lines[index]):
            index += 1
            continue
        start = index if pending is None else pending[2]
        exc_type, value = ("goroutine", "") if pending is None else pending[:2]
        pending = None
        frames: list[Frame] = []
        index += 1
        while index < len(lines):
            call, place = _CALL.match(lines[index]), None
            if index + 1 < len(lines):
                place = _PLACE.match(lines[index + 1])
            if call is None or place is None or lines[index].startswith("\t"):
                break
            module, function = split_go_function(call["fn"])
            filename = place["file"]
            frames.append(Frame(
                function=function, module=module, filename=filename, lineno=int(place["line"]),
                platform=Platform.GO,
                is_in_app=is_in_app(Platform.GO, module, filename, in_app_prefixes),
            ))  # fmt: skip
            index += 2
        stack = Stack(exc_type=exc_type, value=value, frames=tuple(reversed(frames)),
                      platform=Platform.GO)  # fmt: skip
        matches.append(StackMatch(start_line=start, end_line=index, stack=stack))
    return matches

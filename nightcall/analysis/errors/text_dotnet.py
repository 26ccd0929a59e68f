""".NET stack traces in text: `at Ns.Class.Method(args) in C:\\src\\File.cs:line N`.

An exception's `ToString()` prints the outer exception, each inner one on a ` ---> ` line,
then the innermost exception's frames, then `--- End of inner exception stack trace ---` and
the next one out's frames. The result is one `Stack` for the outer exception whose causes are
the inner ones. Async state machines (`<PlaceAsync>d__5.MoveNext`) are read back as the method
they came from, and `--- End of stack trace from previous location ---` lines are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app
from nightcall.analysis.errors.text_jvm import parse_jvm_frame

_FRAME = re.compile(
    r"^\s*(?:\S.{0,160}?\s)?at\s+(?P<fq>[^\s(]+?)(?:\[[^\]]*\])?\((?P<args>[^)]*)\)"
    r"(?:\s+in\s+(?P<file>.+?):line\s+(?P<line>\d+))?\s*$"
)
_ASYNC = re.compile(r"^<(?P<fn>[^>]+)>d__\d+$")
_COMPILER_CLASS = re.compile(r"^<>c(?:__DisplayClass[\d_]+)?$")
_HEADER = re.compile(
    r"^(?:Unhandled [Ee]xception[.:]?\s*)?(?:--->\s*)?"
    r"(?P<type>(?:[A-Za-z_][\w`]*\.)+[A-Za-z_][\w`]*)(?:\s*\(0x[0-9A-Fa-f]+\))?"
    r"(?::\s?(?P<value>.*))?$"
)
_INNER_END = "--- End of inner exception stack trace ---"


def parse_dotnet_frame(line: str, in_app_prefixes: Sequence[str] = ()) -> Frame | None:
    """One `at Ns.Class.Method(args) [in file:line N]` line as a frame, or None."""
    match = _FRAME.match(line)
    if not match or parse_jvm_frame(line) is not None:
        return None
    parts = match["fq"].split(".")
    if len(parts) < 2:
        return None
    function = parts.pop()
    if function == "MoveNext" and parts and (state := _ASYNC.match(parts[-1])):
        parts.pop()
        function = state["fn"]
    if parts and _COMPILER_CLASS.match(parts[-1]):
        parts.pop()
    module = ".".join(parts)
    filename = (match["file"] or "").strip()
    return Frame(
        function=function, module=module, filename=filename,
        lineno=int(match["line"]) if match["line"] else None, platform=Platform.DOTNET,
        is_in_app=is_in_app(Platform.DOTNET, module, filename, in_app_prefixes),
    )  # fmt: skip


def _header(line: str) -> tuple[str, str] | None:
    """`Ns.SomeException (0x80004005): message` as (type, message), or None."""
    match = _HEADER.match(line.strip())
    if not match:
        return None
    return match["type"], (match["value"] or "").strip()


def scan_dotnet(lines: Sequence[str], in_app_prefixes: Sequence[str] = ()) -> list[StackMatch]:
    """Every .NET stack trace in `lines`, inner exceptions as causes."""
    matches: list[StackMatch] = []
    index = 0
    while index < len(lines):
        if parse_dotnet_frame(lines[index], in_app_prefixes) is None:
            index += 1
            continue
        start = index
        headers: list[tuple[str, str]] = []
        back = index - 1
        while back >= 0 and lines[back].lstrip().startswith("--->"):
            headers.insert(0, _header(lines[back]) or ("", ""))
            start, back = back, back - 1
        if back >= 0 and (outer := _header(lines[back])) is not None:
            headers.insert(0, outer)
            start = back
        if not headers:
            headers = [("", "")]
        frames: list[list[Frame]] = [[] for _ in headers]
        level = len(headers) - 1
        while index < len(lines):
            stripped = lines[index].strip()
            if stripped.startswith(_INNER_END):
                level = max(0, level - 1)
            elif not stripped.startswith("--- End of stack trace"):
                frame = parse_dotnet_frame(lines[index], in_app_prefixes)
                if frame is None:
                    break
                frames[level].append(frame)
            index += 1
        stack: Stack | None = None
        for (exc_type, value), printed in zip(reversed(headers), reversed(frames), strict=True):
            stack = Stack(exc_type=exc_type, value=value, frames=tuple(reversed(printed)),
                          platform=Platform.DOTNET, cause=stack)  # fmt: skip
        if stack is not None:  # always: headers holds at least the outer exception
            matches.append(StackMatch(start_line=start, end_line=index, stack=stack))
    return matches

"""Normalizing what varies inside one error: message values, generated names, frame keys.

A message keeps its words and loses its values (ids, numbers, addresses, uuids, ips, quoted
values, paths, urls, emails), so "order 8812 not found" and "order 9907 not found" read the
same. A frame is keyed by its scope and function, never its line: the file's stem for
file-based languages (Python, JavaScript), where a Sentry event and a text trace agree on the
file but not on the module; the module's last part elsewhere (the JVM or .NET class, the Go
package, the Apple binary image). Names the compiler made up (`lambda$run$0`, `func1`,
`<Main>b__0_1`, `closure #2`) lose their counters, which move when unrelated code changes.
"""

from __future__ import annotations

import re

from nightcall.analysis.errors.frames import Frame, Platform

_MESSAGE_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), placeholder)
    for pattern, placeholder in (
        (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
         "<uuid>"),
        (r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", "<email>"),
        (r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+", "<url>"),
        (r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b", "<ip>"),
        (r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b", "<ip>"),
        (r"\b0x[0-9a-fA-F]+\b", "<hex>"),
        (r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`", "<str>"),
        (r"\u2018[^\u2019\n]*\u2019|\u201c[^\u201d\n]*\u201d", "<str>"),  # typographic quotes
        (r"(?:[A-Za-z]:\\|\\\\|(?<![\w<])/)[\w.\-]+(?:[\\/][\w.\-]+)+", "<path>"),
        (r"\b[0-9a-fA-F]*\d[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b(?<=\w{8})", "<hex>"),
        # prefixed ids (ch_3Mml..., cus_NffrFe...): mixed case or digits, so not snake_case words
        (r"\b[a-z]{2,6}_(?=[a-z]*[A-Z0-9])[A-Za-z0-9]{8,}\b", "<id>"),
        (r"\b(?=[A-Za-z_-]*\d)(?=\w*[A-Za-z])[\w-]*\d[\w-]*\b", "<id>"),
        (r"[-+]?\b\d+(?:[.,:]\d+)*\b", "<num>"),
    )
)  # fmt: skip
_FUNCTION_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\s*\+\s*\d+$", ""),  # a symbol's offset
        (r"^(?:async|new|static|specialized|@objc|partial apply for|merged)\s+", ""),
        (r"\s*\[as [^\]]+\]$", ""),
        (r"\$\$Lambda\$\d+/0x[0-9a-f]+", "$$Lambda"),
        (r"\$\$(?:EnhancerBy\w+|FastClassBy\w+)\$\$[0-9a-f]+", ""),
        (r"lambda\$(\w+?)\$\d+", r"lambda$\1"),
        (r"\$\d+\b", "$"),  # anonymous JVM classes: Foo$1
        (r"\bfunc\d+\b", "func"),  # Go closures: handle.func1
        (r"\.gowrap\d+\b", ".gowrap"),
        (r"b__\d+(?:_\d+)?", "b__"),  # .NET lambdas: <Main>b__0_1
        (r"closure #\d+", "closure"),  # Swift closures
        (r"\(\*(\w+)\)", r"\1"),  # Go pointer receivers: (*Server).handle
        (r"\[\.\.\.\]", ""),  # Go generics
        (r"0x[0-9a-fA-F]+", "0x"),
    )
)  # fmt: skip
_DOTNET_SIGNATURE = re.compile(r"^(?:[\w.<>`\[\], ]+\s)?(?P<name>[\w.<>`]+)\s*(?:\(.*\))?$")


def normalize_message(message: str, *, max_chars: int = 500) -> str:
    """The message with its values replaced by placeholders (`<num>`, `<uuid>`, `<str>`, ...)."""
    text = message[:max_chars]
    for pattern, placeholder in _MESSAGE_RULES:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())


_ANONYMOUS = frozenset({"?", "<anonymous>", "anonymous", "<unknown>", "<anon>", ""})


def normalize_function(function: str, platform: Platform = Platform.OTHER) -> str:
    """A function name without offsets, keywords and compiler-generated counters."""
    name = function.strip()
    if name in _ANONYMOUS:
        return "<anonymous>"  # Sentry's JavaScript SDK writes `?` where V8 prints nothing
    for pattern, replacement in _FUNCTION_RULES:
        name = pattern.sub(replacement, name)
    if platform is Platform.DOTNET and (signature := _DOTNET_SIGNATURE.match(name)):
        name = signature["name"].rsplit(".", 1)[-1]  # `async Task Cls.M(int)` -> `M`
    return name.strip()


def normalize_type(exc_type: str) -> str:
    """An exception type without its module or namespace (`java.lang.X` and `X` agree)."""
    name = exc_type.strip().lstrip("*")
    name = re.sub(r"\s*\(0x[0-9A-Fa-f]+\)$", "", name)
    return name.rsplit(".", 1)[-1] if "." in name and " " not in name else name


def frame_scope(frame: Frame) -> str:
    """Where a frame's function lives, in the form a text trace and a Sentry event agree on."""
    by_file = frame.platform in {Platform.PYTHON, Platform.JAVASCRIPT}
    if frame.filename and (by_file or not frame.module):
        stem = re.split(r"[\\/]", frame.filename.split("?", 1)[0])[-1]
        return stem.rsplit(".", 1)[0] if "." in stem else stem
    module = frame.module.replace("\\", "/").rsplit("/", 1)[-1]
    if frame.platform in {Platform.JAVA, Platform.DOTNET, Platform.OTHER}:
        module = module.rsplit(".", 1)[-1]
    return normalize_function(module, frame.platform)


def frame_key(frame: Frame) -> str:
    """A frame's identity for grouping: scope and function, never the line or the address."""
    return f"{frame_scope(frame)}:{normalize_function(frame.function, frame.platform)}"

"""Sentry error events (the JSON event format) as `Stack`s.

`exception.values` is ordered the way Sentry sends it: the root cause first and the exception
that was raised last, so the last value becomes the returned `Stack` and the ones before it
its causes. Frames keep Sentry's order (innermost last). A frame's own `in_app` wins; when it
is missing, the heuristics of `in_app` decide. Events without an exception fall back to the
thread stack the SDK attached (`threads`, `attach_stacktrace`) or the legacy top-level
`stacktrace`, with the message as the value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nightcall.analysis.errors.frames import Frame, Platform, Stack
from nightcall.analysis.errors.in_app import is_in_app

_PLATFORMS = {
    "python": Platform.PYTHON, "java": Platform.JAVA, "kotlin": Platform.JAVA,
    "android": Platform.JAVA, "javascript": Platform.JAVASCRIPT, "node": Platform.JAVASCRIPT,
    "go": Platform.GO, "csharp": Platform.DOTNET, "dotnet": Platform.DOTNET,
    "cocoa": Platform.COCOA, "objc": Platform.COCOA, "swift": Platform.COCOA,
    "native": Platform.COCOA,
}  # fmt: skip


def platform_of(name: object) -> Platform:
    """A Sentry platform name (`python`, `node`, `csharp`, `cocoa`, ...) as a `Platform`."""
    return _PLATFORMS.get(name.lower(), Platform.OTHER) if isinstance(name, str) else Platform.OTHER


def _values(value: object) -> list[Mapping[str, object]]:
    """A Sentry list field, sent as `{"values": [...]}` or as a bare list."""
    if isinstance(value, Mapping):
        value = value.get("values")
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def frames_from_sentry(
    stacktrace: object, platform: Platform, in_app_prefixes: Sequence[str] = ()
) -> tuple[Frame, ...]:
    """A Sentry `stacktrace` object's frames, innermost last."""
    raw = stacktrace.get("frames") if isinstance(stacktrace, Mapping) else None
    if not isinstance(raw, list):
        return ()
    frames: list[Frame] = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        frame_platform = platform_of(item.get("platform")) if item.get("platform") else platform
        module = _text(item.get("module"))
        if not module and frame_platform is Platform.COCOA:
            module = _text(item.get("package")).rsplit("/", 1)[-1]
        filename = _text(item.get("filename")) or _text(item.get("abs_path"))
        path = _text(item.get("abs_path")) or filename
        flag = item.get("in_app")
        frames.append(Frame(
            function=_text(item.get("function")) or _text(item.get("raw_function")) or "?",
            module=module, filename=filename, lineno=_number(item.get("lineno")),
            colno=_number(item.get("colno")), platform=frame_platform,
            is_in_app=flag if isinstance(flag, bool) and not in_app_prefixes
            else is_in_app(frame_platform, module, path, in_app_prefixes),
        ))  # fmt: skip
    return tuple(frames)


def _message(event: Mapping[str, object]) -> str:
    logentry = event.get("logentry")
    if isinstance(logentry, Mapping):
        return _text(logentry.get("formatted")) or _text(logentry.get("message"))
    message = event.get("message")
    if isinstance(message, Mapping):
        return _text(message.get("formatted")) or _text(message.get("message"))
    return _text(message)


def stack_from_sentry_event(
    event: Mapping[str, object], *, in_app_prefixes: Sequence[str] = ()
) -> Stack | None:
    """The event's exception as a `Stack` (causes chained), or None when it carries no stack.

    Args:
        event: one Sentry event, as decoded from JSON.
        in_app_prefixes: module or path prefixes of the application's own code; when given,
            they override the frames' own `in_app` flags.
    """
    platform = platform_of(event.get("platform"))
    stack: Stack | None = None
    for value in _values(event.get("exception")):
        stack = Stack(
            exc_type=_text(value.get("type")), value=_text(value.get("value")),
            frames=frames_from_sentry(value.get("stacktrace"), platform, in_app_prefixes),
            platform=platform, cause=stack,
        )  # fmt: skip
    if stack is not None:
        return stack
    threads = _values(event.get("threads"))
    chosen = [t for t in threads if t.get("crashed")] or [t for t in threads if t.get("current")]
    stacktrace = (chosen or threads or [{}])[0].get("stacktrace") or event.get("stacktrace")
    frames = frames_from_sentry(stacktrace, platform, in_app_prefixes)
    message = _message(event)
    if not frames and not message:
        return None
    return Stack(exc_type="", value=message, frames=frames, platform=platform)

"""What grouping needs from one Sentry event: fingerprint, title, culprit and breadcrumb trail.

An `EventSignature` is computed once per event (the caller may cache it by event id) so the
event's JSON is read once, however often its group is shown. The title is the raised
exception's type and its normalized message; the culprit is its deepest in-app frame (else its
deepest frame); the trail is the labels of the last `trail_length` breadcrumbs before the
crash, each normalized the way messages are, so the trails of two users who clicked the same
buttons on different orders read the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from nightcall.analysis.errors.fingerprint import (
    DEFAULT_MAX_FRAMES,
    FingerprintMethod,
    custom_fingerprint,
    fingerprint_stack,
)
from nightcall.analysis.errors.frames import Frame, Stack
from nightcall.analysis.errors.normalize import normalize_message
from nightcall.analysis.errors.sentry_event import stack_from_sentry_event

DEFAULT_TRAIL_LENGTH = 3
MAX_LABEL_CHARS = 120


@dataclass(frozen=True, slots=True, kw_only=True)
class Culprit:
    """The frame an error is blamed on: where the application's own code was last running."""

    function: str
    module: str = ""
    filename: str = ""
    lineno: int | None = None
    is_in_app: bool = True

    def text(self) -> str:
        """`function (file:line)` or `function (module)`, as a one-line label."""
        place = self.filename or self.module
        if place and self.lineno is not None:
            place = f"{place}:{self.lineno}"
        return f"{self.function} ({place})" if place else self.function


@dataclass(frozen=True, slots=True, kw_only=True)
class EventSignature:
    """One event's group key and what its group shows about it."""

    fingerprint: str
    method: FingerprintMethod
    components: tuple[str, ...]
    exception_type: str
    message: str  # normalized: values replaced by placeholders
    culprit: Culprit | None
    trail: tuple[str, ...]

    @property
    def title(self) -> str:
        """`Type: normalized message`, or whichever of the two the event has."""
        if self.exception_type and self.message:
            return f"{self.exception_type}: {self.message}"
        return self.exception_type or self.message or "(no message)"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def culprit_of(stack: Stack) -> Culprit | None:
    """The deepest in-app frame of the raised exception (else of a cause), else the deepest."""
    chain = stack.chain()
    for exception in chain:
        in_app = exception.in_app_frames()
        if in_app:
            return _culprit(in_app[-1])
    frames = next((e.frames for e in chain if e.frames), ())
    return _culprit(frames[-1]) if frames else None


def _culprit(frame: Frame) -> Culprit:
    return Culprit(
        function=frame.function,
        module=frame.module,
        filename=frame.filename,
        lineno=frame.lineno,
        is_in_app=frame.is_in_app,
    )


def _route(url: str) -> str:
    """A URL's path with the segments that hold ids (digits, hex, uuids) as `<id>`."""
    try:
        path = urlsplit(url).path or url
    except ValueError:
        path = url
    segments = ["<id>" if any(c.isdigit() for c in s) else s for s in path.split("/")]
    return "/".join(segments)


def crumb_label(crumb: Mapping[str, object]) -> str:
    """One breadcrumb as `category: normalized message` (HTTP crumbs as method and route)."""
    category = _text(crumb.get("category")) or _text(crumb.get("type")) or "default"
    message = normalize_message(_text(crumb.get("message")))
    data = crumb.get("data")
    if not message and isinstance(data, Mapping):
        if url := _text(data.get("url")):
            status = data.get("status_code")
            parts = [_text(data.get("method")), _route(url), str(status) if status else ""]
            message = " ".join(p for p in parts if p)
        elif target := _text(data.get("to")):
            message = _route(target)
    label = f"{category}: {message}" if message else category
    return label[:MAX_LABEL_CHARS]


def breadcrumb_trail(
    event: Mapping[str, object], *, trail_length: int = DEFAULT_TRAIL_LENGTH
) -> tuple[str, ...]:
    """The labels of the event's last `trail_length` breadcrumbs, oldest first.

    The SDK's own crumbs about earlier events (`sentry.event`, `sentry.transaction`) are left
    out: they say what the SDK sent, not what the user did.
    """
    raw = event.get("breadcrumbs")
    if isinstance(raw, Mapping):
        raw = raw.get("values")
    if not isinstance(raw, list) or trail_length <= 0:
        return ()
    labels: list[str] = []
    for crumb in reversed(raw):  # newest last: walk back only as far as the trail reaches
        if isinstance(crumb, Mapping) and not _text(crumb.get("category")).startswith("sentry."):
            labels.append(crumb_label(crumb))
            if len(labels) == trail_length:
                break
    return tuple(reversed(labels))


def event_signature(
    event: Mapping[str, object],
    *,
    in_app_prefixes: Sequence[str] = (),
    max_frames: int = DEFAULT_MAX_FRAMES,
    trail_length: int = DEFAULT_TRAIL_LENGTH,
) -> EventSignature:
    """The signature of one Sentry event (its own `fingerprint` list decides the group).

    Args:
        event: the event as decoded from JSON; only `exception`, `threads`, `stacktrace`,
            `fingerprint`, `breadcrumbs`, `platform` and the message are read.
        in_app_prefixes: module or path prefixes of the application's own code.
        max_frames: how many innermost in-app frames the default fingerprint uses.
        trail_length: how many breadcrumbs before the crash the trail keeps.
    """
    stack = stack_from_sentry_event(event, in_app_prefixes=in_app_prefixes)
    # The same digest as `fingerprint_event`, from the stack parsed once for both.
    fingerprint = fingerprint_stack(
        stack or Stack(exc_type=""), custom=custom_fingerprint(event), max_frames=max_frames
    )
    return EventSignature(
        fingerprint=fingerprint.digest,
        method=fingerprint.method,
        components=fingerprint.components,
        exception_type=stack.exc_type if stack else "",
        message=normalize_message(stack.value, max_chars=300) if stack else "",
        culprit=culprit_of(stack) if stack else None,
        trail=breadcrumb_trail(event, trail_length=trail_length),
    )

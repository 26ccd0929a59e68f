"""Fingerprints: one stable digest per kind of error, so its occurrences group together.

The default fingerprint of a stack is, for each exception of its chain (the one raised, then
its causes), the exception type without its namespace and the keys (scope and function, see
`normalize.frame_key`) of its innermost `max_frames` in-app frames, or of all its frames when
none is in-app; recursion repeats collapse to one frame. Line numbers, columns, addresses and
messages are left out, so a deploy that shifts lines, or a new order id in the message, keeps
the group. Only when no exception has any frame does the message count, normalized
(`normalize.normalize_message`).

An event's own `fingerprint` list replaces the default; `{{ default }}` inside it stands for
the default components (Sentry's rule), and `{{ type }}`, `{{ function }}`, `{{ module }}`
and `{{ message }}` for the raised exception's type, its innermost in-app function and scope,
and its normalized message. The digest is the first 32 hex digits of SHA-256 over the
components, one per line; the components are returned beside it, so a person can see why two
errors did or did not group.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from nightcall.analysis.errors.frames import Frame, Stack
from nightcall.analysis.errors.normalize import (
    frame_key,
    frame_scope,
    normalize_function,
    normalize_message,
    normalize_type,
)
from nightcall.analysis.errors.sentry_event import stack_from_sentry_event

DEFAULT_MAX_FRAMES = 6
_VARIABLE = re.compile(r"^\{\{\s*(\w+)\s*\}\}$")


class FingerprintMethod(StrEnum):
    """What a fingerprint was made from."""

    IN_APP_FRAMES = "in_app_frames"
    ALL_FRAMES = "all_frames"  # no frame was in-app
    MESSAGE = "message"  # no frames at all
    CUSTOM = "custom"  # the event's own fingerprint


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    """A group's digest and the components it was computed from."""

    digest: str
    components: tuple[str, ...]
    method: FingerprintMethod


def digest_of(components: Sequence[str]) -> str:
    """The digest of fingerprint components: SHA-256 over them, one per line, 32 hex digits."""
    return hashlib.sha256("\n".join(components).encode("utf-8", "replace")).hexdigest()[:32]


def _frame_keys(frames: Sequence[Frame], max_frames: int) -> list[str]:
    """Frame keys, innermost last, with consecutive repeats (recursion) collapsed."""
    keys: list[str] = []
    for frame in frames:
        key = frame_key(frame)
        if not keys or keys[-1] != key:
            keys.append(key)
    return keys[-max_frames:] if max_frames > 0 else []


def default_components(
    stack: Stack, *, max_frames: int = DEFAULT_MAX_FRAMES
) -> tuple[tuple[str, ...], FingerprintMethod]:
    """The default fingerprint components of a stack and the method that produced them."""
    chain = stack.chain()
    components: list[str] = []
    any_in_app = any(s.in_app_frames() for s in chain)
    for exception in chain:
        components.append(f"type:{normalize_type(exception.exc_type)}")
        frames = exception.in_app_frames() if any_in_app else exception.frames
        components.extend(f"frame:{key}" for key in _frame_keys(frames, max_frames))
    if any(s.frames for s in chain):
        method = FingerprintMethod.IN_APP_FRAMES if any_in_app else FingerprintMethod.ALL_FRAMES
        return tuple(components), method
    message = next((s.value for s in chain if s.value), "")
    components.append(f"message:{normalize_message(message)}")
    return tuple(components), FingerprintMethod.MESSAGE


def _variable(name: str, stack: Stack) -> str | None:
    """The value of a `{{ name }}` fingerprint variable, or None when it is not one we know."""
    in_app = stack.in_app_frames() or stack.frames
    innermost = in_app[-1] if in_app else None
    values = {
        "type": normalize_type(stack.exc_type),
        "function": normalize_function(innermost.function, innermost.platform) if innermost else "",
        "module": frame_scope(innermost) if innermost else "",
        "message": normalize_message(stack.value),
    }
    return values.get(name)


def fingerprint_stack(
    stack: Stack, *, custom: Sequence[str] | None = None, max_frames: int = DEFAULT_MAX_FRAMES
) -> Fingerprint:
    """The fingerprint of one stack (see the module docstring for the rules).

    Args:
        stack: the exception raised, with its causes.
        custom: the event's own fingerprint, when it sent one; `{{ default }}` and the other
            variables expand as Sentry does.
        max_frames: how many of the innermost in-app frames of each exception count.
    """
    components, method = default_components(stack, max_frames=max_frames)
    if custom:
        expanded: list[str] = []
        for part in custom:
            variable = _VARIABLE.match(part.strip())
            if variable and variable[1] == "default":
                expanded.extend(components)
            elif variable and (value := _variable(variable[1], stack)) is not None:
                expanded.append(f"{variable[1]}:{value}")
            else:
                expanded.append(f"custom:{part}")
        components, method = tuple(expanded), FingerprintMethod.CUSTOM
    return Fingerprint(digest=digest_of(components), components=components, method=method)


def fingerprint_event(
    event: Mapping[str, object],
    *,
    in_app_prefixes: Sequence[str] = (),
    max_frames: int = DEFAULT_MAX_FRAMES,
) -> Fingerprint:
    """The fingerprint of a Sentry event, honouring its own `fingerprint` list."""
    stack = stack_from_sentry_event(event, in_app_prefixes=in_app_prefixes) or Stack(exc_type="")
    return fingerprint_stack(stack, custom=custom_fingerprint(event), max_frames=max_frames)


def custom_fingerprint(event: Mapping[str, object]) -> list[str] | None:
    """The event's own `fingerprint` list as text, or None when it sent none."""
    raw = event.get("fingerprint")
    custom = (
        [str(p) for p in raw if isinstance(p, str | int | float)] if isinstance(raw, list) else []
    )
    return custom or None

"""Stack traces and error fingerprints: parse traces from text and Sentry events, group errors.

`find_stacks` locates and parses Python, JVM, JavaScript, Go, .NET and Apple crash-log
traces inside any text; `stack_from_sentry_event` reads a Sentry event; `fingerprint_stack`
and `fingerprint_event` give the digest that groups occurrences of the same error.
"""

from nightcall.analysis.errors.fingerprint import (
    DEFAULT_MAX_FRAMES,
    Fingerprint,
    FingerprintMethod,
    default_components,
    fingerprint_event,
    fingerprint_stack,
)
from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.in_app import is_in_app
from nightcall.analysis.errors.normalize import frame_key, normalize_function, normalize_message
from nightcall.analysis.errors.parse_text import (
    Scanner,
    find_stack_matches,
    find_stacks,
    parse_stack,
)
from nightcall.analysis.errors.sentry_event import stack_from_sentry_event

__all__ = [
    "DEFAULT_MAX_FRAMES",
    "Fingerprint",
    "FingerprintMethod",
    "Frame",
    "Platform",
    "Scanner",
    "Stack",
    "StackMatch",
    "default_components",
    "find_stack_matches",
    "find_stacks",
    "fingerprint_event",
    "fingerprint_stack",
    "frame_key",
    "is_in_app",
    "normalize_function",
    "normalize_message",
    "parse_stack",
    "stack_from_sentry_event",
]

"""Stack frames and stacks: what every trace format and the Sentry event are parsed into.

Frames are ordered innermost-last, as Sentry orders them (the frame that raised is the last
one), whatever order the source format printed them in. A `Stack` is one exception with its
frames; `cause` is the exception it was raised from or while handling (Python's `__cause__`
and `__context__`, Java's `Caused by:`, .NET's inner exception), so `chain()` walks from the
exception a person saw to its root cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    """The runtime a frame came from; it decides the in-app rules and the frame key."""

    PYTHON = "python"
    JAVA = "java"  # also Kotlin, Scala and Android: JVM stack traces
    JAVASCRIPT = "javascript"  # browsers and Node
    GO = "go"
    DOTNET = "csharp"  # Sentry's name for .NET events
    COCOA = "cocoa"  # Swift and Objective-C, symbolicated
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    """One stack frame: where the code was (module or package, function, file, line)."""

    function: str
    module: str = ""  # Python module, JVM/.NET class, Go package, Cocoa binary image
    filename: str = ""
    lineno: int | None = None
    colno: int | None = None
    is_in_app: bool = False
    platform: Platform = Platform.OTHER


@dataclass(frozen=True, slots=True, kw_only=True)
class Stack:
    """One exception: its type, message and frames (innermost last), and what caused it."""

    exc_type: str
    value: str = ""
    frames: tuple[Frame, ...] = ()
    platform: Platform = Platform.OTHER
    cause: Stack | None = None

    def chain(self) -> tuple[Stack, ...]:
        """This exception followed by its causes, outermost first and root cause last."""
        stacks: list[Stack] = []
        current: Stack | None = self
        while current is not None and len(stacks) < 64:  # a cycle cannot come from parsing
            stacks.append(current)
            current = current.cause
        return tuple(stacks)

    def in_app_frames(self) -> tuple[Frame, ...]:
        """The frames of the application's own code, innermost last."""
        return tuple(frame for frame in self.frames if frame.is_in_app)


@dataclass(frozen=True, slots=True, kw_only=True)
class StackMatch:
    """A stack found inside a larger text, with the lines (0-based, end exclusive) it spans."""

    start_line: int
    end_line: int
    stack: Stack

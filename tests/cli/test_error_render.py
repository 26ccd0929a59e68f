"""The error tables the CLI prints, checked against golden files (refresh with --update-golden)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console, RenderableType

from nightcall.cli.render import error_event_view, errors_table

SUMMARY: dict[str, Any] = {
    "event_id": "0123456789abcdef0123456789abcdef", "time": "2026-11-23T08:00:00.000000000Z",
    "service": "ios-app", "level": "fatal", "exception_type": "SIGSEGV",
    "exception_value": "Segfault at 0x0", "release": "app@2.0", "device": "iPhone15,2",
    "os": "iOS 17.2",
}  # fmt: skip


def _text(renderable: RenderableType) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None, force_terminal=False).print(renderable)
    return buffer.getvalue()


def test_errors_table(golden: Callable[[str, str], None]) -> None:
    """One line per event: time, id, service, level, exception, release, device and os."""
    message = {**SUMMARY, "event_id": "f" * 32, "level": "warning", "exception_type": None,
               "exception_value": "disk almost full", "release": None, "device": None,
               "os": None}  # fmt: skip
    golden("cli/errors_table.txt", _text(errors_table([SUMMARY, message])))


def test_error_event_view_lists_frames_and_breadcrumbs(golden: Callable[[str, str], None]) -> None:
    """`errors event` prints each exception's frames (in-app starred) and the breadcrumbs."""
    event = {
        **SUMMARY,
        "exceptions": [{"type": "SIGSEGV", "value": "Segfault at 0x0", "stacktrace": {"frames": [
            {"function": "main", "filename": "main.swift", "lineno": 12, "in_app": True,
             "context_line": "  run()"},
            {"function": "objc_msgSend", "module": "libobjc.A.dylib"},
        ]}}],
        "breadcrumbs": [{"timestamp": "2026-11-23T07:59:58Z", "category": "ui.tap",
                         "level": "info", "message": "Checkout"}],
    }  # fmt: skip
    golden("cli/error_event.txt", _text(error_event_view(event)))

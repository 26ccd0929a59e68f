"""The package's public surface: a sorted `__all__` that names only what exists."""

from __future__ import annotations

import nightcall.analysis
from nightcall.analysis import errors


def test_all_is_sorted_and_complete() -> None:
    """`__all__` is sorted and every name in it is importable."""
    assert errors.__all__ == sorted(errors.__all__)
    assert all(hasattr(errors, name) for name in errors.__all__)


def test_analysis_reexports_the_entry_points() -> None:
    """The analysis package re-exports the parsing and fingerprint entry points."""
    for name in (
        "find_stacks",
        "fingerprint_event",
        "fingerprint_stack",
        "stack_from_sentry_event",
    ):
        assert getattr(nightcall.analysis, name) is getattr(errors, name)

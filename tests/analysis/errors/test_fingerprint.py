"""Fingerprints: stable across lines and message values, sensitive to function and type."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from nightcall.analysis.errors import (
    FingerprintMethod,
    Frame,
    Platform,
    Stack,
    find_stacks,
    fingerprint_event,
    fingerprint_stack,
)
from tests.analysis.errors.samples import COCOA, DOTNET, GO, JAVA, JS, PYTHON


def _frame(function: str, lineno: int, *, module: str = "shop.cart", app: bool = True) -> Frame:
    return Frame(function=function, module=module, filename=module.replace(".", "/") + ".py",
                 lineno=lineno, is_in_app=app, platform=Platform.PYTHON)  # fmt: skip


def _stack(exc_type: str = "KeyError", value: str = "'coupon'", *, inner: str = "apply_coupon",
           line_shift: int = 0, library: tuple[Frame, ...] = ()) -> Stack:  # fmt: skip
    frames = (*library, _frame("checkout", 40 + line_shift, module="shop.views"),
              _frame(inner, 12 + line_shift))  # fmt: skip
    return Stack(exc_type=exc_type, value=value, frames=frames, platform=Platform.PYTHON)


def _event(**extra: object) -> dict[str, object]:
    frames = [
        {"module": "django.core.handlers.base", "function": "_get_response", "lineno": 197,
         "filename": "django/core/handlers/base.py", "in_app": False},
        {"module": "shop.views", "function": "checkout", "lineno": 42,
         "filename": "shop/views.py", "abs_path": "/app/shop/views.py", "in_app": True},
    ]  # fmt: skip
    exception = {"type": "KeyError", "value": "'coupon'", "stacktrace": {"frames": frames}}
    return {"platform": "python", "exception": {"values": [exception]}, **extra}


def test_stable_across_line_numbers() -> None:
    """A deploy that shifts every line keeps the fingerprint."""
    assert fingerprint_stack(_stack()).digest == fingerprint_stack(_stack(line_shift=9)).digest


def test_stable_across_message_values() -> None:
    """Another key, id or address in the message keeps the fingerprint."""
    assert fingerprint_stack(_stack(value="'sku'")).digest == fingerprint_stack(_stack()).digest


def test_stable_across_library_frames() -> None:
    """Other library frames around the in-app ones keep the fingerprint."""
    django = (_frame("_get_response", 197, module="django.core.handlers.base", app=False),)
    assert fingerprint_stack(_stack(library=django)).digest == fingerprint_stack(_stack()).digest


def test_different_in_app_function_differs() -> None:
    """The same exception type from another in-app function is another group."""
    assert (
        fingerprint_stack(_stack(inner="remove_item")).digest != fingerprint_stack(_stack()).digest
    )


def test_different_exception_type_differs() -> None:
    """Another exception type from the same functions is another group."""
    assert (
        fingerprint_stack(_stack(exc_type="ValueError")).digest
        != fingerprint_stack(_stack()).digest
    )


def test_components_explain_the_digest() -> None:
    """The components name the type and the in-app frames, without lines."""
    fingerprint = fingerprint_stack(_stack())
    assert fingerprint.components == (
        "type:KeyError",
        "frame:views:checkout",
        "frame:cart:apply_coupon",
    )
    assert fingerprint.method is FingerprintMethod.IN_APP_FRAMES
    assert len(fingerprint.digest) == 32


def test_all_frames_when_none_is_in_app() -> None:
    """With no in-app frame, all frames count."""
    stack = Stack(exc_type="OSError", frames=(_frame("read", 3, module="io", app=False),))
    fingerprint = fingerprint_stack(stack)
    assert fingerprint.method is FingerprintMethod.ALL_FRAMES
    assert fingerprint.components == ("type:OSError", "frame:io:read")


def test_message_only_when_no_frames() -> None:
    """Without frames, the normalized message decides, so only the values may differ."""
    first = fingerprint_stack(Stack(exc_type="", value="timeout for order 1234 after 30s"))
    second = fingerprint_stack(Stack(exc_type="", value="timeout for order 98 after 31s"))
    other = fingerprint_stack(Stack(exc_type="", value="declined order 98"))
    assert first.method is FingerprintMethod.MESSAGE
    assert first.digest == second.digest != other.digest


def test_innermost_frames_are_capped() -> None:
    """Only the innermost `max_frames` in-app frames count, and recursion collapses."""
    deep = Stack(exc_type="RecursionError", frames=tuple(
        _frame(f"f{i}", i) for i in range(10)) + (_frame("walk", 1),) * 50)  # fmt: skip
    fingerprint = fingerprint_stack(deep, max_frames=3)
    assert fingerprint.components == (
        "type:RecursionError",
        "frame:cart:f8",
        "frame:cart:f9",
        "frame:cart:walk",
    )


def test_event_fingerprint_overrides() -> None:
    """An event's own fingerprint replaces the default."""
    fingerprint = fingerprint_event(_event(fingerprint=["checkout-coupons"]))
    assert fingerprint.method is FingerprintMethod.CUSTOM
    assert fingerprint.components == ("custom:checkout-coupons",)


def test_event_fingerprint_default_variable() -> None:
    """`{{ default }}` in an event's fingerprint expands to the default components."""
    default = fingerprint_event(_event())
    extended = fingerprint_event(_event(fingerprint=["{{ default }}", "tenant-a"]))
    assert extended.components == (*default.components, "custom:tenant-a")
    assert extended.digest != default.digest
    same = fingerprint_event(_event(fingerprint=["{{default}}"]))
    assert same.components == default.components


def test_event_fingerprint_type_and_function_variables() -> None:
    """`{{ type }}` and `{{ function }}` expand to the type and the innermost in-app function."""
    fingerprint = fingerprint_event(_event(fingerprint=["{{ type }}", "{{ function }}"]))
    assert fingerprint.components == ("type:KeyError", "function:checkout")


def test_text_and_event_forms_agree() -> None:
    """A Python traceback and the Sentry event of the same error share a fingerprint."""
    text = (
        "Traceback (most recent call last):\n"
        '  File "/usr/local/lib/python3.11/site-packages/django/core/handlers/base.py", '
        "line 197, in _get_response\n"
        '  File "/srv/shop/shop/views.py", line 45, in checkout\n'
        "KeyError: 'sku'"
    )
    [stack] = find_stacks(text)
    assert fingerprint_stack(stack).digest == fingerprint_event(_event()).digest


def test_every_sample_fingerprints_from_in_app_frames() -> None:
    """Each format's sample is fingerprinted from its in-app frames."""
    for sample in (PYTHON, JAVA, JS, GO, DOTNET, COCOA):
        fingerprint = fingerprint_stack(find_stacks(sample)[0])
        assert fingerprint.method is FingerprintMethod.IN_APP_FRAMES, sample[:40]


@given(st.integers(min_value=-1000, max_value=1000), st.text(max_size=40))
def test_lines_and_messages_never_matter_with_frames(shift: int, message: str) -> None:
    """With frames, no line shift or message changes the fingerprint."""
    base = fingerprint_stack(_stack())
    shifted = _stack(value=message)
    frames = tuple(dataclasses.replace(f, lineno=(f.lineno or 0) + shift) for f in shifted.frames)
    shifted = dataclasses.replace(shifted, frames=frames)
    assert fingerprint_stack(shifted).digest == base.digest


@given(st.text(max_size=200), st.text(max_size=30))
def test_fingerprint_is_deterministic(value: str, exc_type: str) -> None:
    """The same stack always gives the same digest and components."""
    stack = Stack(exc_type=exc_type, value=value)
    assert fingerprint_stack(stack) == fingerprint_stack(stack)

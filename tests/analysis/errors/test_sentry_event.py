"""Sentry events as stacks: chain order, frame fields, in-app flags and fallbacks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nightcall.analysis.errors import Platform, stack_from_sentry_event


def test_exception_values_chain_root_cause_last() -> None:
    """The last exception value is the raised one; the ones before it are its causes."""
    event = {
        "platform": "java",
        "exception": {"values": [
            {"type": "SQLTimeoutException", "module": "java.sql", "value": "timeout",
             "stacktrace": {"frames": [{"module": "com.shop.Repo", "function": "find",
                                        "filename": "Repo.java", "lineno": 55, "in_app": True}]}},
            {"type": "IllegalStateException", "value": "Order 1 not found",
             "stacktrace": {"frames": [{"module": "java.lang.Thread", "function": "run"}]}},
        ]},
    }  # fmt: skip
    stack = stack_from_sentry_event(event)
    assert stack is not None
    assert [s.exc_type for s in stack.chain()] == ["IllegalStateException", "SQLTimeoutException"]
    assert stack.platform is Platform.JAVA
    assert stack.frames[0].is_in_app is False  # no flag: java.* is library by the heuristics
    cause = stack.cause
    assert cause is not None
    assert cause.frames[0].lineno == 55
    assert cause.frames[0].is_in_app is True


def test_cocoa_package_names_the_module() -> None:
    """A native frame's `package` path gives the image as the module."""
    event = {"platform": "cocoa", "exception": {"values": [{"type": "EXC_BAD_ACCESS",
             "stacktrace": {"frames": [{"package": "/private/var/X/ShopApp.app/ShopApp",
                                        "function": "CartStore.total()"}]}}]}}  # fmt: skip
    stack = stack_from_sentry_event(event)
    assert stack is not None
    assert stack.frames[0].module == "ShopApp"
    assert stack.frames[0].is_in_app is True


def test_message_event_without_exception() -> None:
    """A message event with an attached thread stack gives the message and those frames."""
    event = {"logentry": {"formatted": "gateway timeout"}, "platform": "python",
             "threads": {"values": [{"current": True, "stacktrace": {"frames": [
                 {"function": "pay", "module": "shop.pay", "in_app": True}]}}]}}  # fmt: skip
    stack = stack_from_sentry_event(event)
    assert stack is not None
    assert (stack.exc_type, stack.value, stack.frames[0].function) == ("", "gateway timeout", "pay")


def test_empty_event_has_no_stack() -> None:
    """An event with neither exception nor message gives None."""
    assert stack_from_sentry_event({"platform": "python"}) is None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "exception",
                    "values",
                    "stacktrace",
                    "frames",
                    "type",
                    "value",
                    "function",
                    "module",
                    "lineno",
                    "in_app",
                    "threads",
                    "platform",
                    "package",
                    "logentry",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(["exception", "threads", "platform", "message",
                                        "fingerprint", "stacktrace"]), _JSON))  # fmt: skip
def test_malformed_events_never_raise(event: dict[str, object]) -> None:
    """Any JSON shape converts without raising."""
    stack_from_sentry_event(event)

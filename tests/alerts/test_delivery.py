"""The dispatcher: retries with backoff, timeouts, every attempt recorded, a bounded queue."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from nightcall.alerts import (
    Alert,
    AlertEvent,
    AlertState,
    DeliveryAttempt,
    Dispatcher,
    WebhookNotifier,
)
from nightcall.config.alert_receivers import AlertReceiver
from nightcall.config.alerts import Severity
from tests.alerts.conftest import Receiver

NOW = 1_800_000_000 * 10**9


def _event(rule: str) -> AlertEvent:
    alert = Alert(
        rule=rule,
        group_key=rule,
        dedup_key=rule,
        labels=(),
        severity=Severity.P2,
        state=AlertState.FIRING,
        value=1.0,
        summary=rule,
        runbook_url="",
        active_since_ns=NOW,
    )
    return AlertEvent(time_ns=NOW, alert=alert)


def _dispatcher(
    receiver: Receiver, attempts: list[DeliveryAttempt], **settings: object
) -> Dispatcher:
    config = AlertReceiver(name="hook", url=receiver.url, **settings)  # type: ignore[arg-type]
    notifier = WebhookNotifier(config.url, timeout_s=config.timeout_s)
    return Dispatcher(
        [(config, notifier)], record=attempts.append, now_ns=lambda: NOW, rng=random.Random(7)
    )


def test_a_receiver_that_fails_twice_gets_a_third_attempt(
    make_receiver: Callable[..., Receiver],
) -> None:
    """Two 500s are retried with backoff; the third attempt succeeds; all three are recorded."""
    receiver = make_receiver([500, 502])
    attempts: list[DeliveryAttempt] = []
    dispatcher = _dispatcher(receiver, attempts, max_attempts=4, backoff_s=0.01)
    dispatcher.start()
    assert dispatcher.submit(_event("flaky")) == 1
    assert dispatcher.wait_idle(10)
    dispatcher.stop()
    summary = [(a.attempt, a.result.status_code, a.result.is_ok, a.is_final) for a in attempts]
    assert summary == [(1, 500, False, False), (2, 502, False, False), (3, 200, True, True)]
    assert attempts[0].result.error.startswith("HTTP 500")
    assert len(receiver.bodies) == 3
    assert dispatcher.delivered["hook"] == 1


def test_a_hanging_receiver_times_out_and_the_next_event_goes_through(
    make_receiver: Callable[..., Receiver],
) -> None:
    """Each attempt ends at the timeout and is recorded; after the last, delivery goes on."""
    receiver = make_receiver(["hang", "hang"])
    attempts: list[DeliveryAttempt] = []
    dispatcher = _dispatcher(receiver, attempts, max_attempts=2, backoff_s=0.01, timeout_s=0.2)
    dispatcher.start()
    dispatcher.submit(_event("stuck"))
    dispatcher.submit(_event("next"))
    assert dispatcher.wait_idle(10)
    dispatcher.stop()
    stuck = [
        (a.attempt, a.result.error, a.is_final) for a in attempts if a.event.alert.rule == "stuck"
    ]
    assert stuck == [(1, "timed out (ReadTimeout)", False), (2, "timed out (ReadTimeout)", True)]
    assert all(a.result.duration_ns >= 0.2e9 for a in attempts[:2])
    (after,) = [a for a in attempts if a.event.alert.rule == "next"]
    assert after.result.is_ok
    assert dispatcher.failed["hook"] == 1


def test_a_client_error_is_not_retried(make_receiver: Callable[..., Receiver]) -> None:
    """A 404 will not heal by waiting: one attempt, final."""
    receiver = make_receiver([404])
    attempts: list[DeliveryAttempt] = []
    dispatcher = _dispatcher(receiver, attempts, max_attempts=5, backoff_s=0.01)
    dispatcher.start()
    dispatcher.submit(_event("gone"))
    assert dispatcher.wait_idle(10)
    dispatcher.stop()
    assert [(a.attempt, a.result.status_code, a.is_final) for a in attempts] == [(1, 404, True)]


def test_a_full_queue_drops_and_counts(make_receiver: Callable[..., Receiver]) -> None:
    """Events beyond the queue's size are refused for that receiver and counted."""
    receiver = make_receiver(["hang"])
    attempts: list[DeliveryAttempt] = []
    config = AlertReceiver(name="hook", url=receiver.url, max_attempts=1, timeout_s=0.5)
    dispatcher = Dispatcher(
        [(config, WebhookNotifier(receiver.url, timeout_s=0.5))],
        record=attempts.append,
        now_ns=lambda: NOW,
        queue_size=2,
    )
    dispatcher.start()
    assert dispatcher.submit(_event("first")) == 1
    receiver.wait_for(1)  # the worker holds "first"; the queue is empty again
    taken = [dispatcher.submit(_event(f"e{i}")) for i in range(4)]
    assert taken == [1, 1, 0, 0]
    assert dispatcher.dropped[("hook", "queue_full")] == 2
    assert dispatcher.submit(_event("x"), ["nobody"]) == 0
    assert dispatcher.dropped[("nobody", "unknown_receiver")] == 1
    assert dispatcher.wait_idle(10)
    dispatcher.stop()
    assert [a.event.alert.rule for a in attempts] == ["first", "e0", "e1"]


def test_stop_does_not_wait_out_the_backoff(make_receiver: Callable[..., Receiver]) -> None:
    """Stopping during a 30 s backoff ends it at once, the last attempt marked final."""
    receiver = make_receiver([500, 500])
    attempts: list[DeliveryAttempt] = []
    dispatcher = _dispatcher(receiver, attempts, max_attempts=3, backoff_s=30)
    dispatcher.start()
    dispatcher.submit(_event("slow"))
    receiver.wait_for(1)
    stopper = threading.Thread(target=dispatcher.stop)
    stopper.start()
    stopper.join(10)
    assert not stopper.is_alive()
    # Stopped during the first attempt it is final; during the backoff, a second one is.
    assert [a.is_final for a in attempts] in ([True], [False, True])

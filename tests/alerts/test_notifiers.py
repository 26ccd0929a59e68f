"""Notifiers make one attempt and say how it went: against a real local HTTP receiver."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson

from nightcall.alerts import (
    Alert,
    AlertEvent,
    AlertState,
    FileNotifier,
    WebhookNotifier,
    notifier_for,
)
from nightcall.config.alert_receivers import AlertReceiver
from nightcall.config.alerts import Severity
from tests.alerts.conftest import Receiver

NOW = 1_800_000_000 * 10**9
EVENT = AlertEvent(
    time_ns=NOW,
    alert=Alert(
        rule="r",
        group_key="r",
        dedup_key="r",
        labels=(("service", "s"),),
        severity=Severity.P3,
        state=AlertState.FIRING,
        value=1.0,
        summary="x",
        runbook_url="https://wiki.example/r",
        active_since_ns=NOW,
    ),
)


def test_webhook_posts_json_and_reports_the_status(make_receiver: Callable[..., Receiver]) -> None:
    """A 2xx is a success; the receiver got the JSON payload and the configured headers."""
    receiver = make_receiver([204])
    notifier = WebhookNotifier(receiver.url, headers={"X-Token": "t"})
    result = notifier.send(EVENT)
    notifier.close()
    assert (result.is_ok, result.status_code, result.error) == (True, 204, "")
    assert result.duration_ns > 0
    assert receiver.bodies[0]["rule"] == "r"
    assert receiver.bodies[0]["runbook_url"] == "https://wiki.example/r"


def test_webhook_failures_say_whether_a_retry_may_help(
    make_receiver: Callable[..., Receiver],
) -> None:
    """5xx and 429 are retryable, other 4xx are not; a hang ends at the timeout."""
    receiver = make_receiver([503, 429, 400, "hang"])
    notifier = WebhookNotifier(receiver.url, payload_format="slack", timeout_s=0.3)
    answers = [notifier.send(EVENT) for _ in range(4)]
    notifier.close()
    assert [(a.status_code, a.is_retryable) for a in answers[:3]] == [
        (503, True),
        (429, True),
        (400, False),
    ]
    assert answers[0].error.startswith("HTTP 503")
    hung = answers[3]
    assert (hung.is_ok, hung.status_code, hung.is_retryable) == (False, None, True)
    assert hung.error == "timed out (ReadTimeout)"
    assert 0.25e9 < hung.duration_ns < 5e9
    assert set(receiver.bodies[0]) == {"text", "blocks"}


def test_an_unreachable_webhook_is_a_retryable_failure() -> None:
    """A refused connection is answered, not raised."""
    result = WebhookNotifier("http://127.0.0.1:9/hook", timeout_s=1).send(EVENT)
    assert not result.is_ok
    assert result.is_retryable
    assert "ConnectError" in result.error


def test_file_notifier_appends_json_lines(tmp_path: Path) -> None:
    """A file:// receiver writes one JSON payload per line, creating its folder."""
    receiver = AlertReceiver(name="audit", url=f"file://{tmp_path}/deep/alerts.jsonl")
    notifier = notifier_for(receiver)
    assert isinstance(notifier, FileNotifier)
    assert notifier.send(EVENT).is_ok
    assert notifier.send(EVENT).is_ok
    lines = (tmp_path / "deep" / "alerts.jsonl").read_bytes().splitlines()
    assert [orjson.loads(line)["status"] for line in lines] == ["firing", "firing"]


def test_file_notifier_reports_a_path_it_cannot_write(tmp_path: Path) -> None:
    """A path under a file is answered as an error naming it."""
    (tmp_path / "plain").write_text("")
    result = FileNotifier(tmp_path / "plain" / "alerts.jsonl").send(EVENT)
    assert not result.is_ok
    assert "cannot append to" in result.error

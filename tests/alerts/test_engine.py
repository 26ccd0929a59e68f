"""The evaluation loop over the real store: states, notifications, dedup, silences, records."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from nightcall.alerts import (
    AlertCatalog,
    AlertEngine,
    AlertEvent,
    AlertState,
    Dispatcher,
    FileNotifier,
    recent_deliveries,
    recent_events,
    record_attempts,
)
from nightcall.api.app import Runtime
from nightcall.config.alert_receivers import AlertReceiver
from nightcall.config.alerts import AlertKind, AlertRule
from nightcall.ingest.otlp.routes import decode_otlp
from nightcall.model import Hypothesis, HypothesisKind, Signal
from nightcall.store.queries_traces import Window
from tests.alerts.conftest import Clock, Receiver
from tests.conftest import RunningServer

S = 10**9


class Setup:
    """An engine over a real runtime, delivering to a JSON-lines file, on a test clock."""

    def __init__(self, runtime: Runtime, clock: Clock, path: Path, rules: list[AlertRule]):
        self.runtime, self.clock, self.path = runtime, clock, path
        self.opened: list[AlertEvent] = []
        receiver = AlertReceiver(name="file", url=f"file://{path}")
        catalog = AlertCatalog(runtime.store, runtime.pipeline, rules=rules, receivers=[receiver])
        self.dispatcher = Dispatcher(
            [(receiver, FileNotifier(path))], record=record_attempts(runtime.pipeline), now_ns=clock
        )
        self.dispatcher.start()
        self.engine = AlertEngine(
            runtime.store,
            runtime.pipeline,
            catalog,
            self.dispatcher,
            clock,
            open_incident=self._open,
        )

    def _open(self, event: AlertEvent) -> str:
        self.opened.append(event)
        return f"INC-{len(self.opened)}"

    def round(self, at_s: float, hypotheses: list[Hypothesis] | None = None) -> list[str]:
        """Move the clock to `at_s`, give the diagnosis' round if any, evaluate: event states."""
        self.clock.now = START + int(at_s * S)
        if hypotheses is not None:
            self.engine.observe_hypotheses(hypotheses, self.clock.now)
        return [
            f"{e.alert.rule}:{e.state.value}" + (":silenced" if e.silenced else "")
            for e in self.engine.evaluate()
        ]

    def sent(self) -> list[str]:
        """What the receiver got so far: `rule:status[:repeat]` per notification."""
        assert self.dispatcher.wait_idle(10)
        if not self.path.exists():
            return []
        payloads = [orjson.loads(line) for line in self.path.read_bytes().splitlines()]
        return [
            f"{p['rule']}:{p['status']}" + (":repeat" if p["is_repeat"] else "") for p in payloads
        ]


START = 1_800_000_000 * S


@pytest.fixture
def make_setup(
    runtime: Runtime, clock: Clock, tmp_path: Path
) -> Iterator[Callable[[list[AlertRule]], Setup]]:
    """Builds the engine for a list of rules; stops its delivery after the test."""
    made: list[Setup] = []

    def make(rules: list[AlertRule]) -> Setup:
        made.append(Setup(runtime, clock, tmp_path / "alerts.jsonl", rules))
        return made[-1]

    yield make
    for setup in made:
        setup.dispatcher.stop()


def _leak(service: str, confidence: float = 0.8) -> Hypothesis:
    return Hypothesis(
        kind=HypothesisKind.MEMORY_LEAK,
        service=service,
        confidence=confidence,
        statement=f"memory grows in {service}",
        onset_ns=START,
        symptom="",
        impact="",
        evidence=(),
        steps=(),
    )


def test_an_alert_goes_pending_firing_resolved_notifies_and_is_recorded(
    make_setup: Callable[[list[AlertRule]], Setup], runtime: Runtime
) -> None:
    """One notification when it fires (opening an incident), a reminder after renotify_s, one
    when it resolves; every event and delivery attempt is in the store."""
    rule = AlertRule(
        name="leak",
        kind=AlertKind.HYPOTHESIS,
        hypothesis="memory_leak",
        for_s=60,
        renotify_s=600,
        open_incident=True,
        runbook_url="https://wiki.example/leak",
    )
    setup = make_setup([rule])
    assert setup.round(0, [_leak("cart")]) == ["leak:pending"]
    assert setup.sent() == []
    assert setup.round(60, [_leak("cart")]) == ["leak:firing"]
    assert [e.alert.group_key for e in setup.opened] == [
        'leak{hypothesis="memory_leak",service="cart"}'
    ]
    (firing, silenced) = setup.engine.active_alerts()[0]
    assert (firing.state, firing.incident_id, silenced) == (AlertState.FIRING, "INC-1", False)
    assert setup.round(120, [_leak("cart")]) == []
    assert setup.round(660, [_leak("cart")]) == []
    assert setup.sent() == ["leak:firing", "leak:firing:repeat"]
    assert setup.round(700, []) == ["leak:resolved"]
    assert setup.sent() == ["leak:firing", "leak:firing:repeat", "leak:resolved"]
    assert setup.engine.active_alerts() == []

    assert runtime.pipeline.wait_until_stored(30)
    window = Window(start_ns=START - S, end_ns=START + 1000 * S)
    events = recent_events(runtime.store, window, limit=10)
    assert [(e["state"], e["incident_id"]) for e in events] == [
        ("resolved", "INC-1"),
        ("firing", "INC-1"),
        ("pending", None),
    ]
    assert events[0]["runbook_url"] == "https://wiki.example/leak"
    deliveries = recent_deliveries(runtime.store, window, limit=10)
    assert [(d["state"], d["ok"], d["attempt"], d["is_final"]) for d in deliveries] == [
        ("resolved", True, 1, True),
        ("firing", True, 1, True),
        ("firing", True, 1, True),
    ]


def test_alerts_sharing_a_dedup_key_notify_once(
    make_setup: Callable[[list[AlertRule]], Setup],
) -> None:
    """Two rules with one dedup key: one `firing` while either fires, `resolved` after both."""
    shared = "{service}-memory"
    rules = [
        AlertRule(
            name="leak", kind=AlertKind.HYPOTHESIS, hypothesis="memory_leak", dedup_key=shared
        ),
        AlertRule(
            name="any",
            kind=AlertKind.HYPOTHESIS,
            hypothesis="any",
            dedup_key=shared,
            group_by=("service",),
        ),
    ]
    setup = make_setup(rules)
    assert setup.round(0, [_leak("cart")]) == ["leak:firing", "any:firing"]
    assert setup.sent() == ["leak:firing"]
    weak = Hypothesis(
        kind=HypothesisKind.ERROR_SURGE,
        service="cart",
        confidence=0.9,
        statement="errors",
        onset_ns=START,
        symptom="",
        impact="",
        evidence=(),
        steps=(),
    )
    assert setup.round(30, [weak]) == ["leak:resolved"]  # "any" still fires: no notification
    assert setup.sent() == ["leak:firing"]
    assert setup.round(60, []) == ["any:resolved"]
    assert setup.sent() == ["leak:firing", "any:resolved"]


def test_a_silence_holds_notifications_until_it_expires(
    make_setup: Callable[[list[AlertRule]], Setup],
) -> None:
    """A silenced alert fires (recorded as silenced) without notifying or opening an incident;
    once the silence expires, the next round notifies."""
    rule = AlertRule(
        name="leak", kind=AlertKind.HYPOTHESIS, hypothesis="memory_leak", open_incident=True
    )
    setup = make_setup([rule])
    setup.clock.now = START
    catalog = setup.engine.catalog
    catalog.add_silence({"matchers": {"service": "cart"}, "duration_s": 90}, START)
    assert setup.round(0, [_leak("cart"), _leak("web")]) == ["leak:firing:silenced", "leak:firing"]
    assert len(setup.opened) == 1  # web only
    assert setup.sent() == ["leak:firing"]
    assert [s for _, s in setup.engine.active_alerts()] == [True, False]
    assert setup.round(60, [_leak("cart"), _leak("web")]) == []
    assert setup.sent() == ["leak:firing"]
    assert setup.round(90, [_leak("cart"), _leak("web")]) == []
    assert setup.sent() == ["leak:firing", "leak:firing"]  # cart's, now that the silence ended


def _spans(service: str, errors: int, total: int, at_ns: int) -> bytes:
    spans = [
        {
            "traceId": f"{i + 1:032x}",
            "spanId": f"{i + 1:016x}",
            "name": "GET /",
            "kind": 2,
            "startTimeUnixNano": str(at_ns + i * S),
            "endTimeUnixNano": str(at_ns + i * S + 10**7),
            "status": {"code": 2 if i < errors else 1},
        }
        for i in range(total)
    ]
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    return orjson.dumps(
        {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": spans}]}]}
    )


def test_a_threshold_rule_reads_the_service_error_rate_from_the_store(
    make_setup: Callable[[list[AlertRule]], Setup], runtime: Runtime
) -> None:
    """Spans in the store give each service's error rate over the window; the breaching one
    fires, with the value and the series in its summary."""
    for service, errors in (("checkout", 3), ("cart", 0)):
        decoded = decode_otlp(
            Signal.TRACES, "application/json", _spans(service, errors, 10, START - 100 * S)
        )
        runtime.pipeline.submit(decoded.batches).result(10)
    assert runtime.pipeline.wait_until_stored(30)
    rule = AlertRule(
        name="errors",
        kind=AlertKind.THRESHOLD,
        series="error_rate",
        threshold=0.05,
        window_s=300,
        group_by=("service",),
    )
    setup = make_setup([rule])
    assert setup.round(0) == ["errors:firing"]
    ((alert, _),) = setup.engine.active_alerts()
    assert alert.value == pytest.approx(0.3)
    assert alert.summary == 'error_rate{service="checkout"} is 0.3 (> 0.05) over the last 300 s'
    assert setup.round(600) == ["errors:resolved"]  # the spans left the window: no data


def test_the_server_fires_delivers_with_a_retry_and_records_it(
    make_server: Callable[..., RunningServer], make_receiver: Callable[..., Receiver]
) -> None:
    """A configured rule on a real server: spans with errors arrive, the loop fires, the webhook
    fails once and gets the retry, and the API shows the alert, its event and both attempts."""
    receiver = make_receiver([500])
    server = make_server(
        alerts_interval_s=0.1,
        alerts=[
            {
                "name": "errors",
                "kind": "threshold",
                "series": "error_rate",
                "threshold": 0.05,
                "window_s": 60,
                "severity": "P1",
                "runbook_url": "https://wiki.example/errors",
            }
        ],
        alert_receivers=[
            {"name": "hook", "url": receiver.url, "format": "slack", "backoff_s": 0.01}
        ],
    )
    body = _spans("checkout", 5, 10, time.time_ns() - 20 * S)
    posted = httpx.post(
        server.url + "/v1/traces", content=body, headers={"Content-Type": "application/json"}
    )
    assert posted.status_code == 200
    receiver.wait_for(2)
    assert receiver.bodies[1]["text"].startswith(":rotating_light: [P1] errors firing")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answer = httpx.get(server.url + "/api/v1/alerts/deliveries").json()
        if len(answer["deliveries"]) == 2:
            break
        time.sleep(0.05)
    attempts = [(d["attempt"], d["status_code"], d["ok"]) for d in answer["deliveries"]]
    assert attempts == [(2, 200, True), (1, 500, False)]
    alerts = httpx.get(server.url + "/api/v1/alerts").json()
    assert [(a["rule"], a["state"], a["labels"]["service"]) for a in alerts["alerts"]] == [
        ("errors", "firing", "checkout")
    ]
    assert [e["state"] for e in alerts["events"]] == ["firing"]

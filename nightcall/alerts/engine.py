"""The evaluation loop: every interval, each rule observes, its alerts advance, events notify.

    rules ──observe──> observations ──advance──> transitions ──record──> nightcall_alert_events
                                                      │
              one notification per dedup key while firing (again every renotify_s),
              none while every alert of the key is silenced, `resolved` once none fires
                                                      └──> Dispatcher (off this thread)

A rule whose data cannot be read this round keeps its alerts as they were, and says why
(`last_error` in the rule list, and a warning in the log once per new message). An alert of a
rule with `open_incident = true` that starts firing, unsilenced, calls `open_incident`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nightcall.alerts.catalog import AlertCatalog
from nightcall.alerts.delivery import DeliveryAttempt, Dispatcher, RecordAttempt
from nightcall.alerts.lifecycle import advance
from nightcall.alerts.notifiers import notifier_for
from nightcall.alerts.observe import observe
from nightcall.alerts.records import Alert, AlertEvent, AlertState, OpenIncident
from nightcall.alerts.series import SeriesReader
from nightcall.alerts.silences import is_silenced
from nightcall.alerts.storage import delivery_batch, event_batch
from nightcall.analysis.anomalies import AnomalyConfig
from nightcall.config import Settings
from nightcall.config.alerts import AlertKind, AlertRule
from nightcall.errors import NightcallError
from nightcall.model import Hypothesis
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.store import Store

log = logging.getLogger("nightcall.alerts")


@dataclass(slots=True)
class _Held:
    """A dedup key that has notified `firing`: the alert it told about, and when last."""

    alert: Alert
    notified_ns: int


class AlertEngine:
    """Evaluates the catalog's rules, keeps their alerts, records and notifies transitions."""

    def __init__(
        self,
        store: Store,
        pipeline: IngestPipeline,
        catalog: AlertCatalog,
        dispatcher: Dispatcher,
        now_ns: Callable[[], int],
        *,
        open_incident: OpenIncident | None = None,
        hypothesis_max_age_s: float = 120.0,
        anomaly_config: AnomalyConfig | None = None,
    ):
        self.store = store
        self.pipeline = pipeline
        self.catalog = catalog
        self.dispatcher = dispatcher
        self.open_incident = open_incident
        self._now_ns = now_ns
        self._hypothesis_max_age_ns = int(hypothesis_max_age_s * 1e9)
        self._anomaly_config = anomaly_config
        self._lock = threading.Lock()  # the state below
        self._evaluating = threading.Lock()  # one round at a time
        self._active: dict[str, dict[str, Alert]] = {}
        self._held: dict[str, _Held] = {}
        self._errors: dict[str, str] = {}
        self._hypotheses: tuple[int, tuple[Hypothesis, ...]] = (0, ())
        self.records_lost = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def observe_hypotheses(self, hypotheses: Sequence[Hypothesis], time_ns: int) -> None:
        """Take the continuous diagnosis' latest round (every hypothesis it proposed)."""
        with self._lock:
            self._hypotheses = (time_ns, tuple(hypotheses))

    def active_alerts(self) -> list[tuple[Alert, bool]]:
        """Pending and firing alerts, each with whether a silence covers it now."""
        now_ns = self._now_ns()
        silences = self.catalog.silences(now_ns)
        with self._lock:
            alerts = [a for by_group in self._active.values() for a in by_group.values()]
        alerts.sort(key=lambda a: (a.severity.value, a.rule, a.group_key))
        return [(a, is_silenced(dict(a.labels), silences, now_ns)) for a in alerts]

    def rule_errors(self) -> dict[str, str]:
        """The last error of each rule whose data could not be read in the latest round."""
        with self._lock:
            return dict(self._errors)

    def start(self, interval_s: float) -> None:
        """Deliver in the background and evaluate every `interval_s` (0: do nothing)."""
        if interval_s <= 0:
            return
        self.dispatcher.start()
        self._thread = threading.Thread(
            target=self._loop, args=(interval_s,), name="nightcall-alerts", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self.dispatcher.stop()

    def _loop(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                self.evaluate()
            except Exception:  # never crash the server over alerting; say so and go on
                log.exception("alert evaluation failed; it runs again in %.0f s", interval_s)

    def evaluate(self) -> list[AlertEvent]:
        """One round now: every rule observed and advanced; returns the events recorded."""
        with self._evaluating:
            now_ns = self._now_ns()
            reader = SeriesReader(self.store, now_ns)
            events: list[AlertEvent] = []
            rules = [entry.rule for entry in self.catalog.rules()]
            for rule in rules:
                events += self._evaluate_rule(rule, reader, now_ns)
            events += self._forget_deleted({r.name for r in rules}, now_ns)
            notifications = self._notifications(now_ns)
            if events:
                self._record(events)
            for event in notifications:
                known = self.catalog.rule(event.alert.rule)  # None: deleted, tell every receiver
                self.dispatcher.submit(event, known.receivers if known else ())
            return events

    def _forget_deleted(self, names: set[str], now_ns: int) -> list[AlertEvent]:
        """Drop the alerts of rules deleted since the last round; the firing ones resolve."""
        with self._lock:
            gone = [self._active.pop(name) for name in set(self._active) - names]
        return [
            AlertEvent(
                time_ns=now_ns,
                alert=dataclasses.replace(alert, state=AlertState.RESOLVED, resolved_ns=now_ns),
            )
            for by_group in gone
            for alert in by_group.values()
            if alert.state == AlertState.FIRING
        ]

    def _hypotheses_now(self, now_ns: int) -> tuple[Hypothesis, ...]:
        with self._lock:
            time_ns, hypotheses = self._hypotheses
        return hypotheses if now_ns - time_ns <= self._hypothesis_max_age_ns else ()

    def _evaluate_rule(
        self, rule: AlertRule, reader: SeriesReader, now_ns: int
    ) -> list[AlertEvent]:
        try:
            series = reader.read(rule) if rule.kind != AlertKind.HYPOTHESIS else []
            observations = observe(
                rule, series, self._hypotheses_now(now_ns), now_ns, self._anomaly_config
            )
        except Exception as exc:  # one rule that cannot be read must not stop the others
            message = (
                exc.message if isinstance(exc, NightcallError) else f"{type(exc).__name__}: {exc}"
            )
            with self._lock:
                is_new = self._errors.get(rule.name) != message
                self._errors[rule.name] = message
            if is_new:
                log.warning("alert rule %r cannot be evaluated: %s", rule.name, message)
            return []
        with self._lock:
            self._errors.pop(rule.name, None)
            step = advance(rule, self._active.get(rule.name, {}), observations, now_ns)
            self._active[rule.name] = step.active
        silences = self.catalog.silences(now_ns)
        events = []
        for moved in step.transitions:
            silenced = is_silenced(dict(moved.labels), silences, now_ns)
            if moved.state == AlertState.FIRING and rule.open_incident and not silenced:
                moved = self._with_incident(rule, moved, now_ns)  # noqa: PLW2901  # with its id
            events.append(AlertEvent(time_ns=now_ns, alert=moved, silenced=silenced))
        return events

    def _with_incident(self, rule: AlertRule, alert: Alert, now_ns: int) -> Alert:
        if self.open_incident is None:
            return alert
        try:
            incident_id = self.open_incident(AlertEvent(time_ns=now_ns, alert=alert))
        except Exception:  # the alert still fires and notifies; the incident is said to fail
            log.warning("alert %s could not open an incident", alert.group_key, exc_info=True)
            return alert
        if incident_id is None:
            return alert
        opened = dataclasses.replace(alert, incident_id=incident_id)
        with self._lock:
            if alert.group_key in self._active.get(rule.name, {}):
                self._active[rule.name][alert.group_key] = opened
        return opened

    def _notifications(self, now_ns: int) -> list[AlertEvent]:
        """The round's notifications: new and repeated `firing` per dedup key, `resolved`."""
        silences = self.catalog.silences(now_ns)
        with self._lock:
            firing: dict[str, list[Alert]] = defaultdict(list)
            for by_group in self._active.values():
                for alert in by_group.values():
                    if alert.state == AlertState.FIRING:
                        firing[alert.dedup_key].append(alert)
            out = []
            for key, alerts in sorted(firing.items()):
                held = self._held.get(key)
                loud = [a for a in alerts if not is_silenced(dict(a.labels), silences, now_ns)]
                if held is not None:  # keep the alert it told about current, loud if any is
                    same = [a for a in loud or alerts if a.group_key == held.alert.group_key]
                    held.alert = same[0] if same else (loud or alerts)[0]
                if not loud:
                    continue
                rule = self.catalog.rule(loud[0].rule)
                renotify_ns = int((rule.renotify_s if rule else 14400.0) * 1e9)
                if held is None:
                    self._held[key] = _Held(alert=loud[0], notified_ns=now_ns)
                    out.append(AlertEvent(time_ns=now_ns, alert=loud[0]))
                elif now_ns - held.notified_ns >= renotify_ns:
                    held.notified_ns = now_ns
                    out.append(AlertEvent(time_ns=now_ns, alert=held.alert, is_repeat=True))
            for key in sorted(set(self._held) - set(firing)):
                last = self._held.pop(key).alert
                resolved = dataclasses.replace(last, state=AlertState.RESOLVED, resolved_ns=now_ns)
                out.append(AlertEvent(time_ns=now_ns, alert=resolved))
        return out

    def _record(self, events: list[AlertEvent]) -> None:
        try:
            self.pipeline.submit((event_batch(events),))
        except NightcallError as exc:  # the backlog is full or closing: counted, said
            self.records_lost += len(events)
            log.warning("%d alert events not recorded: %s", len(events), exc.message)


def record_attempts(pipeline: IngestPipeline) -> RecordAttempt:
    """Record each delivery attempt in `nightcall_alert_deliveries` through the pipeline."""

    def record(attempt: DeliveryAttempt) -> None:
        try:
            pipeline.submit((delivery_batch([attempt]),))
        except NightcallError as exc:  # the backlog is full or closing: said, not raised
            log.warning(
                "a delivery attempt to %r was not recorded: %s", attempt.receiver, exc.message
            )

    return record


def build_alert_engine(
    store: Store,
    pipeline: IngestPipeline,
    settings: Settings,
    now_ns: Callable[[], int],
    *,
    open_incident: OpenIncident | None = None,
) -> AlertEngine:
    """The engine for a server: the configured rules and receivers, and those in the store."""
    catalog = AlertCatalog(
        store, pipeline, rules=settings.alerts, receivers=settings.alert_receivers
    )
    catalog.load()
    dispatcher = Dispatcher(
        [(r, notifier_for(r)) for r in settings.alert_receivers],
        record=record_attempts(pipeline),
        now_ns=now_ns,
    )
    # A hypothesis rule holds while the diagnosis' latest round is at most three rounds old.
    max_age_s = max(3 * settings.diagnosis_interval_s, 3 * settings.alerts_interval_s, 60.0)
    return AlertEngine(
        store,
        pipeline,
        catalog,
        dispatcher,
        now_ns,
        open_incident=open_incident,
        hypothesis_max_age_s=max_age_s,
    )

"""The timeline the data tells: first anomaly, onset, deploys, restarts, error bursts, recovery.

Anomalies are those around the onset (see `scope.related_anomalies`), the first of each
service; deploys, restarts and error bursts are every one in the window.

Pure: it reads a diagnosis and the telemetry it was made from. Each entry links to the API
query that shows its evidence over the incident's window.

Recovery is when the leading candidate's strongest shifted series came back: after it first
reached half of its excursion from the baseline, the first point from which it stays within
`RECOVERED_SHARE` of that excursion for `RECOVERED_POINTS` points (or to the end of the data).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nightcall.analysis.rca import SeriesShift, count_burst_onset
from nightcall.explain import Diagnosis, Telemetry
from nightcall.incidents.scope import related_anomalies
from nightcall.model import (
    ChangeKind,
    Direction,
    Finding,
    Series,
    TimelineEntry,
    TimelineKind,
    TimelineSource,
)
from nightcall.store.queries_traces import Window

RECOVERED_SHARE = 0.3
RECOVERED_POINTS = 3
MAX_SERVICE_ANOMALIES = 8
_ERROR_COUNTS = {"error_events": "/api/v1/errors", "log_errors": "/api/v1/logs"}


def window_query(path: str, window: Window, **params: str) -> str:
    """An API path over `window` (Unix nanoseconds), with more parameters when given."""
    query = "&".join(f"{k}={v}" for k, v in {**params}.items() if v)
    return f"{path}?start={window.start_ns}&end={window.end_ns}" + (f"&{query}" if query else "")


def _entry(
    kind: TimelineKind,
    time_ns: int,
    title: str,
    *,
    service: str = "",
    detail: str = "",
    link: str = "",
    evidence: Mapping[str, Any] | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        time_ns=time_ns,
        kind=kind,
        source=TimelineSource.DATA,
        title=title,
        service=service,
        detail=detail,
        link=link,
        evidence=dict(evidence or {}),
    )


def _unit(unit: str) -> str:
    return f" {unit}" if unit and unit != "1" else ""  # "1": a ratio, shown bare


def _anomaly_title(label: str, finding: Finding) -> str:
    verb = {Direction.UP: "rose", Direction.DOWN: "fell"}.get(finding.direction, "moved")
    title = f"{label}: {finding.series} {verb}"
    if finding.baseline is not None and finding.observed is not None:
        unit = _unit(finding.unit)
        title += f" from {finding.baseline:.3g} to {finding.observed:.3g}{unit}"
    return title


def _anomaly_entries(anomalies: Iterable[Finding], window: Window) -> list[TimelineEntry]:
    """The first related anomaly of each service, the very first one named so."""
    entries: list[TimelineEntry] = []
    seen: set[str] = set()
    for finding in anomalies:
        if finding.service in seen or len(seen) > MAX_SERVICE_ANOMALIES:
            continue
        seen.add(finding.service)
        first = not entries
        kind = TimelineKind.FIRST_ANOMALY if first else TimelineKind.ANOMALY
        entries.append(
            _entry(
                kind,
                finding.onset_ns,
                _anomaly_title("First anomaly" if first else "Anomaly", finding),
                service=finding.service,
                detail=finding.summary,
                link=window_query("/api/v1/anomalies", window, service=finding.service),
                evidence={
                    "series": str(finding.series),
                    "baseline": finding.baseline,
                    "observed": finding.observed,
                    "unit": finding.unit,
                    "voters": list(finding.voters),
                },
            )
        )
    return entries


def _onset_entry(diagnosis: Diagnosis) -> list[TimelineEntry]:
    if diagnosis.onset_ns is None:
        return []
    evidence: dict[str, Any] = {}
    title = "Onset of the fault (estimated)"
    service = ""
    if diagnosis.candidates:
        top = diagnosis.candidates[0]
        service = top.service
        signals = [str(c.shift.key) for c in top.strongest(3)]
        title += f": {top.service} leads, shifted in " + ", ".join(signals)
        evidence = {"candidate": top.service, "score": round(top.score, 3), "series": signals}
    return [
        _entry(
            TimelineKind.ONSET,
            diagnosis.onset_ns,
            title,
            service=service,
            link=window_query("/api/v1/hypotheses", diagnosis.window),
            evidence=evidence,
        )
    ]


def _change_entries(telemetry: Telemetry) -> list[TimelineEntry]:
    window = telemetry.window
    entries = []
    for change in telemetry.changes:
        kind = TimelineKind.DEPLOY if change.kind == ChangeKind.DEPLOY else TimelineKind.RESTART
        label = "Deploy" if kind == TimelineKind.DEPLOY else "Restart"
        entries.append(
            _entry(
                kind,
                change.time_ns,
                f"{label} of {change.service}: {change.detail}",
                service=change.service,
                link=window_query("/api/v1/traces", window, service=change.service),
                evidence={
                    "previous": change.previous,
                    "current": change.current,
                    "instance": change.instance,
                },
            )
        )
    return entries


def _burst_entries(series: Iterable[Series], window: Window) -> list[TimelineEntry]:
    entries = []
    for item in series:
        path = _ERROR_COUNTS.get(item.key.name)
        if path is None or (onset := count_burst_onset(item)) is None:
            continue
        service = item.key.service
        what = "error events" if item.key.name == "error_events" else "error log lines"
        params = {"service": service} | ({"severity": "error"} if "logs" in path else {})
        entries.append(
            _entry(
                TimelineKind.ERROR_BURST,
                onset,
                f"Error burst in {service}: {what} rose",
                service=service,
                link=window_query(path, window, **params),
                evidence={"series": str(item.key), "unit": item.unit},
            )
        )
    return entries


def recovery_time(series: Series, shift: SeriesShift) -> int | None:
    """When `series` came back after `shift` (see the module's docstring), or None."""
    sign = 1.0 if shift.after >= shift.before else -1.0
    points = [
        (t, sign * (v - shift.before))
        for t, v in zip(series.times_ns, series.values, strict=True)
        if t >= shift.onset_ns and math.isfinite(v)
    ]
    if not points:
        return None
    excursions = sorted(d for _, d in points)
    peak = excursions[int(0.9 * (len(excursions) - 1))]
    if peak <= 0:
        return None
    risen = next((i for i, (_, d) in enumerate(points) if d >= 0.5 * peak), None)
    if risen is None:
        return None
    for i in range(risen + 1, len(points) - RECOVERED_POINTS + 1):
        if all(d <= RECOVERED_SHARE * peak for _, d in points[i : i + RECOVERED_POINTS]):
            return points[i][0]
    return None  # still shifted, or too little data after it to tell


def _recovery_entry(diagnosis: Diagnosis, telemetry: Telemetry) -> list[TimelineEntry]:
    if not diagnosis.candidates or not diagnosis.candidates[0].contributions:
        return []
    top = diagnosis.candidates[0]
    shift = top.strongest(1)[0].shift
    series = next((s for s in telemetry.series if s.key == shift.key), None)
    if series is None or (time_ns := recovery_time(series, shift)) is None:
        return []
    return [
        _entry(
            TimelineKind.RECOVERY,
            time_ns,
            f"Recovery: {shift.key} back near {shift.before:.3g}{_unit(shift.unit)}",
            service=top.service,
            link=window_query("/api/v1/anomalies", diagnosis.window, service=top.service),
            evidence={
                "series": str(shift.key),
                "baseline": shift.before,
                "shifted": shift.after,
                "unit": shift.unit,
            },
        )
    ]


def data_timeline(diagnosis: Diagnosis, telemetry: Telemetry) -> list[TimelineEntry]:
    """Every entry the data gives for the diagnosed window, in time order."""
    window = diagnosis.window
    entries: Sequence[TimelineEntry] = [
        *_anomaly_entries(related_anomalies(diagnosis), window),
        *_onset_entry(diagnosis),
        *_change_entries(telemetry),
        *_burst_entries(telemetry.series, window),
        *_recovery_entry(diagnosis, telemetry),
    ]
    return sorted(entries, key=lambda e: (e.time_ns, e.kind.value, e.service))

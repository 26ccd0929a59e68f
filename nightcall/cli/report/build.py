"""From the API's answers to a `Report`: counts per service, summaries per series, the diagnosis.

Pure: the inputs are JSON answers (see `fetch_report_inputs`) and the clock is a parameter, so a
report built twice from the same answers is the same report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from nightcall.cli.report.fetch import MAX_TEMPLATES, ReportInputs
from nightcall.cli.report.model import (
    LOG_LEVELS,
    AnomalySummary,
    DiagnosisSummary,
    ErrorGroupSummary,
    HypothesisSummary,
    Report,
    ServiceEvents,
    SignalSummary,
    StepSeries,
    TemplateSummary,
)
from nightcall.cli.report.recommend import recommend
from nightcall.cli.report.resources import summarize_metric
from nightcall.model import format_time_ns

MAX_EVIDENCE = 2


def log_level(severity: str) -> str:
    """The LOG_LEVELS entry of a severity text (`WARNING` is `warn`, `CRITICAL` is `fatal`)."""
    text = severity.strip().lower()
    for level, prefixes in (("fatal", ("fatal", "crit", "emerg", "alert", "panic")),
                            ("error", ("err",)), ("warn", ("warn",)),
                            ("info", ("info", "notice")), ("debug", ("debug",)),
                            ("trace", ("trace",))):  # fmt: skip
        if text.startswith(prefixes):
            return level
    return "other"


def _log_lines(templates: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    lines: dict[str, Counter[str]] = {}
    for t in templates:
        lines.setdefault(str(t["service"]), Counter())[log_level(str(t["severity"]))] += int(
            t["count"]
        )
    return lines


def _error_counts(inputs: ReportInputs) -> dict[str, tuple[int, int]]:
    """Per service: (events, groups); exact also for groups several services share."""
    counts: dict[str, tuple[int, int]] = {}
    for group in inputs.errors["errors"]:
        if len(group["services"]) == 1:
            events, groups = counts.get(group["services"][0], (0, 0))
            counts[group["services"][0]] = (events + int(group["count"]), groups + 1)
    for service, answer in inputs.errors_by_service.items():
        counts[service] = (sum(int(g["count"]) for g in answer["errors"]), len(answer["errors"]))
    return counts


def _service_events(inputs: ReportInputs) -> tuple[ServiceEvents, ...]:
    red: dict[str, dict[str, Any]] = {str(s["service"]): s for s in inputs.services}
    logs = _log_lines(inputs.templates)
    errors = _error_counts(inputs)
    found = []
    for name in sorted({*red, *logs, *errors}):
        spans = red.get(name, {})
        lines = logs.get(name, Counter())
        events, groups = errors.get(name, (0, 0))
        found.append(
            ServiceEvents(
                service=name,
                spans=int(spans.get("spans", 0)),
                error_spans=int(spans.get("error_spans", 0)),
                requests=int(spans.get("requests", 0)),
                errors=int(spans.get("errors", 0)),
                log_lines=tuple((level, lines[level]) for level in LOG_LEVELS if lines[level]),
                error_events=events,
                error_groups=groups,
            )
        )
    return tuple(found)


def _summary(
    name: str, signal: str, unit: str, avg: float | None, series: StepSeries
) -> SignalSummary:
    present = series.present()
    return SignalSummary(
        service=name,
        signal=signal,
        group="red",
        unit=unit,
        avg=avg,
        low=min(present) if present else None,
        high=max(present) if present else None,
        series=series,
    )


def _red_summaries(inputs: ReportInputs) -> tuple[SignalSummary, ...]:
    """Per service with requests: its rate, error rate and p95, per step and over the window."""
    starts = [inputs.start_ns + i * inputs.step_ns for i in range(inputs.steps)]
    seconds = [(min(inputs.end_ns, t + inputs.step_ns) - t) / 1e9 for t in starts]
    by_step = [{str(s["service"]): s for s in step} for step in inputs.red_steps]
    found = []
    for whole in inputs.services:
        name = str(whole["service"])
        if not whole["requests"]:
            continue
        rows = [step.get(name) for step in by_step]
        rate: list[float | None] = [
            int(r["requests"]) / s if r else 0.0 for r, s in zip(rows, seconds, strict=True)
        ]
        errors = [float(r["error_rate"]) if r and r["requests"] else None for r in rows]
        p95 = [float(r["p95_ms"]) if r and r["p95_ms"] is not None else None for r in rows]

        def series(values: list[float | None]) -> StepSeries:
            return StepSeries(
                start_ns=inputs.start_ns, step_ns=inputs.step_ns, values=tuple(values)
            )

        whole_p95 = float(whole["p95_ms"]) if whole["p95_ms"] is not None else None
        found += [
            _summary(name, "requests", "1/s", float(whole["request_rate_per_s"]), series(rate)),
            _summary(name, "error_rate", "1", float(whole["error_rate"]), series(errors)),
            _summary(name, "latency_p95", "ms", whole_p95, series(p95)),
        ]
    return tuple(found)


def _hypotheses(items: Iterable[dict[str, Any]]) -> tuple[HypothesisSummary, ...]:
    return tuple(
        HypothesisSummary(
            rank=int(h["rank"]), kind=str(h["kind"]), service=str(h["service"]),
            confidence=float(h["confidence"]), statement=str(h["statement"]),
            impact=str(h.get("impact") or ""), onset_ns=int(h["onset_unix_nano"]),
            evidence=tuple(
                str(e.get("detail") or f"{e['label']}: {e['value']} {e.get('unit', '')}".rstrip())
                for e in h["evidence"][:MAX_EVIDENCE]
            ),
            steps=tuple(h["steps"]), stabilize=tuple(h.get("stabilize") or ()),
        )
        for h in items
    )  # fmt: skip


def _diagnosis(answer: dict[str, Any]) -> DiagnosisSummary:
    window = answer["window"]
    return DiagnosisSummary(
        start_ns=int(window["start_unix_nano"]),
        end_ns=int(window["end_unix_nano"]),
        step_s=float(window["step_s"]),
        onset_ns=answer.get("onset_unix_nano"),
        series_count=int(answer.get("series", 0)),
        hypotheses=_hypotheses(answer["hypotheses"]),
    )


def _anomalies(answer: dict[str, Any]) -> tuple[tuple[AnomalySummary, ...], int]:
    """The non-recurring anomalies, newest first; and how many recurring ones were left out."""
    items = [a for a in answer["anomalies"] if not a["recurring"]]
    items.sort(key=lambda a: (-int(a["onset_unix_nano"]), -float(a["score"]), a["series"]))
    found = tuple(
        AnomalySummary(
            service=str(a["service"] or ""), series=str(a["series"]), name=str(a["name"]),
            dependency=str(a["labels"].get("dependency", "")),
            direction=str(a["direction"]), baseline=float(a["baseline"]),
            observed=float(a["observed"]), unit=str(a["unit"]),
            onset_ns=int(a["onset_unix_nano"]), start_ns=int(a["start_unix_nano"]),
            end_ns=int(a["end_unix_nano"]), score=float(a["score"]),
            voters=tuple(a["voters"]), query=str(a["query"]),
        )
        for a in items
    )  # fmt: skip
    return found, len(answer["anomalies"]) - len(items)


def _error_groups(answer: dict[str, Any], *, has_history: bool) -> tuple[ErrorGroupSummary, ...]:
    groups = sorted(answer["errors"], key=lambda g: (-int(g["count"]), g["fingerprint"]))
    return tuple(
        ErrorGroupSummary(
            fingerprint=str(g["fingerprint"]), title=str(g["title"]), level=str(g["level"]),
            services=tuple(g["services"]), count=int(g["count"]),
            first_seen_ns=g.get("first_seen_unix_nano"),
            is_new=bool(g["is_new"]) and has_history,
            is_regression=bool(g["is_regression"]),
        )
        for g in groups
    )  # fmt: skip


def build_report(inputs: ReportInputs, *, generated_ns: int) -> Report:
    """The report of `inputs`' window, stamped as generated at `generated_ns`."""
    notes = list(inputs.notes)
    first_seen = [int(t["first_seen_unix_nano"]) for t in inputs.templates]
    has_history = not first_seen or min(first_seen) < inputs.start_ns
    if not has_history:
        notes.append(
            "nothing was stored before the window (the oldest log template first appeared at "
            f"{format_time_ns(min(first_seen))}), so every log template and error group reads "
            "as new: newness is not used below"
        )
    new_templates = tuple(
        TemplateSummary(
            service=str(t["service"]),
            template=str(t["template"]),
            severity=log_level(str(t["severity"])),
            count=int(t["count"]),
            first_seen_ns=int(t["first_seen_unix_nano"]),
        )
        for t in sorted(inputs.templates, key=lambda t: (-int(t["count"]), str(t["template_id"])))
        if t["is_new"] and has_history
    )
    if inputs.templates:
        notes.append(
            "log lines are counted per log template, at the template's most common severity; "
            "lines stored without a template are not counted"
        )
    if inputs.untemplated_logs:
        notes.append(
            "log records in the window carry no template (stored before template mining), so "
            "log lines are not counted here: read them with `nightcall logs`"
        )
    if len(inputs.templates) >= MAX_TEMPLATES:
        notes.append(f"only the {MAX_TEMPLATES} log templates with most lines are counted")
    if inputs.errors.get("truncated"):
        notes.append(
            f"error groups are built from the newest {inputs.errors['events_analysed']} of "
            f"{inputs.errors['events_total']} error events"
        )
    resources = tuple(
        summary
        for metric, answer in inputs.metrics
        for summary in summarize_metric(
            metric, answer, start_ns=inputs.start_ns, step_ns=inputs.step_ns, steps=inputs.steps
        )
    )
    anomalies, recurring = _anomalies(inputs.anomalies)
    diagnosis = _diagnosis(inputs.hypotheses)
    recent = _diagnosis(inputs.recent) if inputs.recent is not None else None
    error_groups = _error_groups(inputs.errors, has_history=has_history)
    return Report(
        start_ns=inputs.start_ns,
        end_ns=inputs.end_ns,
        generated_ns=generated_ns,
        step_ns=inputs.step_ns,
        services=_service_events(inputs),
        red=_red_summaries(inputs),
        resources=tuple(sorted(resources, key=lambda s: (s.service, s.group, s.signal))),
        anomalies=anomalies,
        recurring_anomalies=recurring,
        diagnosis=diagnosis,
        recent=recent,
        error_groups=error_groups,
        error_events=int(inputs.errors.get("events_total", sum(g.count for g in error_groups))),
        new_templates=new_templates,
        are_logs_counted=not inputs.untemplated_logs,
        recommendations=recommend(
            diagnoses=[d for d in (diagnosis, recent) if d is not None],
            anomalies=anomalies,
            error_groups=error_groups,
            new_templates=new_templates,
        ),
        notes=tuple(notes),
    )

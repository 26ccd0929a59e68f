"""The report laid out once, as blocks (headings, paragraphs, tables, lists) every format prints.

Text in the blocks is plain, with `backticks` around commands, queries and quoted telemetry
(templates, error titles) so each format can mark them as code. `ChartSlot` marks where the HTML
page puts its charts; the text formats skip it.
"""

from __future__ import annotations

from dataclasses import dataclass

from nightcall.cli.report.format import (
    code,
    count,
    duration,
    one_line,
    plural,
    short_time,
    signal_label,
    value,
)
from nightcall.cli.report.model import (
    LOG_LEVELS,
    AnomalySummary,
    DiagnosisSummary,
    HypothesisSummary,
    Report,
    SignalSummary,
    StepSeries,
)

MAX_ANOMALIES = 15
MAX_HYPOTHESES = 5
MAX_STEPS = 3
MAX_ERROR_GROUPS = 5
MAX_TEMPLATES = 5
TITLE_WIDTH = 70
RED_SIGNALS = ("requests", "error_rate", "latency_p95")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # columns aligned right
    trends: tuple[StepSeries, ...] = ()  # one per row, drawn as a sparkline where charts can be


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class ChartSlot:
    """Where the HTML page draws the per-service RED charts."""


Block = Heading | Paragraph | Table | Bullets | ChartSlot


def _summary(report: Report) -> list[Block]:
    totals = report.totals()
    lines = sum(n for _, n in totals.log_lines)
    loud = totals.logs_at("fatal") + totals.logs_at("error")
    text = (
        f"{plural(len(report.services), 'service')} sent {count(totals.spans)} spans "
        f"({count(totals.error_spans)} with errors), "
        + (
            f"{count(lines)} log lines ({count(loud)} at error or worse)"
            if report.are_logs_counted
            else "log lines (not counted, see the notes)"
        )
        + f" and {count(report.error_events)} error events. "
        f"The detectors agree on {plural(len(report.anomalies), 'anomaly', 'anomalies')}"
        + (
            f" (and {plural(report.recurring_anomalies, 'recurring pattern')})"
            if report.recurring_anomalies
            else ""
        )
        + "."
    )
    top = report.diagnosis.hypotheses[0] if report.diagnosis.hypotheses else None
    verdict = (
        f"Most likely cause: {top.kind} in {top.service} (confidence {top.confidence:.2f}), "
        f"onset {short_time(top.onset_ns)}."
        if top
        else "No hypothesis: no series moved enough to single out a cause."
    )
    return [Heading(2, "Summary", "summary"), Paragraph(text), Paragraph(verdict)]


def _events(report: Report) -> list[Block]:
    levels = [lv for lv in LOG_LEVELS if any(s.logs_at(lv) for s in report.services)]
    headers = ("service", "spans", "error spans", "requests", "failed",
               *(f"logs {lv}" for lv in levels), "error events", "error groups")  # fmt: skip
    rows = tuple(
        (s.service, count(s.spans), count(s.error_spans), count(s.requests), count(s.errors),
         *(count(s.logs_at(lv)) for lv in levels), count(s.error_events), count(s.error_groups))
        for s in (*report.services, report.totals())
    )  # fmt: skip
    return [
        Heading(2, "Events per service", "events"),
        Paragraph("Requests are entry spans; failed: entry spans with an error status."),
        Table(headers, rows, frozenset(range(1, len(headers)))),
    ]


def _avg_range(summary: SignalSummary | None) -> str:
    if summary is None:
        return "-"
    low, high = value(summary.low, summary.unit), value(summary.high, summary.unit)
    return f"{value(summary.avg, summary.unit)} ({low} to {high})"


def _metrics(report: Report) -> list[Block]:
    step = duration(report.step_ns / 1e9)
    by_key = {(s.service, s.signal): s for s in report.red}
    services = sorted({s.service for s in report.red})
    rows = tuple(
        (name, *(_avg_range(by_key.get((name, signal))) for signal in RED_SIGNALS))
        for name in services
    )
    blocks: list[Block] = [
        Heading(2, "Metrics per service", "metrics"),
        Paragraph(
            f"Average over the whole window (request rate: requests per second; error rate: "
            f"failed share of requests; p95: of all requests), then the lowest and highest of "
            f"the {step} steps in parentheses."
        ),
        Heading(3, "Requests, errors and duration (RED)"),
        Table(("service", "requests", "error rate", "p95 latency"), rows, frozenset({1, 2, 3}))
        if rows
        else Paragraph("No service sent entry spans in the window."),
        ChartSlot(),
        Heading(3, "CPU, memory and pools"),
    ]
    if not report.resources:
        blocks.append(Paragraph("No service reported CPU, memory or pool metrics."))
        return blocks
    resource_rows = tuple(
        (s.service, s.group, signal_label(s.signal, s.service), value(s.avg, s.unit),
         value(s.low, s.unit), value(s.high, s.unit))
        for s in report.resources
    )  # fmt: skip
    blocks.append(
        Table(
            ("service", "kind", "metric", "avg", "min", "max"),
            resource_rows,
            frozenset({3, 4, 5}),
            tuple(s.series for s in report.resources),
        )
    )
    return blocks


def _hypothesis_ref(h: HypothesisSummary | None) -> str:
    return f"#{h.rank} {h.kind} ({h.confidence:.2f})" if h else ""


def _anomalies(report: Report) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Recent anomalies", "anomalies")]
    if not report.anomalies:
        blocks.append(Paragraph("No anomaly in the window."))
        return blocks
    ranked = report.diagnosis.hypotheses  # best first

    def about(a: AnomalySummary) -> HypothesisSummary | None:
        return next((h for h in ranked if h.service in (a.service, a.dependency)), None)

    same_day = short_time(report.start_ns)[:10] == short_time(report.end_ns - 1)[:10]
    rows = tuple(
        (
            short_time(a.onset_ns)[11 if same_day else 0 :],
            a.service,
            signal_label(a.series, a.service),
            f"{a.direction} {value(a.baseline, a.unit)} → {value(a.observed, a.unit)}",
            f"{a.score:.1f}", ", ".join(a.voters),
            _hypothesis_ref(about(a)),
        )
        for a in report.anomalies[:MAX_ANOMALIES]
    )  # fmt: skip
    shown = min(len(report.anomalies), MAX_ANOMALIES)
    blocks.append(
        Paragraph(
            f"Newest first; {shown} of {len(report.anomalies)} shown"
            + (
                f"; {plural(report.recurring_anomalies, 'recurring pattern')} "
                "(periodic, time of day) left out"
                if report.recurring_anomalies
                else ""
            )
            + (f"; onsets on {short_time(report.start_ns)[:10]}" if same_day else "")
            + ". Hypothesis: the best-ranked hypothesis about the service "
            "(or, for calls, the callee)."
        )
    )
    headers = ("onset", "service", "series", "change", "score", "detectors", "hypothesis")
    blocks.append(Table(headers, rows, frozenset({4})))
    return blocks


def _hypothesis(h: HypothesisSummary) -> list[Block]:
    blocks: list[Block] = [
        Heading(3, f"#{h.rank} {h.kind} in {h.service}, confidence {h.confidence:.2f}"),
        Paragraph(h.statement + f" (onset {short_time(h.onset_ns)})"),
    ]
    if h.impact:
        blocks.append(Paragraph(f"Impact: {h.impact}"))
    if h.evidence:
        blocks += [Paragraph("Evidence:"), Bullets(h.evidence)]
    if h.steps:
        blocks += [Paragraph("First steps:"), Bullets(h.steps[:MAX_STEPS], ordered=True)]
    if h.stabilize:
        blocks += [Paragraph("Stabilize:"), Bullets(h.stabilize)]
    return blocks


def _diagnosis(title: str, anchor: str, diagnosis: DiagnosisSummary, top: int) -> list[Block]:
    seconds = (diagnosis.end_ns - diagnosis.start_ns) / 1e9
    window = (
        f"Window {short_time(diagnosis.start_ns)} to {short_time(diagnosis.end_ns)} "
        f"({duration(seconds)}, steps of {duration(diagnosis.step_s)}, "
        f"{diagnosis.series_count} series); onset "
        + (short_time(diagnosis.onset_ns) if diagnosis.onset_ns is not None else "none found")
        + "."
    )
    blocks: list[Block] = [Heading(2, title, anchor), Paragraph(window)]
    if not diagnosis.hypotheses:
        blocks.append(Paragraph("No hypothesis: no series moved enough to single out a cause."))
        return blocks
    for h in diagnosis.hypotheses[:top]:
        blocks += _hypothesis(h)
    rest = diagnosis.hypotheses[top:]
    if rest:
        also = "; ".join(f"#{h.rank} {h.kind} in {h.service} ({h.confidence:.2f})" for h in rest)
        blocks.append(Paragraph(f"Also considered: {also}."))
    return blocks


def _errors_and_logs(report: Report) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Error groups", "errors")]
    if report.error_groups:
        rows = tuple(
            (count(g.count), g.level, ", ".join(g.services), code(one_line(g.title, TITLE_WIDTH)),
             "regressed" if g.is_regression else "new" if g.is_new else "")
            for g in report.error_groups[:MAX_ERROR_GROUPS]
        )  # fmt: skip
        blocks += [
            Paragraph(f"Most events first; {len(rows)} of {len(report.error_groups)} groups."),
            Table(("events", "level", "services", "title", "flag"), rows, frozenset({0})),
        ]
    else:
        blocks.append(Paragraph("No error events in the window."))
    if report.new_templates:
        rows = tuple(
            (t.service, t.severity, count(t.count), short_time(t.first_seen_ns),
             code(one_line(t.template, TITLE_WIDTH)))
            for t in report.new_templates[:MAX_TEMPLATES]
        )  # fmt: skip
        blocks += [
            Heading(2, "New log templates", "templates"),
            Paragraph(
                f"First seen inside the window; {len(rows)} of "
                f"{len(report.new_templates)}, most lines first."
            ),
            Table(("service", "severity", "lines", "first seen", "template"), rows, frozenset({2})),
        ]
    return blocks


def _recommendations(report: Report) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Recommendations", "recommendations")]
    if not report.recommendations:
        blocks.append(Paragraph("None: no hypothesis, anomaly, error group or log template "
                                "in the window calls for action."))  # fmt: skip
        return blocks
    items = tuple(
        f"{r.service}: {r.action}."
        + (f" Start with: {r.check}." if r.check else "")
        + f" Why: {r.basis}"
        for r in report.recommendations
    )
    blocks.append(Bullets(items, ordered=True))
    return blocks


def report_blocks(report: Report) -> list[Block]:
    """The whole report, top to bottom."""
    seconds = (report.end_ns - report.start_ns) / 1e9
    blocks: list[Block] = [
        Heading(1, "nightcall debug report"),
        Paragraph(
            f"Window {short_time(report.start_ns)} to {short_time(report.end_ns)} "
            f"({duration(seconds)}); generated {short_time(report.generated_ns)}."
        ),
        *_summary(report),
        *_events(report),
        *_metrics(report),
        *_anomalies(report),
        *_diagnosis("Hypotheses", "hypotheses", report.diagnosis, MAX_HYPOTHESES),
    ]
    if report.recent is not None:
        blocks += _diagnosis("Hypotheses, last hour", "recent", report.recent, MAX_HYPOTHESES)
    blocks += [*_errors_and_logs(report), *_recommendations(report)]
    if report.notes:
        blocks += [Heading(2, "Notes", "notes"), Bullets(report.notes)]
    return blocks

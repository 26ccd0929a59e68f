"""From API answers to a report: exact counts per service, the window's history, empty windows."""

from __future__ import annotations

import dataclasses

import pytest

from nightcall.cli.report import Report, build_report, render_html, render_text
from nightcall.cli.report.build import log_level
from tests.cli.report.sample import END_NS, GENERATED_NS, START_NS, sample_inputs


def test_error_events_are_counted_exactly_per_service(report: Report) -> None:
    """A group several services share counts for each by the per-service answers, not twice."""
    events = {s.service: (s.error_events, s.error_groups) for s in report.services}
    assert events == {"checkout": (8, 2), "payment": (47, 2)}
    assert report.totals().error_events == 55
    assert report.totals().error_groups == 3


def test_log_lines_are_counted_by_normalized_severity(report: Report) -> None:
    """Template counts add up per service under the severity their text names."""
    payment = next(s for s in report.services if s.service == "payment")
    assert payment.log_lines == (("error", 96), ("info", 1500))
    assert [log_level(t) for t in ("WARNING", "Critical", "err", "notice", "", "TRACE2")] == [
        "warn", "fatal", "error", "info", "other", "trace"]  # fmt: skip


def test_red_summaries_average_the_window_and_range_the_steps(report: Report) -> None:
    """The average is the window's own figure; min and max come from the steps."""
    payment = {s.signal: s for s in report.red if s.service == "payment"}
    assert payment["error_rate"].avg == pytest.approx(0.1)
    assert payment["error_rate"].high == pytest.approx(0.2)
    assert payment["latency_p95"].series.values == (300.0, 310.0, 1400.0, 1350.0)
    assert payment["requests"].low == payment["requests"].high == pytest.approx(0.5)


def test_recommendations_rest_on_the_data(report: Report) -> None:
    """The confident hypothesis comes first with its stabilization; the callee's hypothesis
    explains the caller's failing calls; the weak one leaves checkout's warnings unexplained."""
    first, second, *rest = report.recommendations
    assert (first.service, first.action) == ("payment", "Renew and deploy the certificate")
    assert "certificate_expiry" in first.basis
    assert second.service == "checkout"
    assert "log_warnings" in second.action
    assert "call_error_rate" not in second.action
    assert {r.service for r in rest} == {"checkout", "payment"}


def test_without_history_nothing_is_called_new() -> None:
    """When no template predates the window, new flags say nothing: none shows; a note says so."""
    inputs = sample_inputs()
    templates = [{**t, "first_seen_unix_nano": START_NS + 1} for t in inputs.templates]
    report = build_report(dataclasses.replace(inputs, templates=templates),
                          generated_ns=GENERATED_NS)  # fmt: skip
    assert report.new_templates == ()
    assert not any(g.is_new for g in report.error_groups)
    assert any("nothing was stored before the window" in n for n in report.notes)
    assert not any("Triage the new" in r.action for r in report.recommendations)


def test_an_empty_window_still_reports() -> None:
    """No data at all gives a report that says so in every section, in text and HTML."""
    window = {"start_unix_nano": START_NS, "end_unix_nano": END_NS, "step_s": 30.0}
    inputs = dataclasses.replace(
        sample_inputs(), services=[], red_steps=[[], [], [], []], metrics=[],
        anomalies={"anomalies": []}, hypotheses={"hypotheses": [], "window": window},
        errors={"errors": [], "events_total": 0}, errors_by_service={}, templates=[],
    )  # fmt: skip
    report = build_report(inputs, generated_ns=GENERATED_NS)
    text = render_text(report)
    for expected in ("0 services sent 0 spans", "No anomaly in the window.",
                     "No hypothesis: no series moved enough", "No error events in the window.",
                     "None: no hypothesis, anomaly, error group or log template"):  # fmt: skip
        assert expected in text
    assert "<svg" not in render_html(report)


def test_logs_without_templates_are_not_reported_as_zero() -> None:
    """Log records stored before template mining cannot be counted: the report says so instead
    of printing zero lines."""
    inputs = dataclasses.replace(sample_inputs(), templates=[], untemplated_logs=True)
    report = build_report(inputs, generated_ns=GENERATED_NS)
    text = render_text(report)
    assert "log lines (not counted, see the notes)" in text
    assert "0 log lines" not in text
    assert any("carry no template" in note for note in report.notes)

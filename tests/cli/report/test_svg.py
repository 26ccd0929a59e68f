"""Charts drawn as inline SVG: lines with gaps, merged shades, marks and labels."""

from __future__ import annotations

from nightcall.cli.report.model import StepSeries
from nightcall.cli.report.svg import Mark, Shade, line_chart, merge_shades, sparkline

SECOND_NS = 1_000_000_000


def _series(values: list[float | None]) -> StepSeries:
    return StepSeries(start_ns=0, step_ns=10 * SECOND_NS, values=tuple(values))


def test_a_missing_value_breaks_the_line_and_a_lone_point_is_a_dot() -> None:
    """None splits the path into runs; a run of one point still draws (a zero-length segment)."""
    svg = sparkline(_series([1.0, 2.0, None, 3.0]), end_ns=40 * SECOND_NS)
    path = svg.split(' d="')[1].split('"')[0]
    assert path.count("M") == 2
    assert path.endswith("l0,0")


def test_a_series_without_data_draws_no_line() -> None:
    """An empty series gives the frame and labels, no path, and says it has no data."""
    svg = line_chart(_series([None, None]), end_ns=20 * SECOND_NS, title="p95",
                     label=str, time_label=str)  # fmt: skip
    assert "<path" not in svg
    assert "max no data" in svg


def test_overlapping_shades_merge_and_keep_their_labels() -> None:
    """Two overlapping windows become one band (fills would stack); strong ones stay apart."""
    shades = [
        Shade(start_ns=0, end_ns=20, label="a"),
        Shade(start_ns=10, end_ns=30, label="b"),
        Shade(start_ns=50, end_ns=60, label="c"),
        Shade(start_ns=5, end_ns=15, label="d", strong=True),
    ]
    merged = merge_shades(shades)
    assert [(s.start_ns, s.end_ns, s.label, s.strong) for s in merged] == [
        (0, 30, "a; b", False), (50, 60, "c", False), (5, 15, "d", True)]  # fmt: skip


def test_chart_places_marks_and_escapes_labels() -> None:
    """A mark at the middle of the window is drawn at the middle of the plot, with its tooltip."""
    svg = line_chart(_series([1.0, 4.0]), end_ns=20 * SECOND_NS, title="<rate>",
                     label=lambda v: f"{v:g}/s", time_label=lambda t: f"t{t // SECOND_NS}",
                     marks=[Mark(time_ns=10 * SECOND_NS, label="onset & more")],
                     width=204)  # fmt: skip
    assert '<line class="mark" x1="102.0"' in svg
    assert "<title>onset &amp; more</title>" in svg
    assert "&lt;rate&gt;" in svg
    assert "<rate>" not in svg
    assert "max 4/s" in svg
    assert ">t0<" in svg
    assert ">t20<" in svg

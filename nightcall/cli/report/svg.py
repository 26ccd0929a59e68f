"""Inline SVG charts drawn from step series: a line chart with shaded windows and marked moments,
and a bare sparkline. No script and no external reference: the markup is the whole chart.

Colours come from CSS classes (`line`, `shade`, `shade-strong`, `mark`, `axis`) that the page
styles, so one chart reads in light and dark mode alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from nightcall.cli.report.model import StepSeries


@dataclass(frozen=True, slots=True, kw_only=True)
class Shade:
    """A time range to shade: an anomaly's window (`strong`: on this very series)."""

    start_ns: int
    end_ns: int
    label: str
    strong: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    """A moment to draw as a vertical line: an onset."""

    time_ns: int
    label: str


def merge_shades(shades: Sequence[Shade], *, max_labels: int = 3) -> list[Shade]:
    """Overlapping shades of the same strength as one (translucent fills would stack into
    darker bands that mean nothing), their labels joined."""
    merged: list[Shade] = []
    for strong in (False, True):
        group = sorted((s for s in shades if s.strong == strong), key=lambda s: s.start_ns)
        runs: list[list[Shade]] = []
        for shade in group:
            if runs and shade.start_ns <= max(s.end_ns for s in runs[-1]):
                runs[-1].append(shade)
            else:
                runs.append([shade])
        for run in runs:
            labels = [s.label for s in run]
            more = len(labels) - max_labels
            label = "; ".join(labels[:max_labels]) + (f"; and {more} more" if more > 0 else "")
            merged.append(Shade(start_ns=run[0].start_ns, end_ns=max(s.end_ns for s in run),
                                label=label, strong=strong))  # fmt: skip
    return merged


def _runs(
    series: StepSeries, end_ns: int, width: float, height: float
) -> list[list[tuple[float, float]]]:
    """The series as runs of (x, y) points (a missing value breaks the run), in a box of
    `width` by `height` with the origin top left; y spans 0 (or the lowest value) to the top."""
    present = series.present()
    if not present:
        return []
    low, high = min(0.0, *present), max(present)
    span_y = (high - low) or 1.0
    span_x = (end_ns - series.start_ns) or 1
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(series.values):
        if v is None or not math.isfinite(v):
            runs.append([])
            continue
        x = min(width, (i + 0.5) * series.step_ns / span_x * width)
        runs[-1].append((x, height - (v - low) / span_y * height))
    return [r for r in runs if r]


def _path(runs: list[list[tuple[float, float]]], dx: float, dy: float) -> str:
    """SVG path data; a lone point becomes a dot (a zero-length segment with round caps)."""
    return " ".join(
        "M"
        + " L".join(f"{x + dx:.1f},{y + dy:.1f}" for x, y in run)
        + (" l0,0" if len(run) == 1 else "")
        for run in runs
    )


def sparkline(series: StepSeries, *, end_ns: int, width: int = 120, height: int = 24) -> str:
    """A small line with no axes, for a table cell."""
    runs = _runs(series, end_ns, width - 2, height - 4)
    line = f'<path class="line" d="{_path(runs, 1, 2)}"/>' if runs else ""
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="trend">{line}</svg>'
    )


def line_chart(
    series: StepSeries,
    *,
    end_ns: int,
    title: str,
    label: Callable[[float], str],
    time_label: Callable[[int], str],
    shades: Sequence[Shade] = (),
    marks: Sequence[Mark] = (),
    width: int = 300,
    height: int = 96,
) -> str:
    """A titled line chart over `[series.start_ns, end_ns)`: its highest value labelled at the
    top, the window's first and last times at the bottom, shades behind the line and marks
    across it, each with a tooltip."""
    left, top, right, bottom = 2.0, 16.0, width - 2.0, height - 14.0
    plot_w, plot_h = right - left, bottom - top
    span = (end_ns - series.start_ns) or 1

    def x_of(time_ns: int) -> float:
        return left + max(0.0, min(1.0, (time_ns - series.start_ns) / span)) * plot_w

    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for shade in merge_shades(shades):
        x0, x1 = x_of(shade.start_ns), x_of(shade.end_ns)
        css = "shade-strong" if shade.strong else "shade"
        parts.append(
            f'<rect class="{css}" x="{x0:.1f}" y="{top:.1f}" width="{max(x1 - x0, 1.5):.1f}"'
            f' height="{plot_h:.1f}"><title>{escape(shade.label)}</title></rect>'
        )
    parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>')
    runs = _runs(series, end_ns, plot_w, plot_h)
    if runs:
        parts.append(f'<path class="line" d="{_path(runs, left, top)}"/>')
    for mark in marks:
        x = x_of(mark.time_ns)
        parts.append(
            f'<line class="mark" x1="{x:.1f}" y1="{top - 2:.1f}" x2="{x:.1f}" y2="{bottom:.1f}">'
            f"<title>{escape(mark.label)}</title></line>"
        )
    present = series.present()
    high = label(max(present)) if present else "no data"
    parts += [
        f'<text x="{left}" y="11">{escape(title)}</text>',
        f'<text x="{right}" y="11" text-anchor="end">max {escape(high)}</text>',
        f'<text x="{left}" y="{height - 2}">{escape(time_label(series.start_ns))}</text>',
        f'<text x="{right}" y="{height - 2}" text-anchor="end">{escape(time_label(end_ns))}</text>',
        "</svg>",
    ]
    return "".join(parts)

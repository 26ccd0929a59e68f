"""Numbers, units, times and series names as the report prints them, the same in every format."""

from __future__ import annotations

import re

from nightcall.model import format_time_ns

_BYTE_UNITS = (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))


def short_time(unix_ns: int) -> str:
    """`2026-11-01 03:24:30Z`: seconds are enough to find a moment in a report."""
    return format_time_ns(unix_ns)[:19].replace("T", " ") + "Z"


def clock_time(unix_ns: int) -> str:
    """`03:24`, for chart axes."""
    return format_time_ns(unix_ns)[11:16]


def duration(seconds: float) -> str:
    """`7 d`, `24 h`, `90 min`, `75 s`: the largest unit that divides evenly (days from two on),
    else seconds (under ten minutes) or minutes."""
    for name, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= (2 * size if name == "d" else size) and seconds % size == 0:
            return f"{seconds / size:.0f} {name}"
    return f"{seconds:.0f} s" if seconds < 600 else f"{seconds / 60:.1f} min"


def number(value: float) -> str:
    """About three significant digits, with thousands separators and no exponent."""
    magnitude = abs(value)
    if magnitude >= 100 or value == int(value):
        return f"{value:,.0f}"
    text = (
        f"{value:.1f}" if magnitude >= 10 else f"{value:.2f}" if magnitude >= 1 else f"{value:.3g}"
    )
    return text.rstrip("0").rstrip(".") if "." in text else text


def count(value: int) -> str:
    return f"{value:,}"


def plural(amount: int, one: str, many: str = "") -> str:
    """`1 anomaly`, `3 anomalies`, `2 recurring patterns`."""
    return f"{amount:,} {one if amount == 1 else many or one + 's'}"


def value(amount: float | None, unit: str) -> str:
    """A measured value with its unit: ratios as percentages, bytes in binary units, counters
    per second, OpenTelemetry's `{thing}` annotations as plain words."""
    if amount is None:
        return "-"
    if unit == "1":
        return f"{100 * amount:.1f} %"
    if unit == "%":
        return f"{amount:.1f} %"
    if unit in ("By", "By/s"):
        suffix = "/s" if unit == "By/s" else ""
        for name, size in _BYTE_UNITS:
            if abs(amount) >= size:
                return f"{number(amount / size)} {name}{suffix}"
        return f"{number(amount)} B{suffix}"
    if unit == "1/s":
        return f"{number(amount)}/s"
    words = unit.replace("{", "").replace("}", "")
    if words.endswith("/s") or words in ("ms", "s"):
        return f"{number(amount)} {words}"
    return f"{number(amount)} {words}".rstrip()


def signal_label(series: str, service: str) -> str:
    """A series name without its `service` label, which the row already shows."""
    if not service:
        return series
    text = re.sub(rf',?service="{re.escape(service)}",?', ",", series)
    return text.replace("{,", "{").replace(",}", "}").replace("{}", "")


def one_line(text: str, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def code(text: str) -> str:
    """`text` as a code span (a backtick inside becomes a quote, so the span stays one)."""
    return "`" + text.replace("`", "'") + "`"

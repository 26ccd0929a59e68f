"""Human output of error groups and release health: the `nightcall errors` tables and views.

Each function takes the API's JSON answer, so `--json` and the table show the same records.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

SPARK_BARS = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 30


def _table(title: str, headers: list[str], *, numeric: set[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for header in headers:
        table.add_column(header, justify="right" if header in numeric else "left")
    return table


def _short_time(text: str | None) -> str:
    """`2026-11-23T08:00:00.000000000Z` as `11-23 08:00`: a day and minute fit a narrow column."""
    return f"{text[5:10]} {text[11:16]}" if text else "-"


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


def flags_text(group: dict[str, Any]) -> str:
    """`new`, `new in REL` (a deploy brought it) or `regressed (2d quiet)`; else `-`."""
    reason = group["regression_reason"]
    if reason == "new_in_release":
        return f"new in {group['first_release']}"
    if reason == "returned_after_quiet":
        return f"regressed ({_duration(group['quiet_before_s'])} quiet)"
    return "new" if group["is_new"] else "-"


def sparkline(counts: list[int], *, width: int = SPARK_WIDTH) -> str:
    """Counts as bars, summed into at most `width` cells; an empty bucket is a space."""
    if not counts:
        return ""
    per_cell = -(-len(counts) // width)
    cells = [sum(counts[i : i + per_cell]) for i in range(0, len(counts), per_cell)]
    top = max(cells)
    if top == 0:
        return " " * len(cells)
    last = len(SPARK_BARS) - 1
    return "".join(" " if c == 0 else SPARK_BARS[c * last // top] for c in cells)


def error_groups_table(answer: dict[str, Any]) -> Table:
    """One row per group: its title over its fingerprint (what `errors show` takes), counts,
    first and last seen, the latest release and the flags."""
    headers = ["group", "events", "users", "first seen", "last seen", "release", "flags"]
    title = "Error groups"
    if answer.get("truncated"):
        title += f" (the newest {answer['events_analysed']} of {answer['events_total']} events)"
    table = _table(title, headers, numeric={"events", "users"})
    table.columns[0].min_width = 32  # a fingerprint is 32 hex digits: fold it, never cut it
    table.columns[0].overflow = "fold"
    for column in table.columns[3:5]:
        column.no_wrap = True
    for column in table.columns[5:]:
        column.max_width = 22  # long release names wrap here rather than squeeze the title
    for g in answer["errors"]:
        releases = g["releases"]
        release = (releases[-1] + (f" +{len(releases) - 1}" if len(releases) > 1 else "")
                   if releases else "-")  # fmt: skip
        table.add_row(
            f"{g['title']}\n{g['fingerprint']}",
            str(g["count"]),
            str(g["users"]),
            _short_time(g["first_seen"]),
            _short_time(g["last_seen"]),
            release,
            flags_text(g),
        )
    return table


def error_group_view(group: dict[str, Any]) -> Group:
    """One group: what, where, how often and for whom, what led to it, and its tag values."""
    culprit = group["culprit"]
    impact = group["impact"]
    step = group["series"]["step_s"]
    lines = [
        f"[bold]{group['title']}[/bold]",
        f"{group['fingerprint']}  level={group['level']}  flags={flags_text(group)}",
        f"culprit: {culprit['text'] if culprit else '-'}",
        f"events: {group['count']}  users: {group['users']} ({_percent(impact['user_share'])} "
        f"of {impact['users_seen'] if impact['users_seen'] is not None else '?'})  "
        f"devices: {group['devices']}",
        f"first seen: {group['first_seen']}  last seen: {group['last_seen']}",
        f"releases: {', '.join(group['releases']) or '-'}  "
        f"environments: {', '.join(group['environments']) or '-'}  "
        f"services: {', '.join(group['services']) or '-'}",
        f"trend ({_duration(step)} per bar, up to {SPARK_WIDTH} bars): "
        f"|{sparkline(group['series']['counts'])}|",
    ]
    crumbs = group["breadcrumbs"]
    if crumbs:
        lines.append(
            f"breadcrumbs before the crash ({100 * crumbs['share']:.0f}% of events): "
            + " > ".join(crumbs["trail"])
        )
    tags = _table("Tags", ["tag", "top values"], numeric=set())
    for key, values in group["tags"].items():
        tags.add_row(key, ", ".join(f"{v['value']} ({v['count']})" for v in values))
    samples = "latest events (`nightcall errors event ID`): " + " ".join(group["sample_event_ids"])
    return Group("\n".join(lines), tags, samples)


def releases_table(answer: dict[str, Any]) -> Table:
    """One line per (service, release): events, groups, new groups, users, crash-free rate."""
    headers = ["service", "release", "first seen", "events", "groups", "new", "users",
               "sessions", "crash-free"]  # fmt: skip
    table = _table("Releases", headers, numeric=set(headers[3:]))
    for r in answer["releases"]:
        sessions = r["sessions"]
        table.add_row(
            r["service"] or "-",
            r["release"] or "-",
            _short_time(r["first_seen"]),
            str(r["events"]),
            str(r["groups"]),
            str(r["new_groups"]),
            str(r["users"]),
            str(sessions["started"]) if sessions else "-",
            _percent(r["crash_free_rate"]),
        )
    return table

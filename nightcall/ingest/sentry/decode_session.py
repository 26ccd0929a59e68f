"""Sentry release-health sessions → `sentry.sessions` delta sums (the crash-free rate's input).

Each point counts sessions with one `status` attribute: `started` for every new session, and
`exited`, `errored`, `abnormal` or `crashed` for every session that ended so. The crash-free
rate is then `1 - crashed / started`. A `session` item counts once when it starts (`init`) and
once when it ends (a status other than `ok`; `exited` with errors counts as `errored`, as
Sentry does); a `sessions` item carries ready aggregates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nightcall.ingest.metric_points import MetricResource, Sum, Temporality
from nightcall.ingest.sentry.decode_event import text, timestamp_ns

METRIC = "sentry.sessions"
END_STATUSES = ("exited", "errored", "abnormal", "crashed")


def _attributes(attrs: Any, status: str) -> dict[str, str]:
    found = attrs if isinstance(attrs, Mapping) else {}
    labels = {"status": status}
    for key in ("release", "environment"):
        if found.get(key):
            labels[key] = text(found[key])
    return labels


def _point(
    resource: MetricResource, attrs: Any, status: str, count: int, start_ns: int, time_ns: int
) -> Sum:
    return Sum(
        resource=resource,
        name=METRIC,
        time_ns=time_ns,
        start_ns=min(start_ns, time_ns),
        attributes=_attributes(attrs, status),
        unit="{session}",
        description="Sentry sessions by status: started, exited, errored, abnormal, crashed",
        value=float(count),
        temporality=Temporality.DELTA,
    )


def session_points(
    item_type: str, session: Mapping[str, Any], *, project_id: str, received_ns: int
) -> list[Sum]:
    """The points of one `session` or `sessions` item payload."""
    resource = MetricResource(
        service=f"sentry-project-{project_id}", attributes={"sentry.project": project_id}
    )
    attrs = session.get("attrs")
    if item_type == "sessions":
        points = []
        aggregates = session.get("aggregates")
        for bucket in aggregates if isinstance(aggregates, list) else []:
            if not isinstance(bucket, Mapping):
                continue
            start_ns = timestamp_ns(bucket.get("started"), default_ns=received_ns)
            counts: dict[str, int] = {}
            for status in END_STATUSES:
                count = bucket.get(status)
                if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                    counts[status] = count
            total = sum(counts.values())
            if total:
                points.append(_point(resource, attrs, "started", total, start_ns, start_ns))
            points += [_point(resource, attrs, s, c, start_ns, start_ns) for s, c in counts.items()]
        return points
    start_ns = timestamp_ns(session.get("started"), default_ns=received_ns)
    time_ns = timestamp_ns(session.get("timestamp"), default_ns=received_ns)
    status = text(session.get("status")).lower() or "ok"
    errors = session.get("errors")
    if status == "exited" and isinstance(errors, int) and errors > 0:
        status = "errored"  # as Sentry counts it: a session that ended after errors
    points = []
    if session.get("init") is True:
        points.append(_point(resource, attrs, "started", 1, start_ns, start_ns))
    if status in END_STATUSES:
        points.append(_point(resource, attrs, status, 1, start_ns, time_ns))
    return points

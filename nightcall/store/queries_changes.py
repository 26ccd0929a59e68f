"""Change events read from the telemetry: a service's new version (a deploy) or new instance.

Every span, log line and metric point carries its resource, so the first time a
`service.version` or a `service.instance.id` appears is when it started. A version first seen
inside the window, after another version of the same service, is a deploy; an instance first
seen inside the window, after another instance of the same service, is a restart (or a scale
out, which telemetry alone cannot tell apart). Looking back before the window finds what was
running when it began.
"""

from __future__ import annotations

from collections import defaultdict

from nightcall.model import ChangeEvent, ChangeKind
from nightcall.store.queries_traces import Window
from nightcall.store.schema import GAUGE, LOGS, SUM, TRACES
from nightcall.store.store import Store

LOOKBACK_NS = 3600 * 1_000_000_000
REPLACE_NS = 900 * 1_000_000_000  # a rollout that takes longer than this is not seen as one
MIN_RECORDS = 20
_SOURCES = ((TRACES.name, "Timestamp"), (LOGS.name, "Timestamp"), (GAUGE.name, "TimeUnix"),
            (SUM.name, "TimeUnix"))  # fmt: skip


def change_events(store: Store, window: Window) -> list[ChangeEvent]:
    """Deploys and restarts that began inside `window`, oldest first."""
    wide = Window(start_ns=window.start_ns - LOOKBACK_NS, end_ns=window.end_ns)
    parts = [
        f"""SELECT ServiceName AS service,
                   ResourceAttributes['service.version'] AS version,
                   ResourceAttributes['service.instance.id'] AS instance,
                   toUnixTimestamp64Nano(min({column})) AS first_ns,
                   toUnixTimestamp64Nano(max({column})) AS last_ns, count() AS n
            FROM {store.table(table)} WHERE {wide.sql(column)} AND ServiceName != ''
            GROUP BY service, version, instance"""
        for table, column in _SOURCES
    ]
    rows = store.select(
        "SELECT service, version, instance, min(first_ns) AS first_ns, max(last_ns) AS last_ns,"
        " sum(n) AS n"
        " FROM ("
        + " UNION ALL ".join(parts)
        + ") GROUP BY service, version, instance ORDER BY service, first_ns"
    )
    by_service: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    last_seen: dict[tuple[str, str], int] = {}
    records: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        service, version = str(row["service"]), str(row["version"])
        by_service[service].append((int(row["first_ns"]), version, str(row["instance"])))
        last_seen[(service, version)] = max(
            last_seen.get((service, version), 0), int(row["last_ns"])
        )
        records[(service, version)] += int(row["n"])
    events: list[ChangeEvent] = []
    for service, seen in by_service.items():
        # Too few records to tell a rollout from sparse sampling (a client app's rare events).
        steady = {
            v: t
            for (s, v), t in last_seen.items()
            if s == service and records[(s, v)] >= MIN_RECORDS
        }
        events.extend(_service_changes(service, sorted(seen), window, steady))
    events.sort(key=lambda e: (e.time_ns, e.service))
    return events


def _service_changes(
    service: str, seen: list[tuple[int, str, str]], window: Window, last_ns: dict[str, int]
) -> list[ChangeEvent]:
    events = []
    versions: list[str] = []
    instances: set[str] = set()
    for first_ns, version, instance in seen:
        is_inside = window.start_ns < first_ns < window.end_ns
        if version not in versions:
            # A deploy replaces: the version before stops within a while. Versions that keep
            # reporting side by side (a mobile app's releases in the field) are not deploys.
            replaced = (
                bool(versions)
                and version in last_ns
                and all(v in last_ns and last_ns[v] <= first_ns + REPLACE_NS for v in versions)
            )
            if versions and is_inside and replaced:
                events.append(
                    ChangeEvent(
                        kind=ChangeKind.DEPLOY,
                        service=service,
                        time_ns=first_ns,
                        detail=f"{service} version {versions[-1]} -> {version}",
                        previous=versions[-1],
                        current=version,
                        instance=instance,
                    )
                )
            versions.append(version)
        elif instance not in instances and instances and is_inside and instance:
            events.append(
                ChangeEvent(
                    kind=ChangeKind.RESTART,
                    service=service,
                    time_ns=first_ns,
                    detail=f"{service} new instance {instance[:12]} (version {version})",
                    current=version,
                    instance=instance,
                )
            )
        instances.add(instance)
    return events

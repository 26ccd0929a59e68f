"""Template ids for stored log records: mine each `otel_logs` batch, add a `TemplateId` column.

    templater = LogTemplater(generation="5f0c9a1e")
    batch = templater.template_batch(batch)        # the same rows, plus TemplateId
    rows = templater.template_rows(now_ns=..., include_counts=True)  # nightcall_log_templates

Pure: batches in, batches out, state as JSON-able data (`snapshot`/`restore`); the writer step
that calls it (`nightcall.api.log_templating`) decides when to save and what to restore. Bodies
are mined per service with a `TemplateRegistry`, in row order, so the same batches in the same
order give the same ids (what makes a WAL replay after a crash give the ids the crash lost).

A stored id is global: a 64-bit hash of the templater's `generation`, the service and the
miner's per-service id (`global_template_id`), never 0 (0 in `TemplateId` means "not mined").
The generation is drawn once when a data directory starts mining, so a templater that had to
start afresh (its state lost) cannot reuse the ids of templates already stored.

`template_rows` gives the rows that changed for `nightcall_log_templates`: a template when it
is created, when its text changes or when it is merged into another (its `LiveTemplateId`
then names the template it merged into) at once, and its counts and last-seen time only when
the caller asks (`include_counts`, every few seconds), so the table grows with the templates,
not with the lines.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from nightcall.analysis.logs.miner import MinerConfig, TemplateRegistry
from nightcall.model import EncodedBatch
from nightcall.store.schema import LOG_TEMPLATES, LOGS

TEMPLATE_COLUMN = "TemplateId"
MAX_BODY_CHARS = 2048  # a longer body is mined by its start: masking is linear in the length
SNAPSHOT_VERSION = 1


def global_template_id(generation: str, service: str, miner_id: int) -> int:
    """The stored id of a service's template: 64 bits, never 0."""
    key = f"{generation}\x00{service}\x00{miner_id}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") or 1


@dataclass(slots=True)
class _Seen:
    """What the templates table says of one template id; `written` is False once it changed."""

    global_id: int
    first_ns: int
    last_ns: int
    count: int
    text: str
    live_id: int
    written: bool = False
    counted: bool = True  # False once a line came since the counts were last written


class LogTemplater:
    """Mines `otel_logs` batches into template ids and keeps the templates table's rows."""

    def __init__(self, *, generation: str, config: MinerConfig | None = None) -> None:
        self.generation = generation
        self.registry = TemplateRegistry(config)
        self.lines_mined = 0
        self._seen: dict[str, dict[int, _Seen]] = {}

    def template_batch(self, batch: EncodedBatch) -> EncodedBatch:
        """`batch` with a `TemplateId` column; other tables and mined batches pass unchanged."""
        if batch.table != LOGS.name or TEMPLATE_COLUMN in batch.columns or not batch.rows:
            return batch
        data = orjson.loads(batch.payload)
        index = {name: i for i, name in enumerate(batch.columns)}
        services = data[index["ServiceName"]]
        bodies = data[index["Body"]]
        times = data[index["TsNs"]]
        ids = self._mine(services, bodies, times)
        payload = batch.payload.rstrip()
        if payload.endswith(b"]"):  # append the column without re-encoding the others
            payload = payload[:-1] + b"," + orjson.dumps(ids) + b"]"
        else:
            payload = orjson.dumps([*data, ids])
        return EncodedBatch(
            table=batch.table,
            columns=(*batch.columns, TEMPLATE_COLUMN),
            payload=payload,
            rows=batch.rows,
        )

    def _mine(self, services: list[str], bodies: list[str], times: list[int]) -> list[int]:
        ids: list[int] = []
        append = ids.append
        touched: set[str] = set()
        # Rows come in runs of one service (a request's records are grouped by resource): the
        # miner and the service's templates are looked up once per run, not once per line.
        run_service: str | None = None
        add: Callable[[str], tuple[int, str]]
        per_service: dict[int, _Seen]
        for service, body, time_ns in zip(services, bodies, times, strict=True):
            if service != run_service:
                run_service = service
                touched.add(service)
                add = self.registry.miner(service).add
                per_service = self._seen.setdefault(service, {})
            miner_id, text = add(body if len(body) <= MAX_BODY_CHARS else body[:MAX_BODY_CHARS])
            seen = per_service.get(miner_id)
            if seen is None:
                global_id = global_template_id(self.generation, service, miner_id)
                seen = per_service[miner_id] = _Seen(global_id, time_ns, time_ns, 0, text,
                                                     global_id)  # fmt: skip
            elif seen.text != text:
                seen.text = text
                seen.written = False
            seen.count += 1
            seen.counted = False
            if time_ns < seen.first_ns:
                seen.first_ns = time_ns
                seen.written = False
            seen.last_ns = max(seen.last_ns, time_ns)
            append(seen.global_id)
        self.lines_mined += len(ids)
        for service in touched:
            self._follow_merges(service)
        return ids

    def _follow_merges(self, service: str) -> None:
        """Point an id merged into another template at it, with that template's text."""
        miner = self.registry.miner(service)
        per_service = self._seen[service]
        for miner_id, seen in per_service.items():
            live = miner.resolve(miner_id)
            if live == miner_id:
                continue
            target = per_service.get(live)
            live_id = target.global_id if target is not None else seen.live_id
            text = target.text if target is not None else seen.text
            if (seen.live_id, seen.text) != (live_id, text):
                seen.live_id, seen.text, seen.written = live_id, text, False

    def template_rows(self, *, now_ns: int, include_counts: bool) -> EncodedBatch | None:
        """Rows for `nightcall_log_templates` that changed; None when none did.

        New, re-worded and merged templates always; templates that only took lines when
        `include_counts` is true.
        """
        columns: list[list[Any]] = [[] for _ in LOG_TEMPLATES.insert_columns]
        (service_col, id_col, miner_col, live_col, text_col, first_col, last_col, count_col,
         updated_col) = columns  # fmt: skip
        for service, per_service in self._seen.items():
            for miner_id, seen in per_service.items():
                if seen.written and (seen.counted or not include_counts):
                    continue
                seen.written = seen.counted = True
                service_col.append(service)
                id_col.append(seen.global_id)
                miner_col.append(miner_id)
                live_col.append(seen.live_id)
                text_col.append(seen.text)
                first_col.append(seen.first_ns)
                last_col.append(seen.last_ns)
                count_col.append(seen.count)
                updated_col.append(now_ns)
        if not id_col:
            return None
        return EncodedBatch(
            table=LOG_TEMPLATES.name,
            columns=LOG_TEMPLATES.insert_columns,
            payload=orjson.dumps(columns),
            rows=len(id_col),
        )

    def snapshot(self) -> dict[str, Any]:
        """The templater's whole state as plain JSON-able data (the configuration is not in it)."""
        return {
            "version": SNAPSHOT_VERSION,
            "generation": self.generation,
            "lines_mined": self.lines_mined,
            "miners": self.registry.snapshot(),
            "templates": {
                service: [[mid, s.first_ns, s.last_ns, s.count] for mid, s in per.items()]
                for service, per in self._seen.items()
            },
        }

    @classmethod
    def restore(cls, snapshot: dict[str, Any], config: MinerConfig | None = None) -> LogTemplater:
        """Rebuild a templater from `snapshot()`; every template is written again once.

        Raises:
            ValueError: when the snapshot has another version or is malformed.
        """
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(
                f"log templater snapshot version {snapshot.get('version')!r} is not supported: "
                f"expected {SNAPSHOT_VERSION}"
            )
        try:
            templater = cls(generation=str(snapshot["generation"]), config=config)
            templater.registry = TemplateRegistry.restore(snapshot["miners"], config)
            templater.lines_mined = int(snapshot["lines_mined"])
            for service, items in snapshot["templates"].items():
                miner = templater.registry.miner(service)
                texts = miner.templates()
                per_service = templater._seen[service] = {}
                for miner_id, first_ns, last_ns, count in items:
                    global_id = global_template_id(templater.generation, service, miner_id)
                    text = texts.get(miner.resolve(miner_id), "<*>")
                    per_service[int(miner_id)] = _Seen(
                        global_id, int(first_ns), int(last_ns), int(count), text, global_id,
                        written=False,
                    )  # fmt: skip
                templater._follow_merges(service)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed log templater snapshot: {exc!r}") from exc
        return templater

"""The rules and silences in force: from nightcall.toml, and created through the API.

Rules from the configuration are read-only here (change the file); rules and silences made
through the API are written to the store through the ingest pipeline (the single writer), and
read back on start, so they survive restarts. A write returns once it is in the store.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from nightcall.alerts.silences import Silence, parse_silence
from nightcall.alerts.storage import load_rules, load_silences, rule_batch, silence_batch
from nightcall.config.alert_receivers import AlertReceiver, check_rule_receivers
from nightcall.config.alerts import AlertRule, parse_alert_rule
from nightcall.errors import BadRequest, ConfigError, NotFound, StoreError
from nightcall.model import EncodedBatch
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.store import Store

RuleSource = Literal["config", "api"]
WRITE_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogRule:
    """A rule in force and where it came from."""

    rule: AlertRule
    source: RuleSource


class AlertCatalog:
    """The rules and silences in force, thread-safe, persisted for the API-made ones."""

    def __init__(
        self,
        store: Store,
        pipeline: IngestPipeline,
        *,
        rules: Sequence[AlertRule] = (),
        receivers: Sequence[AlertReceiver] = (),
    ):
        self._store = store
        self._pipeline = pipeline
        self._receivers = tuple(receivers)
        self._config = {r.name: r for r in rules}
        self._api: dict[str, AlertRule] = {}
        self._silences: dict[str, Silence] = {}
        self._lock = threading.Lock()

    def load(self) -> None:
        """Read the API-made rules and the silences from the store."""
        rules, silences = load_rules(self._store), load_silences(self._store)
        with self._lock:
            self._api = {r.name: r for r in rules if r.name not in self._config}
            self._silences = {s.silence_id: s for s in silences}

    def rules(self) -> list[CatalogRule]:
        """Every rule in force, configured ones first, each group by name."""
        with self._lock:
            return [CatalogRule(rule=r, source="config") for r in self._config.values()] + [
                CatalogRule(rule=r, source="api") for _, r in sorted(self._api.items())
            ]

    def rule(self, name: str) -> AlertRule | None:
        with self._lock:
            return self._config.get(name) or self._api.get(name)

    def put_rule(self, raw: object, now_ns: int) -> tuple[AlertRule, bool]:
        """Create (or replace) an API rule from its JSON; returns it and whether it replaced one.

        Raises:
            BadRequest: the rule is invalid, names an unknown receiver, or is configured.
        """
        try:
            rule = parse_alert_rule(raw)
            check_rule_receivers([rule], self._receivers)
        except ConfigError as exc:
            raise BadRequest(exc.message, location=exc.location, hint=exc.hint) from None
        if rule.name in self._config:
            raise BadRequest(
                f"the alert rule {rule.name!r} is defined in nightcall.toml",
                location="name",
                hint="change it in the configuration file, or give this rule another name",
            )
        self._write(rule_batch(rule, now_ns))
        with self._lock:
            replaced = rule.name in self._api
            self._api[rule.name] = rule
        return rule, replaced

    def delete_rule(self, name: str, now_ns: int) -> AlertRule:
        """Delete an API rule; returns it.

        Raises:
            BadRequest: the rule comes from the configuration file.
            NotFound: no rule has that name.
        """
        if name in self._config:
            raise BadRequest(
                f"the alert rule {name!r} is defined in nightcall.toml",
                location="name",
                hint="remove it from the configuration file",
            )
        with self._lock:
            rule = self._api.get(name)
        if rule is None:
            raise NotFound(
                f"no alert rule is named {name!r}",
                location="name",
                hint="list them with GET /api/v1/alerts/rules",
            )
        self._write(rule_batch(rule, now_ns, is_deleted=True))
        with self._lock:
            self._api.pop(name, None)
        return rule

    def silences(self, now_ns: int, *, include_expired: bool = False) -> list[Silence]:
        """Silences not yet expired (or all), ending soonest first."""
        with self._lock:
            found = [s for s in self._silences.values() if include_expired or s.ends_ns > now_ns]
        return sorted(found, key=lambda s: (s.ends_ns, s.silence_id))

    def add_silence(self, raw: object, now_ns: int) -> Silence:
        """Create a silence from its JSON.

        Raises:
            BadRequest: naming the bad field.
        """
        silence = parse_silence(raw, silence_id=secrets.token_hex(8), now_ns=now_ns)
        self._write(silence_batch(silence, now_ns))
        with self._lock:
            self._silences[silence.silence_id] = silence
        return silence

    def delete_silence(self, silence_id: str, now_ns: int) -> Silence:
        """Delete a silence (expired or not); returns it.

        Raises:
            NotFound: no silence has that id.
        """
        with self._lock:
            silence = self._silences.get(silence_id)
        if silence is None:
            raise NotFound(
                f"no silence has the id {silence_id!r}",
                location="id",
                hint="list them with GET /api/v1/alerts/silences",
            )
        self._write(silence_batch(silence, now_ns, is_deleted=True))
        with self._lock:
            self._silences.pop(silence_id, None)
        return silence

    def _write(self, batch: EncodedBatch) -> None:
        """Through the WAL and the writer; returns once the row is in the store."""
        future = self._pipeline.submit((batch,))
        future.result(timeout=WRITE_TIMEOUT_S)
        if not self._pipeline.wait_until_stored(WRITE_TIMEOUT_S):
            raise StoreError(
                f"the {batch.table} row is in the write-ahead log but not yet in the store "
                f"after {WRITE_TIMEOUT_S:g} s",
                hint="it will be stored once the writer catches up; check /healthz writer_lag_s",
            )

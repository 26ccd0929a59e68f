"""One declarative settings table: defaults, help, TOML keys, `NIGHTCALL_*` variables and flags.

Precedence, lowest first: the default, `nightcall.toml`, the environment, command-line flags.
`load_settings` returns the effective values and, for `nightcall config show`, where each came from.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nightcall.config.alert_receivers import (
    AlertReceiver,
    check_rule_receivers,
    parse_alert_receivers,
)
from nightcall.config.alerts import AlertRule, parse_alert_rules
from nightcall.config.probes import ProbeConfig, parse_probes
from nightcall.errors import ConfigError

ENV_PREFIX = "NIGHTCALL_"


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Every setting nightcall reads; the field metadata is the documentation."""

    data_dir: Path = field(
        default=Path("nightcall-data"),
        metadata=_help("Directory of the embedded store, the write-ahead log and the key file."),
    )
    host: str = field(
        default="127.0.0.1",
        metadata=_help("Address to listen on. Anything but loopback requires keys."),
    )
    port: int = field(default=4318, metadata=_help("HTTP port (4318 is OTLP/HTTP's)."))
    store: str = field(
        default="",
        metadata=_help(
            "Empty for the embedded store in data_dir, or clickhouse://user:pass@host:8123/db"
            "[?cluster=NAME] for a ClickHouse server or cluster."
        ),
    )
    database: str = field(default="nightcall", metadata=_help("Database that holds the tables."))
    retention_days: int = field(
        default=30, metadata=_help("Days of telemetry kept (a TTL on every table); 0 keeps all.")
    )
    max_body_bytes: int = field(
        default=16 * 1024 * 1024,
        metadata=_help("Largest request body accepted, compressed, and again after decompression."),
    )
    wal_max_pending_bytes: int = field(
        default=64 * 1024 * 1024,
        metadata=_help("Backlog of acknowledged, not-yet-stored data above which ingest gets 503."),
    )
    wal_segment_bytes: int = field(
        default=32 * 1024 * 1024, metadata=_help("Size at which a WAL segment file is closed.")
    )
    writer_batch_bytes: int = field(
        default=16 * 1024 * 1024, metadata=_help("The writer inserts once this much is waiting.")
    )
    writer_interval_s: float = field(
        default=0.5, metadata=_help("The writer inserts at least this often when data waits.")
    )
    log_templates: bool = field(
        default=True,
        metadata=_help(
            "Mine a template for every stored log record (the writer adds its TemplateId)."
        ),
    )
    diagnosis_interval_s: float = field(
        default=30.0,
        metadata=_help(
            "The server diagnoses the last `diagnosis_window_s` this often and records new"
            " hypotheses; 0 turns continuous diagnosis off."
        ),
    )
    diagnosis_window_s: float = field(
        default=3600.0, metadata=_help("The window each continuous diagnosis looks at.")
    )
    log_level: str = field(default="info", metadata=_help("debug, info, warning or error."))
    statsd_port: int = field(
        default=8125,
        metadata=_help("UDP port for StatsD/DogStatsD, on `host`; 0 turns the listener off."),
    )
    statsd_flush_interval_s: float = field(
        default=10.0, metadata=_help("StatsD samples are aggregated into points this often.")
    )
    statsd_max_series: int = field(
        default=10_000,
        metadata=_help(
            "Most StatsD series per flush interval; samples of more are counted, dropped."
        ),
    )
    statsd_service: str = field(
        default="statsd", metadata=_help("Service of StatsD metrics without a `service:` tag.")
    )
    collect_host: bool = field(
        default=False, metadata=_help("Collect this host's CPU, memory, disk, network, processes.")
    )
    host_interval_s: float = field(
        default=10.0, metadata=_help("How often the host collector samples (collect_host).")
    )
    host_top_processes: int = field(
        default=10, metadata=_help("Processes reported by the host collector, per CPU and memory.")
    )
    probes: tuple[ProbeConfig, ...] = field(
        default=(),
        metadata=_help(
            "HTTP health probes: [[probes]] tables (name, url, interval_s, timeout_s, "
            "expected_status, service); as a variable, a JSON list of such objects."
        ),
    )
    alerts_interval_s: float = field(
        default=30.0,
        metadata=_help("Alert rules are evaluated this often; 0 turns alerting off."),
    )
    alerts: tuple[AlertRule, ...] = field(
        default=(),
        metadata=_help(
            "Alert rules: [[alerts]] tables (see docs/alerts.md); as a variable, a JSON list."
            " Rules created through the API are kept in the store and added to these."
        ),
    )
    alert_receivers: tuple[AlertReceiver, ...] = field(
        default=(),
        metadata=_help(
            "Where alerts go: [[alert_receivers]] tables (name, url: http(s) webhook or file://"
            " JSON lines, format: json or slack, timeout_s, max_attempts, backoff_s, headers)."
        ),
    )
    diagnostics_enabled: str = field(
        default="auto",
        metadata=_help(
            "Whether the API may run allow-listed diagnostics (POST /api/v1/diagnostics/run):"
            " auto (only when listening on loopback), true or false."
        ),
    )
    diagnostics_allowed_hosts: str = field(
        default="",
        metadata=_help(
            "Comma-separated hosts that http_probe and tls_certificate may connect to, besides"
            " loopback."
        ),
    )

    def is_loopback(self) -> bool:
        """Whether `host` is reachable only from this machine."""
        return self.host in {"127.0.0.1", "localhost", "::1"} or self.host.startswith("127.")


def setting_fields() -> tuple[dataclasses.Field[Any], ...]:
    """The settings table, in declaration order."""
    return dataclasses.fields(Settings)


def env_name(name: str) -> str:
    """The environment variable that overrides setting `name`."""
    return ENV_PREFIX + name.upper()


_TABLE_PARSERS: dict[str, Callable[[object], object]] = {
    "probes": parse_probes, "alerts": parse_alert_rules, "alert_receivers": parse_alert_receivers
}  # fmt: skip
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _convert(name: str, raw: object) -> object:
    target = next(f for f in setting_fields() if f.name == name).type
    if name in _TABLE_PARSERS:
        return _TABLE_PARSERS[name](raw)
    try:
        if target in ("bool", bool):
            if isinstance(raw, bool):
                return raw
            if str(raw).strip().lower() in _TRUE | _FALSE:
                return str(raw).strip().lower() in _TRUE
            raise ValueError("use true or false")
        if target in ("int", int):
            if isinstance(raw, bool):
                raise ValueError("a boolean is not a number")
            return int(str(raw))
        if target in ("float", float):
            return float(str(raw))
        if target in ("Path", Path):
            return Path(str(raw))
        if isinstance(raw, dict | list):
            raise ValueError("a table or list is not a string")
        return str(raw)
    except ValueError as exc:
        raise ConfigError(
            f"setting {name!r} has the value {raw!r}, which is not a valid {target}: {exc}",
            location=name,
            hint=f"set {name} (or {env_name(name)}) to a {target}",
        ) from None


def load_settings(
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> tuple[Settings, dict[str, str]]:
    """Build the effective settings and say, per key, where its value came from."""
    names = {f.name for f in setting_fields()}
    values: dict[str, object] = {}
    sources = dict.fromkeys(names, "default")
    if config_path is not None:
        try:
            table = tomllib.loads(config_path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"cannot read the configuration file {config_path}: {exc}",
                hint="fix the file, or point --config / NIGHTCALL_CONFIG at another one",
            ) from None
        section = table.get("server", table)
        for key, raw in section.items():
            if key not in names:
                if isinstance(raw, dict):
                    continue  # other sections ([probes], [alerts]) belong to other features
                raise ConfigError(
                    f"unknown setting {key!r} in {config_path}",
                    location=key,
                    hint="valid settings: " + ", ".join(sorted(names)),
                )
            values[key] = _convert(key, raw)
            sources[key] = str(config_path)
        for key in _TABLE_PARSERS:  # [[probes]], [[alerts]]... beside a [server] table
            if section is not table and key in table:
                values[key] = _convert(key, table[key])
                sources[key] = str(config_path)
    for name in names:
        raw_env = (environ or {}).get(env_name(name))
        if raw_env is not None and raw_env != "":
            values[name] = _convert(name, raw_env)
            sources[name] = env_name(name)
    for name, raw in (overrides or {}).items():
        if raw is None:
            continue
        if name not in names:
            raise ConfigError(f"unknown setting {name!r}", hint=", ".join(sorted(names)))
        values[name] = _convert(name, raw)
        sources[name] = "flag"
    settings = Settings(**values)  # type: ignore[arg-type]  # values were converted per field
    _validate(settings)
    return settings, sources


def _validate(settings: Settings) -> None:
    if settings.retention_days < 0:
        raise ConfigError(
            f"retention_days is {settings.retention_days}; it must be 0 (keep all) or more",
            location="retention_days",
        )
    if not 0 < settings.port < 65536:
        raise ConfigError(f"port {settings.port} is outside 1-65535", location="port")
    if settings.max_body_bytes < 1024:
        raise ConfigError("max_body_bytes must be at least 1024", location="max_body_bytes")
    if not 0 <= settings.statsd_port < 65536:
        raise ConfigError(
            f"statsd_port {settings.statsd_port} is outside 0-65535 (0 turns StatsD off)",
            location="statsd_port",
        )
    if settings.alerts_interval_s < 0:
        raise ConfigError("alerts_interval_s must be 0 (off) or more", location="alerts_interval_s")
    for name in ("statsd_flush_interval_s", "host_interval_s"):
        if getattr(settings, name) <= 0:
            raise ConfigError(
                f"{name} is {getattr(settings, name)}; it must be above 0 seconds", location=name
            )
    for name in ("statsd_max_series", "host_top_processes"):
        if getattr(settings, name) < 1:
            message = f"{name} is {getattr(settings, name)}; it must be 1 or more"
            raise ConfigError(message, location=name)
    check_rule_receivers(settings.alerts, settings.alert_receivers)
    if settings.diagnostics_enabled.lower() not in {"auto", "true", "false"}:
        raise ConfigError(
            f"diagnostics_enabled {settings.diagnostics_enabled!r} is not auto, true or false",
            location="diagnostics_enabled",
        )
    if settings.log_level not in {"debug", "info", "warning", "error"}:
        raise ConfigError(
            f"log_level {settings.log_level!r} is not one of debug, info, warning, error",
            location="log_level",
        )

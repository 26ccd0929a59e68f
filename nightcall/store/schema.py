"""Table layout, after the OpenTelemetry Collector's ClickHouse exporter, as DDL text.

One dialect for both connections: the embedded engine (chDB) and a ClickHouse server run the same
statements. Times arrive as integer nanoseconds in an EPHEMERAL column and are stored as
DateTime64(9), because ClickHouse reads a bare number for DateTime64 as seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

ATTRS = "Map(LowCardinality(String), String)"


@dataclass(frozen=True, slots=True)
class Column:
    """One column; `insert` columns are the ones a decoder supplies, in this order."""

    name: str
    type: str
    insert: bool = True
    default: str = ""
    codec: str = ""

    def ddl(self) -> str:
        text = f"`{self.name}` {self.type}"
        if self.default:
            text += f" DEFAULT {self.default}"
        if self.codec:
            text += f" CODEC({self.codec})"
        return text


def _ns(name: str, target: str) -> tuple[Column, Column]:
    """An ephemeral nanosecond input column and the DateTime64 it fills."""
    return (
        Column(name, "Int64 EPHEMERAL"),
        Column(target, "DateTime64(9)", insert=False, default=f"fromUnixTimestamp64Nano({name})"),
    )


@dataclass(frozen=True, slots=True)
class Table:
    """A MergeTree table: its columns, sort key, and the time column its TTL reads."""

    name: str
    columns: tuple[Column, ...]
    order_by: str
    time_column: str
    indexes: tuple[str, ...] = ()
    engine: str = "MergeTree"
    is_state: bool = False  # nightcall's own state (incidents, alert rules): never dropped

    @property
    def insert_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.insert)


_RESOURCE = (
    Column("ServiceName", "LowCardinality(String)"),
    Column("ResourceAttributes", ATTRS),
    Column("ScopeName", "String"),
    Column("ScopeVersion", "String"),
)

TRACES = Table(
    "otel_traces",
    (
        *_ns("TsNs", "Timestamp"),
        Column("TraceId", "String"),
        Column("SpanId", "String"),
        Column("ParentSpanId", "String"),
        Column("TraceState", "String"),
        Column("SpanName", "LowCardinality(String)"),
        Column("SpanKind", "LowCardinality(String)"),
        *_RESOURCE,
        Column("SpanAttributes", ATTRS),
        Column("Duration", "Int64"),
        Column("StatusCode", "LowCardinality(String)"),
        Column("StatusMessage", "String"),
        Column("Events.Timestamp", "Array(DateTime64(9))"),
        Column("Events.Name", "Array(LowCardinality(String))"),
        Column("Events.Attributes", f"Array({ATTRS})"),
        Column("Links.TraceId", "Array(String)"),
        Column("Links.SpanId", "Array(String)"),
        Column("Links.TraceState", "Array(String)"),
        Column("Links.Attributes", f"Array({ATTRS})"),
    ),
    order_by="(ServiceName, SpanName, toDateTime(Timestamp))",
    time_column="Timestamp",
    indexes=(
        "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
        "INDEX idx_duration Duration TYPE minmax GRANULARITY 1",
    ),
)

LOGS = Table(
    "otel_logs",
    (
        *_ns("TsNs", "Timestamp"),
        *_ns("ObservedTsNs", "ObservedTimestamp"),
        Column("TraceId", "String"),
        Column("SpanId", "String"),
        Column("TraceFlags", "UInt32"),
        Column("SeverityText", "LowCardinality(String)"),
        Column("SeverityNumber", "Int32"),
        *_RESOURCE,
        Column("Body", "String", codec="ZSTD(1)"),
        Column("LogAttributes", ATTRS),
        Column("EventName", "String"),
        # The body's log template (see nightcall_log_templates), set by the writer, not the
        # decoder; 0 for a record stored without mining (by an older nightcall or a Collector).
        Column("TemplateId", "UInt64", insert=False),
    ),
    order_by="(ServiceName, toDateTime(Timestamp))",
    time_column="Timestamp",
    indexes=(
        "INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1",
        "INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1",
    ),
)

# One row per log template and version: the writer upserts a template when it is created, when
# its text or alias changes, and every so often with its counts. `LiveTemplateId` is the
# template an id merged into (itself while it is live); readers take each id's latest version
# (argMax by Updated), which also holds on a cluster where replicas of a row sit on two shards.
LOG_TEMPLATES = Table(
    "nightcall_log_templates",
    (
        Column("ServiceName", "LowCardinality(String)"),
        Column("TemplateId", "UInt64"),
        Column("MinerId", "UInt32"),
        Column("LiveTemplateId", "UInt64"),
        Column("Template", "String", codec="ZSTD(1)"),
        *_ns("FirstSeenNs", "FirstSeen"),
        *_ns("LastSeenNs", "LastSeen"),
        Column("Count", "UInt64"),
        *_ns("UpdatedNs", "Updated"),
    ),
    order_by="(ServiceName, TemplateId)",
    time_column="LastSeen",
    engine="ReplacingMergeTree(Updated)",
)

_METRIC_COMMON = (
    *_RESOURCE,
    Column("MetricName", "LowCardinality(String)"),
    Column("MetricDescription", "String"),
    Column("MetricUnit", "String"),
    Column("Attributes", ATTRS),
    *_ns("StartTsNs", "StartTimeUnix"),
    *_ns("TimeNs", "TimeUnix"),
    Column("Flags", "UInt32"),
)
_METRIC_ORDER = "(ServiceName, MetricName, toUnixTimestamp64Nano(TimeUnix))"

GAUGE = Table(
    "otel_metrics_gauge",
    (*_METRIC_COMMON, Column("Value", "Float64")),
    _METRIC_ORDER,
    "TimeUnix",
)
SUM = Table(
    "otel_metrics_sum",
    (
        *_METRIC_COMMON,
        Column("Value", "Float64"),
        Column("AggregationTemporality", "Int32"),
        Column("IsMonotonic", "Bool"),
    ),
    _METRIC_ORDER,
    "TimeUnix",
)
HISTOGRAM = Table(
    "otel_metrics_histogram",
    (
        *_METRIC_COMMON,
        Column("Count", "UInt64"),
        Column("Sum", "Float64"),
        Column("BucketCounts", "Array(UInt64)"),
        Column("ExplicitBounds", "Array(Float64)"),
        Column("Min", "Nullable(Float64)"),
        Column("Max", "Nullable(Float64)"),
        Column("AggregationTemporality", "Int32"),
    ),
    _METRIC_ORDER,
    "TimeUnix",
)
EXPONENTIAL_HISTOGRAM = Table(
    "otel_metrics_exponential_histogram",
    (
        *_METRIC_COMMON,
        Column("Count", "UInt64"),
        Column("Sum", "Float64"),
        Column("Scale", "Int32"),
        Column("ZeroCount", "UInt64"),
        Column("PositiveOffset", "Int32"),
        Column("PositiveBucketCounts", "Array(UInt64)"),
        Column("NegativeOffset", "Int32"),
        Column("NegativeBucketCounts", "Array(UInt64)"),
        Column("Min", "Nullable(Float64)"),
        Column("Max", "Nullable(Float64)"),
        Column("AggregationTemporality", "Int32"),
    ),
    _METRIC_ORDER,
    "TimeUnix",
)
SUMMARY = Table(
    "otel_metrics_summary",
    (
        *_METRIC_COMMON,
        Column("Count", "UInt64"),
        Column("Sum", "Float64"),
        Column("ValueAtQuantiles.Quantile", "Array(Float64)"),
        Column("ValueAtQuantiles.Value", "Array(Float64)"),
    ),
    _METRIC_ORDER,
    "TimeUnix",
)

ERROR_EVENTS = Table(
    "nightcall_error_events",
    (
        *_ns("TsNs", "Timestamp"),
        Column("EventId", "String"),
        Column("ProjectId", "String"),
        *_RESOURCE,
        Column("Level", "LowCardinality(String)"),
        Column("Platform", "LowCardinality(String)"),
        Column("Release", "LowCardinality(String)"),
        Column("Environment", "LowCardinality(String)"),
        Column("ExceptionType", "String"),
        Column("ExceptionValue", "String"),
        Column("Fingerprint", "String"),
        Column("UserId", "String"),
        Column("TraceId", "String"),
        Column("Tags", ATTRS),
        Column("Contexts", ATTRS),
        Column("Event", "String", codec="ZSTD(3)"),
        # Filter columns read out of the Sentry event's contexts (device, os, app).
        Column("DeviceModel", "LowCardinality(String)"),
        Column("OsName", "LowCardinality(String)"),
        Column("OsVersion", "LowCardinality(String)"),
        Column("AppVersion", "LowCardinality(String)"),
    ),
    order_by="(ServiceName, toDateTime(Timestamp))",
    time_column="Timestamp",
    indexes=("INDEX idx_event_id EventId TYPE bloom_filter(0.001) GRANULARITY 1",),
)

# nightcall's own: each hypothesis the continuous diagnosis proposed, when, and in full (JSON).
HYPOTHESIS_EVENTS = Table(
    "nightcall_hypothesis_events",
    (
        *_ns("TsNs", "Timestamp"),
        Column("Kind", "LowCardinality(String)"),
        Column("ServiceName", "LowCardinality(String)"),
        Column("Confidence", "Float64"),
        Column("OnsetNs", "Int64"),
        Column("Statement", "String"),
        Column("Hypothesis", "String", codec="ZSTD(3)"),
    ),
    order_by="(toDateTime(Timestamp), ServiceName)",
    time_column="Timestamp",
)

# nightcall's own: every change to every incident, in order (the incident is their fold).
INCIDENT_EVENTS = Table(
    "nightcall_incident_events",
    (
        Column("IncidentId", "String"),
        Column("Seq", "UInt32"),
        *_ns("TsNs", "Timestamp"),
        Column("Kind", "LowCardinality(String)"),
        Column("Actor", "String"),
        Column("Payload", "String", codec="ZSTD(3)"),
    ),
    order_by="(IncidentId, Seq)",
    time_column="Timestamp",
    is_state=True,
)

# nightcall's own: alert rules created through the API, and silences. One row per version;
# readers take each name's (id's) latest by Updated, and skip the Deleted.
ALERT_RULES = Table(
    "nightcall_alert_rules",
    (
        Column("Name", "String"),
        Column("Rule", "String"),
        Column("Deleted", "Bool"),
        *_ns("UpdatedNs", "Updated"),
    ),
    order_by="Name",
    time_column="Updated",
    engine="ReplacingMergeTree(Updated)",
    is_state=True,
)
ALERT_SILENCES = Table(
    "nightcall_alert_silences",
    (
        Column("SilenceId", "String"),
        Column("Silence", "String"),
        *_ns("StartsNs", "Starts"),
        *_ns("EndsNs", "Ends"),
        Column("Deleted", "Bool"),
        *_ns("UpdatedNs", "Updated"),
    ),
    order_by="SilenceId",
    time_column="Updated",
    engine="ReplacingMergeTree(Updated)",
    is_state=True,
)
# Each alert's transitions (pending, firing, resolved), and every delivery attempt of its
# notifications, with the receiver's answer.
ALERT_EVENTS = Table(
    "nightcall_alert_events",
    (
        *_ns("TsNs", "Timestamp"),
        Column("Rule", "LowCardinality(String)"),
        Column("State", "LowCardinality(String)"),
        Column("Severity", "LowCardinality(String)"),
        Column("GroupKey", "String"),
        Column("DedupKey", "String"),
        Column("Value", "Float64"),
        Column("Silenced", "Bool"),
        Column("IncidentId", "String"),
        Column("Alert", "String", codec="ZSTD(3)"),
    ),
    order_by="(toDateTime(Timestamp), Rule)",
    time_column="Timestamp",
)
ALERT_DELIVERIES = Table(
    "nightcall_alert_deliveries",
    (
        *_ns("TsNs", "Timestamp"),
        Column("Receiver", "LowCardinality(String)"),
        Column("Rule", "LowCardinality(String)"),
        Column("DedupKey", "String"),
        Column("State", "LowCardinality(String)"),
        Column("Attempt", "UInt8"),
        Column("Ok", "Bool"),
        Column("StatusCode", "Int32"),
        Column("Error", "String"),
        Column("DurationNs", "Int64"),
        Column("IsFinal", "Bool"),
    ),
    order_by="(toDateTime(Timestamp), Receiver)",
    time_column="Timestamp",
)

METRIC_TABLES = (GAUGE, SUM, HISTOGRAM, EXPONENTIAL_HISTOGRAM, SUMMARY)
ALERT_TABLES = (ALERT_RULES, ALERT_SILENCES, ALERT_EVENTS, ALERT_DELIVERIES)
TABLES = (TRACES, LOGS, *METRIC_TABLES, ERROR_EVENTS, LOG_TEMPLATES, HYPOTHESIS_EVENTS,
          INCIDENT_EVENTS, *ALERT_TABLES)  # fmt: skip
TABLES_BY_NAME = {t.name: t for t in TABLES}

TRACE_ID_TABLE = "otel_traces_trace_id_ts"


def _on_cluster(cluster: str) -> str:
    return f" ON CLUSTER `{cluster}`" if cluster else ""


def table_ddl(table: Table, *, database: str, retention_days: int, cluster: str = "") -> list[str]:
    """CREATE statements for one table; with a cluster, a local table and a Distributed one."""
    local = f"{table.name}_local" if cluster else table.name
    body = ",\n    ".join([c.ddl() for c in table.columns] + list(table.indexes))
    ttl = (
        f"\nTTL toDateTime({table.time_column}) + toIntervalDay({retention_days})"
        if retention_days and not table.is_state
        else ""
    )
    statements = [
        f"CREATE TABLE IF NOT EXISTS `{database}`.`{local}`{_on_cluster(cluster)} (\n    {body}\n)"
        f"\nENGINE = {table.engine}\nPARTITION BY toDate({table.time_column})"
        f"\nORDER BY {table.order_by}{ttl}"
        "\nSETTINGS index_granularity = 8192, ttl_only_drop_parts = 1"
    ]
    if cluster:
        statements.append(
            f"CREATE TABLE IF NOT EXISTS `{database}`.`{table.name}`{_on_cluster(cluster)}"
            f" AS `{database}`.`{local}`"
            f" ENGINE = Distributed(`{cluster}`, `{database}`, `{local}`, rand())"
        )
    return statements


def trace_id_ddl(*, database: str, retention_days: int, cluster: str = "") -> list[str]:
    """The trace-id → time-range table and the materialized view that fills it."""
    ttl = f"\nTTL toDateTime(Start) + toIntervalDay({retention_days})" if retention_days else ""
    source = f"{TRACES.name}_local" if cluster else TRACES.name
    return [
        f"CREATE TABLE IF NOT EXISTS `{database}`.`{TRACE_ID_TABLE}`{_on_cluster(cluster)} (\n"
        "    TraceId String CODEC(ZSTD(1)),\n    Start DateTime64(9),\n    End DateTime64(9)\n)"
        f"\nENGINE = MergeTree\nPARTITION BY toDate(Start)\nORDER BY (TraceId, Start){ttl}"
        "\nSETTINGS index_granularity = 8192, ttl_only_drop_parts = 1",
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS `{database}`.`{TRACE_ID_TABLE}_mv`"
        f"{_on_cluster(cluster)} TO `{database}`.`{TRACE_ID_TABLE}` AS\n"
        "SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End"
        f" FROM `{database}`.`{source}` WHERE TraceId != '' GROUP BY TraceId",
    ]


def schema_ddl(*, database: str, retention_days: int, cluster: str = "") -> list[str]:
    """Every statement that creates nightcall's schema, idempotently, in order."""
    statements = [f"CREATE DATABASE IF NOT EXISTS `{database}`{_on_cluster(cluster)}"]
    for table in TABLES:
        statements += table_ddl(
            table, database=database, retention_days=retention_days, cluster=cluster
        )
    statements += trace_id_ddl(database=database, retention_days=retention_days, cluster=cluster)
    return statements


def retention_ddl(*, database: str, retention_days: int, cluster: str = "") -> list[str]:
    """ALTERs that bring an existing schema's TTL to `retention_days` (0 removes it)."""
    statements = []
    tables = [(t.name, t.time_column) for t in TABLES if not t.is_state]
    tables.append((TRACE_ID_TABLE, "Start"))
    for name, time_column in tables:
        target = f"`{database}`.`{name}_local`" if cluster else f"`{database}`.`{name}`"
        if retention_days:
            statements.append(
                f"ALTER TABLE {target}{_on_cluster(cluster)} MODIFY TTL"
                f" toDateTime({time_column}) + toIntervalDay({retention_days})"
            )
        else:
            statements.append(f"ALTER TABLE {target}{_on_cluster(cluster)} REMOVE TTL")
    return statements


def add_column_ddl(table: Table, column: Column, *, database: str, cluster: str = "") -> list[str]:
    """ALTERs that add a column a newer nightcall declares to a table made by an older one."""
    names = [f"{table.name}_local", table.name] if cluster else [table.name]
    return [
        f"ALTER TABLE `{database}`.`{name}`{_on_cluster(cluster)}"
        f" ADD COLUMN IF NOT EXISTS {column.ddl()}"
        for name in names
    ]

"""A known set of spans, log records and metric points, and the numbers the queries must give.

Every record is built as an OTLP protobuf request and flattened by the real flatteners, then
inserted with `Store.insert_batches`; the same loader serves the embedded store and a ClickHouse
server, so both are held to the same exact answers.
"""

from __future__ import annotations

import time

from nightcall.model import EncodedBatch
from nightcall.store.store import Store
from tests.store.telemetry import (
    CLIENT,
    CUMULATIVE,
    DELTA,
    MS_NS,
    SECOND_NS,
    counter,
    gauge,
    histogram,
    histogram_point,
    log_batches,
    make_log,
    make_span,
    metric_batches,
    number_point,
    span_id,
    trace_batches,
    trace_id,
)

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
WINDOW_S = 200
# Forty days back, beyond the default 30-day retention: back-filled history must stay queryable.
BACKFILL_NS = (time.time_ns() // SECOND_NS - 40 * 86_400) * SECOND_NS

CHECKOUT_TRACES = range(1, 101)  # trace i: root of i ms, error when i % 10 == 0
PAYMENT_TRACES = range(1, 21)  # these also call payments
CHILD_ERROR_TRACES = (1, 2, 3)  # a failed client span under a successful root
BATCH_TRACES = range(1000, 1010)  # ten traces that all start at the same nanosecond
BATCH_START_NS = T0 + 150 * SECOND_NS
BACKFILL_TRACE = 5000


def root_span_id(number: int) -> bytes:
    """The span id of trace `number`'s root span."""
    return span_id(number * 10 + 1)


def client_span_id(number: int) -> bytes:
    """The span id of trace `number`'s database client span."""
    return span_id(number * 10 + 2)


def payment_span_id(number: int) -> bytes:
    """The span id of trace `number`'s payments server span."""
    return span_id(number * 10 + 3)


def _trace_batches() -> list[EncodedBatch]:
    checkout, payments, batch = [], [], []
    for i in CHECKOUT_TRACES:
        start = T0 + i * SECOND_NS
        checkout.append(
            make_span(
                trace=trace_id(i),
                span=root_span_id(i),
                name="GET /checkout",
                start_ns=start,
                duration_ns=i * MS_NS,
                error=i % 10 == 0,
                attributes={
                    "http.route": "/checkout",
                    "customer.tier": "gold" if i % 4 == 0 else "free",
                },
            )
        )
        checkout.append(
            make_span(
                trace=trace_id(i),
                span=client_span_id(i),
                parent=root_span_id(i),
                name="SELECT orders",
                kind=CLIENT,
                start_ns=start + 100_000,
                duration_ns=MS_NS,
                error=i in CHILD_ERROR_TRACES,
            )
        )
        if i in PAYMENT_TRACES:
            payments.append(
                make_span(
                    trace=trace_id(i),
                    span=payment_span_id(i),
                    parent=client_span_id(i),
                    name="POST /charge",
                    start_ns=start + 200_000,
                    duration_ns=5 * MS_NS,
                )
            )
    for number in BATCH_TRACES:
        batch.append(
            make_span(
                trace=trace_id(number),
                span=root_span_id(number),
                name="nightly",
                start_ns=BATCH_START_NS,
                duration_ns=2 * MS_NS,
            )
        )
    backfill = make_span(
        trace=trace_id(BACKFILL_TRACE),
        span=root_span_id(BACKFILL_TRACE),
        name="import",
        start_ns=BACKFILL_NS,
        duration_ns=3 * MS_NS,
    )
    prod = {"deployment.environment": "prod"}
    return [
        *trace_batches({"checkout": checkout, "payments": payments}, resource=prod),
        *trace_batches({"batch": batch}, resource={"deployment.environment": "staging"}),
        *trace_batches({"backfill": [backfill]}),
    ]


# Logs: checkout line j (1..30) at T0 + j s; severity by j % 3; lines 1..10 carry trace j.
LOG_SEVERITIES = {0: (9, "placed"), 1: (13, "slow"), 2: (17, "payment failed")}
LOG_LINES = range(1, 31)
LOG_TIE_NS = T0 + 40 * SECOND_NS  # five batch lines, and three identical ones, share this time
IDENTICAL_LINES = 3
LOGS_IN_WINDOW = 30 + 2 + 5 + IDENTICAL_LINES


def _log_batches() -> list[EncodedBatch]:
    checkout = []
    for j in LOG_LINES:
        number, word = LOG_SEVERITIES[j % 3]
        checkout.append(
            make_log(
                time_ns=T0 + j * SECOND_NS,
                body=f"order {j} {word}",
                severity_number=number,
                trace=trace_id(j) if j <= 10 else b"",
                span=root_span_id(j) if j <= 10 else b"",
                attributes={"order.id": str(j)},
            )
        )
    checkout.append(
        make_log(
            time_ns=T0 + 31 * SECOND_NS, body="legacy text-only severity", severity_text="ERROR"
        )
    )
    checkout.append(make_log(time_ns=T0 + 32 * SECOND_NS, body="no severity at all"))
    ties = [make_log(time_ns=LOG_TIE_NS, body=f"tick {k}", severity_number=9) for k in range(5)]
    ties += [
        make_log(time_ns=LOG_TIE_NS, body="heartbeat", severity_number=9)
        for _ in range(IDENTICAL_LINES)
    ]
    backfill = [make_log(time_ns=BACKFILL_NS, body="backfilled line", severity_number=9)]
    return [*log_batches({"checkout": checkout, "batch": ties, "backfill": backfill})]


# Metrics, sampled every 10 s from T0.
GAUGE_A = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
GAUGE_B = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
COUNTER_A = [0.0, 10.0, 30.0, 60.0, 5.0, 25.0]  # a reset at T0+40 s, same start time
COUNTER_B = [100.0, 110.0, 130.0, 3.0, 13.0, 33.0]  # a restart at T0+25 s, new start time
COUNTER_B_RESTART_NS = T0 + 25 * SECOND_NS
DELTA_VALUES = [4.0, 6.0, 8.0, 10.0, 12.0, 14.0]
BOUNDS = [10.0, 50.0, 100.0, 500.0]
HISTOGRAM_FIRST = [10, 40, 30, 20, 0]  # at T0+5 s
HISTOGRAM_SECOND = [50, 30, 10, 10, 0]  # at T0+35 s
HISTOGRAM_FIRST_SUM = 12_345.0
RPC_BOUNDS = [1.0, 2.0]
RPC_CUMULATIVE = [[1, 1, 0], [3, 5, 2]]  # at T0 and T0+10 s


def _at(index: int) -> int:
    return T0 + index * 10 * SECOND_NS


def _metric_batches() -> list[EncodedBatch]:
    start = T0 - 100 * SECOND_NS
    queue_checkout = [
        *(number_point(time_ns=_at(i), value=v, attributes={"host": "a"}) for i, v in
          enumerate(GAUGE_A)),
        *(number_point(time_ns=_at(i), value=v, attributes={"host": "b"}) for i, v in
          enumerate(GAUGE_B)),
    ]  # fmt: skip
    queue_payments = [
        number_point(time_ns=_at(i), value=100.0, attributes={"host": "a"}) for i in range(6)
    ]
    requests = [
        *(
            number_point(time_ns=_at(i), value=v, start_ns=start, attributes={"route": "/a"})
            for i, v in enumerate(COUNTER_A)
        ),
        *(
            number_point(
                time_ns=_at(i),
                value=v,
                start_ns=start if i < 3 else COUNTER_B_RESTART_NS,
                attributes={"route": "/b"},
            )
            for i, v in enumerate(COUNTER_B)
        ),
    ]
    jobs = [
        number_point(time_ns=_at(i), value=v, start_ns=_at(i) - 10 * SECOND_NS)
        for i, v in enumerate(DELTA_VALUES)
    ]
    durations = [
        histogram_point(
            time_ns=T0 + 5 * SECOND_NS, bounds=BOUNDS, counts=HISTOGRAM_FIRST,
            total=HISTOGRAM_FIRST_SUM,
        ),
        histogram_point(
            time_ns=T0 + 35 * SECOND_NS, bounds=BOUNDS, counts=HISTOGRAM_SECOND, total=1_000.0
        ),
    ]  # fmt: skip
    rpc = [
        histogram_point(time_ns=_at(i), bounds=RPC_BOUNDS, counts=c, total=0.0, start_ns=start)
        for i, c in enumerate(RPC_CUMULATIVE)
    ]
    return [
        *metric_batches(
            {
                "checkout": [
                    gauge("queue.depth", queue_checkout, unit="{items}"),
                    counter("http.requests", requests, temporality=CUMULATIVE, unit="{requests}"),
                    histogram("http.server.duration", durations, temporality=DELTA, unit="ms"),
                    histogram("rpc.duration", rpc, temporality=CUMULATIVE, unit="s"),
                ],
                "payments": [gauge("queue.depth", queue_payments, unit="{items}")],
                "worker": [counter("jobs.processed", jobs, temporality=DELTA)],
                "backfill": [gauge("backfill.gauge", [number_point(time_ns=BACKFILL_NS, value=7)])],
            }
        )
    ]


def load_dataset(store: Store) -> None:
    """Insert the whole data set, one statement per table, as the writer would."""
    store.insert_batches([*_trace_batches(), *_log_batches(), *_metric_batches()])

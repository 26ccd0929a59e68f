"""One Sentry request (an envelope, or a legacy /store/ event) → the batches to store.

Events go to `nightcall_error_events`, transactions to `otel_traces` as spans, sessions to
`otel_metrics_sum` as `sentry.sessions`. Every other item type (client reports, attachments,
profiles, replays, check-ins, ...) is accepted and counted as dropped with reason
`<type>_ignored` (`unknown_ignored` for a type Sentry does not document, so a client cannot
invent label values). A malformed item is counted as `<type>_malformed` and the others are kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from nightcall.errors import DecodeError
from nightcall.ingest.metric_points import MetricPoint, encode_metric_points
from nightcall.ingest.otlp.flatten_traces import COLUMNS as SPAN_COLUMNS
from nightcall.ingest.otlp.flatten_traces import TABLE as SPAN_TABLE
from nightcall.ingest.sentry.decode_envelope import Envelope
from nightcall.ingest.sentry.decode_event import encode_error_rows, event_row, json_object, text
from nightcall.ingest.sentry.decode_session import session_points
from nightcall.ingest.sentry.decode_transaction import transaction_rows
from nightcall.model import DecodedRequest, EncodedBatch, Signal

# Item types Sentry documents that nightcall accepts without storing.
IGNORED_TYPES = frozenset({
    "attachment", "check_in", "client_report", "feedback", "log", "metric_buckets", "otel_log",
    "profile", "profile_chunk", "replay_event", "replay_recording", "replay_video", "span",
    "statsd", "user_report",
})  # fmt: skip
# What a damaged payload may raise while its fields are read; anything else is a bug.
_ITEM_ERRORS = (DecodeError, TypeError, ValueError, AttributeError, KeyError, OverflowError)


@dataclass(slots=True, kw_only=True)
class SentryRequest:
    """What one request decoded to: the requests to submit and the items dropped, by reason."""

    event_id: str | None = None
    requests: list[DecodedRequest] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)


def decode_store_body(body: bytes, *, project_id: str, received_ns: int) -> SentryRequest:
    """A `/store/` body: one event as JSON.

    Raises:
        DecodeError: the body is not one JSON object.
    """
    event = json_object(body)
    try:
        row = event_row(event, project_id=project_id, received_ns=received_ns)
    except _ITEM_ERRORS[1:] as exc:
        raise DecodeError(
            f"the event could not be read ({type(exc).__name__}: {exc})",
            location="event",
            hint="send a Sentry event object (https://develop.sentry.dev/sdk/data-model/event-payloads/)",
        ) from None
    result = SentryRequest(event_id=row[1] or None)
    result.requests.append(_errors_request([row]))
    return result


def decode_envelope_items(
    envelope: Envelope, *, project_id: str, received_ns: int
) -> SentryRequest:
    """Every item of an envelope, sorted into stored rows and counted drops."""
    header_id = envelope.headers.get("event_id")
    result = SentryRequest(event_id=text(header_id).replace("-", "") or None)
    if envelope.malformed:
        result.dropped["item_malformed"] += envelope.malformed
    error_rows: list[list[Any]] = []
    span_rows: list[list[Any]] = []
    rejected_spans = 0
    points: list[MetricPoint] = []
    for item in envelope.items:
        kind = item.type
        if kind not in ("event", "transaction", "session", "sessions"):
            reason = kind if kind in IGNORED_TYPES else "unknown"
            result.dropped[f"{reason}_ignored"] += 1
            continue
        try:
            payload = json_object(item.payload)
            if kind == "event":
                error_rows.append(
                    event_row(payload, project_id=project_id, received_ns=received_ns)
                )
                result.event_id = result.event_id or error_rows[-1][1] or None
            elif kind == "transaction":
                rows, rejected = transaction_rows(
                    payload, project_id=project_id, received_ns=received_ns
                )
                span_rows += rows
                rejected_spans += rejected
                result.event_id = result.event_id or text(payload.get("event_id")) or None
            else:
                points += session_points(
                    kind, payload, project_id=project_id, received_ns=received_ns
                )
        except _ITEM_ERRORS:
            result.dropped[f"{kind}_malformed"] += 1
    if error_rows:
        result.requests.append(_errors_request(error_rows))
    if span_rows or rejected_spans:
        result.requests.append(_spans_request(span_rows, rejected_spans))
    if points:
        result.requests.append(encode_metric_points(points))
    return result


def _errors_request(rows: list[list[Any]]) -> DecodedRequest:
    batch = encode_error_rows(rows)
    return DecodedRequest(
        signal=Signal.ERRORS, batches=(batch,) if batch else (), accepted=len(rows)
    )


def _spans_request(rows: list[list[Any]], rejected: int) -> DecodedRequest:
    batches: tuple[EncodedBatch, ...] = ()
    if rows:
        columns = [list(column) for column in zip(*rows, strict=True)]
        batches = (
            EncodedBatch(
                table=SPAN_TABLE,
                columns=SPAN_COLUMNS,
                payload=orjson.dumps(columns),
                rows=len(rows),
            ),
        )
    return DecodedRequest(
        signal=Signal.TRACES,
        batches=batches,
        accepted=len(rows),
        rejected=rejected,
        rejection_reason=(
            f"{rejected} Sentry span(s) had no 32-hex trace id or 16-hex span id"
            if rejected
            else ""
        ),
    )

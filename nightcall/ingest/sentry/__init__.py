"""Sentry-compatible ingest: envelopes and legacy /store/ events from unchanged Sentry SDKs."""

from nightcall.ingest.sentry.decode_envelope import Envelope, EnvelopeItem, decode_envelope
from nightcall.ingest.sentry.decode_event import encode_error_rows, event_row
from nightcall.ingest.sentry.decode_request import (
    SentryRequest,
    decode_envelope_items,
    decode_store_body,
)
from nightcall.ingest.sentry.routes import Authorize, presented_sentry_key, sentry_routes

__all__ = [
    "Authorize",
    "Envelope",
    "EnvelopeItem",
    "SentryRequest",
    "decode_envelope",
    "decode_envelope_items",
    "decode_store_body",
    "encode_error_rows",
    "event_row",
    "presented_sentry_key",
    "sentry_routes",
]

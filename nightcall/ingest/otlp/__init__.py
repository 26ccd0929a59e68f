"""OpenTelemetry's OTLP/HTTP: protobuf and JSON decoding, flattening, and the routes."""

from nightcall.ingest.otlp.decode import decode_json, decode_protobuf, encode_response
from nightcall.ingest.otlp.flatten_logs import flatten_logs
from nightcall.ingest.otlp.flatten_metrics import flatten_metrics
from nightcall.ingest.otlp.flatten_traces import flatten_traces
from nightcall.ingest.otlp.routes import decode_otlp, otlp_routes

__all__ = [
    "decode_json",
    "decode_otlp",
    "decode_protobuf",
    "encode_response",
    "flatten_logs",
    "flatten_metrics",
    "flatten_traces",
    "otlp_routes",
]

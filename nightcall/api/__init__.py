"""The HTTP application: ingest endpoints, the query API, health and nightcall's own metrics."""

from nightcall.api.app import Runtime, create_app
from nightcall.api.server import build_runtime, serve

__all__ = ["Runtime", "build_runtime", "create_app", "serve"]

"""The `Notifier` seam: one attempt to hand one alert event to one receiver.

Two implementations: `WebhookNotifier` POSTs the JSON or Slack payload with a per-attempt
timeout; `FileNotifier` appends the JSON payload as one line to a file (an audit trail, or a
receiver for tools that tail files). A notifier makes one attempt and says how it went; the
`Dispatcher` retries, backs off and records every attempt.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import httpx
import orjson

from nightcall import __version__
from nightcall.alerts.payloads import json_payload, render_payload
from nightcall.alerts.records import AlertEvent, DeliveryResult
from nightcall.config.alert_receivers import AlertReceiver, PayloadFormat

_BODY_CHARS = 200  # of a refusing receiver's answer, kept in the delivery record
_RETRYABLE_STATUS = frozenset({408, 425, 429})


class Notifier(Protocol):
    """Delivers alert events to one receiver, one attempt per call."""

    def send(self, event: AlertEvent) -> DeliveryResult:
        """Try once; never raise for the receiver's failures, answer them."""

    def close(self) -> None:
        """Release connections or files."""


def _elapsed(started_ns: int) -> int:
    return time.perf_counter_ns() - started_ns


class WebhookNotifier:
    """POSTs each event to `url` as JSON, in nightcall's or Slack's shape."""

    def __init__(
        self,
        url: str,
        *,
        payload_format: PayloadFormat = "json",
        timeout_s: float = 5.0,
        headers: dict[str, str] | None = None,
    ):
        self.url = url
        self.payload_format = payload_format
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": f"nightcall/{__version__}", **(headers or {})},
            follow_redirects=False,
        )

    def send(self, event: AlertEvent) -> DeliveryResult:
        body = orjson.dumps(render_payload(event, self.payload_format))
        started = time.perf_counter_ns()
        try:
            response = self._client.post(
                self.url, content=body, headers={"Content-Type": "application/json"}
            )
        except httpx.TimeoutException as exc:
            kind = type(exc).__name__
            return DeliveryResult(
                is_ok=False, error=f"timed out ({kind})", duration_ns=_elapsed(started)
            )
        except httpx.HTTPError as exc:
            return DeliveryResult(
                is_ok=False, error=f"{type(exc).__name__}: {exc}", duration_ns=_elapsed(started)
            )
        duration_ns = _elapsed(started)
        status = response.status_code
        if response.is_success:
            return DeliveryResult(is_ok=True, status_code=status, duration_ns=duration_ns)
        return DeliveryResult(
            is_ok=False,
            status_code=status,
            error=f"HTTP {status}: {response.text[:_BODY_CHARS]}",
            duration_ns=duration_ns,
            is_retryable=status >= 500 or status in _RETRYABLE_STATUS,
        )

    def close(self) -> None:
        self._client.close()


class FileNotifier:
    """Appends each event's JSON payload as one line to `path` (created with its folder)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def send(self, event: AlertEvent) -> DeliveryResult:
        line = orjson.dumps(json_payload(event)) + b"\n"
        started = time.perf_counter_ns()
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("ab") as file:
                    file.write(line)
        except OSError as exc:
            return DeliveryResult(
                is_ok=False,
                error=f"cannot append to {self.path}: {exc}",
                duration_ns=_elapsed(started),
            )
        return DeliveryResult(is_ok=True, duration_ns=_elapsed(started))

    def close(self) -> None:
        """Nothing stays open between events."""


def notifier_for(receiver: AlertReceiver) -> Notifier:
    """The notifier a configured receiver asks for: file:// URLs append, others POST."""
    if receiver.is_file:
        return FileNotifier(Path(unquote(urlsplit(receiver.url).path)))
    return WebhookNotifier(
        receiver.url,
        payload_format=receiver.format,
        timeout_s=receiver.timeout_s,
        headers=dict(receiver.headers),
    )

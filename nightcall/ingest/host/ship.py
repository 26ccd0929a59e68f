"""Ship metric points to a nightcall (or any OTLP/HTTP) server: POST /v1/metrics, with retries.

Retries follow the OTLP/HTTP spec: 429, 502, 503 and 504 and connection failures are retried
with exponential backoff, waiting at least what a `Retry-After` header asks; any other 4xx is
the sender's fault and is not retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import httpx

from nightcall.errors import NightcallError
from nightcall.ingest.host.encode_otlp import encode_export_request
from nightcall.ingest.metric_points import MetricPoint

log = logging.getLogger("nightcall.ingest.host")
RETRYABLE = {429, 502, 503, 504}
MAX_RETRY_AFTER_S = 60.0


class ShipError(NightcallError):
    """The server refused the metrics, or could not be reached after every retry."""

    def __init__(self, message: str, *, is_refusal: bool, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.is_refusal = is_refusal  # the server said no (4xx): sending again will not help


def retry_after_s(header: str | None, fallback_s: float) -> float:
    """Seconds a `Retry-After` header asks for (delta seconds form), else `fallback_s`."""
    if header and header.strip().replace(".", "", 1).isdigit():
        return min(float(header), MAX_RETRY_AFTER_S)
    return fallback_s


class OtlpShipper:
    """Posts OTLP protobuf metric requests to `url`/v1/metrics."""

    def __init__(
        self,
        url: str,
        *,
        key: str | None = None,
        attempts: int = 5,
        backoff_s: float = 0.5,
        timeout_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.endpoint = url.rstrip("/") + "/v1/metrics"
        headers = {"Content-Type": "application/x-protobuf"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        self.client = httpx.Client(headers=headers, timeout=timeout_s)
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.sleep = sleep

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> OtlpShipper:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def send(self, points: Iterable[MetricPoint]) -> int:
        """Send one request; returns the number of points sent.

        Raises:
            ShipError: a non-retryable answer, or every attempt failed; says which and why.
        """
        points = list(points)
        body = encode_export_request(points)
        wait_s = self.backoff_s
        problem = ""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.post(self.endpoint, content=body)
            except httpx.TransportError as exc:
                problem = f"cannot reach {self.endpoint}: {exc}"
                delay_s = wait_s
            else:
                if response.is_success:
                    return len(points)
                problem = f"{self.endpoint} answered {response.status_code}: {response.text[:300]}"
                if response.status_code not in RETRYABLE:
                    raise ShipError(
                        problem,
                        is_refusal=True,
                        hint="check --url and --key (an ingest key: `nightcall keys create "
                        "--kind ingest`)",
                    )
                delay_s = retry_after_s(response.headers.get("retry-after"), wait_s)
            if attempt < self.attempts:
                log.warning("%s; retrying in %.1fs (attempt %d of %d)", problem, delay_s,
                            attempt, self.attempts)  # fmt: skip
                self.sleep(delay_s)
                wait_s = min(wait_s * 2, MAX_RETRY_AFTER_S)
        raise ShipError(
            f"gave up sending {len(points)} points after {self.attempts} attempts: {problem}",
            is_refusal=False,
            hint="is the server running and reachable from this host?",
        )

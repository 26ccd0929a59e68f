"""One HTTP health check: GET the URL, time it, read the body, and say what went wrong.

The network part of a probe. What a result means in metrics and logs is `record.py`'s concern.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Literal

import httpx

from nightcall.config.probes import ProbeConfig

ErrorType = Literal["dns", "connect", "timeout", "tls", "protocol", "unexpected_status"]
MAX_BODY_BYTES = 1024 * 1024  # kept for the JSON `metrics` object; the size counts every byte


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """What one check saw; `error` is None when the expected status came back."""

    started_ns: int
    duration_s: float
    status_code: int | None = None
    body_size: int | None = None
    body: bytes = b""
    content_type: str = ""
    cert_days_left: float | None = None
    error: ErrorType | None = None
    detail: str = ""

    @property
    def is_up(self) -> bool:
        return self.error is None


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def classify(exc: Exception) -> ErrorType:
    """The kind of failure behind an httpx exception (or a timeout)."""
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout"
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ssl.SSLError) for e in chain) or "certificate" in text or "ssl" in text:
        return "tls"
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service not known" in text:
        return "dns"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    return "protocol"


def cert_days_left(ssl_object: object, now_s: float) -> float | None:
    """Days until the verified peer certificate expires, or None without one."""
    getpeercert = getattr(ssl_object, "getpeercert", None)
    if getpeercert is None:
        return None
    cert = getpeercert()
    not_after = cert.get("notAfter") if isinstance(cert, dict) else None
    if not isinstance(not_after, str):
        return None
    return (ssl.cert_time_to_seconds(not_after) - now_s) / 86400


async def run_check(client: httpx.AsyncClient, probe: ProbeConfig, *, now_ns: int) -> CheckResult:
    """GET `probe.url` within `probe.timeout_s` (the whole exchange, body included)."""
    started = time.perf_counter()
    status: int | None = None
    size = 0
    kept = bytearray()
    content_type = ""
    days_left: float | None = None
    try:
        async with asyncio.timeout(probe.timeout_s):
            async with client.stream("GET", probe.url, timeout=probe.timeout_s) as response:
                status = response.status_code
                content_type = response.headers.get("content-type", "")
                stream = response.extensions.get("network_stream")
                if stream is not None and probe.url.startswith("https"):
                    days_left = cert_days_left(stream.get_extra_info("ssl_object"), now_ns / 1e9)
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if len(kept) < MAX_BODY_BYTES:
                        kept += chunk[: MAX_BODY_BYTES - len(kept)]
    except Exception as exc:  # any failed exchange is the target's failure, classified
        error = classify(exc)
        detail = f"timed out after {probe.timeout_s:g}s" if error == "timeout" else str(exc)
        return CheckResult(
            started_ns=now_ns,
            duration_s=time.perf_counter() - started,
            status_code=status,
            error=error,
            detail=detail or type(exc).__name__,
        )
    duration_s = time.perf_counter() - started
    unexpected = status != probe.expected_status
    return CheckResult(
        started_ns=now_ns,
        duration_s=duration_s,
        status_code=status,
        body_size=size,
        body=bytes(kept),
        content_type=content_type,
        cert_days_left=days_left,
        error="unexpected_status" if unexpected else None,
        detail=f"status {status}, expected {probe.expected_status}" if unexpected else "",
    )

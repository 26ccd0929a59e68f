"""Telemetry as payloads on the wire: kept in order, written to files, sent to a server.

A `Payload` is one request body exactly as an SDK would send it (gzip-compressed OTLP protobuf,
or a Sentry envelope), so a scenario written to disk replays through the same protocols, byte
for byte, as the simulation that made it.
"""

from __future__ import annotations

import gzip
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx

from nightcall.errors import UserError

PayloadKind = Literal["traces", "metrics", "logs", "envelope"]
KINDS: tuple[PayloadKind, ...] = ("traces", "metrics", "logs", "envelope")
_SUFFIX = {"traces": ".pb.gz", "metrics": ".pb.gz", "logs": ".pb.gz", "envelope": ".env.gz"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Payload:
    """One request body (gzip-compressed) and what it carries."""

    kind: PayloadKind
    body_gz: bytes
    items: int


def pack(kind: PayloadKind, body: bytes, items: int) -> Payload:
    # mtime=0 keeps the bytes identical from run to run, so a seed fixes the files exactly.
    return Payload(kind=kind, body_gz=gzip.compress(body, compresslevel=6, mtime=0), items=items)


def write_payloads(directory: Path, payloads: Iterable[Payload]) -> int:
    """Write payloads as numbered files (`000001-traces.pb.gz`, ...); returns how many."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for count, payload in enumerate(payloads, start=1):
        name = f"{count:06d}-{payload.kind}-{payload.items}{_SUFFIX[payload.kind]}"
        (directory / name).write_bytes(payload.body_gz)
    return count


def read_payloads(directory: Path) -> Iterator[Payload]:
    """The payloads of a directory written by `write_payloads`, in their order."""
    if not directory.is_dir():
        raise UserError(
            f"{directory} is not a directory of payloads",
            location="path",
            hint="pass a scenario directory written by `nightcall demo scenarios`",
        )
    for path in sorted(directory.iterdir()):
        parts = path.name.split(".")[0].split("-")
        if len(parts) != 3 or parts[1] not in KINDS:
            continue
        kind = next(k for k in KINDS if k == parts[1])
        yield Payload(kind=kind, body_gz=path.read_bytes(), items=int(parts[2]))


@dataclass(slots=True)
class SendReport:
    """What a send did: requests and items per kind and outcome."""

    requests: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [f"{self.items[k]} {k}" for k in KINDS if self.items[k]]
        line = "sent " + ", ".join(parts or ["nothing"])
        if self.failures:
            line += "; not accepted: " + ", ".join(f"{k} x{n}" for k, n in self.failures.items())
        return line


def sentry_key_of(dsn: str) -> tuple[str, str, str]:
    """(public key, base URL, project id) of a DSN `http://KEY@HOST:PORT/PROJECT`."""
    parts = urlsplit(dsn)
    if not parts.username or not parts.hostname or not parts.path.strip("/"):
        raise UserError(
            f"{dsn!r} is not a Sentry DSN",
            location="dsn",
            hint="use http://KEY@HOST:PORT/PROJECT (`nightcall keys create --kind sentry`)",
        )
    port = f":{parts.port}" if parts.port else ""
    return parts.username, f"{parts.scheme}://{parts.hostname}{port}", parts.path.strip("/")


def default_dsn(url: str) -> str:
    """A DSN for nightcall at `url` with a placeholder key (accepted while keys are off)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://demo@{parts.netloc}/1"


class Sender:
    """Posts payloads to a nightcall server, honouring 429/503 `Retry-After`."""

    def __init__(self, url: str, *, key: str | None = None, dsn: str | None = None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=60)
        sentry_key, _, self.project = sentry_key_of(dsn or default_dsn(url))
        self.sentry_auth = (
            f"Sentry sentry_version=7, sentry_key={sentry_key}, sentry_client=nightcall-demo/1"
        )
        self.report = SendReport()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    def send(self, payload: Payload) -> None:
        if payload.kind == "envelope":
            path = f"/api/{self.project}/envelope/"
            headers = {
                "Content-Type": "application/x-sentry-envelope",
                "Content-Encoding": "gzip",
                "X-Sentry-Auth": self.sentry_auth,
            }
        else:
            path = f"/v1/{payload.kind}"
            headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"}
        for _attempt in range(20):
            try:
                response = self.client.post(path, content=payload.body_gz, headers=headers)
            except httpx.HTTPError as exc:
                raise UserError(
                    f"cannot reach {self.client.base_url}: {exc}",
                    location="url",
                    hint="start the server with `nightcall serve`, or pass the right --url",
                ) from None
            if response.status_code in (429, 503):
                time.sleep(min(5.0, float(response.headers.get("retry-after", "1") or 1)))
                continue
            break
        self.report.requests[payload.kind] += 1
        if response.is_success:
            self.report.items[payload.kind] += payload.items
        else:
            self.report.failures[f"{payload.kind} {response.status_code}"] += 1
            if response.status_code == 401:
                raise UserError(
                    f"{path} refused the demo's telemetry: {response.text[:200]}",
                    location="key",
                    hint="pass an ingest key with --key (and a sentry DSN with --dsn)",
                )


def send_payloads(
    payloads: Iterable[Payload], url: str, *, key: str | None = None, dsn: str | None = None
) -> SendReport:
    """Send every payload in order; envelopes the server does not take are counted, not fatal."""
    with Sender(url, key=key, dsn=dsn) as sender:
        for payload in payloads:
            sender.send(payload)
    return sender.report

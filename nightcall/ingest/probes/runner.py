"""Runs every configured probe on the server's event loop: one task per probe, one client.

Each task checks right away and then every `interval_s`, handing points (and a log record for a
failure) to `submit`. A full backlog drops that check's records, counted as `overloaded`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence

import httpx

from nightcall.config.probes import ProbeConfig
from nightcall.errors import Overloaded
from nightcall.ingest.log_records import encode_log_records
from nightcall.ingest.metric_points import encode_metric_points
from nightcall.ingest.probes.check import run_check
from nightcall.ingest.probes.record import check_log, check_points
from nightcall.ingest.sink import Submit
from nightcall.model import DecodedRequest, ItemCounters

log = logging.getLogger("nightcall.ingest.probes")


class ProbeRunner:
    """Starts a task per probe; `stop` cancels them and closes the HTTP client."""

    def __init__(
        self,
        probes: Sequence[ProbeConfig],
        *,
        submit: Submit,
        counters: ItemCounters,
        now_ns: Callable[[], int] = time.time_ns,
    ):
        self.probes = tuple(probes)
        self.submit = submit
        self.counters = counters
        self.now_ns = now_ns
        self.checks_run = 0
        self._client: httpx.AsyncClient | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Open the client and start one task per probe."""
        self._client = httpx.AsyncClient(follow_redirects=False)
        self._tasks = [
            asyncio.create_task(self._loop(probe), name=f"probe-{probe.name}")
            for probe in self.probes
        ]

    async def stop(self) -> None:
        """Cancel the tasks (a check in flight is abandoned) and close the client."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def check_once(self, probe: ProbeConfig) -> None:
        """Run one check of `probe` and submit what it recorded."""
        assert self._client is not None, "start() the runner first"
        result = await run_check(self._client, probe, now_ns=self.now_ns())
        self.checks_run += 1
        finished_ns = self.now_ns()
        await self._submit(encode_metric_points(check_points(probe, result, time_ns=finished_ns)))
        record = check_log(probe, result, time_ns=finished_ns)
        if record is not None:
            await self._submit(encode_log_records([record]))

    async def _submit(self, decoded: DecodedRequest) -> None:
        try:
            await self.submit(decoded)
        except Overloaded:
            self.counters.dropped(decoded.signal, "overloaded", decoded.accepted)

    async def _loop(self, probe: ProbeConfig) -> None:
        while True:
            started = time.monotonic()
            try:
                await self.check_once(probe)
            except Exception:  # one broken check must not end the probe
                log.exception("probe %r (%s) failed unexpectedly", probe.name, probe.url)
            await asyncio.sleep(max(0.0, probe.interval_s - (time.monotonic() - started)))

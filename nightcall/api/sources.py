"""The sources that are not HTTP routes: the StatsD listener, the host collector, the probes.

`start_sources` runs on the server's event loop after the pipeline has started, and the
returned `Sources.stop` runs before the pipeline drains, so a last StatsD interval and a last
check reach the write-ahead log. Each source hands records to the same `submit` as the routes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nightcall.errors import Overloaded
from nightcall.ingest.host import HostCollector
from nightcall.ingest.metric_points import encode_metric_points
from nightcall.ingest.probes import ProbeRunner
from nightcall.ingest.statsd import StatsdAggregator, StatsdListener
from nightcall.model import DecodedRequest

if TYPE_CHECKING:  # app.py starts the sources, so importing it here would be a cycle
    from nightcall.api.app import Runtime

log = logging.getLogger("nightcall.sources")


def make_submit(runtime: Runtime) -> Callable[[DecodedRequest], Awaitable[None]]:
    """Put a decoded request in the WAL and count it once it is there.

    Raises `Overloaded` when the backlog is full: each source counts its own drops.
    """

    async def submit(decoded: DecodedRequest) -> None:
        future = runtime.pipeline.submit(decoded.batches)
        await asyncio.wrap_future(future)
        runtime.counters.accepted(decoded.signal, decoded.accepted)
        if decoded.rejected:
            runtime.counters.dropped(decoded.signal, "invalid_item", decoded.rejected)

    return submit


@dataclass(slots=True)
class Sources:
    """What `start_sources` started; `stop` ends each, flushing what it holds."""

    statsd: StatsdListener | None = None
    probes: ProbeRunner | None = None
    host_task: asyncio.Task[None] | None = None
    host_collections: int = 0

    async def stop(self) -> None:
        if self.host_task is not None:
            self.host_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.host_task
        if self.probes is not None:
            await self.probes.stop()
        if self.statsd is not None:
            await self.statsd.stop()


async def _collect_host(runtime: Runtime, sources: Sources) -> None:
    settings = runtime.settings
    submit = make_submit(runtime)
    collector = await asyncio.to_thread(HostCollector, top_processes=settings.host_top_processes)
    while True:
        await asyncio.sleep(settings.host_interval_s)
        try:
            points = await asyncio.to_thread(collector.collect, now_ns=runtime.now_ns())
            decoded = encode_metric_points(points)
            try:
                await submit(decoded)
            except Overloaded:
                runtime.counters.dropped(decoded.signal, "overloaded", decoded.accepted)
            sources.host_collections += 1
        except Exception:  # a failed collection must not end the collector
            log.exception("collecting host metrics failed")


async def start_sources(runtime: Runtime) -> Sources:
    """Start what the settings turn on: StatsD (statsd_port), collect_host, probes."""
    settings = runtime.settings
    submit = make_submit(runtime)
    sources = Sources()
    if settings.statsd_port:
        aggregator = StatsdAggregator(
            default_service=settings.statsd_service, max_series=settings.statsd_max_series
        )
        listener = StatsdListener(
            aggregator,
            submit=submit,
            counters=runtime.counters,
            flush_interval_s=settings.statsd_flush_interval_s,
            now_ns=runtime.now_ns,
        )
        try:
            await listener.start(settings.host, settings.statsd_port)
            sources.statsd = listener
        except OSError as exc:
            log.warning(
                "StatsD is off: cannot listen on UDP %s:%d (%s); free the port, or set "
                "statsd_port (--statsd-port) to another port, or 0 to turn StatsD off",
                settings.host, settings.statsd_port, exc,
            )  # fmt: skip
    if settings.probes:
        sources.probes = ProbeRunner(settings.probes, submit=submit, counters=runtime.counters,
                                     now_ns=runtime.now_ns)  # fmt: skip
        await sources.probes.start()
    if settings.collect_host:
        sources.host_task = asyncio.create_task(_collect_host(runtime, sources), name="host")
    return sources

"""The StatsD UDP endpoint: datagrams in, aggregated points out once per flush interval.

Runs on the server's event loop: `datagram_received` decodes and folds samples in (no I/O), a
flush task hands each finished interval to `submit`. Every line that cannot be used is counted
under `signal="metrics"`: `statsd_malformed`, `statsd_unsupported` (events, service checks),
`statsd_series_overflow` (past the series cap) or `overloaded` (the backlog was full).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable

from nightcall.errors import Overloaded
from nightcall.ingest.metric_points import encode_metric_points
from nightcall.ingest.sink import Submit
from nightcall.ingest.statsd.aggregate import StatsdAggregator
from nightcall.ingest.statsd.decode import decode_datagram
from nightcall.model import ItemCounters, Signal

log = logging.getLogger("nightcall.ingest.statsd")
RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024  # bursts wait here while the event loop is busy


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, listener: StatsdListener):
        self.listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.listener.receive(data)

    def error_received(self, exc: Exception) -> None:
        log.warning("the StatsD socket reported an error: %s", exc)


class StatsdListener:
    """One UDP socket and one aggregator; `start` binds, `stop` flushes the last interval."""

    def __init__(
        self,
        aggregator: StatsdAggregator,
        *,
        submit: Submit,
        counters: ItemCounters,
        flush_interval_s: float,
        now_ns: Callable[[], int],
    ):
        self.aggregator = aggregator
        self.submit = submit
        self.counters = counters
        self.flush_interval_s = flush_interval_s
        self.now_ns = now_ns
        self.lines_received = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._interval_start_ns = 0

    @property
    def port(self) -> int:
        """The bound UDP port (useful when started on port 0)."""
        if self._transport is None:
            return 0
        return int(self._transport.get_extra_info("sockname")[1])

    async def start(self, host: str, port: int) -> None:
        """Bind `host:port` and start flushing every `flush_interval_s`.

        Raises:
            OSError: the port cannot be bound (in use, or not allowed).
        """
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            with contextlib.suppress(OSError):  # the kernel may cap it (net.core.rmem_max)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
            sock.bind((host, port))
            sock.setblocking(False)
        except OSError:
            sock.close()  # bound here, not by the loop, so a failed bind leaks nothing
            raise
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=sock)
        self._transport = transport
        self._interval_start_ns = self.now_ns()
        self._flusher = asyncio.create_task(self._flush_loop(), name="statsd-flush")

    async def stop(self) -> None:
        """Close the socket, then flush what the last interval holds."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
            await self.flush()

    def receive(self, data: bytes) -> None:
        """Decode one datagram and fold its samples in; bad lines are counted, not fatal."""
        decoded = decode_datagram(data)
        self.lines_received += len(decoded.samples) + len(decoded.malformed)
        if decoded.malformed:
            self.counters.dropped(Signal.METRICS, "statsd_malformed", len(decoded.malformed))
            log.debug("skipped %d malformed StatsD line(s): %s", len(decoded.malformed),
                      decoded.malformed[0].message)  # fmt: skip
        if decoded.unsupported:
            self.counters.dropped(Signal.METRICS, "statsd_unsupported", decoded.unsupported)
        refused = sum(1 for sample in decoded.samples if not self.aggregator.add(sample))
        if refused:
            self.counters.dropped(Signal.METRICS, "statsd_series_overflow", refused)

    async def flush(self) -> None:
        """Turn the current interval into points and submit them."""
        now = self.now_ns()
        points = self.aggregator.flush(start_ns=self._interval_start_ns, now_ns=now)
        self._interval_start_ns = now
        if not points:
            return
        decoded = encode_metric_points(points)
        try:
            await self.submit(decoded)
        except Overloaded:
            self.counters.dropped(Signal.METRICS, "overloaded", decoded.accepted)
            log.warning("dropped %d StatsD points: the write backlog is full", decoded.accepted)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval_s)
            try:
                await self.flush()
            except Exception:  # never let one bad interval stop the flushing
                log.exception("flushing StatsD points failed")

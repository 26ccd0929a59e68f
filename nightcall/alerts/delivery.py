"""Delivery off the evaluation path: a bounded queue and a worker per receiver, with retries.

    engine ──submit(event)──> [queue per receiver, bounded] ──worker──> Notifier.send
                                     full: dropped, counted          fail: back off, retry

Each attempt is recorded (status, error, duration) through `record`. A failed attempt that
may succeed later (a timeout, a 5xx, 429) is retried after an exponential backoff with jitter
(`backoff_s` x 2^(n-1) x a factor in [0.5, 1.5), at most `MAX_BACKOFF_S`), up to the receiver's
`max_attempts`. A receiver that hangs holds only its own worker, for its timeout per attempt.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import random
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nightcall.alerts.notifiers import Notifier
from nightcall.alerts.records import AlertEvent, DeliveryResult
from nightcall.config.alert_receivers import AlertReceiver

log = logging.getLogger("nightcall.alerts")
QUEUE_SIZE = 1000
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryAttempt:
    """One attempt to deliver one event to one receiver; `is_final` when no retry follows."""

    time_ns: int
    receiver: str
    event: AlertEvent
    attempt: int
    result: DeliveryResult
    is_final: bool


RecordAttempt = Callable[[DeliveryAttempt], None]


class _Lane:
    """One receiver's queue and worker."""

    def __init__(self, receiver: AlertReceiver, notifier: Notifier, queue_size: int):
        self.receiver = receiver
        self.notifier = notifier
        self.queue: queue.Queue[AlertEvent | None] = queue.Queue(maxsize=queue_size)
        self.thread: threading.Thread | None = None


class Dispatcher:
    """Delivers events to receivers in background threads, retrying and recording attempts."""

    def __init__(
        self,
        lanes: Sequence[tuple[AlertReceiver, Notifier]],
        *,
        record: RecordAttempt,
        now_ns: Callable[[], int],
        queue_size: int = QUEUE_SIZE,
        rng: random.Random | None = None,
    ):
        self._lanes = {r.name: _Lane(r, n, queue_size) for r, n in lanes}
        self._record = record
        self._now_ns = now_ns
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._in_flight = 0
        self.dropped: Counter[tuple[str, str]] = Counter()  # (receiver, reason)
        self.delivered: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    @property
    def receivers(self) -> list[str]:
        return list(self._lanes)

    def start(self) -> None:
        """Start one worker thread per receiver."""
        for name, lane in self._lanes.items():
            lane.thread = threading.Thread(
                target=self._work, args=(lane,), name=f"nightcall-alerts-{name}", daemon=True
            )
            lane.thread.start()

    def submit(self, event: AlertEvent, receivers: Sequence[str] = ()) -> int:
        """Queue `event` for `receivers` (all when empty); returns how many took it.

        A full queue drops the event for that receiver, counted as `queue_full` and logged.
        """
        taken = 0
        for name in receivers or list(self._lanes):
            lane = self._lanes.get(name)
            if lane is None:
                self.dropped[name, "unknown_receiver"] += 1
                continue
            with self._idle:
                self._in_flight += 1
            try:
                lane.queue.put_nowait(event)
            except queue.Full:
                self._done()
                self.dropped[name, "queue_full"] += 1
                log.warning(
                    "alert delivery queue of %r is full (%d events): dropped %s %s",
                    name,
                    lane.queue.maxsize,
                    event.alert.rule,
                    event.state.value,
                )
                continue
            taken += 1
        return taken

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the workers: an attempt under way finishes, queued events are dropped."""
        self._stop.set()
        for lane in self._lanes.values():
            with contextlib.suppress(queue.Full):  # full: it sees the stop flag after its event
                lane.queue.put_nowait(None)
        for lane in self._lanes.values():
            if lane.thread is not None:
                lane.thread.join(timeout=timeout_s)
            lane.notifier.close()

    def _work(self, lane: _Lane) -> None:
        while True:
            event = lane.queue.get()
            if event is None:
                return
            try:
                if self._stop.is_set():
                    self.dropped[lane.receiver.name, "shutdown"] += 1
                else:
                    self._deliver(lane, event)
            finally:
                self._done()

    def _deliver(self, lane: _Lane, event: AlertEvent) -> None:
        """Every attempt for one event, with backoff between them; each one recorded."""
        receiver = lane.receiver
        for attempt in range(1, receiver.max_attempts + 1):
            try:
                result = lane.notifier.send(event)
            except Exception as exc:  # a notifier must answer, not raise; count it as a failure
                result = DeliveryResult(is_ok=False, error=f"{type(exc).__name__}: {exc}")
            is_last = attempt == receiver.max_attempts or self._stop.is_set()
            is_final = result.is_ok or not result.is_retryable or is_last
            record = DeliveryAttempt(
                time_ns=self._now_ns(),
                receiver=receiver.name,
                event=event,
                attempt=attempt,
                result=result,
                is_final=is_final,
            )
            try:
                self._record(record)
            except Exception:  # recording must not stop delivery; say so and go on
                log.warning(
                    "could not record a delivery attempt to %r", receiver.name, exc_info=True
                )
            if result.is_ok:
                self.delivered[receiver.name] += 1
                return
            if is_final:
                self.failed[receiver.name] += 1
                log.warning(
                    "alert %s (%s) not delivered to %r after %d attempt(s): %s",
                    event.alert.rule,
                    event.state.value,
                    receiver.name,
                    attempt,
                    result.error or result.status_code,
                )
                return
            delay = receiver.backoff_s * 2 ** (attempt - 1) * self._rng.uniform(0.5, 1.5)
            self._stop.wait(min(delay, MAX_BACKOFF_S))

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until every queued event has had its attempts; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout_s)

    def _done(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

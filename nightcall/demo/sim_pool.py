"""A DB connection pool in simulated time: a multi-server FCFS queue over release times.

Requests are processed in (nearly) arrival order, so each acquisition sees the holds granted
before it; a request that cannot get a connection within the pool's timeout fails, as a real
pool's `acquire(timeout=...)` does. Leaked connections shrink the usable size.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field


@dataclass(slots=True)
class PoolModel:
    """One service's pool: `size` connections, `timeout_s` to wait for one."""

    size: int
    timeout_s: float
    releases: list[float] = field(default_factory=list)

    def acquire(self, t_s: float, leaked: int) -> float | None:
        """When a request arriving at `t_s` gets a connection, or None if it times out.

        The caller must `release` the connection it got (at the time it gives it back).
        """
        while self.releases and self.releases[0] <= t_s:
            heapq.heappop(self.releases)
        capacity = self.size - leaked
        if capacity <= 0:
            return None
        in_use = len(self.releases)
        if in_use < capacity:
            return t_s
        # The (in_use - capacity + 1)-th release frees the first usable connection.
        granted = heapq.nsmallest(in_use - capacity + 1, self.releases)[-1]
        if granted - t_s > self.timeout_s:
            return None
        heapq.heappop(self.releases)
        return granted

    def release(self, t_s: float) -> None:
        heapq.heappush(self.releases, t_s)

    def in_use(self, t_s: float) -> int:
        return sum(1 for r in self.releases if r > t_s)

"""Where nightcall's own sources (StatsD, host, probes) hand what they made.

The sources do not know the store or the pipeline: the server gives them a `Submit` that puts a
decoded request in the write-ahead log, and `ItemCounters` to count what they had to drop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias

from nightcall.model import DecodedRequest

Submit: TypeAlias = Callable[[DecodedRequest], Awaitable[None]]

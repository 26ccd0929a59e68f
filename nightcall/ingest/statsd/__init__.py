"""StatsD and DogStatsD over UDP: decode lines, aggregate per interval, store metric points."""

from nightcall.ingest.statsd.aggregate import StatsdAggregator
from nightcall.ingest.statsd.decode import Sample, StatsdType, decode_datagram, decode_line
from nightcall.ingest.statsd.listener import StatsdListener

__all__ = [
    "Sample",
    "StatsdAggregator",
    "StatsdListener",
    "StatsdType",
    "decode_datagram",
    "decode_line",
]

"""The host collector: CPU, memory, disk, network, processes and PSI, by the USE method."""

from nightcall.ingest.host.collector import HostCollector, host_resource
from nightcall.ingest.host.encode_otlp import encode_export_request
from nightcall.ingest.host.ship import OtlpShipper, ShipError

__all__ = [
    "HostCollector",
    "OtlpShipper",
    "ShipError",
    "encode_export_request",
    "host_resource",
]

"""Change events: something a person or a platform did to a service (a deploy, a restart).

Correlation aligns anomalies with them ("latency rose 40 s after version 2.4.1 went out"), and
hypotheses such as deploy_regression rest on them. They are read from the telemetry itself: a
new `service.version` or a new `service.instance.id` in a service's resource attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChangeKind(StrEnum):
    """What changed."""

    DEPLOY = "deploy"  # a new service.version began reporting
    RESTART = "restart"  # a new instance (service.instance.id) of the same version began


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeEvent:
    """One change to one service at one moment, with what it changed from and to."""

    kind: ChangeKind
    service: str
    time_ns: int
    detail: str
    previous: str = ""
    current: str = ""
    instance: str = ""

"""The demo's traffic: what shoppers request, how the rate moves through a compressed day, and
the phones the iOS app runs on. Both modes draw from these, like the service graph.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryPoint:
    """A user-facing request the load generator sends to the frontend, with its share."""

    method: str
    route: str
    weight: float


ENTRY_MIX: tuple[EntryPoint, ...] = (
    EntryPoint(method="GET", route="/", weight=0.40),
    EntryPoint(method="GET", route="/product/{id}", weight=0.33),
    EntryPoint(method="POST", route="/cart", weight=0.15),
    EntryPoint(method="POST", route="/checkout", weight=0.12),
)


def pick_entry(rng: random.Random) -> EntryPoint:
    return rng.choices(ENTRY_MIX, weights=[e.weight for e in ENTRY_MIX])[0]


# The evening window of the compressed day, as fractions of the day (18:00 to 21:00).
EVENING = (0.75, 0.875)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayCurve:
    """A day's traffic compressed into `day_s` seconds: a night trough and an evening peak.

    `phase(t)` is the fraction of the day at `t` seconds after the start; the run starts at
    `start_phase` (by default mid-morning, so a short run still sees the curve move).
    """

    day_s: float
    mean_rate_per_s: float
    start_phase: float = 0.375

    def phase(self, t_s: float) -> float:
        return (self.start_phase + t_s / self.day_s) % 1.0

    def rate_per_s(self, t_s: float) -> float:
        p = self.phase(t_s)
        daytime = 0.5 - 0.5 * math.cos(2 * math.pi * (p - 0.125))  # low at 03:00, high at 15:00
        evening = math.exp(-(((p - 0.8) / 0.06) ** 2))  # an extra bump around 19:00
        return self.mean_rate_per_s * (0.25 + 1.1 * daytime + 0.6 * evening)

    def max_rate_per_s(self) -> float:
        return self.mean_rate_per_s * 1.95

    def evening_window_s(self) -> tuple[float, float]:
        """Seconds after the start at which the first evening window begins and ends."""
        begin = ((EVENING[0] - self.start_phase) % 1.0) * self.day_s
        return begin, begin + (EVENING[1] - EVENING[0]) * self.day_s


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """A phone model running the shop's iOS app, with its share of sessions."""

    model: str
    family: str
    os_version: str
    weight: float


DEVICES: tuple[Device, ...] = (
    Device(model="iPhone15,2", family="iPhone", os_version="17.4.1", weight=0.22),
    Device(model="iPhone14,5", family="iPhone", os_version="17.4.1", weight=0.2),
    Device(model="iPhone12,1", family="iPhone", os_version="16.7.5", weight=0.14),
    Device(model="iPhone12,1", family="iPhone", os_version="17.4.1", weight=0.12),
    Device(model="iPhone16,1", family="iPhone", os_version="17.5", weight=0.18),
    Device(model="iPad13,4", family="iPad", os_version="17.4.1", weight=0.08),
    Device(model="iPhone13,2", family="iPhone", os_version="16.7.5", weight=0.06),
)
APP_VERSIONS: tuple[str, ...] = ("6.3.0", "6.4.0", "6.4.1")


@dataclass(frozen=True, slots=True, kw_only=True)
class MobileCrash:
    """A crash kind of the app, as its crash reporter names it."""

    type: str
    value: str
    function: str
    module: str = "ShopApp"
    weight: float = 1.0


BACKGROUND_CRASHES: tuple[MobileCrash, ...] = (
    MobileCrash(
        type="EXC_BAD_ACCESS",
        value="KERN_INVALID_ADDRESS at 0x0000000000000010",
        function="ProductCell.configure(with:)",
    ),
    MobileCrash(
        type="NSInvalidArgumentException",
        value="-[__NSCFNumber length]: unrecognized selector sent to instance",
        function="CartViewModel.update(_:)",
    ),
    MobileCrash(
        type="EXC_BREAKPOINT",
        value="Fatal error: Index out of range",
        function="ReviewsView.body.getter",
    ),
)
DEVICE_CRASH = MobileCrash(
    type="EXC_BAD_ACCESS",
    value="KERN_INVALID_ADDRESS at 0x0000000000000000",
    function="CheckoutSheet.presentApplePay()",
)
CRASH_RATE_PER_SESSION = 0.004
SESSIONS_PER_REQUEST = 0.25

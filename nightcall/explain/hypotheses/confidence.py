"""Confidence: the ranking score mapped to the share of such hypotheses that were right.

The table is fitted on the demo's 30 labelled scenarios diagnosed four ways (all telemetry;
metrics only; spans and calls; spans, calls and logs: `bench/eval_rca.py --signals`), so it has
seen the engine wrong as well as right: 106 top hypotheses, isotonic regression of "kind and
service both right" on the raw ranking score (raw 0.3-0.45: 0/10 right; 0.45-0.8: 22/31;
0.8-1.0: 55/64). Between knots the value is interpolated; a clear lead over the second
candidate (`margin`) adds a little. Refit when the rules change.
"""

from __future__ import annotations

import numpy as np

# (raw score, observed accuracy) knots; refit from bench/eval_rca.py when the rules change.
CALIBRATION: tuple[tuple[float, float], ...] = (
    (0.0, 0.02),
    (0.38, 0.05),
    (0.5, 0.65),
    (0.72, 0.71),
    (0.85, 0.86),
    (1.0, 0.9),
)
MARGIN_BONUS = 0.03


def calibrated_confidence(raw: float, margin: float = 0.0) -> float:
    """The calibrated confidence in [0, 0.99] of a hypothesis with ranking score `raw`."""
    xs = [x for x, _ in CALIBRATION]
    ys = [y for _, y in CALIBRATION]
    value = float(np.interp(raw, xs, ys)) + MARGIN_BONUS * max(0.0, min(1.0, margin))
    return round(min(0.99, max(0.0, value)), 3)

"""Confidence: the ranking score mapped to the share of such hypotheses that were right.

The table is fitted on the demo's labelled scenarios (`bench/eval_rca.py` prints the
calibration table it comes from): for raw scores in each bucket, the observed share of top
hypotheses whose kind and service were both right. Between knots the value is interpolated;
a clear lead over the second candidate (`margin`) adds a little, since the service is then
rarely wrong.
"""

from __future__ import annotations

import numpy as np

# (raw score, observed accuracy) knots; refit from bench/eval_rca.py when the rules change.
CALIBRATION: tuple[tuple[float, float], ...] = (
    (0.0, 0.05),
    (0.3, 0.2),
    (0.5, 0.45),
    (0.7, 0.7),
    (0.85, 0.85),
    (1.0, 0.92),
)
MARGIN_BONUS = 0.05


def calibrated_confidence(raw: float, margin: float = 0.0) -> float:
    """The calibrated confidence in [0, 0.99] of a hypothesis with ranking score `raw`."""
    xs = [x for x, _ in CALIBRATION]
    ys = [y for _, y in CALIBRATION]
    value = float(np.interp(raw, xs, ys)) + MARGIN_BONUS * max(0.0, min(1.0, margin))
    return round(min(0.99, max(0.0, value)), 3)

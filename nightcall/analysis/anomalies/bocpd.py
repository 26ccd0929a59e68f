"""Bayesian online change-point detection (Adams & MacKay, 2007) for level shifts.

The series is taken in units of its robust noise, so the model is Gaussian with unit variance
and an unknown mean per segment (a normal prior around the series' median). The run-length
posterior is kept for the last `max_run` lengths. A change point is a segment start that stays
the most probable one for `min_size` consecutive points, which is what a person watching the
stream would call a change that stuck.
"""

from __future__ import annotations

import math

import numpy as np

from nightcall.analysis.anomalies.series_ops import FloatArray

HAZARD_POINTS = 250.0  # expected points between changes: a prior, not a detection threshold
PRIOR_MEAN_VARIANCE = 100.0  # segment means spread over ±10 noise deviations a priori
MAX_RUN = 600


def bocpd_breakpoints(z: FloatArray, min_size: int) -> list[int]:
    """Indices where a new segment starts in `z` (a series divided by its noise level)."""
    n = len(z)
    if n < 2 * min_size:
        return []
    log_hazard, log_survive = math.log(1 / HAZARD_POINTS), math.log(1 - 1 / HAZARD_POINTS)
    prior_mean = float(np.median(z))
    log_run = np.zeros(1)
    means = np.array([prior_mean])
    variances = np.array([PRIOR_MEAN_VARIANCE])
    starts = np.empty(n, dtype=np.int64)
    for t, value in enumerate(z):
        predictive = variances + 1.0
        log_likelihood = -0.5 * (np.log(2 * np.pi * predictive) + (value - means) ** 2 / predictive)
        joint = log_run + log_likelihood
        change = _logsumexp(joint + log_hazard)
        log_run = np.concatenate(([change], joint + log_survive))
        log_run -= _logsumexp(log_run)
        posterior_variances = 1.0 / (1.0 / variances + 1.0)
        posterior_means = posterior_variances * (means / variances + value)
        means = np.concatenate(([prior_mean], posterior_means))
        variances = np.concatenate(([PRIOR_MEAN_VARIANCE], posterior_variances))
        if len(log_run) > MAX_RUN:
            log_run, means, variances = log_run[:MAX_RUN], means[:MAX_RUN], variances[:MAX_RUN]
        # Entry k is the run holding the last k points (entry 0: a run that starts next).
        run = int(np.argmax(log_run[1:])) + 1
        starts[t] = t - run + 1
    return _stable_starts(starts, min_size)


def _stable_starts(starts: np.ndarray, min_size: int) -> list[int]:
    """Segment starts that stayed the most probable for `min_size` points in a row."""
    found: list[int] = []
    streak = 1
    for t in range(1, len(starts)):
        streak = streak + 1 if starts[t] == starts[t - 1] else 1
        start = int(starts[t])
        if streak == min_size and start > 0 and (not found or start - found[-1] >= min_size):
            found.append(start)
    return found


def _logsumexp(values: FloatArray) -> float:
    peak = float(np.max(values))
    return peak + math.log(float(np.sum(np.exp(values - peak))))

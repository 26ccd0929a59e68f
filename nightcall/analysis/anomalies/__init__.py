"""Anomaly detection on reduced series: thresholds, robust deviation, change points, trends,
periodic bursts, time-of-day patterns, and the consensus that decides what pages."""

from nightcall.analysis.anomalies.changepoints import detect_change_points
from nightcall.analysis.anomalies.config import AnomalyConfig, ChangePointMethod
from nightcall.analysis.anomalies.consensus import find_consensus
from nightcall.analysis.anomalies.periodic import detect_periodic
from nightcall.analysis.anomalies.registry import Detector, builtin_detectors, detect_anomalies
from nightcall.analysis.anomalies.robust import detect_deviations
from nightcall.analysis.anomalies.seasonality import detect_time_of_day
from nightcall.analysis.anomalies.thresholds import detect_thresholds
from nightcall.analysis.anomalies.trends import detect_trends

__all__ = [
    "AnomalyConfig",
    "ChangePointMethod",
    "Detector",
    "builtin_detectors",
    "detect_anomalies",
    "detect_change_points",
    "detect_deviations",
    "detect_periodic",
    "detect_thresholds",
    "detect_time_of_day",
    "detect_trends",
    "find_consensus",
]

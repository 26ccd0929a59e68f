"""Pure analyses over data pulled from the store: series and records in, `Finding`s out."""

from nightcall.analysis.anomalies import AnomalyConfig, Detector, detect_anomalies

__all__ = ["AnomalyConfig", "Detector", "detect_anomalies"]

"""Pure analyses over data pulled from the store: series, records and logs in, `Finding`s out."""

from nightcall.analysis.anomalies import AnomalyConfig, Detector, detect_anomalies
from nightcall.analysis.errors import (
    Fingerprint,
    Stack,
    find_stacks,
    fingerprint_event,
    fingerprint_stack,
    stack_from_sentry_event,
)
from nightcall.analysis.logs import (
    TemplateMiner,
    TemplateRegistry,
    find_new_templates,
    find_template_spikes,
    mine_templates,
)
from nightcall.analysis.traces import (
    TraceAnalysis,
    analyze_trace,
    build_service_map,
    compare_cohorts,
)

__all__ = [
    "AnomalyConfig",
    "Detector",
    "Fingerprint",
    "Stack",
    "TemplateMiner",
    "TemplateRegistry",
    "TraceAnalysis",
    "analyze_trace",
    "build_service_map",
    "compare_cohorts",
    "detect_anomalies",
    "find_new_templates",
    "find_stacks",
    "find_template_spikes",
    "fingerprint_event",
    "fingerprint_stack",
    "mine_templates",
    "stack_from_sentry_event",
]

"""Trace analysis: critical path, self-time, bottlenecks and errors per trace; across traces,
the service map and the comparison of a slow cohort with a baseline."""

from nightcall.analysis.traces.compare import (
    AttributeShift,
    CohortComparison,
    CompareOptions,
    OperationShift,
    compare_cohorts,
)
from nightcall.analysis.traces.critical_path import PathSegment, critical_path, self_times
from nightcall.analysis.traces.service_map import (
    ServiceEdge,
    ServiceMap,
    ServiceNode,
    build_service_map,
)
from nightcall.analysis.traces.spans import SpanTree, TraceSpan, build_tree, span_from_row
from nightcall.analysis.traces.trace_analysis import (
    Bottleneck,
    BottleneckRule,
    ErrorSpan,
    SpanTiming,
    TraceAnalysis,
    analyze_trace,
)

__all__ = [
    "AttributeShift",
    "Bottleneck",
    "BottleneckRule",
    "CohortComparison",
    "CompareOptions",
    "ErrorSpan",
    "OperationShift",
    "PathSegment",
    "ServiceEdge",
    "ServiceMap",
    "ServiceNode",
    "SpanTiming",
    "SpanTree",
    "TraceAnalysis",
    "TraceSpan",
    "analyze_trace",
    "build_service_map",
    "build_tree",
    "compare_cohorts",
    "critical_path",
    "self_times",
    "span_from_row",
]

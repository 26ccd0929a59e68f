"""Stack traces and error fingerprints: parse traces from text and Sentry events, group errors.

`find_stacks` locates and parses Python, JVM, JavaScript, Go, .NET and Apple crash-log
traces inside any text; `stack_from_sentry_event` reads a Sentry event; `fingerprint_stack`
and `fingerprint_event` give the digest that groups occurrences of the same error;
`event_signature` reads what grouping needs from one event, `group_errors` groups a window's
events (counts, reach, new and regression flags, breadcrumb trail) and `summarize_releases`
rolls the groups up per release with its crash-free rate.
"""

from nightcall.analysis.errors.fingerprint import (
    DEFAULT_MAX_FRAMES,
    Fingerprint,
    FingerprintMethod,
    default_components,
    fingerprint_event,
    fingerprint_stack,
)
from nightcall.analysis.errors.frames import Frame, Platform, Stack, StackMatch
from nightcall.analysis.errors.groups import (
    Counted,
    ErrorGroup,
    ErrorHistory,
    ErrorOccurrence,
    GroupRules,
    GroupSort,
    Impact,
    Population,
    RegressionReason,
    Trail,
    group_errors,
    most_common_trail,
    sort_groups,
    tag_distribution,
)
from nightcall.analysis.errors.in_app import is_in_app
from nightcall.analysis.errors.normalize import frame_key, normalize_function, normalize_message
from nightcall.analysis.errors.parse_text import (
    Scanner,
    find_stack_matches,
    find_stacks,
    parse_stack,
)
from nightcall.analysis.errors.releases import ReleaseHealth, SessionCounts, summarize_releases
from nightcall.analysis.errors.sentry_event import stack_from_sentry_event
from nightcall.analysis.errors.signature import (
    Culprit,
    EventSignature,
    breadcrumb_trail,
    crumb_label,
    culprit_of,
    event_signature,
)
from nightcall.analysis.errors.signature_cache import SignatureCache
from nightcall.analysis.errors.timeline import CountSeries, bucket_counts, choose_step_ns

# Plain sorted() order, as tests/test_architecture.py checks (isort order puts constants first).
__all__ = [  # noqa: RUF022
    "CountSeries",
    "Counted",
    "Culprit",
    "DEFAULT_MAX_FRAMES",
    "ErrorGroup",
    "ErrorHistory",
    "ErrorOccurrence",
    "EventSignature",
    "Fingerprint",
    "FingerprintMethod",
    "Frame",
    "GroupRules",
    "GroupSort",
    "Impact",
    "Platform",
    "Population",
    "RegressionReason",
    "ReleaseHealth",
    "Scanner",
    "SessionCounts",
    "SignatureCache",
    "Stack",
    "StackMatch",
    "Trail",
    "breadcrumb_trail",
    "bucket_counts",
    "choose_step_ns",
    "crumb_label",
    "culprit_of",
    "default_components",
    "event_signature",
    "find_stack_matches",
    "find_stacks",
    "fingerprint_event",
    "fingerprint_stack",
    "frame_key",
    "group_errors",
    "is_in_app",
    "most_common_trail",
    "normalize_function",
    "normalize_message",
    "parse_stack",
    "sort_groups",
    "stack_from_sentry_event",
    "summarize_releases",
    "tag_distribution",
]

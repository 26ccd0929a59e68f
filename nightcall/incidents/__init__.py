"""Running the incident: the protocol's phases, the hypothesis log, the timeline, post-mortems,
and the memory of past incidents."""

from nightcall.incidents.evidence import check_evidence, evidence_from_diagnostic
from nightcall.incidents.from_alert import open_incident_from_alert, parse_severity
from nightcall.incidents.memory import Match, similar_incidents
from nightcall.incidents.postmortem import (
    SECTIONS,
    edits_from_markdown,
    postmortem_html,
    postmortem_markdown,
)
from nightcall.incidents.protocol import NEXT_PHASES, check_transition, parse_phase, parse_status
from nightcall.incidents.service import IncidentService, normalize_id
from nightcall.incidents.state import fold
from nightcall.incidents.timeline import build_timeline

__all__ = [  # noqa: RUF022  # plain sorted(), as tests/test_architecture.py checks
    "IncidentService",
    "Match",
    "NEXT_PHASES",
    "SECTIONS",
    "build_timeline",
    "check_evidence",
    "check_transition",
    "edits_from_markdown",
    "evidence_from_diagnostic",
    "fold",
    "normalize_id",
    "open_incident_from_alert",
    "parse_phase",
    "parse_severity",
    "parse_status",
    "postmortem_html",
    "postmortem_markdown",
    "similar_incidents",
]

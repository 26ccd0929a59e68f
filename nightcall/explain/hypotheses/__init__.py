"""Findings become ranked hypotheses with confidence, evidence and investigation steps."""

from nightcall.explain.hypotheses.build import RULES, build_hypotheses
from nightcall.explain.hypotheses.confidence import calibrated_confidence
from nightcall.explain.hypotheses.context import Context
from nightcall.explain.hypotheses.playbook import PLAYS, Play
from nightcall.explain.hypotheses.rules import Rule, Verdict

__all__ = [  # noqa: RUF022  # plain sorted(), as tests/test_architecture.py checks
    "Context",
    "PLAYS",
    "Play",
    "RULES",
    "Rule",
    "Verdict",
    "build_hypotheses",
    "calibrated_confidence",
]

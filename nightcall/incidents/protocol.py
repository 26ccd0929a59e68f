"""The protocol's phase machine: which phase may follow which, and why a move is refused.

    detect → triage → stabilize → diagnose → fix → postmortem → closed

Stabilizing comes before the root cause is known, so triage may go straight to diagnose when
nothing needs stopping, and diagnose may go back to stabilize when it gets worse. A fix that
did not hold goes back to diagnose. A false alarm closes from detect or triage; a minor
incident may close after its fix without a post-mortem. A closed incident reopens to triage.
"""

from __future__ import annotations

from nightcall.errors import BadRequest
from nightcall.model import HypothesisStatus, Phase

NEXT_PHASES: dict[Phase, tuple[Phase, ...]] = {
    Phase.DETECT: (Phase.TRIAGE, Phase.CLOSED),
    Phase.TRIAGE: (Phase.STABILIZE, Phase.DIAGNOSE, Phase.CLOSED),
    Phase.STABILIZE: (Phase.DIAGNOSE, Phase.FIX),
    Phase.DIAGNOSE: (Phase.STABILIZE, Phase.FIX),
    Phase.FIX: (Phase.DIAGNOSE, Phase.POSTMORTEM, Phase.CLOSED),
    Phase.POSTMORTEM: (Phase.CLOSED,),
    Phase.CLOSED: (Phase.TRIAGE,),
}

# What each phase asks of the people in it, shown beside the phase.
PHASE_GOALS: dict[Phase, str] = {
    Phase.DETECT: "confirm it is real and who owns it",
    Phase.TRIAGE: "set the severity, the scope and the blast radius; name a commander",
    Phase.STABILIZE: "stop the bleeding (roll back, shed load, circuit-break) before the cause",
    Phase.DIAGNOSE: "hypothesis, measure, confirm or reject; one change at a time",
    Phase.FIX: "fix the confirmed cause and watch the signals come back",
    Phase.POSTMORTEM: "write the blameless post-mortem: timeline, cause, action items",
    Phase.CLOSED: "done; reopen to triage if it comes back",
}


def parse_phase(text: str, *, location: str = "phase") -> Phase:
    """The phase named `text` (any case), or a BadRequest naming the phases."""
    try:
        return Phase(text.strip().lower())
    except ValueError:
        raise BadRequest(
            f"{text!r} is not a phase of the protocol",
            location=location,
            hint="phases: " + ", ".join(p.value for p in Phase),
        ) from None


def check_transition(incident_id: str, current: Phase, target: Phase) -> None:
    """Raise a BadRequest naming the allowed next phases unless `current` → `target` is one."""
    allowed = NEXT_PHASES[current]
    if target in allowed:
        return
    choices = ", ".join(p.value for p in allowed)
    why = "it is already there" if target == current else f"the protocol goes {current} → {choices}"
    raise BadRequest(
        f"cannot move {incident_id} from {current} to {target}: {why}",
        location="phase",
        hint=f"allowed next phases from {current}: {choices}",
    )


def parse_status(text: str, *, location: str = "status") -> HypothesisStatus:
    """The hypothesis status named `text` (any case), or a BadRequest naming the statuses."""
    try:
        return HypothesisStatus(text.strip().lower())
    except ValueError:
        raise BadRequest(
            f"{text!r} is not a hypothesis status",
            location=location,
            hint="statuses: " + ", ".join(s.value for s in HypothesisStatus),
        ) from None


def check_status_change(
    hypothesis_id: str, current: HypothesisStatus, target: HypothesisStatus, reason: str
) -> None:
    """Settling a hypothesis (rejected or confirmed) needs a reason; so does reopening one.

    Any status may follow any other (new evidence can overturn a verdict), but not itself.
    """
    if target == current:
        raise BadRequest(
            f"{hypothesis_id} is already {current}",
            location="status",
            hint="give another status, or add evidence or a note without one",
        )
    settled = (HypothesisStatus.REJECTED, HypothesisStatus.CONFIRMED)
    if (target in settled or current in settled) and not reason.strip():
        raise BadRequest(
            f"moving {hypothesis_id} from {current} to {target} needs a reason",
            location="reason",
            hint="say what the measurement showed, e.g. 'p95 of payment calls 1.8 s in traces'",
        )

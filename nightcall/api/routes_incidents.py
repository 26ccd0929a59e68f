"""The incidents API: open, list, show, move through the protocol, log hypotheses, post-mortem.

GET  /api/v1/incidents                      {"incidents": [...], "next": null}
POST /api/v1/incidents                      open (by hand, or `source: {"kind": "alert"}`)
GET  /api/v1/incidents/{id}                 the incident, with similar past incidents
POST /api/v1/incidents/{id}/phase|severity|commander|scope|notes|refresh|close
POST /api/v1/incidents/{id}/hypotheses      log a person's hypothesis
PATCH /api/v1/incidents/{id}/hypotheses/{h} status, note, evidence
GET  /api/v1/incidents/{id}/timeline|similar
GET  /api/v1/incidents/{id}/postmortem?format=markdown|html|json; PUT to keep edits
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from nightcall.api.incident_json import incident_json, incident_summary_json, timeline_json
from nightcall.errors import BadRequest
from nightcall.incidents import (
    SECTIONS,
    IncidentService,
    edits_from_markdown,
    open_incident_from_alert,
    parse_phase,
    parse_severity,
    parse_status,
    postmortem_html,
    postmortem_markdown,
)
from nightcall.incidents.memory import match_json
from nightcall.incidents.postmortem import check_sections, generated_sections
from nightcall.model import Incident, Phase, parse_time_ns

Actor = Annotated[str, Field(min_length=1, description="Who does this (a name or a handle).")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: Actor = "api"


class OpenBody(_Body):
    title: str = Field(min_length=1, description="What is wrong, in a line.")
    severity: str = Field("P3", description="P0 (worst) to P4, or critical/warning/info.")
    commander: str = ""
    start: str | None = Field(None, description="Start of the data it is about (default -1h).")
    end: str | None = Field(None, description="End of the data (default: ongoing).")
    service: str | None = Field(None, description="Diagnose this service and what it calls.")
    source: dict[str, Any] | None = Field(
        None, description='How it was detected: {"kind": "alert", "rule", "fired", ...}.'
    )
    read_data: bool = Field(True, description="Diagnose the window now.")


class PhaseBody(_Body):
    phase: str
    reason: str = ""


class SeverityBody(_Body):
    severity: str
    reason: str = ""


class CommanderBody(_Body):
    commander: str = Field(min_length=1)


class ScopeBody(_Body):
    services: list[str] | None = None
    endpoints: list[str] | None = None
    users: list[str] | None = None
    devices: list[str] | None = None
    user_count: int | None = None
    device_count: int | None = None
    reason: str = ""


class NoteBody(_Body):
    text: str = Field(min_length=1)


class HypothesisBody(_Body):
    statement: str = Field(min_length=1)
    kind: str = ""
    service: str = ""
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    note: str = ""


class HypothesisPatch(_Body):
    status: str | None = None
    note: str | None = None
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    reason: str = ""


class CloseBody(_Body):
    reason: str = ""


class PostmortemBody(_Body):
    sections: dict[str, str] | None = Field(None, description="Section name -> its text.")
    markdown: str | None = Field(None, description="A whole edited post-mortem document.")


def _time(text: str | None, now_ns: int, location: str) -> int | None:
    return None if text is None else parse_time_ns(text, now_ns=now_ns, location=location)


def _open_from_alert(
    incidents: IncidentService, body: OpenBody, source: dict[str, Any], now_ns: int
) -> Incident:
    rule = str(source.get("rule") or "")
    if not rule:
        raise BadRequest("an alert source needs the rule that fired", location="source.rule",
                         hint='e.g. {"kind": "alert", "rule": "checkout_p95_high"}')  # fmt: skip
    fired = source.get("fired_unix_nano") or source.get("fired")
    fired_ns = now_ns if fired is None else parse_time_ns(str(fired), now_ns=now_ns,
                                                          location="source.fired")  # fmt: skip
    labels = source.get("labels") or {}
    return open_incident_from_alert(
        incidents,
        rule=rule,
        severity=str(source.get("severity") or body.severity),
        fired_ns=fired_ns,
        group_key=str(source.get("group_key") or ""),
        summary=str(source.get("summary") or ""),
        labels={str(k): str(v) for k, v in labels.items()},
        runbook_url=str(source.get("runbook_url") or ""),
        value=source.get("value"),
        threshold=source.get("threshold"),
        service=body.service,
        title=body.title,
        actor=body.actor,
        start_ns=_time(body.start, now_ns, "start"),
        end_ns=_time(body.end, now_ns, "end"),
    )


def incidents_router(incidents: IncidentService, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one incident service and one clock."""
    router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

    def full(incident: Incident) -> dict[str, Any]:
        return incident_json(incident, incidents.similar(incident.id))

    @router.get("", summary="Incidents, newest first")
    def list_incidents(
        phase: Annotated[str | None, Query(description="Only this phase.")] = None,
        state: Annotated[Literal["open", "closed", "all"], Query()] = "all",
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> dict[str, Any]:
        wanted = parse_phase(phase) if phase else None
        found = [
            i for i in incidents.list_incidents()
            if (wanted is None or i.phase == wanted)
            and (state == "all" or i.is_open == (state == "open"))
        ]  # fmt: skip
        return {"incidents": [incident_summary_json(i) for i in found[:limit]], "next": None}

    @router.post("", status_code=201, summary="Open an incident (by hand or from an alert)")
    def open_incident(body: OpenBody) -> Response:
        now = now_ns()
        source = dict(body.source or {"kind": "manual"})
        known = {i.id for i in incidents.list_incidents()}
        if source.get("kind") == "alert":
            incident = _open_from_alert(incidents, body, source, now)
        else:
            incident = incidents.open(
                title=body.title, actor=body.actor, severity=parse_severity(body.severity),
                commander=body.commander, start_ns=_time(body.start, now, "start"),
                end_ns=_time(body.end, now, "end"), service=body.service, source=source,
                read_data=body.read_data,
            )  # fmt: skip
        status = 200 if incident.id in known else 201  # an alert of an open incident's group
        return JSONResponse(full(incident), status_code=status)

    @router.get("/{incident_id}", summary="One incident: phases, scope, hypothesis log, matches")
    def show(incident_id: str) -> dict[str, Any]:
        return full(incidents.get(incident_id))

    @router.post("/{incident_id}/phase", summary="Move the incident to another phase")
    def phase(incident_id: str, body: PhaseBody) -> dict[str, Any]:
        target = parse_phase(body.phase)
        return full(incidents.change_phase(incident_id, target, actor=body.actor,
                                           reason=body.reason))  # fmt: skip

    @router.post("/{incident_id}/close", summary="Close the incident (the phase `closed`)")
    def close(incident_id: str, body: CloseBody) -> dict[str, Any]:
        return full(incidents.change_phase(incident_id, Phase.CLOSED, actor=body.actor,
                                           reason=body.reason))  # fmt: skip

    @router.post("/{incident_id}/severity", summary="Change the severity (P0 to P4)")
    def severity(incident_id: str, body: SeverityBody) -> dict[str, Any]:
        return full(incidents.change_severity(incident_id, parse_severity(body.severity),
                                              actor=body.actor, reason=body.reason))  # fmt: skip

    @router.post("/{incident_id}/commander", summary="Name the incident commander")
    def commander(incident_id: str, body: CommanderBody) -> dict[str, Any]:
        return full(incidents.change_commander(incident_id, body.commander, actor=body.actor))

    @router.post("/{incident_id}/scope", summary="Set scope fields by hand (kept over refreshes)")
    def scope(incident_id: str, body: ScopeBody) -> dict[str, Any]:
        fields = body.model_dump(exclude_none=True, exclude={"actor", "reason"})
        return full(incidents.edit_scope(incident_id, fields, actor=body.actor,
                                         reason=body.reason))  # fmt: skip

    @router.post("/{incident_id}/notes", summary="Write down what you saw or did")
    def note(incident_id: str, body: NoteBody) -> dict[str, Any]:
        return full(incidents.add_note(incident_id, body.text, actor=body.actor))

    @router.post("/{incident_id}/refresh", summary="Read the data again; import new hypotheses")
    def refresh(incident_id: str, body: _Body) -> dict[str, Any]:
        return full(incidents.refresh(incident_id, actor=body.actor))

    @router.post("/{incident_id}/hypotheses", summary="Log a person's hypothesis (H-number)")
    def add_hypothesis(incident_id: str, body: HypothesisBody) -> dict[str, Any]:
        return full(incidents.add_hypothesis(
            incident_id, body.statement, actor=body.actor, kind=body.kind, service=body.service,
            evidence=body.evidence, note=body.note,
        ))  # fmt: skip

    @router.patch("/{incident_id}/hypotheses/{hypothesis_id}",
                  summary="Change a hypothesis' status or note, or attach evidence")  # fmt: skip
    def update_hypothesis(
        incident_id: str, hypothesis_id: str, body: HypothesisPatch
    ) -> dict[str, Any]:
        status = parse_status(body.status) if body.status is not None else None
        return full(incidents.update_hypothesis(
            incident_id, hypothesis_id, actor=body.actor, status=status, note=body.note,
            evidence=body.evidence, reason=body.reason,
        ))  # fmt: skip

    @router.get("/{incident_id}/timeline", summary="The data's and the people's moments, in order")
    def timeline(incident_id: str) -> dict[str, Any]:
        return {"timeline": timeline_json(incidents.timeline(incident_id)), "next": None}

    @router.get("/{incident_id}/similar", summary="Closed incidents that share its signals")
    def similar(incident_id: str) -> dict[str, Any]:
        return {"similar": [match_json(m) for m in incidents.similar(incident_id)], "next": None}

    @router.get("/{incident_id}/postmortem", summary="The blameless post-mortem document")
    def postmortem(
        incident_id: str,
        output: Annotated[Literal["markdown", "html", "json"], Query(alias="format")] = "markdown",
    ) -> Response:
        incident = incidents.get(incident_id)
        entries = incidents.timeline(incident.id)
        if output == "html":
            return HTMLResponse(postmortem_html(incident, entries))
        markdown = postmortem_markdown(incident, entries)
        if output == "markdown":
            return PlainTextResponse(markdown, media_type="text/markdown; charset=utf-8")
        generated = generated_sections(incident, entries)
        sections = {
            key: {"title": title, "edited": key in incident.postmortem_edits,
                  "text": incident.postmortem_edits.get(key, generated[key])}
            for key, title in SECTIONS.items()
        }  # fmt: skip
        return JSONResponse({"incident": incident.id, "markdown": markdown, "sections": sections})

    @router.put("/{incident_id}/postmortem", summary="Keep edited post-mortem text")
    def edit_postmortem(incident_id: str, body: PostmortemBody) -> dict[str, Any]:
        incident = incidents.get(incident_id)
        if body.markdown is not None:
            edits = edits_from_markdown(incident, incidents.timeline(incident.id), body.markdown)
        elif body.sections is not None:
            edits = dict(body.sections)
        else:
            raise BadRequest("give `sections` or `markdown`", location="body",
                             hint='e.g. {"sections": {"lessons": "- ..."}}')  # fmt: skip
        check_sections(edits)
        incident = incidents.edit_postmortem(incident.id, edits, actor=body.actor)
        return {"incident": incident.id, "edited": sorted(incident.postmortem_edits),
                "changed": sorted(edits)}  # fmt: skip

    return router

"""Evidence attached to a hypothesis of the log: checked JSON objects, one shape per kind.

Every item has `kind` (an `EvidenceKind`) and `label`; the rest depends on the kind:

- measurement: `value`, `unit`, `query`, `start_unix_nano`, `end_unix_nano` (the engine's)
- query: `query` (an API path or SQL); trace: `trace_id`; error_group: `fingerprint`;
  log: `template` or `body`; link: `url`; note: `detail`
- diagnostic: `name`, `command` (the argument list that ran, never a shell string),
  `exit_code` (None when it could not run), `output` (an excerpt), and optionally `host`,
  `duration_s`, `status`, `summary` and `artifacts` (files it produced, such as a flame
  graph). A run as `POST /api/v1/diagnostics/run` answers it is taken as it is: its `argv`
  (one argument list per command) becomes `command` (and `commands` when there are several).

Values are numbers, text, flat lists or flat objects. `evidence_from_diagnostic` builds a
diagnostic item from plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nightcall.errors import BadRequest
from nightcall.model import EvidenceItem, EvidenceKind

MAX_OUTPUT_CHARS = 8000  # a diagnostic's output excerpt kept in the log
MAX_TEXT_CHARS = 2000
_REQUIRED: dict[EvidenceKind, tuple[str, ...]] = {
    EvidenceKind.MEASUREMENT: ("value",),
    EvidenceKind.QUERY: ("query",),
    EvidenceKind.TRACE: ("trace_id",),
    EvidenceKind.ERROR_GROUP: ("fingerprint",),
    EvidenceKind.LOG: (),
    EvidenceKind.DIAGNOSTIC: ("name", "command", "exit_code", "output"),
    EvidenceKind.LINK: ("url",),
    EvidenceKind.NOTE: (),
}
_SCALARS = (str, int, float, bool, type(None))


def _kind(value: object, location: str) -> EvidenceKind:
    try:
        return EvidenceKind(str(value))
    except ValueError:
        raise BadRequest(
            f"evidence kind {value!r} is not one nightcall knows",
            location=location,
            hint="kinds: " + ", ".join(k.value for k in EvidenceKind),
        ) from None


def _check_value(key: str, value: object, location: str) -> object:
    if key == "command":
        if not (isinstance(value, list | tuple) and all(isinstance(a, str) for a in value)):
            raise BadRequest(
                f"a diagnostic's command must be an argument list, not {value!r}",
                location=f"{location}.command",
                hint='give the argv that ran, e.g. ["ss", "-s"]',
            )
        return list(value)
    if isinstance(value, str):
        limit = MAX_OUTPUT_CHARS if key == "output" else MAX_TEXT_CHARS
        return value if len(value) <= limit else value[: limit - 1] + "…"
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, _SCALARS) for v in value):
        return list(value)
    if isinstance(value, Mapping) and all(isinstance(v, _SCALARS) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise BadRequest(
        f"evidence field {key!r} holds {type(value).__name__}, not a number, text or flat object",
        location=f"{location}.{key}",
        hint="put nested data behind a query or a link",
    )


def _diagnostic_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """A run of the diagnostics API (`argv`: one argument list per command) in this shape."""
    found = dict(item)
    argv = found.pop("argv", None)
    if "command" not in found and isinstance(argv, list | tuple) and argv:
        commands = [list(a) if isinstance(a, list | tuple) else [str(a)] for a in argv]
        found["command"] = commands[0]
        if len(commands) > 1:
            found["commands"] = [" ".join(str(x) for x in c) for c in commands]
    if not found.get("label") and found.get("name"):
        found["label"] = found["name"]
    return found


def check_evidence(item: Mapping[str, Any], *, location: str = "evidence") -> dict[str, Any]:
    """`item` checked and normalized, or a BadRequest that names the missing or bad field."""
    kind = _kind(item.get("kind", EvidenceKind.NOTE.value), f"{location}.kind")
    if kind == EvidenceKind.DIAGNOSTIC:
        item = _diagnostic_fields(item)
    label = str(item.get("label") or item.get("name") or "").strip()
    if not label:
        raise BadRequest(
            "an evidence item needs a label that says what it shows",
            location=f"{location}.label",
            hint='e.g. {"kind": "query", "label": "p95 of payment calls", "query": "..."}',
        )
    missing = [key for key in _REQUIRED[kind] if key not in item]
    if missing:
        raise BadRequest(
            f"{kind} evidence {label!r} lacks {', '.join(missing)}",
            location=f"{location}.{missing[0]}",
            hint=f"{kind} evidence has " + ", ".join(("label", *_REQUIRED[kind])),
        )
    checked: dict[str, Any] = {"kind": kind.value, "label": label}
    for key, value in item.items():
        if key not in ("kind", "label"):
            checked[str(key)] = _check_value(str(key), value, location)
    return checked


def evidence_link(item: Mapping[str, Any]) -> str:
    """Where an evidence item can be checked: its query, URL, trace or error group ("": none)."""
    if item.get("query") or item.get("url"):
        return str(item.get("query") or item.get("url"))
    if item.get("trace_id"):
        return f"/api/v1/traces/{item['trace_id']}"
    if item.get("fingerprint"):
        return f"/api/v1/errors/{item['fingerprint']}"
    return ""


def check_evidence_list(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [check_evidence(item, location=f"evidence.{i}") for i, item in enumerate(items)]


def evidence_from_engine(item: EvidenceItem) -> dict[str, Any]:
    """One of the engine's evidence items as log evidence (a measurement, or a query)."""
    found = item.to_json()
    kind = EvidenceKind.MEASUREMENT if item.value is not None else EvidenceKind.QUERY
    if kind == EvidenceKind.QUERY and not item.query:
        kind = EvidenceKind.NOTE
    return {"kind": kind.value, **found}


def evidence_from_diagnostic(
    *,
    name: str,
    command: Sequence[str],
    exit_code: int | None,
    output: str,
    host: str = "",
    duration_s: float | None = None,
    available: bool = True,
    artifact: str = "",
) -> dict[str, Any]:
    """Diagnostic evidence: what ran (argv), where, how it ended, and what it printed."""
    item: dict[str, Any] = {
        "kind": EvidenceKind.DIAGNOSTIC.value,
        "label": name,
        "name": name,
        "command": list(command),
        "exit_code": exit_code,
        "output": output,
        "available": available,
    }
    if host:
        item["host"] = host
    if duration_s is not None:
        item["duration_s"] = round(duration_s, 3)
    if artifact:
        item["artifact"] = artifact
    return check_evidence(item)

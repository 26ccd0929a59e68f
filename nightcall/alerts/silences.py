"""Silences: label matchers with an expiry that keep matching alerts from notifying.

A silenced alert still moves through its states and its events are recorded (marked
`silenced`); it only does not notify. When the silence expires or is deleted while the alert
still fires, the next evaluation notifies. Matchers follow Alertmanager's: `=`, `!=`, and the
regular-expression forms `=~`, `!~` (matched against the whole value).

    {"matchers": [{"label": "service", "value": "checkout"},
                  {"label": "alertname", "op": "=~", "value": "checkout-.*"}],
     "duration_s": 7200, "created_by": "ana", "comment": "deploy window"}

`{"matchers": {"service": "checkout"}}` is the shorthand for equality matchers; `ends_at`
(RFC 3339 or Unix seconds) may replace `duration_s`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from nightcall.errors import BadRequest
from nightcall.model import format_time_ns, parse_time_ns

MatchOp = Literal["=", "!=", "=~", "!~"]
_KEYS = {"matchers", "starts_at", "ends_at", "duration_s", "created_by", "comment"}
_HINT = (
    'send {"matchers": [{"label": "service", "value": "checkout", "op": "="}], '
    '"duration_s": 3600, "comment": "why"}; op is one of =, !=, =~, !~'
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Matcher:
    """One condition on one label."""

    label: str
    value: str
    op: MatchOp = "="

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether `labels` meet this condition (a missing label has the value "")."""
        present = labels.get(self.label, "")
        if self.op == "=":
            return present == self.value
        if self.op == "!=":
            return present != self.value
        found = re.fullmatch(self.value, present) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True, slots=True, kw_only=True)
class Silence:
    """Matchers that silence alerts from `starts_ns` until `ends_ns`."""

    silence_id: str
    matchers: tuple[Matcher, ...]
    starts_ns: int
    ends_ns: int
    created_by: str = ""
    comment: str = ""

    def is_active(self, now_ns: int) -> bool:
        return self.starts_ns <= now_ns < self.ends_ns

    def silences(self, labels: Mapping[str, str], now_ns: int) -> bool:
        """Whether this silence, now, covers an alert with `labels`."""
        return self.is_active(now_ns) and all(m.matches(labels) for m in self.matchers)


def is_silenced(labels: Mapping[str, str], silences: Sequence[Silence], now_ns: int) -> bool:
    """Whether any active silence covers an alert with `labels`."""
    return any(s.silences(labels, now_ns) for s in silences)


def _matcher(index: int, raw: object) -> Matcher:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("label"), str):
        raise BadRequest(
            f"matcher #{index + 1} is {raw!r}; it needs a label and a value",
            location="matchers",
            hint=_HINT,
        )
    value, op = raw.get("value", ""), raw.get("op", "=")
    if not isinstance(value, str) or op not in get_args(MatchOp):
        raise BadRequest(
            f"matcher #{index + 1} has value {value!r} and op {op!r}",
            location="matchers",
            hint=_HINT,
        )
    if op in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as exc:
            raise BadRequest(
                f"matcher #{index + 1}: {value!r} is not a regular expression ({exc})",
                location="matchers",
                hint=_HINT,
            ) from None
    return Matcher(label=raw["label"], value=value, op=op)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise BadRequest(f"{key} is {value!r}, which is not a string", location=key, hint=_HINT)
    return value


def parse_silence(raw: object, *, silence_id: str, now_ns: int) -> Silence:
    """A silence from the API's JSON body.

    Raises:
        BadRequest: naming the field and the bad value.
    """
    if not isinstance(raw, Mapping):
        raise BadRequest(f"the body {raw!r} is not a JSON object", hint=_HINT)
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise BadRequest(
            f"unknown key(s) {', '.join(map(repr, unknown))} in the silence",
            location=str(unknown[0]),
            hint=_HINT,
        )
    matchers_raw = raw.get("matchers")
    if isinstance(matchers_raw, Mapping):
        matchers_raw = [{"label": k, "value": v} for k, v in matchers_raw.items()]
    if not isinstance(matchers_raw, list) or not matchers_raw:
        raise BadRequest(
            "a silence needs at least one matcher: it would silence everything",
            location="matchers",
            hint=_HINT,
        )
    matchers = tuple(_matcher(i, m) for i, m in enumerate(matchers_raw))
    starts_ns = now_ns
    if raw.get("starts_at") is not None:
        starts_ns = parse_time_ns(str(raw["starts_at"]), now_ns=now_ns, location="starts_at")
    duration = raw.get("duration_s")
    if raw.get("ends_at") is not None:
        ends_ns = parse_time_ns(str(raw["ends_at"]), now_ns=now_ns, location="ends_at")
    elif isinstance(duration, int | float) and not isinstance(duration, bool) and duration > 0:
        ends_ns = starts_ns + int(duration * 1e9)
    else:
        raise BadRequest(
            f"a silence needs ends_at or a positive duration_s (got {duration!r})",
            location="duration_s",
            hint=_HINT,
        )
    if ends_ns <= max(starts_ns, now_ns):
        raise BadRequest(
            f"the silence would end at {format_time_ns(ends_ns)}, which is not "
            "after its start and now",
            location="ends_at",
            hint=_HINT,
        )
    return Silence(
        silence_id=silence_id,
        matchers=matchers,
        starts_ns=starts_ns,
        ends_ns=ends_ns,
        created_by=_text(raw, "created_by"),
        comment=_text(raw, "comment"),
    )


def silence_json(silence: Silence, now_ns: int) -> dict[str, Any]:
    """A silence as the API shows it (and the store keeps it)."""
    return {
        "id": silence.silence_id,
        "matchers": [{"label": m.label, "op": m.op, "value": m.value} for m in silence.matchers],
        "starts_at": format_time_ns(silence.starts_ns),
        "starts_unix_nano": silence.starts_ns,
        "ends_at": format_time_ns(silence.ends_ns),
        "ends_unix_nano": silence.ends_ns,
        "created_by": silence.created_by,
        "comment": silence.comment,
        "is_active": silence.is_active(now_ns),
    }

"""The post-mortem: the seeds' template filled from the record; edited sections kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from nightcall.errors import BadRequest
from nightcall.incidents.postmortem import (
    check_sections,
    edits_from_markdown,
    generated_sections,
    postmortem_html,
    postmortem_markdown,
    sections_from_markdown,
    span,
)
from nightcall.incidents.state import fold
from nightcall.incidents.timeline import build_timeline
from nightcall.model import Incident, TimelineEntry
from tests.incidents.story import story_events


def _story() -> tuple[Incident, list[TimelineEntry]]:
    events = story_events()
    incident = fold(events)
    return incident, build_timeline(incident.data_timeline, events)


def test_the_markdown_document_matches_its_golden_file(golden: Callable[[str, str], None]) -> None:
    """Summary, timeline, root cause with evidence, resolution, action items, lessons."""
    golden("incidents/postmortem.md", postmortem_markdown(*_story()))


def test_the_html_document_matches_its_golden_file(golden: Callable[[str, str], None]) -> None:
    """The same document as a standalone page, action items as checkboxes."""
    golden("incidents/postmortem.html", postmortem_html(*_story()))


def test_the_summary_quotes_impact_users_duration_and_the_root_cause() -> None:
    """The figures come from the record: the onset to the recovery is 27 minutes."""
    summary = generated_sections(*_story())["summary"]
    assert "88 more failed requests than usual on 1 endpoint(s)" in summary
    assert "errors 1.0 % → 12.0 %, p95 180 ms → 1,900 ms" in summary
    assert "31 users and 0 devices had errors (for example u1, u2)" in summary
    assert "**Duration:** 27 min, from the onset (2026-11-01 03:25:00 UTC) to recovery" in summary
    assert (
        "**Detected:** by the alert checkout_p95_high, at 2026-11-01 03:28:00 UTC, 3 min" in summary
    )
    assert "**Root cause:** The payment API got slow (H2)." in summary


def test_the_root_cause_shows_the_confirmed_evidence_and_what_was_ruled_out() -> None:
    """H2 with its trace and diagnostic output; H1 ruled out with the check that did it."""
    text = generated_sections(*_story())["root_cause"]
    assert text.startswith("**H2: The payment API got slow**")
    assert "confirmed by bob: payment API 1.8 s in traces" in text
    assert "- a 1.8 s payment call (`/api/v1/traces/4bf92f3577b34da6`)" in text
    assert "- Diagnostic `ss -s` on pay-1: exit 0" in text
    assert "TCP: 640 (estab 590, closed 12, timewait 38)" in text
    assert "- H1: The orders database is slow (rejected by bob: pg_stat_statements" in text


def test_edited_sections_survive_a_re_render_after_more_events() -> None:
    """A person's lessons stay as written while the other sections follow the record."""
    incident, timeline = _story()
    edited = replace(incident, postmortem_edits={"lessons": "- We had no alert on payment."})
    document = postmortem_markdown(edited, timeline)
    assert "## Lessons\n\n- We had no alert on payment.\n" in document
    later = replace(edited, title="Checkout is slow (payment pool)")
    again = postmortem_markdown(later, timeline)
    assert "- We had no alert on payment." in again
    assert "# Post-mortem: INC-1: Checkout is slow (payment pool)" in again


def test_a_rendered_file_edited_by_hand_gives_back_only_the_changed_sections() -> None:
    """Sections read back by their headings; unchanged ones are not edits, and the timeline is
    never taken from the file."""
    incident, timeline = _story()
    document = postmortem_markdown(incident, timeline)
    assert edits_from_markdown(incident, timeline, document) == {}
    changed = document.replace("- **What went well:** _(fill in)_", "- **What went well:** paging")
    changed = changed.replace("| Deploy of payment", "| Deploy of the payment service")
    assert edits_from_markdown(incident, timeline, changed) == {
        "lessons": sections_from_markdown(changed)["lessons"]
    }
    kept = replace(incident, postmortem_edits={"lessons": "old"})
    assert edits_from_markdown(kept, timeline, document) == {"lessons": ""}


def test_unknown_sections_and_durations() -> None:
    """An unknown section is refused with the names; durations read as people say them."""
    with pytest.raises(BadRequest, match="no section 'appendix'"):
        check_sections({"appendix": "x"})
    assert [span(s * 10**9) for s in (45, 720, 7500, 3 * 86400 + 4 * 3600)] == [
        "45 s",
        "12 min",
        "2 h 05 min",
        "3 d 4 h",
    ]

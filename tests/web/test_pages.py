"""The web UI in a browser over a replayed demo incident: every page, the overview's ranking,
the trace waterfall's critical path, and opening an incident from a hypothesis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from nightcall.demo.bundle import send_payloads
from nightcall.demo.scenarios import HOUR_NS, SCENARIO_ORIGIN_NS, ScenarioSpec, scenario_specs
from nightcall.demo.simulate import stream
from nightcall.model import format_time_ns
from tests.web.conftest import UiServer, screenshot, wait_ready

# A deploy that breaks checkout: errors, traces through five services, error events with trace
# ids and a version change to mark. One scenario keeps the module quick (about 15 s to load).
SCENARIO = 2
RENDER_LIMIT_S = 1.0


@dataclass
class Demo:
    """The server with the scenario stored, and the URL state that shows its hour."""

    server: UiServer
    spec: ScenarioSpec
    window: str

    def url(self, route: str, **params: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in params.items())
        return f"{self.server.url}/ui/#{route}?{self.window}{extra}"

    def api(self, path: str, **params: Any) -> Any:
        start, end = (part.split("=", 1)[1] for part in self.window.split("&"))
        answer = httpx.get(
            f"{self.server.url}/api/v1{path}",
            params={"start": start, "end": end, **params},
            timeout=120,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture(scope="module")
def demo(make_ui_server: Callable[..., UiServer]) -> Demo:
    """One server holding the labelled scenario, its diagnosis computed once (as a warm cache)."""
    server = make_ui_server()
    spec = next(s for s in scenario_specs() if s.index == SCENARIO)
    payloads, _ = stream(spec.config())
    send_payloads(payloads, server.url, dsn=f"http://demo@127.0.0.1:{server.port}/1")
    assert server.runtime.pipeline.wait_until_stored(120), "the writer did not drain"
    start = SCENARIO_ORIGIN_NS + spec.index * HOUR_NS
    window = f"from={format_time_ns(start)[:19]}Z&to={format_time_ns(start + HOUR_NS)[:19]}Z"
    loaded = Demo(server=server, spec=spec, window=window)
    loaded.api("/hypotheses", limit=10)
    return loaded


def _first_trace(demo: Demo) -> str:
    found = demo.api("/traces", service=demo.spec.service, status="error", limit=1)["traces"]
    assert found, "the scenario has no error trace through the faulty service"
    return str(found[0]["trace_id"])


def _routes(demo: Demo) -> dict[str, tuple[str, dict[str, str]]]:
    fingerprint = demo.api("/errors", service=demo.spec.service, limit=1)["errors"][0][
        "fingerprint"
    ]
    service = demo.spec.service
    return {
        "overview": ("/overview", {}),
        "diagnosis": ("/diagnosis", {}),
        "service": (f"/services/{service}", {}),
        "traces": ("/traces", {"service": service, "status": "error"}),
        "trace": (f"/traces/{_first_trace(demo)}", {}),
        "compare": ("/traces/compare", {"service": "frontend", "operation": "POST%20/checkout"}),
        "errors": ("/errors", {}),
        "error-group": (f"/errors/{fingerprint}", {}),
        "releases": ("/errors/releases", {}),
        "logs": ("/logs", {"severity": "warn"}),
        "log-templates": ("/logs/templates", {}),
        "service-map": ("/map", {}),
        "incidents": ("/incidents", {"state": "all"}),
        "alerts": ("/alerts", {}),
    }


def test_every_page_renders_without_errors(demo: Demo, page: Any) -> None:
    """Each page renders its panels within a second over the demo's hour (no loading state,
    no error state, no console error), and a screenshot of it lands in artifacts/screenshots/.

    The diagnosis is computed once by the fixture, as the server's loop would have; a page
    slower than a second is timed once more, so that a first query's cold cache on a busy
    machine does not count as the page's speed.
    """
    timings = {}
    for name, (route, params) in _routes(demo).items():
        page.goto(demo.url(route, **params))
        timings[name] = wait_ready(page)
        if timings[name] > RENDER_LIMIT_S:
            page.goto(demo.url("/nowhere"))
            page.goto(demo.url(route, **params))
            timings[name] = wait_ready(page)
        errors = page.locator("#page .state.error").all_inner_texts()
        assert not errors, f"{name} shows an error: {errors}"
        screenshot(page, name)
    page.emulate_media(color_scheme="dark")
    for name in ("overview", "trace"):
        route, params = _routes(demo)[name]
        page.goto(demo.url(route, **params))
        wait_ready(page)
        screenshot(page, f"{name}-dark")
    slow = {name: round(s, 2) for name, s in timings.items() if s > RENDER_LIMIT_S}
    assert not slow, f"pages slower than {RENDER_LIMIT_S} s to render over the demo's data: {slow}"


def test_overview_lists_the_faulty_service_first(demo: Demo, page: Any) -> None:
    """The services table, once ranked by the diagnosis, starts with the service the scenario
    broke, marked as the first suspect."""
    page.goto(demo.url("/overview"))
    wait_ready(page)
    table = page.locator("#services-table")
    assert table.get_attribute("data-ranked") == "diagnosis"
    first = table.locator("tbody tr").first
    assert first.get_attribute("data-service") == demo.spec.service
    assert "suspect #1" in first.inner_text()


def test_trace_waterfall_shows_the_critical_path(demo: Demo, page: Any) -> None:
    """A trace's waterfall draws a bar per span, marks the critical path's segments and the
    error spans, and opens a span's attributes from the keyboard."""
    trace_id = _first_trace(demo)
    analysis = httpx.get(f"{demo.server.url}/api/v1/traces/{trace_id}/analysis", timeout=30).json()
    page.goto(demo.url(f"/traces/{trace_id}"))
    wait_ready(page)
    rows = page.locator("#waterfall .wf-row")
    assert rows.count() == len(analysis["spans"])
    assert page.locator("#waterfall .wf-crit").count() == len(analysis["critical_path"])
    assert page.locator("#waterfall .wf-row.on-crit").count() == sum(
        1 for s in analysis["spans"] if s["on_critical_path"]
    )
    assert page.locator("#waterfall .wf-bar.error").count() >= 1
    rows.first.focus()
    page.keyboard.press("Enter")
    assert page.locator(".wf-detail").first.is_visible()
    detail = page.locator(".wf-detail").first.inner_text()
    assert "http.route" in detail
    assert "on the critical path" in detail


def test_incident_opened_from_a_hypothesis_and_confirmed(demo: Demo, page: Any) -> None:
    """ "Open incident" on the top hypothesis opens an incident about its service and window;
    on the incident's page a logged hypothesis is confirmed with a note."""
    page.goto(demo.url("/diagnosis"))
    wait_ready(page)
    top = page.locator("#hyp-1")
    assert top.get_attribute("data-service") == demo.spec.service
    top.locator("[data-action=open-incident]").click()
    page.wait_for_url("**/ui/#/incidents/*", timeout=120_000)
    wait_ready(page, timeout_s=120)
    screenshot(page, "incident")
    entry = page.locator("[data-hypothesis]").first
    entry.locator("textarea").fill("the 5.1.0 deploy's price model drops the currency")
    entry.locator("[data-verdict=confirmed]").click()
    page.wait_for_selector("[data-hypothesis][data-status=confirmed]", timeout=30_000)
    wait_ready(page)
    screenshot(page, "incident-confirmed")
    incident_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    stored = httpx.get(f"{demo.server.url}/api/v1/incidents/{incident_id}", timeout=30).json()
    assert demo.spec.service in stored["services"]
    confirmed = [h for h in stored["hypotheses"] if h["status"] == "confirmed"]
    assert confirmed
    assert confirmed[0]["note"] == "the 5.1.0 deploy's price model drops the currency"
    assert stored["root_cause"] == confirmed[0]["statement"]

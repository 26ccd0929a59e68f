"""`nightcall report` against a real server holding one labelled demo scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.cli.report.commands import ReportFormat, chosen_format
from nightcall.demo.bundle import send_payloads
from nightcall.demo.faults import make_fault
from nightcall.demo.scenarios import HOUR_NS, SCENARIO_ORIGIN_NS, scenario_specs
from nightcall.demo.simulate import SimConfig, stream
from nightcall.errors import UserError
from tests.cli.report.pages import parse_page
from tests.conftest import RunningServer

SCENARIO = 3  # catalog runs out of CPU (as in tests/api/test_routes_diagnosis.py)
START_NS = SCENARIO_ORIGIN_NS + SCENARIO * HOUR_NS
DURATION_S = 1800.0


@pytest.fixture
def loaded(make_server: Callable[..., RunningServer]) -> RunningServer:
    """A server holding scenario 3 made small: its fault, service and seed over half an hour
    at 1.5 requests/s, the fault from minute 15 to 25 (a third of the full scenario's load,
    which keeps this test near ten seconds)."""
    server = make_server(statsd_port=0)
    (spec,) = [s for s in scenario_specs() if s.index == SCENARIO]
    base = SimConfig(seed=spec.seed, origin_ns=START_NS, duration_s=DURATION_S,
                     mean_rate_per_s=1.5)  # fmt: skip
    fault = make_fault(spec.kind, spec.service, start_s=900, duration_s=600, curve=base.curve)
    payloads, _ = stream(dataclasses.replace(base, faults=(fault,)))
    send_payloads(payloads, server.url, dsn=f"http://demo@127.0.0.1:{server.port}/1")
    server.flush(timeout_s=120)
    return server


def test_report_names_the_faulty_service_in_html_and_markdown(
    loaded: RunningServer, tmp_path: Path
) -> None:
    """The HTML file written with --out and the Markdown printed both lead with the injected
    cause (cpu_bottleneck in catalog), and the page charts catalog's RED series."""
    end_ns = START_NS + int(DURATION_S * 1e9)
    window = ["--since", str(START_NS), "--end", str(end_ns), "--url", loaded.url]
    out = tmp_path / "report.html"
    runner = CliRunner()
    result = runner.invoke(app, ["report", *window, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"wrote the html report of 2026-11-01 03:00:00Z to 2026-11-01 03:30:00Z (30 min) to {out}\n"
    )
    page = out.read_text()
    hypotheses = page[page.index('<section id="hypotheses">') :]
    assert "<h3>#1 cpu_bottleneck in catalog, confidence" in hypotheses
    assert "<figcaption>catalog</figcaption>" in page
    assert parse_page(page).references == []

    markdown = runner.invoke(app, ["report", *window, "--format", "markdown"])
    assert markdown.exit_code == 0, markdown.output
    assert "Most likely cause: cpu\\_bottleneck" not in markdown.stdout  # no needless escapes
    assert "Most likely cause: cpu_bottleneck in catalog" in markdown.stdout
    assert "### #1 cpu_bottleneck in catalog" in markdown.stdout
    assert "1. catalog: Scale catalog out" in markdown.stdout


def test_format_comes_from_the_flag_then_the_file_suffix() -> None:
    """--json wins, then --format, then --out's suffix; text otherwise."""
    assert chosen_format(None, Path("r.HTML"), False) == ReportFormat.HTML
    assert chosen_format(None, Path("r.md"), False) == ReportFormat.MARKDOWN
    assert chosen_format(ReportFormat.TEXT, Path("r.md"), False) == ReportFormat.TEXT
    assert chosen_format(ReportFormat.HTML, None, True) == ReportFormat.JSON
    assert chosen_format(None, None, False) == ReportFormat.TEXT


def test_an_out_path_in_a_missing_directory_fails_before_any_work(tmp_path: Path) -> None:
    """--out into a missing directory is a user error that names the path, raised before the
    report asks anything (no server answers the URL here)."""
    missing = tmp_path / "missing" / "report.html"
    result = CliRunner().invoke(
        app, ["report", "--url", "http://127.0.0.1:9", "--out", str(missing)]
    )
    assert isinstance(result.exception, UserError)
    assert result.exception.message == f"cannot write the report to {missing}: no such directory"
    assert result.exception.hint

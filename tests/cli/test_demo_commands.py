"""`nightcall demo` from the command line: the catalogue, simulated runs written to files."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.demo.faults import FaultKind
from nightcall.errors import UserError


def test_faults_lists_the_catalogue_as_json() -> None:
    """`demo faults --json` lists every fault kind with where it can go."""
    result = CliRunner().invoke(app, ["demo", "faults", "--json"])
    assert result.exit_code == 0, result.output
    faults = orjson.loads(result.output)["faults"]
    assert {f["fault"] for f in faults} == {k.value for k in FaultKind}
    assert all(f["default_service"] in f["services"] for f in faults)


def test_simulate_writes_payloads_and_truth_reproducibly(tmp_path: Path) -> None:
    """Two `demo simulate` runs with one seed and start write the same files and truth."""
    outputs = []
    for run in ("a", "b"):
        args = [
            "demo",
            "simulate",
            "--fault",
            "cpu_saturation",
            "--service",
            "payment",
            "--seed",
            "3",
            "--start",
            "1790000000",
            "--duration",
            "180",
            "--write",
            str(tmp_path / run),
            "--out",
            str(tmp_path / f"{run}.json"),
        ]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "events/s" in result.output
        files = sorted((tmp_path / run).iterdir())
        outputs.append([(f.name, f.read_bytes()) for f in files])
    assert outputs[0] == outputs[1]
    assert any("-traces-" in name for name, _ in outputs[0])
    truth = orjson.loads((tmp_path / "a.json").read_bytes())
    (fault,) = truth["faults"]
    assert (fault["fault"], fault["service"]) == ("cpu_saturation", "payment")
    assert truth["start_unix_nano"] == 1_790_000_000 * 10**9


def test_simulate_names_the_valid_faults() -> None:
    """An unknown fault kind is a user error whose hint lists the kinds."""
    result = CliRunner().invoke(app, ["demo", "simulate", "--fault", "disk_full"])
    assert isinstance(result.exception, UserError)
    assert "slow_dependency" in (result.exception.hint or "")

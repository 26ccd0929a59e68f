"""The simulation is deterministic for a seed, and the scenario set is labelled and replayable."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from nightcall.demo.faults import FaultKind, make_fault
from nightcall.demo.scenarios import replay, scenario_specs, write_scenario
from nightcall.demo.simulate import SimConfig, simulate
from nightcall.demo.truth import read_truth
from tests.conftest import RunningServer

ORIGIN_NS = 1_790_000_000 * 1_000_000_000


def _config(seed: int) -> SimConfig:
    base = SimConfig(seed=seed, origin_ns=ORIGIN_NS, duration_s=300.0, mean_rate_per_s=3.0)
    fault = make_fault(FaultKind.MEMORY_LEAK, "cart", start_s=100, duration_s=100, curve=base.curve)
    return SimConfig(
        seed=seed, origin_ns=ORIGIN_NS, duration_s=300.0, mean_rate_per_s=3.0, faults=(fault,)
    )


def test_same_seed_gives_the_same_bytes() -> None:
    """Two simulations with one seed produce identical payloads; another seed differs."""
    first, _ = simulate(_config(7))
    second, _ = simulate(_config(7))
    other, _ = simulate(_config(8))
    assert [p.body_gz for p in first] == [p.body_gz for p in second]
    assert [p.body_gz for p in first] != [p.body_gz for p in other]


def test_scenario_set_covers_every_fault_several_times() -> None:
    """At least 30 scenarios, every fault kind at least three times, distinct names and seeds."""
    specs = scenario_specs()
    assert len(specs) >= 30
    kinds = Counter(s.kind for s in specs)
    assert set(kinds) == set(FaultKind)
    assert min(kinds.values()) >= 3
    assert len({s.name for s in specs}) == len({s.seed for s in specs}) == len(specs)
    for kind in FaultKind:
        placements = {(s.service, s.start_s, s.mean_rate_per_s) for s in specs if s.kind is kind}
        assert len(placements) == kinds[kind]


def test_written_scenario_replays_into_a_server(tmp_path: Path, server: RunningServer) -> None:
    """A written scenario has its truth file, and replaying it shows the shop in the query API."""
    import httpx

    spec = next(s for s in scenario_specs() if s.kind is FaultKind.CERTIFICATE_EXPIRY)
    write_scenario(spec, tmp_path)
    directory = tmp_path / spec.name
    truth = read_truth(directory / "truth.json")
    (fault,) = truth["faults"]
    assert fault["fault"] == "certificate_expiry"
    assert fault["start_unix_nano"] < fault["end_unix_nano"]
    assert fault["expected_signals"]
    report = replay(directory, server.url, key=None, dsn=None)
    assert not report.failures, report.summary()
    server.flush()
    answer = httpx.get(
        server.url + "/api/v1/logs",
        params={
            "start": fault["start_unix_nano"],
            "end": fault["end_unix_nano"],
            "service": fault["service"],
            "q": "certificate has expired",
            "limit": 5,
        },
    ).json()
    assert answer["logs"]
    services = httpx.get(
        server.url + "/api/v1/services",
        params={"start": truth["start_unix_nano"], "end": truth["end_unix_nano"]},
    ).json()
    names = {s["service"] for s in services["services"]}
    assert {"frontend", "catalog", "cart", "checkout", "payment", "shipping"} <= names

"""The evaluation's fixtures on disk: the scenario set, cached, and a server that holds it replayed.

Generating the 30 scenarios takes minutes and replaying them as long again, so both are cached:
a scenario directory counts once its `truth.json` is in place (each one is written to a temporary
directory and renamed, so an interrupted run leaves no half scenario), and a data directory counts
as replayed when its marker file names the same scenarios with the same hash of the set, replayed
by the same storage code (schema and ingest: a change there may change what is stored).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from bench_server import free_port, wait_for_server

import nightcall
from nightcall.demo.scenarios import ScenarioSpec, replay, scenario_specs, write_scenario

MARKER = "eval-rca-replayed.json"
MAX_PROCESSES = 2  # the machine has two cores, shared


def set_hash(specs: list[ScenarioSpec]) -> str:
    """A hash of the set's definition: a changed placement or seed invalidates every cache."""
    text = "\n".join(repr(spec) for spec in specs)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _generate_one(spec: ScenarioSpec, out: Path) -> tuple[str, float]:
    started = time.perf_counter()
    staging = out / f".staging-{spec.name}"
    shutil.rmtree(staging, ignore_errors=True)
    write_scenario(spec, staging)
    shutil.rmtree(out / spec.name, ignore_errors=True)
    (staging / spec.name).rename(out / spec.name)
    staging.rmdir()
    return spec.name, time.perf_counter() - started


def _generate_star(args: tuple[ScenarioSpec, Path]) -> tuple[str, float]:
    return _generate_one(*args)


def ensure_scenarios(out: Path, specs: list[ScenarioSpec]) -> float:
    """Write the scenarios of `specs` that `out` lacks (two processes); returns the wall time."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = out / "set-hash.txt"
    current = set_hash(scenario_specs())
    if stamp.is_file() and stamp.read_text().strip() != current:
        print(f"{out} holds another version of the scenario set: regenerating it")
        for spec in specs:
            shutil.rmtree(out / spec.name, ignore_errors=True)
    stamp.write_text(current + "\n")
    missing = [spec for spec in specs if not (out / spec.name / "truth.json").is_file()]
    if not missing:
        return 0.0
    print(f"generating {len(missing)} scenarios into {out} ({MAX_PROCESSES} processes) ...")
    started = time.perf_counter()
    processes = min(MAX_PROCESSES, len(missing))
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        for name, took_s in pool.imap_unordered(_generate_star, [(s, out) for s in missing]):
            print(f"  {name} written in {took_s:.0f} s", flush=True)
    return time.perf_counter() - started


@dataclass(frozen=True, slots=True, kw_only=True)
class Server:
    """A `nightcall serve` subprocess with API keys off, on 127.0.0.1."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def running_server(data_dir: Path, log_path: Path | None = None) -> Iterator[Server]:
    """Start `nightcall serve` on `data_dir` (no keys, loopback, keep everything); stop it after.

    Its output goes to `log_path`, by default DATA_DIR-server.log beside the data directory.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = log_path or data_dir.parent / f"{data_dir.name}-server.log"
    command = [
        str(Path(sys.executable).parent / "nightcall"), "serve",
        "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port),
        "--statsd-port", "0", "--retention-days", "0",
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, process, log=str(log_path))
        yield Server(url=url, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_stored(url: str, timeout_s: float = 600.0) -> None:
    """Poll /healthz until the write-ahead log has nothing pending (every item is in the store)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = httpx.get(url + "/healthz", timeout=10).json()
        if health.get("wal_pending_bytes", 0) == 0:
            return
        time.sleep(0.5)
    raise SystemExit(f"the server at {url} still had unstored telemetry after {timeout_s:.0f} s")


def storage_hash() -> str:
    """A hash of the code that decides what is stored (the schema and the ingest decoders).

    When it changes, data replayed by an older tree may lack columns or rows the current one
    writes, so the replayed data directory no longer counts.
    """
    package = Path(nightcall.__file__).parent
    files = [package / "store" / "schema.py", *sorted((package / "ingest").rglob("*.py"))]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def replay_marker(specs: list[ScenarioSpec]) -> dict[str, object]:
    """What the marker of a data directory holding `specs` records (besides the replay time)."""
    return {
        "set_hash": set_hash(specs),
        "storage_hash": storage_hash(),
        "scenarios": [spec.name for spec in specs],
    }


def why_not_replayed(data_dir: Path, specs: list[ScenarioSpec]) -> str | None:
    """None when `data_dir` holds exactly this set replayed by this storage code; else why not."""
    marker = data_dir / MARKER
    if not marker.is_file():
        return f"{data_dir} has no {MARKER} (never replayed, or replay was interrupted)"
    recorded = orjson.loads(marker.read_bytes())
    for key, value in replay_marker(specs).items():
        if recorded.get(key) != value:
            return f"{data_dir} was replayed with another {key.replace('_', ' ')}"
    return None


def replay_all(url: str, scenarios_dir: Path, data_dir: Path, specs: list[ScenarioSpec]) -> float:
    """Replay every scenario into the server, wait until stored, write the marker; wall time."""
    started = time.perf_counter()
    (data_dir / MARKER).unlink(missing_ok=True)
    for spec in specs:
        one_started = time.perf_counter()
        report = replay(scenarios_dir / spec.name, url, key=None, dsn=None)
        print(f"  {spec.name}: {report.summary()} in {time.perf_counter() - one_started:.0f} s")
        if report.failures:
            raise SystemExit(f"{spec.name} was not accepted in full: {report.summary()}")
    wait_until_stored(url)
    took_s = time.perf_counter() - started
    marker = {**replay_marker(specs), "replay_s": round(took_s, 1)}
    (data_dir / MARKER).write_bytes(orjson.dumps(marker, option=orjson.OPT_INDENT_2))
    return took_s

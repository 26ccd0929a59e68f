"""Log template mining on the twelve Loghub-2k datasets: GA, PA, templates, throughput.

    .venv/bin/python bench/eval_log_parsing.py [--ablation]

One configuration (`MinerConfig()`, the default nightcall mines with) for every dataset, over
the `Content` column, lines fed to `TemplateMiner.add` in file order. For each dataset it prints
grouping accuracy (GA) and parsing accuracy (PA) on the original labels and on the corrected
labels (Khan et al., ICSE'22), the number of templates found against the true number, and the
published Drain GA (LogPAI benchmark, per-dataset regexes and parameters) beside. PA compares
each line's final template with the true one after collapsing runs of whitespace to one space
and stripping the ends on both sides. A line's group is the template it ends in
(`TemplateMiner.resolve` of the id `add` returned, as a merged-away id is an alias).

The same-run baseline is the `drain3` library with its defaults (`TemplateMinerConfig()`:
depth 4, similarity 0.4, 100 children, no masking), fed the same lines. `--ablation` also runs
the default without settled constants, with each mask rule left out, with the opt-in
`key=value` mask, without the shared-affix generalization, and with other thresholds and depths.

The data is read from `../shared/data/loghub-2k/` beside the repository (read-only).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from drain3 import TemplateMiner as Drain3Miner
from drain3.template_miner_config import (
    TemplateMinerConfig as Drain3Config,
)

from nightcall.analysis.logs import (
    DEFAULT_MASKS,
    KEY_VALUE_MASK,
    MinerConfig,
    TemplateMiner,
    grouping_accuracy,
    parsing_accuracy,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub-2k"
PUBLISHED_DRAIN_GA = {
    "Android": 0.911, "Apache": 1.000, "BGL": 0.9625, "HDFS": 0.9975, "HPC": 0.887,
    "Hadoop": 0.9475, "Linux": 0.690, "OpenSSH": 0.7875, "Spark": 0.920,
    "Thunderbird": 0.955, "Windows": 0.997, "Zookeeper": 0.9665,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Dataset:
    """One Loghub-2k dataset: its lines and both label sets."""

    name: str
    lines: list[str]
    original: list[tuple[str, str]]  # (event id, template) per line
    corrected: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Result:
    """The scores of one configuration on one dataset."""

    ga: float
    pa: float
    ga_corrected: float
    pa_corrected: float
    found: int
    true: int
    true_corrected: int
    lines_per_s: float


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(name: str) -> Dataset:
    """Read one dataset's structured files (original and corrected labels)."""
    original = _read(DATA / name / f"{name}_2k.log_structured.csv")
    corrected = _read(DATA / name / f"{name}_2k.log_structured_corrected.csv")
    return Dataset(
        name=name,
        lines=[row["Content"] for row in original],
        original=[(row["EventId"], row["EventTemplate"]) for row in original],
        corrected=[(row["EventId"], row["EventTemplate"]) for row in corrected],
    )


def evaluate(dataset: Dataset, config: MinerConfig) -> Result:
    """Mine the dataset's lines with `config` and score the result against both label sets."""
    miner = TemplateMiner(config)
    start = time.perf_counter()
    ids = [miner.add(line)[0] for line in dataset.lines]
    elapsed_s = time.perf_counter() - start
    final = miner.templates()
    ids = [miner.resolve(i) for i in ids]
    return _score(dataset, ids, [final.get(i, "<*>") for i in ids], elapsed_s)


def evaluate_drain3(dataset: Dataset) -> Result:
    """Mine the dataset's lines with the drain3 library's defaults and score the result."""
    miner = Drain3Miner(config=Drain3Config())
    start = time.perf_counter()
    ids = [miner.add_log_message(line)["cluster_id"] for line in dataset.lines]
    elapsed_s = time.perf_counter() - start
    final = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return _score(dataset, ids, [final[i] for i in ids], elapsed_s)


def _score(dataset: Dataset, ids: list[int], predicted: list[str], elapsed_s: float) -> Result:
    scores = []
    for labels in (dataset.original, dataset.corrected):
        scores.append(grouping_accuracy(ids, [e for e, _ in labels]))
        scores.append(parsing_accuracy(predicted, [t for _, t in labels]))
    return Result(
        ga=scores[0],
        pa=scores[1],
        ga_corrected=scores[2],
        pa_corrected=scores[3],
        found=len(set(ids)),
        true=len({e for e, _ in dataset.original}),
        true_corrected=len({e for e, _ in dataset.corrected}),
        lines_per_s=len(dataset.lines) / elapsed_s if elapsed_s > 0 else float("inf"),
    )


def _summary(label: str, results: dict[str, Result]) -> str:
    rs = list(results.values())
    below = sum(r.ga < PUBLISHED_DRAIN_GA[name] for name, r in results.items())
    return (
        f"{label:<28} GA {statistics.fmean(r.ga for r in rs):.4f}  "
        f"PA {statistics.fmean(r.pa for r in rs):.4f}  "
        f"GA* {statistics.fmean(r.ga_corrected for r in rs):.4f}  "
        f"PA* {statistics.fmean(r.pa_corrected for r in rs):.4f}  "
        f"below Drain on {below}"
    )


def run(config: MinerConfig | None, datasets: list[Dataset]) -> dict[str, Result]:
    """Score `config` on every dataset (None: the drain3 library's defaults)."""
    if config is None:
        return {d.name: evaluate_drain3(d) for d in datasets}
    return {d.name: evaluate(d, config) for d in datasets}


def main() -> int:
    """Print the table, the averages, the throughput and the baseline (and ablations)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ablation", action="store_true", help="leave each improvement out")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(
            f"Loghub-2k data not found at {DATA}: it is expected in the shared data folder "
            "beside the repository (../shared/data/loghub-2k, see its README)",
            file=sys.stderr,
        )
        return 2
    names = sorted(p.name for p in DATA.iterdir() if p.is_dir())
    datasets = [load(name) for name in names]
    ours = run(MinerConfig(), datasets)
    base = run(None, datasets)

    print(
        "GA/PA on original labels, GA*/PA* on corrected labels; templates found/true(/corr.); "
        "base: drain3 defaults"
    )
    header = (
        f"{'dataset':<12} {'GA':>6} {'PA':>6} {'GA*':>6} {'PA*':>6} "
        f"{'found/true/true*':>17} {'Drain GA':>9} {'base GA':>8} {'base PA':>8} "
        f"{'base GA*':>8} {'base PA*':>8}"
    )
    print(header)
    print("-" * len(header))
    for name in names:
        r, b = ours[name], base[name]
        counts = f"{r.found}/{r.true}/{r.true_corrected}"
        print(
            f"{name:<12} {r.ga:6.4f} {r.pa:6.4f} {r.ga_corrected:6.4f} {r.pa_corrected:6.4f} "
            f"{counts:>17} {PUBLISHED_DRAIN_GA[name]:9.4f} {b.ga:8.4f} {b.pa:8.4f} "
            f"{b.ga_corrected:8.4f} {b.pa_corrected:8.4f}"
        )
    print("-" * len(header))
    published = statistics.fmean(PUBLISHED_DRAIN_GA[n] for n in names)
    print(_summary("nightcall (default)", ours))
    print(_summary("baseline: drain3 defaults", base))
    print(f"{'published Drain (tuned)':<28} GA {published:.4f}")
    ours_rate = statistics.fmean(r.lines_per_s for r in ours.values())
    base_rate = statistics.fmean(r.lines_per_s for r in base.values())
    print(
        f"throughput of add: {ours_rate:,.0f} lines/s (drain3 {base_rate:,.0f} lines/s, "
        f"ratio {ours_rate / base_rate:.2f}; mean over datasets, one core)"
    )
    if args.ablation:
        default = MinerConfig()
        no_settle = dataclasses.replace(default, settle_after=0)
        print(_summary("without settled constants", run(no_settle, datasets)))
        for settle_after in (5, 20, 50):
            config = dataclasses.replace(default, settle_after=settle_after)
            print(_summary(f"settle after {settle_after}", run(config, datasets)))
        for rule in DEFAULT_MASKS:
            masks = tuple(m for m in DEFAULT_MASKS if m is not rule)
            print(
                _summary(
                    f"without {rule.name}", run(dataclasses.replace(default, masks=masks), datasets)
                )
            )
        with_kv = dataclasses.replace(default, masks=(*DEFAULT_MASKS, KEY_VALUE_MASK))
        print(_summary("with key_value", run(with_kv, datasets)))
        print(_summary("no masks", run(dataclasses.replace(default, masks=()), datasets)))
        plain_merge = dataclasses.replace(default, keep_shared_affixes=False)
        print(_summary("without shared affixes", run(plain_merge, datasets)))
        for threshold in (0.3, 0.4, 0.6, 0.7):
            config = dataclasses.replace(default, similarity_threshold=threshold)
            print(_summary(f"similarity {threshold}", run(config, datasets)))
        for depth in (3, 5, 6):
            print(
                _summary(f"depth {depth}", run(dataclasses.replace(default, depth=depth), datasets))
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark ``trailwatch replay`` on the archive from generate_archive.py, in one run on the same files.

Measured, each as a separate process timed wall-clock from start to exit, with its CPU time
(user + system) and peak memory taken from ``wait4`` (the process and the workers it waited for):

* **parse-only baseline**: decompress and ``orjson``-decode every file and touch each record,
  nothing else, in Python: the floor for any Python tool reading these files;
* **replay, all 17 controls**, ``--jobs 1`` and ``--jobs 2``;
* **jq**: ``zcat FILES | jq -r -f benchmarks/jq/controls.jq``, the 17 patterns written as the jq
  filter a user would write; its per-control counts must equal replay's (checked);
* **memory**: replay on the first half of the files and on all of them; flat means the same peak.

The machine may be shared, so every measurement but jq runs once per *round*, all of them one
after the other, for ``--repeat`` rounds: a ratio is taken between two runs of the same round
(paired, so that both met the same load), and reported as the median over the rounds with the
lowest and highest. Goals (checked on the median): replay >= 0.8x the baseline's events/s;
``--jobs 2`` >= 1.8x ``--jobs 1``; >= 10x jq; peak memory flat.

Usage::

    python benchmarks/generate_archive.py            # once: writes benchmarks/data/archive
    python benchmarks/bench_replay.py                # prints the tables
    python benchmarks/bench_replay.py --write-doc docs/performance.md --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
DEFAULT_ARCHIVE = ROOT / "data" / "archive"
JQ_FILTER = ROOT / "jq" / "controls.jq"
GROUP = "Admins"

# Decompress + decode + touch, nothing else. The same reading code a careful user would write.
BASELINE = """
import sys, zlib, orjson
n = 0
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        doc = orjson.loads(zlib.decompress(f.read(), 47))
    for record in doc["Records"]:
        n += 1
print(n)
"""
# The same, with the collector threshold trailwatch uses (the stricter baseline: the goals use it).
BASELINE_GC = "import gc; gc.set_threshold(100_000, 50, 100)\n" + BASELINE


@dataclass
class Run:
    """One measured command over rounds: each round's wall time, CPU time and peak memory."""

    label: str
    command: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    max_rss_mb: float = 0.0
    stdout: str = ""

    def once(self) -> None:
        """Run the command once more and record it; stop the benchmark if it fails."""
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            started = time.perf_counter()
            proc = subprocess.Popen(self.command, stdout=stdout, stderr=stderr, cwd=REPO)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            stdout.seek(0)
            stderr.seek(0)
            self.stdout = stdout.read().decode()
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                raise SystemExit(f"{self.label} failed ({code}): {stderr.read().decode()[-2000:]}")
        self.wall.append(elapsed)
        self.cpu.append(usage.ru_utime + usage.ru_stime)
        self.max_rss_mb = max(self.max_rss_mb, usage.ru_maxrss / 1024)  # Linux reports KiB
        print(
            f"  {self.label:<34} {elapsed:7.2f} s wall {self.cpu[-1]:7.2f} s CPU {self.max_rss_mb:7.1f} MB", flush=True
        )

    @property
    def best(self) -> float:
        return min(self.wall)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


@dataclass(frozen=True)
class Ratio:
    """A ratio measured once per round: its median and its range."""

    values: tuple[float, ...]

    @classmethod
    def paired(cls, numerator: Sequence[float], denominator: Sequence[float]) -> Ratio:
        return cls(tuple(a / b for a, b in zip(numerator, denominator, strict=True)))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, fmt: Callable[[float], str]) -> str:
        if len(self.values) == 1:
            return fmt(self.median)
        return f"{fmt(self.median)} ({fmt(min(self.values))}-{fmt(max(self.values))})"


def md(text: str) -> str:
    """A Markdown table cell: ``|`` escaped (the jq row's label has one)."""
    return text.replace("|", "\\|")


def log_files(archive: Path) -> list[str]:
    """The archive's log files (not digests), in the order replay walks them."""
    files = sorted(
        str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)
        for p in archive.rglob("*.json.gz")
        if "CloudTrail-Digest" not in p.parts
    )
    if not files:
        raise SystemExit(f"no log files under {archive}; run benchmarks/generate_archive.py first")
    return files


def digest_files(archive: Path) -> list[Path]:
    """The archive's digest files, which replay skips and counts."""
    return [p for p in archive.rglob("*.json.gz") if "CloudTrail-Digest" in p.parts]


def replay_command(files: list[str], jobs: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "trailwatch_constructs.cli.main",
        "replay",
        "--privileged-group",
        GROUP,
        # The 17 catalogue patterns, as the jq filters have them (every auditor's extra texts would
        # make some controls count more than jq).
        "--auditor",
        "security-hub",
        "--format",
        "json",
        "--no-progress",
        "--jobs",
        str(jobs),
        *files,
    ]


def jq_command(files: list[str]) -> list[str]:
    script = f'zcat "$@" | jq -r -f {shlex.quote(str(JQ_FILTER.relative_to(REPO)))}'
    return ["bash", "-o", "pipefail", "-c", script, "jq-pipeline", *files]


def profile(files: list[str]) -> str:
    """cProfile of an in-process replay (--jobs 1) over ``files``: where the time goes."""
    from trailwatch_constructs.catalog import catalog_controls
    from trailwatch_constructs.cli.pool import replay

    controls = catalog_controls(privileged_groups=[GROUP])
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in replay(files, controls, jobs=1):
        pass
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(12)
    # Keep the table, drop pstats' preamble and absolute paths.
    lines = [line.replace(str(REPO) + "/", "") for line in text.getvalue().splitlines()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(line for line in lines[start:] if line.strip())


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    model = "unknown"
    if shutil.which("lscpu"):
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    jq = subprocess.run(["jq", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip(),
        "cpu": model,
        "python": platform.python_version(),
        "jq": jq,
        "os": platform.platform(),
        "load": load(),
    }


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every measurement but jq (default 3)")
    parser.add_argument("--jq-repeat", type=int, default=1, help="runs of the (slow) jq pipeline (default 1)")
    parser.add_argument("--no-jq", action="store_true", help="skip the jq comparison")
    parser.add_argument("--profile", action="store_true", help="also profile replay (in process, --jobs 1)")
    parser.add_argument("--write-doc", type=Path, help="write the results as Markdown to this file")
    args = parser.parse_args()

    files = log_files(args.archive)
    half = files[: len(files) // 2]
    info = machine()
    print(f"{len(files)} log files under {args.archive}; machine: {info}", flush=True)

    base = Run("parse-only baseline", [sys.executable, "-c", BASELINE, *files])
    base_gc = Run("parse-only baseline, tuned GC", [sys.executable, "-c", BASELINE_GC, *files])
    one = Run("replay, 17 controls, --jobs 1", replay_command(files, 1))
    two = Run("replay, 17 controls, --jobs 2", replay_command(files, 2))
    one_half = Run(f"replay --jobs 1, half ({len(half)} files)", replay_command(half, 1))
    rounds = [base, base_gc, one, two, one_half]
    jq = None if args.no_jq else Run("zcat | jq (17 filters)", jq_command(files))
    loads = [info["load"]]
    for n in range(args.repeat):
        print(f"round {n + 1} of {args.repeat} (load {load()}):", flush=True)
        for run in rounds:
            run.once()
        # jq takes ten times as long as the rest: its runs go between the first rounds.
        if jq is not None and n < args.jq_repeat:
            jq.once()
        loads.append(load())
    if jq is not None:
        while len(jq.wall) < args.jq_repeat:
            jq.once()
    info["load"] = f"{loads[0]} at the start, {loads[-1]} at the end"

    records = int(base.stdout.strip())
    check(records, one, two, jq)
    report = json.loads(one.stdout)
    replay_counts = {cid: c["matches"] for cid, c in report["controls"].items()}
    matches = sum(replay_counts.values())
    digests = digest_files(args.archive)
    megabytes = sum(Path(REPO, f).stat().st_size for f in files) / 1e6 + sum(p.stat().st_size for p in digests) / 1e6

    def rate(run: Run) -> str:
        return f"{records / run.best:,.0f}"

    rows = [
        (
            run.label,
            f"{run.best:.2f}",
            f"{run.median:.2f}",
            f"{min(run.wall):.2f}-{max(run.wall):.2f}",
            f"{statistics.median(run.cpu):.2f}",
            "-" if run is one_half else rate(run),
            f"{run.max_rss_mb:.0f}",
        )
        for run in [*rounds, *([jq] if jq is not None else [])]
    ]
    vs_base = Ratio.paired(base_gc.wall, one.wall)
    vs_base_cpu = Ratio.paired(base_gc.cpu, one.cpu)
    vs_base_default = Ratio.paired(base.wall, one.wall)
    scaling = Ratio.paired(one.wall, two.wall)
    memory = Ratio.paired([one.max_rss_mb], [one_half.max_rss_mb])

    def x(value: float) -> str:
        return f"{value:.2f}x"

    targets = [
        (
            "replay --jobs 1 vs parse-only baseline, tuned GC (events/s, wall)",
            vs_base.text(x),
            ">= 0.8x",
            vs_base.median >= 0.8,
        ),
        ("the same in CPU time", vs_base_cpu.text(x), ">= 0.8x", vs_base_cpu.median >= 0.8),
        ("--jobs 2 vs --jobs 1 (2 cores, wall)", scaling.text(x), ">= 1.8x", scaling.median >= 1.8),
    ]
    if jq is not None:
        vs_jq = Ratio(tuple(statistics.median(jq.wall) / w for w in one.wall))
        vs_jq_two = Ratio(tuple(statistics.median(jq.wall) / w for w in two.wall))
        targets.append(
            ("replay --jobs 1 vs zcat | jq (wall)", vs_jq.text(lambda v: f"{v:.1f}x"), ">= 10x", vs_jq.median >= 10)
        )
        targets.append(
            (
                "replay --jobs 2 vs zcat | jq (wall; jq runs on two cores too)",
                vs_jq_two.text(lambda v: f"{v:.1f}x"),
                ">= 10x",
                vs_jq_two.median >= 10,
            )
        )
    targets.append(("peak memory, full vs half archive", memory.text(x), "flat (about 1x)", memory.median < 1.2))

    table = [
        "| run | best s | median s | range s | median CPU s | events/s (best) | peak MB |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    table += [f"| {' | '.join(md(cell) for cell in row)} |" for row in rows]
    verdicts = ["| target | median (lowest-highest) | goal | met |", "|---|--:|---|---|"]
    verdicts += [f"| {md(a)} | {b} | {c} | {'yes' if ok else '**no**'} |" for a, b, c, ok in targets]
    extra = [
        f"Archive: {records:,} records in {len(files)} log files and {len(digests)} digest files "
        f"({megabytes:.1f} MB gzip); {matches:,} matches over 17 controls ({matches / records:.1%} of records).",
        f"Rounds: {args.repeat} (jq: {0 if jq is None else len(jq.wall)} runs); ratios are paired within a round. "
        f"Against the baseline with Python's default GC: {vs_base_default.text(x)}.",
    ]
    if jq is not None:
        extra.append("jq's per-control counts equal replay's: yes.")
    print()
    print("\n".join(table))
    print()
    print("\n".join(verdicts))
    print()
    print("\n".join(extra))

    profile_text = profile(files[:40]) if args.profile else None
    if profile_text:
        print("\nprofile of replay --jobs 1 over 40 files (in process), by own time:\n" + profile_text)

    if args.write_doc:
        commands = {
            "baseline (tuned GC)": "python -c '<BASELINE_GC in benchmarks/bench_replay.py>' FILES",
            "replay --jobs 1": shlex.join(["trailwatch", *replay_command(["FILES"], 1)[3:]]),
            "replay --jobs 2": shlex.join(["trailwatch", *replay_command(["FILES"], 2)[3:]]),
            "jq": f"zcat FILES | jq -r -f {JQ_FILTER.relative_to(REPO)}",
        }
        # The run's own command line, so the page says exactly how its numbers were made.
        info["command"] = shlex.join(["python", "benchmarks/bench_replay.py", *sys.argv[1:]])
        write_doc(args.write_doc, info, table, verdicts, extra, commands, profile_text, len(files), len(half))
        print(f"\nwrote {args.write_doc}")


def check(records: int, one: Run, two: Run, jq: Run | None) -> None:
    """Stop unless replay evaluated every record, --jobs 2 agreed with --jobs 1, and jq with replay."""
    report = json.loads(one.stdout)
    if report["events"] != records:
        raise SystemExit(f"replay evaluated {report['events']} events, the baseline read {records}")
    if json.loads(two.stdout) != report:
        raise SystemExit("--jobs 2 gave a different report from --jobs 1")
    if jq is None:
        return
    replay_counts = {cid: c["matches"] for cid, c in report["controls"].items()}
    jq_counts = Counter(jq.stdout.split())
    if any(jq_counts.get(cid, 0) != n for cid, n in replay_counts.items()) or not set(jq_counts) <= set(replay_counts):
        raise SystemExit(f"jq and replay disagree: jq {dict(jq_counts)} replay {replay_counts}")


def write_doc(
    path: Path,
    info: dict[str, str],
    table: list[str],
    verdicts: list[str],
    extra: list[str],
    commands: dict[str, str],
    profile_text: str | None,
    files: int,
    half: int,
) -> None:
    """The measured part of docs/performance.md, between markers, keeping the hand-written rest."""
    body = [
        "<!-- bench:start (generated by benchmarks/bench_replay.py --write-doc; edit outside the markers) -->",
        "",
        f"Measured on: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, {info['jq']}, "
        f"{info['os']}; load average {info['load']}.",
        "",
        f"Written by `{info['command']}`.",
        "",
        *table,
        "",
        *verdicts,
        "",
        *extra,
        "",
        f"FILES is the archive's {files} log files (digests excluded), sorted; the half run uses the first {half}.",
        "",
        "```sh",
        *(f"# {name}\n{command}" for name, command in commands.items()),
        "```",
    ]
    if profile_text:
        body += [
            "",
            "Profile of `replay --jobs 1` over 40 files, in process, by own time:",
            "",
            "```",
            profile_text,
            "```",
        ]
    body += ["", "<!-- bench:end -->"]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    start, end = text.find("<!-- bench:start"), text.find("<!-- bench:end -->")
    block = "\n".join(body)
    if start != -1 and end != -1:
        text = text[:start] + block + text[end + len("<!-- bench:end -->") :]
    else:
        text = text + ("\n" if text else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark ``trailwatch replay`` on the archive from generate_archive.py, in one run on the same files.

Measured, each as a separate process timed wall-clock from start to exit (best of ``--repeat``)
with its peak memory taken from ``wait4`` (the process and the workers it waited for):

* **parse-only baseline**: decompress and ``orjson``-decode every file and touch each record,
  nothing else, in Python: the floor for any Python tool reading these files;
* **replay, all 17 controls**, ``--jobs 1`` and ``--jobs 2``;
* **jq**: ``zcat FILES | jq -r -f benchmarks/jq/controls.jq``, the 17 patterns written as the jq
  filter a user would write; its per-control counts must equal replay's (checked);
* **memory**: replay on the first half of the files and on all of them; flat means the same peak.

Targets: replay >= 0.5x the baseline's events/s; ``--jobs 2`` >= 1.6x ``--jobs 1``; >= 5x jq.

Usage::

    python benchmarks/generate_archive.py            # once: writes benchmarks/data/archive
    python benchmarks/bench_replay.py                # prints the table
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
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
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
# The same, with the collector threshold trailwatch uses (shown for transparency).
BASELINE_GC = "import gc; gc.set_threshold(100_000, 50, 100)\n" + BASELINE


@dataclass
class Run:
    """One measured command: best wall time, peak memory, and its stdout (from the last run)."""

    label: str
    command: list[str]
    seconds: float
    max_rss_mb: float
    stdout: str


def measure(label: str, command: list[str], repeat: int) -> Run:
    """Run ``command`` ``repeat`` times; keep the fastest time and the largest peak memory."""
    best = float("inf")
    peak = 0.0
    out = ""
    for _ in range(repeat):
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=REPO)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            stdout.seek(0)
            stderr.seek(0)
            out = stdout.read().decode()
            if proc.returncode != 0:
                raise SystemExit(f"{label} failed ({proc.returncode}): {stderr.read().decode()[-2000:]}")
        best = min(best, elapsed)
        peak = max(peak, usage.ru_maxrss / 1024)  # Linux reports KiB
    print(f"  {label:<34} {best:7.2f} s  {peak:7.1f} MB", flush=True)
    return Run(label, command, best, peak, out)


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
    from trailwatch_constructs.cli.replay import replay

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
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement, best time kept (default 3)")
    parser.add_argument("--jq-repeat", type=int, default=1, help="runs of the (slow) jq pipeline (default 1)")
    parser.add_argument("--no-jq", action="store_true", help="skip the jq comparison")
    parser.add_argument("--profile", action="store_true", help="also profile replay (in process, --jobs 1)")
    parser.add_argument("--write-doc", type=Path, help="write the results as Markdown to this file")
    args = parser.parse_args()

    files = log_files(args.archive)
    half = files[: len(files) // 2]
    info = machine()
    print(f"{len(files)} log files under {args.archive}; machine: {info}", flush=True)

    print("measuring (best of runs, peak memory):", flush=True)
    base = measure("parse-only baseline", [sys.executable, "-c", BASELINE, *files], args.repeat)
    base_gc = measure("parse-only baseline, tuned GC", [sys.executable, "-c", BASELINE_GC, *files], args.repeat)
    one = measure("replay --jobs 1", replay_command(files, 1), args.repeat)
    two = measure("replay --jobs 2", replay_command(files, 2), args.repeat)
    one_half = measure("replay --jobs 1, half the files", replay_command(half, 1), args.repeat)
    jq = None if args.no_jq else measure("zcat | jq (17 filters)", jq_command(files), args.jq_repeat)

    records = int(base.stdout.strip())
    digests = digest_files(args.archive)
    megabytes = sum(Path(REPO, f).stat().st_size for f in files) / 1e6 + sum(p.stat().st_size for p in digests) / 1e6
    report = json.loads(one.stdout)
    if report["events"] != records:
        raise SystemExit(f"replay evaluated {report['events']} events, the baseline read {records}")
    if json.loads(two.stdout) != report:
        raise SystemExit("--jobs 2 gave a different report from --jobs 1")
    replay_counts = {cid: c["matches"] for cid, c in report["controls"].items()}
    matches = sum(replay_counts.values())
    jq_agrees = None
    if jq is not None:
        jq_counts = Counter(jq.stdout.split())
        jq_agrees = all(jq_counts.get(cid, 0) == n for cid, n in replay_counts.items()) and set(jq_counts) <= set(
            replay_counts
        )
        if not jq_agrees:
            print(f"!! jq and replay disagree: jq {dict(jq_counts)} replay {replay_counts}")

    def rate(run: Run) -> float:
        return records / run.seconds

    rows: list[tuple[str, str, str, str]] = [
        (base.label, f"{base.seconds:.2f}", f"{rate(base):,.0f}", f"{base.max_rss_mb:.0f}"),
        (base_gc.label, f"{base_gc.seconds:.2f}", f"{rate(base_gc):,.0f}", f"{base_gc.max_rss_mb:.0f}"),
        ("replay, 17 controls, --jobs 1", f"{one.seconds:.2f}", f"{rate(one):,.0f}", f"{one.max_rss_mb:.0f}"),
        ("replay, 17 controls, --jobs 2", f"{two.seconds:.2f}", f"{rate(two):,.0f}", f"{two.max_rss_mb:.0f}"),
        (
            f"replay --jobs 1, half ({len(half)} files)",
            f"{one_half.seconds:.2f}",
            "-",
            f"{one_half.max_rss_mb:.0f}",
        ),
    ]
    if jq is not None:
        rows.append((jq.label, f"{jq.seconds:.2f}", f"{rate(jq):,.0f}", f"{jq.max_rss_mb:.0f}"))

    vs_base = rate(one) / rate(base)
    vs_base_gc = rate(one) / rate(base_gc)
    scaling = one.seconds / two.seconds
    vs_jq = (jq.seconds / one.seconds) if jq is not None else None
    memory_growth = one.max_rss_mb / one_half.max_rss_mb
    targets = [
        ("replay vs parse-only baseline (events/s)", f"{vs_base:.2f}x", ">= 0.5x", vs_base >= 0.5),
        ("--jobs 2 vs --jobs 1 (2 cores)", f"{scaling:.2f}x", ">= 1.6x", scaling >= 1.6),
    ]
    if vs_jq is not None:
        targets.append(("replay --jobs 1 vs zcat | jq", f"{vs_jq:.1f}x faster", ">= 5x", vs_jq >= 5))
    targets.append(
        ("peak memory, full vs half archive", f"{memory_growth:.2f}x", "flat (about 1x)", memory_growth < 1.2)
    )

    table = ["| run | seconds | events/s | peak MB |", "|---|--:|--:|--:|"]
    table += [f"| {md(a)} | {b} | {c} | {d} |" for a, b, c, d in rows]
    verdicts = ["| target | measured | goal | met |", "|---|--:|---|---|"]
    verdicts += [f"| {md(a)} | {b} | {c} | {'yes' if ok else '**no**'} |" for a, b, c, ok in targets]
    extra = [
        f"Archive: {records:,} records in {len(files)} log files and {len(digests)} digest files "
        f"({megabytes:.1f} MB gzip); {matches:,} matches over 17 controls ({matches / records:.1%} of records).",
        f"Against the baseline with trailwatch's GC setting: {vs_base_gc:.2f}x.",
    ]
    if jq_agrees is not None:
        extra.append(f"jq's per-control counts equal replay's: {'yes' if jq_agrees else 'NO'}.")
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
            "baseline": "python -c '<BASELINE in benchmarks/bench_replay.py>' FILES",
            "replay --jobs 1": shlex.join(["trailwatch", *replay_command(["FILES"], 1)[3:]]),
            "replay --jobs 2": shlex.join(["trailwatch", *replay_command(["FILES"], 2)[3:]]),
            "jq": f"zcat FILES | jq -r -f {JQ_FILTER.relative_to(REPO)}",
        }
        # The run's own command line, so the page says exactly how its numbers were made.
        info["command"] = shlex.join(["python", "benchmarks/bench_replay.py", *sys.argv[1:]])
        write_doc(args.write_doc, info, table, verdicts, extra, commands, profile_text, len(files), len(half))
        print(f"\nwrote {args.write_doc}")


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
        f"{info['os']}; load average at start {info['load']}.",
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

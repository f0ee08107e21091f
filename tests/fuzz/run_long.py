"""Long fuzz runs by hand: `python tests/fuzz/run_long.py --minutes 10 [--jobs 2] [--target fix]`.

The time is split evenly over the targets of tests/fuzz/targets.py. Each target runs in a
worker process of its own (so a hard crash in a C extension - the Go Dockerfile parser,
tree-sitter - is caught too, with the input that caused it), under a 2 GiB address-space
limit, in rounds of hypothesis examples with fresh random seeds until its time is up.
Failures are shrunk by hypothesis, de-duplicated by error and place, and written to
--out (default .hypothesis/fuzz-findings/, git-ignored): one file per distinct failure with the minimal input.
At the end it prints executions, findings and the slowest input per target.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: `fuzz` and `conftest` import from there

MEMORY_LIMIT = 2 * 1024**3
SLOW_SECONDS = 5.0


def _worker(name: str, seconds: float, out: Path, examples: int) -> int:
    import faulthandler
    import resource

    from hypothesis import HealthCheck, Phase, given, settings

    from fuzz import targets

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    out.mkdir(parents=True, exist_ok=True)
    crash_log = (out / f"{name}.fault").open("w")
    faulthandler.enable(crash_log)
    current = out / f"{name}.current"

    def save(_: str, value: Any) -> None:
        current.write_bytes(pickle.dumps(value))

    targets.HOOKS.append(save)
    function, strategy = targets.TARGETS[name]
    findings: dict[str, dict[str, str]] = {}
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
            report_multiple_bugs=False,
        )
        @given(strategy)
        def run(value: Any) -> None:
            if time.monotonic() < deadline:
                function(value)

        try:
            run()
        except Exception as error:
            stats = targets.STATS[name]
            frames = traceback.extract_tb(error.__traceback__)
            place = next(
                (f"{f.filename}:{f.lineno}" for f in reversed(frames) if "/hubspec/" in f.filename),
                f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?",
            )
            key = f"{type(error).__name__} at {place}"
            if key not in findings:
                failing = stats.last_failure[0] if stats.last_failure else None
                text = "".join(traceback.format_exception(error))
                findings[key] = {
                    "error": f"{type(error).__name__}: {error}",
                    "input": repr(failing),
                }
                slug = f"{name}-{len(findings)}"
                (out / f"{slug}.txt").write_text(f"{key}\n\ninput: {failing!r}\n\n{text}")
                (out / f"{slug}.pickle").write_bytes(pickle.dumps(failing))
    stats = targets.STATS.get(name, targets.Stats())
    slow = stats.slowest > SLOW_SECONDS
    summary = {
        "target": name,
        "seconds": seconds,
        "rounds": rounds,
        "executions": stats.executions,
        "findings": findings,
        "slowest_seconds": round(stats.slowest, 3),
        "slowest_input": repr(stats.slowest_input)[:2000],
        "slow": slow,
    }
    (out / f"{name}.json").write_text(json.dumps(summary, indent=2))
    current.unlink(missing_ok=True)
    crash_log.close()
    return 0


def _parent(args: argparse.Namespace) -> int:
    from fuzz import targets

    names = args.target or sorted(targets.TARGETS)
    seconds = args.minutes * 60 / len(names) * args.jobs
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    pending = list(names)
    running: list[tuple[str, subprocess.Popen[bytes]]] = []
    crashed: list[str] = []
    while pending or running:
        while pending and len(running) < args.jobs:
            name = pending.pop(0)
            command = [sys.executable, __file__, "--worker", name, "--seconds", str(seconds)]
            command += ["--out", str(out), "--examples", str(args.examples)]
            running.append((name, subprocess.Popen(command)))
        time.sleep(0.5)
        for name, process in list(running):
            if process.poll() is not None:
                running.remove((name, process))
                if process.returncode != 0:
                    crashed.append(name)
                    print(f"{name}: worker died with exit code {process.returncode}; input:")
                    current = out / f"{name}.current"
                    if current.exists():
                        print(f"  {pickle.loads(current.read_bytes())!r}")
    total = 0
    found = 0
    for name in names:
        summary_path = out / f"{name}.json"
        if not summary_path.exists():
            print(f"{name}: no summary (worker crashed)")
            continue
        summary = json.loads(summary_path.read_text())
        total += summary["executions"]
        found += len(summary["findings"])
        print(
            f"{name}: {summary['executions']:,} executions in {summary['seconds']:.0f} s,"
            f" {summary['rounds']} rounds, {len(summary['findings'])} finding(s),"
            f" slowest {summary['slowest_seconds']} s"
        )
        for key, finding in summary["findings"].items():
            print(f"  - {key}: {finding['error'][:200]}")
            print(f"    input: {finding['input'][:300]}")
    print(f"total: {total:,} executions, {found} finding(s), {len(crashed)} worker crash(es)")
    return 1 if found or crashed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="total wall time")
    parser.add_argument("--jobs", type=int, default=1, help="targets fuzzed at once")
    parser.add_argument("--target", action="append", help="only this target (repeatable)")
    parser.add_argument("--examples", type=int, default=300, help="examples per round")
    parser.add_argument(
        "--out", type=Path, default=HERE.parents[1] / ".hypothesis" / "fuzz-findings"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return _worker(args.worker, args.seconds, args.out, args.examples)
    return _parent(args)


if __name__ == "__main__":
    sys.exit(main())

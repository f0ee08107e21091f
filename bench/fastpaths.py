"""What each remaining fast path saves, measured against the plain way it replaces.

    python bench/run.py --scenarios fastpaths
    python bench/fastpaths.py [--runs N]

A fast path is a second way of doing what a library already does; it stays only while this
table shows it pays (docs/architecture.md quotes the figures). Each row times the same work
both ways, in fresh processes where start-up is the point:

  quick argument parser   `hubspec lint FILE` (argv read by hubspec.cli.quickargs, typer never
                          imported) against the same lint through the typer app
  records                 defining and instantiating 65 five-field classes with @record
                          against @dataclass(frozen=True)
  libyaml events          parsing every corpus buildspec with libyaml's events where they
                          match, against ruamel's pure parser alone
  schema pre-check        checking every corpus buildspec with the pre-check's `valid` first,
                          against jsonschema alone
  schema explanations     `hubspec lint --jobs 1` of the corpus in a fresh process, simple
                          schema errors explained by the pre-check, against jsonschema
                          explaining every invalid file (its import included, as users pay it)
  forked workers          `hubspec lint` of the corpus (two workers on two CPUs) with workers
                          forked by hubspec.run.forked, against a ProcessPoolExecutor whose
                          workers are forked from the same warm process
  quick shell reader      the shell analysis of every corpus command (each step's text, in the
                          state the build starts with), one-line commands read by
                          hubspec.shell.quick, against tree-sitter-bash for every command
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SINGLE = ROOT / "fixtures" / "examples" / "node-app" / "buildspec.yml"
THROUGH_TYPER = "import sys; from hubspec.cli.app import app; app(prog_name='hubspec')"
THROUGH_QUICK = "from hubspec.entry import main; main()"

CLASSES = 65
DEFINE = """
import time
start = time.perf_counter()
{imports}
for index in range({classes}):
    namespace = {{"__annotations__": {{name: "int" for name in "abcde"}}}}
    cls = {decorator}(type(f"C{{index}}", (), namespace))
    cls(1, 2, 3, 4, 5)
print(time.perf_counter() - start)
"""


def _median_seconds(work: Callable[[], float], runs: int) -> float:
    return statistics.median(work() for _ in range(runs))


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def _printed(command: list[str]) -> float:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def quick_parser(runs: int) -> tuple[float, float]:
    args = ["lint", "--exit-zero", str(SINGLE)]
    fast = [sys.executable, "-c", f"import sys; sys.argv[1:] = {args!r}; {THROUGH_QUICK}"]
    plain = [sys.executable, "-c", f"import sys; sys.argv[1:] = {args!r}; {THROUGH_TYPER}"]
    return _median_seconds(lambda: _wall(fast), runs), _median_seconds(lambda: _wall(plain), runs)


LINT_CORPUS = """
import sys
sys.argv[1:] = {args!r}
{patch}
from hubspec.entry import main
main()
"""
WITHOUT_EXPLANATIONS = "from hubspec.schema import check; check.explain = lambda data: None"
WITH_AN_EXECUTOR = """
import multiprocessing
from hubspec.run import parallel
def _started(function, tasks, workers, started=parallel._started):
    parallel._preload(())
    yield from started(function, tasks, workers)
parallel._fork_safe = lambda: False
parallel._start_context = lambda: multiprocessing.get_context("fork")
parallel._started = _started
"""


def _lint_corpus(args: list[str], patch: str) -> list[str]:
    return [sys.executable, "-c", LINT_CORPUS.format(args=args, patch=patch)]


def explanations(runs: int) -> tuple[float, float]:
    args = ["lint", "--exit-zero", "--jobs", "1", str(CORPUS)]
    fast, plain = _lint_corpus(args, ""), _lint_corpus(args, WITHOUT_EXPLANATIONS)
    return _median_seconds(lambda: _wall(fast), runs), _median_seconds(lambda: _wall(plain), runs)


def forked_workers(runs: int) -> tuple[float, float]:
    args = ["lint", "--exit-zero", "--jobs", "2", str(CORPUS)]
    fast, plain = _lint_corpus(args, ""), _lint_corpus(args, WITH_AN_EXECUTOR)
    return _median_seconds(lambda: _wall(fast), runs), _median_seconds(lambda: _wall(plain), runs)


def records(runs: int) -> tuple[float, float]:
    def script(imports: str, decorator: str) -> list[str]:
        code = DEFINE.format(imports=imports, decorator=decorator, classes=CLASSES)
        return [sys.executable, "-c", code]

    fast = script("from hubspec.records import record", "record")
    plain = script("from dataclasses import dataclass", "dataclass(frozen=True)")
    return (
        _median_seconds(lambda: _printed(fast), runs),
        _median_seconds(lambda: _printed(plain), runs),
    )


def _corpus_texts() -> list[bytes]:
    """The buildspecs `hubspec lint` finds in the corpus, as the corpus scenarios lint them."""
    from hubspec.run.files import discover

    return [Path(target.path).read_bytes() for target in discover([str(CORPUS)])]


IN_PROCESS = """
import statistics, sys, time
from pathlib import Path
sys.path.insert(0, {bench!r})
from fastpaths import {function}
print({function}({runs}, {mode!r}))
"""


def _in_process(function: str, runs: int) -> tuple[float, float]:
    """Both ways in fresh processes, so neither warms the other's caches."""

    def one(mode: str) -> float:
        code = IN_PROCESS.format(
            bench=str(Path(__file__).parent), function=function, runs=runs, mode=mode
        )
        return _printed([sys.executable, "-c", code])

    return one("fast"), one("plain")


def parse_corpus(runs: int, mode: str) -> float:
    """Seconds per pass over the corpus (median of `runs` after a warm-up pass)."""
    from hubspec.load import document

    if mode == "plain":
        document._c_parser_class = lambda: None  # type: ignore[attr-defined]
    texts = _corpus_texts()

    def one_pass() -> float:
        start = time.perf_counter()
        for index, data in enumerate(texts):
            _parse(document, f"f{index}", data)
        return time.perf_counter() - start

    one_pass()
    return _median_seconds(one_pass, runs)


def _parse(document: object, name: str, data: bytes) -> object:
    """Decode to a Source and parse it, as the lint pipeline does."""
    from hubspec.load.source import decode

    return document.parse(name, decode(data))  # type: ignore[attr-defined]


def check_corpus(runs: int, mode: str) -> float:
    """Seconds per schema pass over the corpus documents (parsed once, outside the timing)."""
    from hubspec.load import document
    from hubspec.schema import check

    if mode == "plain":
        check.precheck = lambda data: None  # type: ignore[assignment]
    documents = []
    for index, data in enumerate(_corpus_texts()):
        parsed = _parse(document, f"f{index}", data)
        if hasattr(parsed, "data"):
            documents.append(parsed)

    def one_pass() -> float:
        start = time.perf_counter()
        for parsed in documents:
            check.validate(parsed)  # type: ignore[arg-type]
        return time.perf_counter() - start

    one_pass()
    return _median_seconds(one_pass, runs)


def shell_corpus(runs: int, mode: str) -> float:
    """Seconds per pass of the shell analysis over every command of the corpus."""
    from hubspec.build.model import build_model
    from hubspec.events.walk import initial_state
    from hubspec.lint.pipeline import load
    from hubspec.load.document import Document
    from hubspec.load.source import decode
    from hubspec.shell import walk

    if mode == "plain":
        walk.quick_analysis = lambda script, state: None  # type: ignore[assignment]
    steps = []
    for index, data in enumerate(_corpus_texts()):
        parsed = load(f"f{index}", decode(data))
        if isinstance(parsed, Document):
            model = build_model(parsed)
            state = initial_state(model)
            steps.extend((step.text, state) for step in model.steps)

    def one_pass() -> float:
        start = time.perf_counter()
        for text, state in steps:
            walk.analyse(text, state)
        return time.perf_counter() - start

    one_pass()
    return _median_seconds(one_pass, runs)


def table(runs: int) -> str:
    rows = [
        ("quick argument parser", "one-file lint, wall s", *quick_parser(runs)),
        ("records", f"define {CLASSES} classes, s", *records(runs)),
        ("libyaml events", "corpus parse pass, s", *_in_process("parse_corpus", runs)),
        ("schema pre-check", "corpus schema pass, s", *_in_process("check_corpus", runs)),
        ("schema explanations", "corpus lint --jobs 1, wall s", *explanations(runs)),
        ("quick shell reader", "corpus shell pass, s", *_in_process("shell_corpus", runs)),
        ("forked workers", "corpus lint --jobs 2, wall s", *forked_workers(runs)),
    ]
    lines = [
        "| fast path | measured | with it | without | saves |",
        "|---|---|---:|---:|---:|",
    ]
    for name, what, fast, plain in rows:
        saved = plain - fast
        lines.append(
            f"| {name} | {what} | {fast:.4f} | {plain:.4f} | {saved * 1000:.1f} ms"
            f" ({saved / plain:.0%}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    arguments = parser.parse_args()
    print(table(arguments.runs))


if __name__ == "__main__":
    main()

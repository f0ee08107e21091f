"""Benchmark hubspec against its peers on the same files (a script, not a test).

    pip install -e '.[bench]'                # hubspec and its peers, yamllint and check-jsonschema
    python bench/run.py                      # all scenarios, default runs
    python bench/run.py --scenarios single --runs 15
    python bench/run.py --scenarios corpus,corpus10 --runs 3

Scenarios:
  single    one buildspec (the pre-commit case): fixtures/examples/node-app/buildspec.yml, copied
            into a temporary repository of its own (without the example's config)
  corpus    every buildspec `hubspec.run.files.discover` finds in ../shared/corpus (the CI case),
            linted in a copy whose folders are git work trees, as in a checkout: each
            repository's top is its buildspecs' source root, where their scripts and
            Dockerfiles are found (see `as_repositories`)
  corpus10  the same copy made 10 times in a temporary directory
  server    a warm `hubspec server`: didChange of a 60-line buildspec -> publishDiagnostics,
            timed per edit (median, p95), and its memory after 100 edits and after all
            (--server-edits, 10,000 by default); see bench/lsp.py. Needs the lsp extra.
  iac       every template and Terraform file in ../shared/corpus-iac, copied the same way
            (hubspec lint only: the peers do not read inline buildspecs); its time per
            inline buildspec is compared
            with the corpus's time per buildspec file, both less the one-file time: the one
            file and the corpus are linted again in the same rounds ("hubspec lint: one
            file", "hubspec lint: buildspec corpus"), and the goal is the median of the
            per-round ratios, so that the host's speed, which drifts between scenarios,
            cancels out
  iac500    one generated CloudFormation template with 500 projects, each with an inline
            buildspec (hubspec lint only)
  fastpaths what each remaining fast path saves against the plain way it replaces (see
            bench/fastpaths.py; hubspec alone, current layout only)

Each scenario runs every tool once per round (after one warm-up round that is not counted),
in an order that rotates each round, so that load from other processes on the machine hits
every tool alike. Each tool gets the same explicit file list:

  hubspec lint FILES            hubspec fix --diff FILES (writes nothing)
  yamllint -d relaxed FILES     check-jsonschema --schemafile schemas/buildspec.schema.json FILES

The table shows the median wall time, the fastest run, the noise (median absolute deviation
over the median), the peak memory, and each tool's time over hubspec lint's. Ratios are the
median of the per-round ratios (runs of one round are seconds apart, so they share the load).
Peak memory is measured in one extra run per tool: the kernel's peak resident size of the
main process (as `/usr/bin/time -f %M` reports it), and the largest sum of the proportional
set sizes of the process and its children (parallel workers), sampled every 20 ms.

Before timing, `compileall` writes hubspec's bytecode, as `pip install` does, so that no tool
pays for compiling its own source (the peers are installed with their bytecode).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
IAC_CORPUS = ROOT.parent / "shared" / "corpus-iac"
SINGLE = ROOT / "fixtures" / "examples" / "node-app" / "buildspec.yml"
SCHEMA = ROOT / "schemas" / "buildspec.schema.json"
BIN = Path(sys.executable).parent

TOOLS = ("hubspec lint", "hubspec fix --diff", "yamllint", "check-jsonschema")
INSTALL = "pip install -e '.[bench]'"
DEFAULT_RUNS = {"single": 11, "corpus": 5, "corpus10": 5, "iac": 5, "iac500": 5, "fastpaths": 7}
# scenarios that run hubspec alone
ALONE = {"server", "fastpaths"}
SERVER_EDITS = 10_000
BASE = "hubspec lint"


@dataclass
class Scenario:
    name: str
    files: list[str]
    tools: tuple[str, ...] = TOOLS
    inline: int = 0
    """Inline buildspecs in the files (templates, Terraform)."""
    references: dict[str, list[str]] = field(default_factory=dict)
    """hubspec lint over other files in the same rounds, by tool name (see REFERENCE)."""


@dataclass
class Row:
    """The samples of one tool in one scenario."""

    scenario: str
    tool: str
    files: int
    times: list[float] = field(default_factory=list)
    peak_kb: int | None = None
    """The kernel's peak resident size of the main process (what `/usr/bin/time -f %M` shows)."""
    tree_kb: int | None = None
    """The largest sampled sum of proportional set sizes (PSS) of the process and its workers."""
    exit_codes: set[int] = field(default_factory=set)
    inline: int = 0


REFERENCE = "hubspec lint: "
"""Tools named so are hubspec lint over a scenario's reference files (one file, a corpus)."""
ONE_FILE = REFERENCE + "one file"
BUILDSPEC_CORPUS = REFERENCE + "buildspec corpus"


def command(tool: str, files: Sequence[str]) -> list[str]:
    if tool == "hubspec lint" or tool.startswith(REFERENCE):
        return [str(BIN / "hubspec"), "lint", *files]
    if tool == "hubspec fix --diff":
        return [str(BIN / "hubspec"), "fix", "--diff", *files]
    if tool == "yamllint":
        return [str(BIN / "yamllint"), "-d", "relaxed", *files]
    if tool == "check-jsonschema":
        return [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), *files]
    raise ValueError(f"unknown tool {tool!r}")


def missing(tools: Sequence[str]) -> list[str]:
    """The programs of `tools` that are not installed beside this Python, in order, each once."""
    programs = dict.fromkeys(command(tool, [])[0] for tool in tools)
    return [Path(program).name for program in programs if not Path(program).is_file()]


ENV = dict(os.environ)
"""The environment of every run (`--pythonpath` puts another hubspec source first)."""


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall time of one run (output discarded) and its exit code."""
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV
    )
    return time.perf_counter() - start, done.returncode


def peak_memory_kb(argv: list[str], interval: float = 0.02) -> tuple[int, int]:
    """Peak memory of one run: the main process's max RSS (kernel), and the tree's PSS peak.

    Worker processes forked from the main one share most of its pages; PSS counts each
    shared page once across them, RSS would count it in every process.
    """
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    peak = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return int(usage.ru_maxrss), peak
        peak = max(peak, _tree_pss_kb(process.pid))
        time.sleep(interval)


def _tree_pss_kb(pid: int) -> int:
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
        todo.extend(int(child) for child in children)
    return total


def measure(
    scenario: Scenario, runs: int, *, memory: bool, log: Callable[[str], None]
) -> list[Row]:
    files = {tool: scenario.files for tool in scenario.tools} | scenario.references
    rows = {
        tool: Row(scenario.name, tool, len(files[tool]), inline=scenario.inline) for tool in files
    }
    tools = list(files)
    for round_number in range(runs + 1):
        order = tools[round_number % len(tools) :] + tools[: round_number % len(tools)]
        for tool in order:
            elapsed, code = timed(command(tool, files[tool]))
            if round_number == 0:
                continue  # warm-up: disk cache, bytecode
            rows[tool].times.append(elapsed)
            rows[tool].exit_codes.add(code)
        if round_number:
            shown = ", ".join(f"{tool} {rows[tool].times[-1]:.2f}s" for tool in tools)
            log(f"  {scenario.name} round {round_number}/{runs}: {shown}")
    if memory:
        for tool in scenario.tools:
            rows[tool].peak_kb, rows[tool].tree_kb = peak_memory_kb(command(tool, files[tool]))
    return [rows[tool] for tool in tools]


@dataclass(frozen=True)
class Stats:
    median: float
    minimum: float
    noise: float
    """Median absolute deviation over the median (0.05 = 5%)."""


def stats(samples: Sequence[float]) -> Stats:
    middle = statistics.median(samples)
    deviation = statistics.median(abs(sample - middle) for sample in samples)
    return Stats(middle, min(samples), deviation / middle if middle else 0.0)


def paired_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """The median of per-round ratios (both lists are in round order)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True) if b)


def table(rows: Sequence[Row]) -> str:
    """A markdown table: one line per scenario and tool, ratios to hubspec lint."""
    base = {row.scenario: row for row in rows if row.tool == BASE}
    lines = [
        "| scenario | files | tool | median s | min s | noise | max RSS MB | tree PSS MB"
        " | ÷ hubspec lint |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        row_stats = stats(row.times)
        reference = base.get(row.scenario)
        ratio = (
            f"{paired_ratio(row.times, reference.times):.2f}"
            if reference is not None and reference.times
            else ""
        )
        peak = f"{row.peak_kb / 1024:.0f}" if row.peak_kb is not None else ""
        tree = f"{row.tree_kb / 1024:.0f}" if row.tree_kb is not None else ""
        lines.append(
            f"| {row.scenario} | {row.files} | {row.tool} | {row_stats.median:.3f}"
            f" | {row_stats.minimum:.3f} | ±{row_stats.noise:.0%} | {peak} | {tree} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Goal:
    text: str
    value: float
    limit: float

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def goals(rows: Sequence[Row]) -> list[Goal]:
    """The goals of issue 7 that these rows can answer."""
    found: list[Goal] = []
    by = {(row.scenario, row.tool): row for row in rows}

    def ratio(scenario: str, top: str, bottom: str) -> float | None:
        a, b = by.get((scenario, top)), by.get((scenario, bottom))
        if a is None or b is None or not a.times or not b.times:
            return None
        return paired_ratio(a.times, b.times)

    for scenario in ("single", "corpus", "corpus10"):
        for peer, limit in (("yamllint", 1.0), ("check-jsonschema", 0.5)):
            value = ratio(scenario, BASE, peer)
            if value is not None:
                found.append(Goal(f"{scenario}: hubspec lint / {peer}", value, limit))
    value = ratio("corpus", "hubspec fix --diff", BASE)
    if value is not None:
        found.append(Goal("corpus: hubspec fix --diff / hubspec lint", value, 1.5))
    single, corpus, corpus10 = (by.get((name, BASE)) for name in ("single", "corpus", "corpus10"))
    if single and corpus and corpus10 and single.times and corpus.times and corpus10.times:
        start = stats(single.times).median
        per_file = (stats(corpus.times).median - start) / corpus.files
        per_file10 = (stats(corpus10.times).median - start) / corpus10.files
        if per_file > 0:
            found.append(
                Goal("linear: per-file time, corpus10 / corpus", per_file10 / per_file, 1.15)
            )
    iac, iac500 = by.get(("iac", BASE)), by.get(("iac500", BASE))
    one, buildspecs = by.get(("iac", ONE_FILE)), by.get(("iac", BUILDSPEC_CORPUS))
    if iac and one and buildspecs and iac.times and iac.inline:
        found.append(
            Goal(
                "iac: time per inline buildspec / per buildspec file",
                _paired_iac_ratio(iac, one, buildspecs),
                1.5,
            )
        )
    elif single and corpus and iac and single.times and corpus.times and iac.times and iac.inline:
        start = stats(single.times).median
        per_file = (stats(corpus.times).median - start) / corpus.files
        per_inline = (stats(iac.times).median - start) / iac.inline
        if per_file > 0:
            found.append(
                Goal(
                    "iac: time per inline buildspec / per buildspec file",
                    per_inline / per_file,
                    1.5,
                )
            )
    if iac500 is not None and iac500.times:
        found.append(Goal("iac500: hubspec lint s (500 projects)", stats(iac500.times).median, 2.0))
    if corpus10 is not None and corpus10.peak_kb is not None:
        found.append(Goal("corpus10: hubspec lint max RSS MB", corpus10.peak_kb / 1024, 150))
    if corpus10 is not None and corpus10.tree_kb is not None:
        found.append(Goal("corpus10: hubspec lint tree PSS MB", corpus10.tree_kb / 1024, 150))
    return found


def _paired_iac_ratio(iac: Row, one: Row, buildspecs: Row) -> float:
    """The median over rounds of (time per inline buildspec) / (time per buildspec file),
    each less that round's one-file time."""
    ratios = [
        ((hosts - start) / iac.inline) / ((corpus - start) / buildspecs.files)
        for hosts, start, corpus in zip(iac.times, one.times, buildspecs.times, strict=True)
        if corpus > start
    ]
    return statistics.median(ratios) if ratios else float("inf")


def goals_table(found: Sequence[Goal]) -> str:
    lines = ["| goal | value | limit | met |", "|---|---:|---:|---|"]
    for goal in found:
        lines.append(
            f"| {goal.text} | {goal.value:.2f} | {goal.limit:g} | {'yes' if goal.met else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def corpus_files(root: Path) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from hubspec.run.files import discover

    return [str(target.path) for target in discover([str(root)])]


def example_repository(into: Path) -> Path:
    """The example as a user's repository: its folder with a `.git`, without its config (which
    only makes the folder the source root inside this checkout); the buildspec's path."""
    project = into / "single"
    shutil.copytree(SINGLE.parent, project, ignore=shutil.ignore_patterns(".hubspec.toml"))
    (project / ".git").mkdir()
    return project / SINGLE.name


def inline_buildspecs(files: Sequence[str]) -> int:
    """How many inline buildspecs the host files hold (what the iac scenario lints)."""
    sys.path.insert(0, str(ROOT))
    from hubspec.hosts.kind import host_kind
    from hubspec.hosts.read import read_host

    count = 0
    for name in files:
        data = Path(name).read_bytes()
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
        kind = host_kind(name, text[: 64 * 1024])
        if kind is not None:
            count += sum(
                found.inline is not None for found in read_host(kind, text, len(data)).projects
            )
    return count


PROJECT = """\
  Build{n}:
    Type: AWS::CodeBuild::Project
    Properties:
      ServiceRole: !Ref Role
      Artifacts: {{Type: CODEPIPELINE}}
      Environment:
        Type: LINUX_CONTAINER
        ComputeType: BUILD_GENERAL1_SMALL
        Image: aws/codebuild/standard:7.0
        PrivilegedMode: true
      Source:
        Type: CODEPIPELINE
        BuildSpec: !Sub |
          version: 0.2
          env:
            parameter-store:
              DOCKER_USER: /ci/dockerhub/user
              DOCKER_TOKEN: /ci/dockerhub/token
          phases:
            pre_build:
              commands:
                - echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin
                - aws ecr get-login-password | docker login --username AWS --password-stdin ${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com
            build:
              commands:
                - docker pull node:20
                - docker build -t app{n} .
                - docker push ${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/app{n}:latest
"""


def big_template(into: Path, projects: int) -> Path:
    """A CloudFormation template with `projects` CodeBuild projects, each with a buildspec."""
    path = into / "iac500" / "template.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(PROJECT.format(n=number) for number in range(projects))
    path.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  Role:\n    Type: String\n'
        "Resources:\n" + body,
        encoding="utf-8",
    )
    (path.parent / "Dockerfile").write_text("FROM public.ecr.aws/docker/library/node:20\n")
    return path


def as_repositories(source: Path, into: Path) -> Path:
    """A copy of a corpus whose folders are git work trees, as each was in its repository.

    hubspec's default source root is the top of the buildspec's work tree: without a `.git`
    it would be the buildspec's own folder, and a build's scripts and Dockerfiles, named from
    the repository's top, would not be found (and not be read: a fifth less work per file
    than a checkout costs). The corpus's README says to use each folder as the source root.
    """
    shutil.copytree(source, into)
    for entry in into.iterdir():
        if entry.is_dir():
            (entry / ".git").mkdir(exist_ok=True)
    return into


def repositories(source: Path, into: Path) -> Path:
    """`as_repositories` once per run: scenarios that lint the same corpus share the copy."""
    return into if into.exists() else as_repositories(source, into)


def copy_corpus(source: Path, copies: int, into: Path) -> Path:
    for number in range(copies):
        as_repositories(source, into / f"copy{number}")
    return into


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="single,corpus,corpus10,iac,iac500,server,fastpaths")
    parser.add_argument(
        "--server-edits", type=int, default=SERVER_EDITS, help="timed edits of the server scenario"
    )
    parser.add_argument("--runs", type=int, help="rounds per scenario (default: 11, 5, 3)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--iac-corpus", type=Path, default=IAC_CORPUS)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--no-compile", action="store_true", help="do not write hubspec bytecode")
    parser.add_argument(
        "--pythonpath", type=Path, help="run the hubspec package found here (e.g. an old copy)"
    )
    args = parser.parse_args(argv)
    source = ROOT
    if args.pythonpath is not None:
        source = args.pythonpath.resolve()
        ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), ENV.get("PYTHONPATH")]))
        found = _hubspec_found()
        if not found.startswith(str(source) + os.sep):
            parser.error(
                f"--pythonpath {source}: the runs would import hubspec from"
                f" {found or 'nowhere'}, not from there (is {source / 'hubspec'} a package?)"
            )
    chosen = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    tools = tuple(tool.strip() for tool in args.tools.split(",") if tool.strip())

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    unknown = [tool for tool in tools if tool not in TOOLS]
    if unknown:
        parser.error(f"unknown tool {unknown[0]!r} (choose from {', '.join(TOOLS)})")
    # the server and fastpaths scenarios run hubspec alone
    absent = missing(tools if set(chosen) - ALONE else ("hubspec lint",))
    if absent:
        log(
            f"bench/run.py: {', '.join(absent)} not installed in {BIN}; install hubspec and its"
            f" peers with `{INSTALL}` (or choose the tools with --tools)"
        )
        return 2
    if not args.no_compile:
        for package in ("hubspec", "schemas"):  # schemas/ is the package hubspec.schemas
            compileall.compile_dir(str(source / package), quiet=1)
    load_before = os.getloadavg()
    rows: list[Row] = []
    server_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hubspec-bench-") as scratch:
        for name in chosen:
            if name == "server":
                server_lines.append(run_server(args.server_edits, log))
                continue
            if name == "fastpaths":
                server_lines.append(run_fastpaths(args.runs or DEFAULT_RUNS["fastpaths"], log))
                continue
            if name == "single":
                files = [str(example_repository(Path(scratch)))]
            elif name == "corpus":
                files = corpus_files(repositories(args.corpus, Path(scratch) / "corpus"))
            elif name == "corpus10":
                files = corpus_files(copy_corpus(args.corpus, args.copies, Path(scratch) / "c10"))
            elif name == "iac":
                files = corpus_files(repositories(args.iac_corpus, Path(scratch) / "iac"))
            elif name == "iac500":
                files = [str(big_template(Path(scratch), 500))]
            else:
                parser.error(f"unknown scenario {name!r}")
            scenario_tools = tools if name == "single" or name == "corpus" else _no_fix(tools)
            inline = 0
            references: dict[str, list[str]] = {}
            if name.startswith("iac"):
                scenario_tools = tuple(tool for tool in scenario_tools if tool == BASE)
                inline = inline_buildspecs(files)
            if name == "iac" and scenario_tools:
                references = {
                    ONE_FILE: [str(example_repository(Path(scratch) / "reference"))],
                    BUILDSPEC_CORPUS: corpus_files(
                        repositories(args.corpus, Path(scratch) / "corpus")
                    ),
                }
            runs = args.runs or DEFAULT_RUNS.get(name, 5)
            log(f"{name}: {len(files)} file(s), {inline} inline buildspec(s), {runs} round(s)")
            rows.extend(
                measure(
                    Scenario(name, files, scenario_tools, inline, references),
                    runs,
                    memory=not args.no_memory,
                    log=log,
                )
            )
    load_after = os.getloadavg()
    if rows:
        print(table(rows))
    print(*server_lines, sep="\n")
    if rows:
        print(goals_table(goals(rows)))
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs;"
        f" load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    return 0


def run_server(edits: int, log: Callable[[str], None]) -> str:
    """The server scenario (bench/lsp.py): its table and goals, or why it did not run."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import lsp

    probe = subprocess.run(
        [sys.executable, "-c", "import pygls, lsprotocol"],
        capture_output=True,
        env=ENV,
        check=False,
    )
    if probe.returncode != 0:
        log("server: skipped: the lsp extra is not installed (pip install 'hubspec[lsp]')")
        return ""
    log(f"server: {edits} edit(s) after {lsp.WARM_UP_EDITS} warm-up edits")
    run = lsp.measure([str(BIN / "hubspec"), "server"], ENV, edits, log)
    found = [Goal(text, value, limit) for text, value, limit in lsp.goals(run)]
    return lsp.table(run) + "\n" + goals_table(found)


def _hubspec_found() -> str:
    """Where the runs' Python imports hubspec from (ENV applied)."""
    done = subprocess.run(
        [str(BIN / "python"), "-c", "import hubspec; print(hubspec.__file__)"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    return done.stdout.strip()


def run_fastpaths(runs: int, log: Callable[[str], None]) -> str:
    """The fastpaths scenario (bench/fastpaths.py): with and without each fast path."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import fastpaths

    log(f"fastpaths: {runs} run(s) per way")
    return "\n" + fastpaths.table(runs) + "\n"


def _no_fix(tools: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(tool for tool in tools if tool != "hubspec fix --diff")


if __name__ == "__main__":
    raise SystemExit(main())

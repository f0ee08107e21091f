"""Property tests of the login fix over generated buildspecs of varied layout.

Each example is a block-style 0.2 buildspec with a random indentation unit (2 or 4), dash
style (`  - x` or `- x` under its key), line endings (LF or CRLF), BOM, final newline,
comments (inline, between items, at other indentations), blank lines, quoting, phase order
and presence, an env block in several shapes or none, `run-as` users, and commands drawn
from Docker Hub pulls, ECR pulls, builds of a Hub or ECR Dockerfile and Hub logins.

Whatever the layout, the fixer must not raise, must only add lines, must keep the line
ending style, BOM and final newline, must leave no HS101 and no parse error, and a second
fix must change nothing.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import hubspec.run.files
from hubspec.fix import fix_bytes
from hubspec.lint.pipeline import LintResult, lint_bytes

PHASES = ("install", "pre_build", "build", "post_build")
HUB_PULLS = (
    "docker pull node:20",
    "docker run alpine echo hi",
    "docker run --rm -v $PWD:/src busybox ls /src",
    "docker build -t app .",
    "docker create redis:7",
)
OTHER = (
    "echo hello",
    "npm ci",
    "make test",
    "docker pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
    "docker run public.ecr.aws/docker/library/node:20 node -v",
    "docker build -f ecr.Dockerfile -t other .",
    "aws ecr get-login-password | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
)
LOGINS = (
    'echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin',
    'echo "$HUB_TOKEN" | docker login -u "$HUB_USER" --password-stdin',
    'echo "$HUB_TOKEN" | docker login -u myuser --password-stdin',
)
USERS = (None, None, None, "builder", "deploy")


@dataclass(frozen=True)
class Layout:
    indent: int
    dash_indented: bool
    newline: str
    bom: bool
    final_newline: bool
    quote: str


def _quote(command: str, style: str) -> str:
    if style == "'":
        return "'" + command.replace("'", "''") + "'"
    if style == '"':
        return '"' + command.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if ": " in command or command.startswith(("'", '"', "&", "*", "!", "|", ">", "%", "@", "`")):
        return "'" + command.replace("'", "''") + "'"
    return command


commands_st = st.one_of(
    st.sampled_from(HUB_PULLS),
    st.sampled_from(OTHER),
    st.sampled_from(LOGINS),
)


@st.composite
def item_lists(draw: st.DrawFn, layout: Layout, key_col: int) -> list[str]:
    """The lines of one block list of commands under a key at column key_col."""
    dash_col = key_col + (layout.indent if layout.dash_indented else 0)
    lines: list[str] = []
    count = draw(st.integers(min_value=1, max_value=4))
    for _ in range(count):
        comment = draw(st.sampled_from(("", "", "", "item", "zero", "key")))
        if comment == "item":
            lines.append(" " * dash_col + "# next step")
        elif comment == "zero":
            lines.append("# a note at column 0")
        elif comment == "key":
            lines.append(" " * key_col + "# a note at the key's column")
        command = draw(commands_st)
        form = draw(
            st.sampled_from(("line",) * 8 + ("literal", "keep", "folded", "plain-continued"))
        )
        body = " " * (dash_col + 2)
        if form == "literal":
            lines.append(" " * dash_col + "- |")
            lines.append(body + command)
            lines.append(body + "echo after")
        elif form == "keep":
            lines.append(" " * dash_col + "- |+")
            lines.append(body + command)
            lines.append("")
        elif form == "folded" and " " in command:
            first, rest = command.split(" ", 1)
            lines.append(" " * dash_col + "- >-")
            lines.append(body + first)
            lines.append(body + rest)
        elif (
            form == "plain-continued"
            and layout.quote == ""
            and ": " not in command
            and " " in command
        ):
            first, rest = command.split(" ", 1)
            lines.append(" " * dash_col + "- " + first)
            lines.append(body + rest)
        else:
            inline = draw(st.sampled_from(("", "", "", "  # why")))
            lines.append(" " * dash_col + "- " + _quote(command, layout.quote) + inline)
        if draw(st.integers(min_value=0, max_value=7)) == 0:
            lines.append("")
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        lines.append(" " * (dash_col + 2) + "# trailing note, deeper")
    return lines


@st.composite
def phase_blocks(draw: st.DrawFn, layout: Layout, name: str) -> list[str]:
    unit = " " * layout.indent
    lines = [f"{unit}{name}:"]
    user = draw(st.sampled_from(USERS))
    if user:
        lines.append(f"{unit * 2}run-as: {user}")
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        lines.append(f"{unit * 2}on-failure: ABORT")
    trailing = " " * draw(st.sampled_from((0, 0, 0, 2)))
    shape = draw(st.sampled_from(("commands", "commands", "commands", "finally", "both")))
    if shape in ("commands", "both"):
        lines.append(f"{unit * 2}commands:{trailing}")
        lines.extend(draw(item_lists(layout, layout.indent * 2)))
    if shape in ("finally", "both"):
        lines.append(f"{unit * 2}finally:{trailing}")
        lines.extend(draw(item_lists(layout, layout.indent * 2)))
    if name == "install" and draw(st.booleans()):
        lines += [f"{unit * 2}runtime-versions:", f"{unit * 3}nodejs: 20"]
    if draw(st.booleans()):
        lines.append("")
    return lines


@st.composite
def env_blocks(draw: st.DrawFn, layout: Layout) -> list[str]:
    unit = " " * (layout.indent * draw(st.sampled_from((1, 1, 1, 2))))
    kind = draw(
        st.sampled_from(
            (
                "none",
                "none",
                "variables",
                "shell",
                "parameter-store",
                "literal-user",
                "exported",
                "hub-names",
            )
        )
    )
    if kind == "none":
        return []
    lines = ["env:"]
    if kind == "variables":
        lines += [f"{unit}variables:", f'{unit * 2}STAGE: "prod"', f"{unit * 2}VERBOSE: yes"]
        if draw(st.booleans()):
            lines += [f"{unit * 2}BANNER: |+", f"{unit * 3}built by codebuild", ""]
    elif kind == "shell":
        lines += [f"{unit}shell: bash"]
    elif kind == "parameter-store":
        lines += [f"{unit}parameter-store:", f"{unit * 2}NPM_TOKEN: /ci/npm-token  # npm"]
        if draw(st.booleans()):
            lines += [f"{unit}variables:", f"{unit * 2}STAGE: prod"]
    elif kind == "literal-user":
        lines += [f"{unit}variables:", f"{unit * 2}DOCKER_USER: me"]
    elif kind == "exported":
        dash = unit if layout.dash_indented else ""
        lines += [
            f"{unit}variables:",
            f"{unit * 2}TAG: latest",
            f"{unit}exported-variables:",
            f"{unit}{dash}- TAG",
        ]
    elif kind == "hub-names":
        lines += [
            f"{unit}secrets-manager:",
            f"{unit * 2}HUB_USER: dockerhub:username",
            f"{unit * 2}HUB_TOKEN: dockerhub:token",
        ]
    if draw(st.booleans()):
        lines.append(f"{unit}# end of env")
    return lines


@st.composite
def buildspecs(draw: st.DrawFn) -> tuple[bytes, Layout]:
    layout = Layout(
        indent=draw(st.sampled_from((2, 4))),
        dash_indented=draw(st.booleans()),
        newline=draw(st.sampled_from(("\n", "\r\n"))),
        bom=draw(st.integers(min_value=0, max_value=4)) == 0,
        final_newline=draw(st.integers(min_value=0, max_value=4)) != 0,
        quote=draw(st.sampled_from(("", "", "", "'", '"'))),
    )
    unit = " " * layout.indent
    names = draw(st.lists(st.sampled_from(PHASES), min_size=1, max_size=4, unique=True))
    if draw(st.booleans()):
        names = sorted(names, key=PHASES.index)
    phases = ["phases:"]
    if draw(st.booleans()):
        phases.append(f"{unit}# phases run install, pre_build, build, post_build")
    for name in names:
        phases.extend(draw(phase_blocks(layout, name)))
    while phases[-1] == "":
        phases.pop()
    top: list[list[str]] = []
    version = ["version: 0.2" + draw(st.sampled_from(("", "", "  # current")))]
    if draw(st.booleans()):
        version.append("")
    env = draw(env_blocks(layout))
    head: list[str] = []
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        head = ["# buildspec for the app"]
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        head = ["---", *head]
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        top_user = [f"run-as: {draw(st.sampled_from(('builder', 'root')))}"]
    else:
        top_user = []
    artifacts = [
        "artifacts:",
        f"{unit}files:",
        f"{unit}{unit if layout.dash_indented else ''}- '**/*'",
        f"{unit}discard-paths: yes",
    ]
    order = draw(
        st.sampled_from(
            ("version-env-phases", "version-phases-env", "phases-env-version", "env-version-phases")
        )
    )
    blocks = {"version": version, "env": env, "phases": phases}
    for part in order.split("-"):
        top.append(blocks[part])
    if draw(st.booleans()):
        top.append(artifacts)
    lines = [*head, *top_user]
    for block in top:
        lines.extend(block)
        if block and draw(st.integers(min_value=0, max_value=5)) == 0:
            lines.append("# between top-level keys")
    while lines and lines[-1] == "":
        lines.pop()
    text = layout.newline.join(lines) + (layout.newline if layout.final_newline else "")
    data = text.encode("utf-8")
    if layout.bom:
        data = b"\xef\xbb\xbf" + data
    return data, layout


def _write_sources(root: Path) -> None:
    (root / "Dockerfile").write_text("FROM node:20\nRUN echo hi\n", encoding="utf-8")
    (root / "ecr.Dockerfile").write_text(
        "FROM public.ecr.aws/docker/library/node:20\n", encoding="utf-8"
    )


def _fix(data: bytes, root: Path):  # type: ignore[no-untyped-def]
    return fix_bytes(
        "buildspec.yml", data, source_root=root, reader=hubspec.run.files.read_referenced
    )


def _lint(data: bytes, root: Path) -> LintResult:
    return lint_bytes(
        "buildspec.yml", data, source_root=root, reader=hubspec.run.files.read_referenced
    )


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8-sig").splitlines()


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    iterator = iter(big)
    return all(any(line == candidate for candidate in iterator) for line in small)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(buildspecs())
def test_fix_only_adds_and_is_idempotent(example: tuple[bytes, Layout]) -> None:
    data, layout = example
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_sources(root)
        (root / "buildspec.yml").write_bytes(data)
        outcome = _fix(data, root)
        before = [f.rule for f in outcome.before.findings]
        assert "HS001" not in before, outcome.before.findings
        # every generated file is block-style 0.2: there is always a safe edit
        assert outcome.refusal is None, outcome.refusal
        if "HS101" in before:
            assert outcome.new_data is not None
        if outcome.new_data is None:
            assert "HS101" not in before
            event("nothing to fix")
            return
        event(
            f"fixed ({before.count('HS101')} HS101)"
            if before.count("HS101") < 3
            else "fixed (3+ HS101)"
        )
        new = outcome.new_data
        after = _lint(new, root)
        rules_after = [f.rule for f in after.findings]
        assert "HS001" not in rules_after, after.findings
        assert "HS101" not in rules_after, after.findings
        assert set(rules_after) <= set(before), after.findings
        assert _is_subsequence(_lines(data), _lines(new))
        assert len(_lines(new)) > len(_lines(data))
        text = new.decode("utf-8-sig")
        if layout.newline == "\r\n":
            assert text.count("\n") == text.count("\r\n")
        else:
            assert "\r" not in text
        assert new.startswith(b"\xef\xbb\xbf") == layout.bom
        assert new.endswith(b"\n") == layout.final_newline
        again = _fix(new, root)
        assert again.refusal is None, again.refusal
        assert again.new_data is None

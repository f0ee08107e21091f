"""Property tests of the login fix over every layout of issue 20 (see test_fix_properties.py
for block-style files in many indentations).

Each example mixes block and flow style at every level (the whole document, env, a store
section, a phase, a command list), shares command lists through anchors and aliases, and
has version 0.2, 0.1 or none. Whatever the layout, the fix must not raise; it either
refuses, leaving the bytes as they were, only where the first pull is in a shared list with
no earlier phase to hold the login, or it gives a file that parses, has no HS101, no new
finding, keeps every original line where nothing was flow style, and that a second fix
leaves as it is.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import hubspec.run.files
from hubspec.fix import fix_bytes
from hubspec.lint.pipeline import LintResult, lint_bytes

PHASES = ("install", "pre_build", "build", "post_build")
PULLS = ("docker pull node:20", "docker run alpine echo hi", "docker build -t app .")
OTHER = ("echo hello", "npm ci", "make test", "docker pull public.ecr.aws/docker/library/node:20")


def _flow_scalar(command: str) -> str:
    return f"'{command}'" if ":" in command or "," in command else command


@st.composite
def command_lists(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(st.sampled_from(PULLS + OTHER), min_size=1, max_size=3))


def _flow_list(commands: list[str], anchor: str) -> str:
    return (
        ("&" + anchor + " " if anchor else "") + "[" + ", ".join(map(_flow_scalar, commands)) + "]"
    )


@st.composite
def buildspecs(draw: st.DrawFn) -> tuple[str, bool, bool]:
    """(text, whether any part is flow style, whether any list is shared)."""
    version = draw(st.sampled_from(("0.2", "0.2", "0.1", None)))
    whole_flow = draw(st.integers(min_value=0, max_value=5)) == 0
    names = sorted(
        draw(st.lists(st.sampled_from(PHASES), min_size=1, max_size=4, unique=True)),
        key=PHASES.index,
    )
    anchors: list[str] = []
    any_flow = whole_flow
    shared = False
    block_lines: list[str] = []
    flow_entries: list[str] = []
    for name in names:
        user = draw(st.sampled_from((None, None, "builder")))
        anchor = ""
        if anchors and draw(st.integers(min_value=0, max_value=3)) == 0:
            shared = True
            listed = f"*{draw(st.sampled_from(anchors))}"
        else:
            commands = draw(st.lists(st.sampled_from(PULLS + OTHER), min_size=1, max_size=3))
            if draw(st.integers(min_value=0, max_value=3)) == 0:
                anchor = f"c{len(anchors)}"
                anchors.append(anchor)
            if whole_flow or draw(st.booleans()):
                any_flow = True
                listed = _flow_list(commands, anchor)
            else:
                mark = f" &{anchor}" if anchor else ""
                listed = mark + "".join(f"\n      - {c}" for c in commands)
        phase_flow = whole_flow or draw(st.integers(min_value=0, max_value=3)) == 0
        if phase_flow and "\n" in listed:
            phase_flow = False  # a block list cannot sit in a flow mapping
        if phase_flow:
            any_flow = True
            parts = ([f"run-as: {user}"] if user else []) + [f"commands: {listed}"]
            entry = f"{name}: {{{', '.join(parts)}}}"
            flow_entries.append(entry)
            block_lines.append(f"  {entry}")
            continue
        block_lines.append(f"  {name}:")
        if user:
            block_lines.append(f"    run-as: {user}")
        gap = "" if listed.startswith((" ", "\n")) else " "
        block_lines.append(f"    commands:{gap}{listed}")
    env_kind = draw(st.sampled_from(("none", "block", "flow", "flow-section")))
    if version == "0.1":
        env_kind = "none"  # 0.1 has no env block
    if whole_flow and env_kind in ("block", "flow-section"):
        env_kind = "flow"
    any_flow = any_flow or env_kind.startswith("flow")
    if whole_flow:
        top = ([f"version: {version}"] if version else []) + (
            ["env: {variables: {STAGE: dev}}"] if env_kind == "flow" else []
        )
        return (
            "{" + ", ".join([*top, f"phases: {{{', '.join(flow_entries)}}}"]) + "}\n",
            True,
            shared,
        )
    env_lines = {
        "none": [],
        "block": ["env:", "  variables:", "    STAGE: dev"],
        "flow": ["env: {variables: {STAGE: dev}}"],
        "flow-section": ["env:", "  parameter-store: {NPM_TOKEN: /ci/npm}"],
    }[env_kind]
    lines = [f"version: {version}"] if version else []
    lines += [*env_lines, "phases:", *block_lines]
    return "\n".join(lines) + "\n", any_flow, shared


def _lint(data: bytes, root: Path) -> LintResult:
    return lint_bytes(
        "buildspec.yml", data, source_root=root, reader=hubspec.run.files.read_referenced
    )


def _fix(data: bytes, root: Path):  # type: ignore[no-untyped-def]
    return fix_bytes(
        "buildspec.yml", data, source_root=root, reader=hubspec.run.files.read_referenced
    )


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    iterator = iter(big)
    return all(any(line == candidate for candidate in iterator) for line in small)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(buildspecs())
def test_every_layout_is_fixed_or_refused_untouched(example: tuple[str, bool, bool]) -> None:
    text, any_flow, shared = example
    data = text.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "Dockerfile").write_text("FROM node:20\n", encoding="utf-8")
        outcome = _fix(data, root)
        before = [f.rule for f in outcome.before.findings]
        assert "HS001" not in before, (text, outcome.before.findings)
        if outcome.refusal is not None:
            event("refused")
            assert outcome.new_data is None
            assert shared, (text, outcome.refusal)
            assert "shared through a YAML anchor/alias" in outcome.refusal, outcome.refusal
            return
        if "HS101" not in before:
            event("nothing to fix")
            assert outcome.new_data is None
            return
        event("fixed, flow style" if any_flow else "fixed, block style")
        assert outcome.new_data is not None, text
        new = outcome.new_data
        after = _lint(new, root)
        rules = [f.rule for f in after.findings]
        assert "HS001" not in rules and "HS101" not in rules, (new.decode(), after.findings)
        assert set(rules) <= set(before), (new.decode(), after.findings)
        if not any_flow:
            assert _is_subsequence(text.splitlines(), new.decode().splitlines())
        if "version: 0.1" in text:
            assert "env:" not in new.decode()
        again = _fix(new, root)
        assert again.refusal is None and again.new_data is None, (new.decode(), again.refusal)

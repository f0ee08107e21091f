"""Decoding into one Source, positions through it, and the loader's error boundary."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from repos import hubspec

from hubspec.lint.pipeline import Rejected, lint_source, load
from hubspec.load.document import Document, parse
from hubspec.load.source import Embedding, Source, decode
from hubspec.model import Position
from hubspec.run import files

BOM = b"\xef\xbb\xbf"
BAD_BYTE_ON_LINE_5 = b"version: 0.2\nphases:\n  build:\n    commands:\n      - echo \xff\n"


def test_decode_keeps_bytes_and_layout_facts() -> None:
    data = BOM + b"version: 0.2\r\nphases: {}\r\n"
    source = decode(data)
    assert source.data == data
    assert source.text == "version: 0.2\r\nphases: {}\r\n"
    assert (source.encoding, source.bom, source.newline, source.problem) == (
        "utf-8",
        True,
        "\r\n",
        None,
    )
    assert source.line_starts == [0, 14, 26]
    assert source.encode(source.text) == data


@pytest.mark.parametrize("bom", [b"", BOM], ids=["no-bom", "bom"])
def test_an_undecodable_byte_is_at_the_column_the_user_sees(bom: bytes) -> None:
    source = decode(bom + BAD_BYTE_ON_LINE_5)
    assert source.problem is not None
    assert source.bom is (bom == BOM)
    assert source.position(source.problem.offset) == Position(5, 14)
    assert source.text[source.problem.offset] == "\ufffd"


def test_undecodable_file_is_reported_at_line_and_column_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_bytes(BOM + BAD_BYTE_ON_LINE_5)
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", "lint", "--format", "json", str(path)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("HS001", 5, 14)
    assert (finding["end_line"], finding["end_column"]) == (5, 15)


def test_load_gives_a_document_or_the_source_with_its_problem() -> None:
    good = load("b.yml", decode(b"version: 0.2\n"))
    assert isinstance(good, Document) and good.source.text == "version: 0.2\n"
    bad = load("b.yml", decode(b"a: [\n"))
    assert isinstance(bad, Rejected)
    assert bad.problem.message.startswith("invalid YAML")
    binary = load("b.yml", decode(b"a: \x00\n"))
    assert isinstance(binary, Rejected) and binary.source.problem == binary.problem


def _embedded(inner: str, host_text: str, indent: int, first_line: int) -> Source:
    """An inner text that the host holds indented by `indent`, from line `first_line` (0-based)."""
    host = Source.of_text(host_text)
    starts = Source.of_text(inner).line_starts

    def host_offset(offset: int) -> int:
        line = Source.of_text(inner).local_position(offset).line - 1
        column = offset - starts[line]
        return host.line_starts[first_line + line] + indent + column

    return Source.of_text(inner, Embedding(host, host_offset))


HOST = """\
Resources:
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Source:
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - docker pull nginx
"""


def test_an_embedded_source_positions_findings_in_its_host() -> None:
    inner = textwrap.dedent("\n".join(HOST.splitlines()[6:])) + "\n"
    source = _embedded(inner, HOST, indent=10, first_line=6)
    assert source.local_position(inner.index("docker")) == Position(5, 9)
    result = lint_source(
        "template.yml", source, source_root=Path("."), reader=files.read_referenced
    )
    (finding,) = result.findings
    assert finding.rule == "HS101"
    assert finding.span.start == Position(11, 19)
    assert HOST.splitlines()[10][18:].startswith("docker pull nginx")


def test_parse_reports_only_yaml_errors_as_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    from hubspec.load import document

    def broken(self: object) -> None:
        raise KeyError("a bug in hubspec")

    monkeypatch.setattr(document._TreeBuilder, "build", broken)
    with pytest.raises(KeyError):
        parse("b.yml", decode(b"version: 0.2\n"))


CRASH = """\
import sys
from hubspec.load import document

def broken(self):
    raise {error}

document._TreeBuilder.build = broken
from hubspec.entry import main
sys.argv = ["hubspec", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize(
    ("command", "error"),
    [
        ("lint", "ImportError('No module named ruamel')"),
        ("lint", "KeyError('flow')"),
        ("fix", "AttributeError('Node has no attribute x')"),
    ],
)
def test_an_internal_error_while_parsing_exits_2_naming_the_file(
    tmp_path: Path, command: str, error: str
) -> None:
    path = tmp_path / "buildspec.yml"
    path.write_bytes(b"version: 0.2\nphases:\n  build:\n    commands:\n      - make\n")
    result = subprocess.run(
        [sys.executable, "-c", CRASH.format(error=error), command, str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "HS001" not in result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"hubspec: internal error: {path}: "), lines
    assert error.split("(")[0] in lines[0]
    assert "this is a bug; please report it" in lines[1]
    assert path.read_bytes().endswith(b"- make\n")


def test_a_suppression_in_an_embedded_source_covers_its_finding() -> None:
    host_text = HOST.replace(
        "                - docker pull nginx\n",
        "                # hubspec: ignore[HS101] pulled through a mirror\n"
        "                - docker pull nginx\n",
    )
    inner = textwrap.dedent("\n".join(host_text.splitlines()[6:])) + "\n"
    source = _embedded(inner, host_text, indent=10, first_line=6)
    result = lint_source(
        "template.yml", source, source_root=Path("."), reader=files.read_referenced
    )
    (finding,) = result.findings
    assert (finding.rule, finding.span.start) == ("HS101", Position(12, 19))
    assert finding.suppressed == "pulled through a mirror"
    assert not result.unused_suppressions


PULL_BELOW = (
    "version: 0.2\n"
    "env:\n"
    "  variables:\n"
    '    NOTE: "a{separator}b"\n'
    "phases:\n"
    "  build:\n"
    "    commands:\n"
    "      - docker pull node:20\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_lines_end_at_cr_lf_cr_or_lf_and_a_fix_writes_the_files_own(
    tmp_path: Path, newline: str
) -> None:
    """YAML (and LSP, and editors) end lines at CR LF, CR and LF: a file written with CRs
    alone is eight lines, not one, and a fix adds its lines with the same line break."""
    (tmp_path / ".git").mkdir()
    text = PULL_BELOW.format(separator="-").replace("\n", newline)
    (tmp_path / "buildspec.yml").write_bytes(text.encode())
    linted = hubspec("lint", "--format", "concise", "buildspec.yml", cwd=tmp_path)
    assert linted.stdout.splitlines()[0].startswith("buildspec.yml:8:9: HS101 node:20")
    assert hubspec("fix", "buildspec.yml", cwd=tmp_path).returncode == 0
    fixed = (tmp_path / "buildspec.yml").read_bytes().decode()
    (tmp_path / "lf.yml").write_text(PULL_BELOW.format(separator="-"))
    assert hubspec("fix", "lf.yml", cwd=tmp_path).returncode == 0
    assert fixed == (tmp_path / "lf.yml").read_text().replace("\n", newline)
    assert "DOCKER_TOKEN" in fixed


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["ls", "ps", "nel"])
def test_a_character_python_breaks_lines_at_is_not_a_line_break(
    tmp_path: Path, separator: str
) -> None:
    """Valid in YAML and part of its line; the report quotes line 8, the fingerprint is the
    one of the same file without it, and the diff applies with `git apply`."""
    (tmp_path / ".git").mkdir()
    path = tmp_path / "buildspec.yml"
    path.write_text(PULL_BELOW.format(separator=separator))
    plain = tmp_path / "plain"
    (plain / ".git").mkdir(parents=True)
    (plain / "buildspec.yml").write_text(PULL_BELOW.format(separator="-"))
    framed = hubspec("lint", "--color", "always", "buildspec.yml", cwd=tmp_path).stdout
    report = re.sub(r"\x1b\[[0-9;]*m", "", framed)
    assert "buildspec.yml:8:9" in report
    assert " 8 |       - docker pull node:20" in report
    assert "8 |   build:" not in report and "7 |   build:" not in report

    def fingerprints(top: Path) -> list[object]:
        sarif = json.loads(hubspec("lint", "--format", "sarif", "buildspec.yml", cwd=top).stdout)
        return [r["partialFingerprints"] for r in sarif["runs"][0]["results"]]

    assert fingerprints(tmp_path) == fingerprints(plain)
    diff = hubspec("fix", "--diff", "buildspec.yml", cwd=tmp_path).stdout
    applied = subprocess.run(
        ["git", "apply", "--check", "-"], input=diff, text=True, cwd=tmp_path, capture_output=True
    )
    assert applied.returncode == 0, (diff, applied.stderr)


def test_a_suppression_in_a_file_of_lone_crs_covers_its_line_only(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    text = PULL_BELOW.format(separator="-").replace("node:20", "node:20  # hubspec: ignore[HS101]")
    text += "      - docker pull redis:7\n"
    (tmp_path / "buildspec.yml").write_bytes(text.replace("\n", "\r").encode())
    linted = hubspec("lint", "--format", "concise", "buildspec.yml", cwd=tmp_path)
    findings = [line for line in linted.stdout.splitlines() if ": HS" in line]
    assert len(findings) == 1 and findings[0].startswith("buildspec.yml:9:9: HS101 redis:7")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_positions_inside_multi_line_scalars_follow_the_files_line_breaks(
    tmp_path: Path, newline: str
) -> None:
    """YAML turns the line breaks inside a block or quoted scalar into LF; the positions of
    the commands in it are still those of the file."""
    (tmp_path / ".git").mkdir()
    text = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - |\n        echo hi\n        docker pull node:20\n"
        '      - "echo a\n        && docker pull redis:7"\n'
    )
    (tmp_path / "buildspec.yml").write_bytes(text.replace("\n", newline).encode())
    linted = hubspec("lint", "--format", "concise", "buildspec.yml", cwd=tmp_path)
    places = [line.split(": HS")[0] for line in linted.stdout.splitlines() if ": HS" in line]
    assert places == ["buildspec.yml:7:9", "buildspec.yml:9:12"]

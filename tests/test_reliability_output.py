"""Output stays well-formed whatever the buildspec holds: values quoted in messages cannot add
lines to line-oriented formats or send terminal escape sequences.

A buildspec is often someone else's file (a pull request, a dependency). Messages quote
values from it (image names after `$'...'` decoding, keys), so a value holding a newline or an
ESC byte must not forge a finding line in `concise` output (which editors and problem
matchers parse) nor reach the terminal as a control sequence. GitHub's format escapes
newlines already; the JSON and SARIF formats are JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAD = "version: 0.2\nphases:\n  build:\n    commands:\n"
NEWLINE = HEAD + "      - \"docker pull $'x\\\\nfake.yml:1:1: HS101 forged'\"\n"
ESCAPE = HEAD + "      - \"docker pull $'\\\\x1b]0;pwned\\\\x07\\\\x1b[2Jx'\"\n"


def lint(tmp_path: Path, text: str, *args: str) -> str:
    path = tmp_path / "buildspec.yml"
    path.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "hubspec", "lint", *args, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_the_values_reach_the_messages_escaped(tmp_path: Path) -> None:
    """The decoded value is quoted in an HS103 message, its control characters escaped."""
    out = lint(tmp_path, NEWLINE, "--format", "json")
    messages = [finding["message"] for finding in json.loads(out)["findings"]]
    assert any("\\nfake.yml:1:1: HS101 forged" in message for message in messages), messages
    assert not any("\n" in message for message in messages), messages


def test_github_format_escapes_newlines(tmp_path: Path) -> None:
    out = lint(tmp_path, NEWLINE, "--format", "github")
    assert all(line.startswith("::") for line in out.splitlines()[:-1]), out
    assert "\\nfake.yml" in out


def test_concise_format_has_one_line_per_finding(tmp_path: Path) -> None:
    out = lint(tmp_path, NEWLINE, "--format", "concise")
    assert "\nfake.yml:1:1: HS101 forged" not in out, out


@pytest.mark.parametrize("output_format", ["concise", "github", "text"])
def test_no_terminal_escape_from_the_file(tmp_path: Path, output_format: str) -> None:
    out = lint(tmp_path, ESCAPE, "--format", output_format, "--color", "never")
    assert "\x1b" not in out and "\x07" not in out, repr(out)

"""In-file suppressions through the CLI: `# hubspec: ignore[CODE] reason` on the offending line or
the line above it (also above a block-scalar command), `# hubspec: ignore-file[CODE]`, the reason
kept in JSON and SARIF, HS004 for a suppression that suppresses nothing (removed by `hubspec fix`),
and `--no-ignores` for audits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from typer.testing import CliRunner

from hubspec.cli.app import app

runner = CliRunner()
ENV: dict[str, str | None] = {"GITHUB_ACTIONS": None, "NO_COLOR": None, "CI": None}
HEAD = "version: 0.2\nphases:\n  build:\n    commands:\n"


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env=ENV)


def write(tmp_path: Path, text: str, name: str = "buildspec.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def lint_json(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = invoke("lint", "--isolated", "--format", "json", *args, str(path))
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def rows(document: dict[str, Any]) -> list[tuple[str, int, bool, str | None]]:
    return [(f["rule"], f["line"], f["suppressed"], f["suppression"]) for f in document["findings"]]


def test_ignore_on_the_offending_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEAD + "      - docker pull node:20  # hubspec: ignore[HS101] cache warm-up\n"
    )
    code, document = lint_json(path)
    assert rows(document) == [("HS101", 5, True, "cache warm-up")]
    assert code == 0, "a suppressed finding does not count for the exit code"
    assert document["summary"]["findings"] == 0
    assert document["summary"]["suppressed"] == 1


def test_ignore_on_the_line_above(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "      # hubspec: ignore[HS101] pulled once a day\n"
        + "      - docker pull node:20\n"
        + "      - docker pull ruby:3\n",
    )
    code, document = lint_json(path)
    assert rows(document) == [
        ("HS101", 6, True, "pulled once a day"),
        ("HS101", 7, False, None),
    ]
    assert code == 1, "only the next command is covered"


def test_ignore_above_a_block_scalar_covers_the_whole_command(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "      # hubspec: ignore[HS101] vetted base image\n"
        + "      - |\n"
        + "        echo start\n"
        + "        docker pull node:20\n"
        + "        echo done\n"
        + "      - docker pull ruby:3\n",
    )
    code, document = lint_json(path)
    assert rows(document) == [
        ("HS101", 8, True, "vetted base image"),
        ("HS101", 10, False, None),
    ]
    assert code == 1


def test_ignore_above_a_folded_scalar(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM node:20\n")
    path = write(
        tmp_path,
        HEAD
        + "      # hubspec: ignore[HS101] the builder image is vetted\n"
        + "      - >\n"
        + "        docker build\n"
        + "        -t app .\n",
    )
    code, document = lint_json(path)
    assert [(rule, suppressed) for rule, _, suppressed, _ in rows(document)] == [("HS101", True)]
    assert code == 0


def test_ignore_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + '      - echo "$DOCKER_PASSWORD" | docker login -u "$DOCKER_USER" --password-stdin\n'
        + "      - docker pull node:20\n"
        + '      - echo "$TOKEN" | docker login -u "$DOCKER_USER" --password-stdin\n'
        + "# hubspec: ignore-file[HS203] credentials come from the CodeBuild project\n",
    )
    code, document = lint_json(path, "--no-ignores")
    assert [rule for rule, *_ in rows(document)] == ["HS203", "HS203"], rows(document)
    code, document = lint_json(path)
    assert rows(document) == [
        ("HS203", 5, True, "credentials come from the CodeBuild project"),
        ("HS203", 7, True, "credentials come from the CodeBuild project"),
    ]
    assert code == 0


def test_ignore_file_covers_only_its_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# hubspec: ignore-file[HS203]\n" + HEAD + "      - docker pull node:20\n",
    )
    code, document = lint_json(path)
    rules = [(rule, suppressed) for rule, _, suppressed, _ in rows(document)]
    assert ("HS101", False) in rules
    assert code == 1


def test_several_codes_prefixes_and_all_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + '      - docker login -u u -p "$PASS"  # hubspec: ignore[HS201, hs203] legacy job\n'
        + '      - docker login -u u -p "$PASS2"  # hubspec: ignore[HS2] legacy job\n'
        + '      - docker login -u u -p "$PASS3"  # hubspec: ignore everything here\n',
    )
    code, document = lint_json(path)
    found = rows(document)
    assert found, "the file has HS201 and HS203 findings"
    assert all(suppressed for _, _, suppressed, _ in found), found
    assert {rule for rule, *_ in found} == {"HS201", "HS203"}
    assert {reason for *_, reason in found} == {"legacy job", "everything here"}
    assert code == 0


def test_a_directive_inside_a_quoted_string_is_not_a_comment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD + "      - 'echo \"# hubspec: ignore[HS101]\" && docker pull node:20'\n",
    )
    code, document = lint_json(path)
    assert rows(document) == [("HS101", 5, False, None)]
    assert code == 1


def test_reason_in_sarif(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEAD + "      - docker pull node:20  # hubspec: ignore[HS101] warm cache\n"
    )
    result = invoke("lint", "--isolated", "--format", "sarif", str(path))
    assert result.exit_code == 0
    (result_entry,) = json.loads(result.stdout)["runs"][0]["results"]
    assert result_entry["ruleId"] == "HS101"
    assert result_entry["suppressions"] == [{"kind": "inSource", "justification": "warm cache"}]


def test_suppressed_findings_are_not_shown_in_human_and_ci_formats(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "      - docker pull node:20  # hubspec: ignore[HS101] warm cache\n"
        + "      - docker pull ruby:3\n",
    )
    for output_format in ("text", "concise", "github", "junit"):
        result = invoke("lint", "--isolated", "--format", output_format, str(path))
        assert result.exit_code == 1
        assert "ruby:3" in result.stdout, output_format
        assert "node:20" not in result.stdout, output_format
    junit = invoke("lint", "--isolated", "--format", "junit", str(path)).stdout
    root = ElementTree.fromstring(junit.encode("utf-8"))
    assert len(list(root.iter("failure"))) == 1


def test_unused_suppression_is_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "      - echo build  # hubspec: ignore[HS101] nothing pulls here\n"
        + "      # hubspec: ignore[HS201]\n"
        + "      - echo test\n"
        + "# hubspec: ignore-file[HS203]\n",
    )
    code, document = lint_json(path)
    assert code == 0, "HS004 is a warning: it does not fail the default gate"
    unused = [f for f in document["findings"] if f["rule"] == "HS004"]
    assert [(f["line"], f["column"], f["severity"], f["fixable"]) for f in unused] == [
        (5, 21, "warning", True),
        (6, 7, "warning", True),
        (8, 1, "warning", True),
    ]
    assert "HS101" in unused[0]["message"]
    assert "ignore-file" in unused[2]["message"]
    code, _ = lint_json(path, "--fail-on", "warning")
    assert code == 1


def test_fix_removes_unused_suppressions_and_keeps_used_ones(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "      - docker pull node:20  # hubspec: ignore[HS101] warm cache\n"
        + "      - echo build  # hubspec: ignore[HS101] nothing pulls here\n"
        + "      # hubspec: ignore[HS201]\n"
        + "      - echo test\n",
    )
    diff = invoke("fix", "--isolated", "--diff", str(path))
    assert diff.exit_code == 1
    assert "-      # hubspec: ignore[HS201]" in diff.stdout
    result = invoke("fix", "--isolated", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == (
        HEAD
        + "      - docker pull node:20  # hubspec: ignore[HS101] warm cache\n"
        + "      - echo build\n"
        + "      - echo test\n"
    )
    code, document = lint_json(path)
    assert code == 0
    assert rows(document) == [("HS101", 5, True, "warm cache")]
    again = invoke("fix", "--isolated", str(path))
    assert again.exit_code == 0
    assert "Nothing to fix." in again.stdout


def test_fix_leaves_a_suppressed_pull_alone(tmp_path: Path) -> None:
    text = HEAD + "      - docker pull node:20  # hubspec: ignore[HS101] warm cache\n"
    path = write(tmp_path, text)
    result = invoke("fix", "--isolated", str(path))
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == text


def test_no_ignores_reports_suppressed_findings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + "      # hubspec: ignore[HS101] pulled once a day\n"
        + "      - docker pull node:20\n"
        + "# hubspec: ignore-file[HS2]\n",
    )
    code, document = lint_json(path)
    assert code == 0
    code, document = lint_json(path, "--no-ignores")
    assert code == 1
    assert [
        (rule, line, suppressed) for rule, line, suppressed, _ in rows(document) if rule != "HS004"
    ] == [("HS101", 6, False)]
    concise = invoke("lint", "--isolated", "--no-ignores", "--format", "concise", str(path))
    assert concise.exit_code == 1
    assert "HS101" in concise.stdout

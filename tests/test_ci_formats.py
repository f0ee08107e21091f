"""Report formats for CI: goldens for every format, SARIF against its schema, GitHub workflow
commands and JUnit XML parsed back, `--output FILE`.

The goldens in `fixtures/goldens/expected.<format>` come from running the CLI inside a copy of
`fixtures/goldens/project/` made a repository of its own (inside this checkout, the checkout's top
would be the source root), with relative paths; `HUBSPEC_UPDATE_GOLDENS=1` rewrites them (read
every changed line like code before committing it).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest

from conftest import FIXTURES, SHARED
from hubspec import __version__
from hubspec.rules import RULES

GOLDENS = FIXTURES / "goldens"
PROJECT = GOLDENS / "project"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-2.1.0.json"
UPDATE = os.environ.get("HUBSPEC_UPDATE_GOLDENS") == "1"
VERSION_PLACEHOLDER = "<hubspec version>"
_ENV_DROPPED = {"GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CI", "COLUMNS"}

# golden name -> (arguments after `hubspec`, extra environment)
GOLDEN_RUNS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "text": (("lint", "--isolated", "--color", "never"), {}),
    "text-color": (("lint", "--isolated", "--color", "always"), {}),
    "concise": (("lint", "--isolated", "--format", "concise"), {}),
    "json": (("lint", "--isolated", "--format", "json"), {}),
    "sarif": (("lint", "--isolated", "--format", "sarif"), {}),
    # github is chosen by default under GitHub Actions: no --format here on purpose
    "github": (("lint", "--isolated"), {"GITHUB_ACTIONS": "true"}),
    "junit": (("lint", "--isolated", "--format", "junit"), {}),
}
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
ANNOTATION = re.compile(
    r"^::(?P<level>error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$"
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _ENV_DROPPED}
    env["COLUMNS"] = "120"
    env.update(extra)
    return env


@functools.cache
def golden_project() -> Path:
    """The golden project as a user's repository: a copy with a `.git` folder of its own."""
    scratch = Path(tempfile.mkdtemp(prefix="hubspec-goldens-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    copy = Path(shutil.copytree(PROJECT, scratch / "project"))
    (copy / ".git").mkdir()
    return copy


def hubspec(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubspec", *args],
        cwd=cwd or golden_project(),
        env=env or clean_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )


def normalise(name: str, text: str) -> str:
    """Goldens do not change with the version number."""
    if name == "sarif":
        return text.replace(f'"version": "{__version__}"', f'"version": "{VERSION_PLACEHOLDER}"')
    return text


@functools.cache
def golden_run(name: str) -> subprocess.CompletedProcess[str]:
    args, extra = GOLDEN_RUNS[name]
    return hubspec(*args, env=clean_env(**extra))


def output(name: str) -> str:
    result = golden_run(name)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    return result.stdout


def golden(name: str) -> str:
    return (GOLDENS / f"expected.{name}").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(GOLDEN_RUNS))
def test_golden(name: str) -> None:
    actual = normalise(name, output(name))
    path = GOLDENS / f"expected.{name}"
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with HUBSPEC_UPDATE_GOLDENS=1 and read it"
    assert actual == path.read_text(encoding="utf-8")


def test_text_off_a_terminal_is_the_concise_report() -> None:
    assert golden("text") == golden("concise")


def test_frames_golden_has_colour_and_masks_the_secret() -> None:
    frames = golden("text-color")
    assert "\x1b[" in frames
    assert "hunter2-Secret" not in frames
    assert "hunter2-Secret" not in golden("json") + golden("sarif") + golden("junit")


def test_github_is_the_same_with_an_explicit_format() -> None:
    result = hubspec("lint", "--isolated", "--format", "github")
    assert result.returncode == 1
    assert result.stdout == output("github")


def test_explicit_format_wins_over_github_actions() -> None:
    result = hubspec("lint", "--isolated", "--format", "json", env=clean_env(GITHUB_ACTIONS="true"))
    assert json.loads(result.stdout)["version"] == 1


# --- JSON: the reference the other formats are checked against ---------------------------------


def json_findings(*, active_only: bool) -> list[dict[str, Any]]:
    findings = json.loads(output("json"))["findings"]
    return [f for f in findings if not (active_only and f["suppressed"])]


def test_json_report_of_the_project() -> None:
    document = json.loads(output("json"))
    rows = [
        (f["rule"], f["severity"], f["line"], f["column"], f["suppressed"])
        for f in document["findings"]
    ]
    assert rows == [
        ("HS202", "error", 8, 24, False),
        ("HS104", "warning", 16, 16, False),
        ("HS003", "warning", 20, 5, False),
        ("HS103", "warning", 24, 9, False),
        ("HS101", "error", 27, 9, False),
        ("HS004", "warning", 27, 55, False),
        ("HS203", "warning", 31, 9, True),
        ("HS201", "error", 31, 43, False),
    ]
    suppressed = next(f for f in document["findings"] if f["suppressed"])
    assert suppressed["suppression"] == "DOCKER_PASSWORD is set in the CodeBuild project"
    assert document["summary"] == {
        "files": 2,
        "findings": 7,
        "suppressed": 1,
        "errors": 3,
        "warnings": 4,
        "infos": 0,
        "fixable": 2,
    }


# --- SARIF ----------------------------------------------------------------------------------------


def sarif() -> dict[str, Any]:
    return json.loads(output("sarif"))


def sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.is_file():
        pytest.skip("../shared/schemas is not beside the checkout")
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def test_sarif_validates_against_the_schema() -> None:
    schema = sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(sarif()), key=lambda e: str(list(e.path)))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert sarif()["version"] == "2.1.0"


def test_sarif_rules_describe_every_rule() -> None:
    (run,) = sarif()["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "hubspec"
    assert driver["version"] == __version__
    rules = driver["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in RULES]
    for described, rule in zip(rules, RULES, strict=True):
        assert described["name"], rule.code
        assert described["shortDescription"]["text"] == rule.summary
        assert described["fullDescription"]["text"].strip(), rule.code
        assert described["help"]["text"].strip(), rule.code
        assert described["defaultConfiguration"]["level"] == LEVEL[rule.severity.value]


def test_sarif_results_match_the_json_findings() -> None:
    (run,) = sarif()["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    findings = json_findings(active_only=False)
    assert len(results) == len(findings)
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule"]
        assert result["level"] == LEVEL[finding["severity"]]
        assert result["message"]["text"] == finding["message"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == finding["path"]
        assert physical["region"] == {
            "startLine": finding["line"],
            "startColumn": finding["column"],
            "endLine": finding["end_line"],
            "endColumn": finding["end_column"],
        }
        if finding["suppressed"]:
            assert result["suppressions"] == [
                {"kind": "inSource", "justification": finding["suppression"]}
            ]
        else:
            assert "suppressions" not in result


def _fingerprints(document: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [
        (
            result["ruleId"],
            result["partialFingerprints"]["hubspec/v1"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in document["runs"][0]["results"]
    ]


def test_sarif_fingerprints_are_distinct_in_a_run() -> None:
    keys = [(rule, fingerprint) for rule, fingerprint, _ in _fingerprints(sarif())]
    assert len(keys) == len(set(keys))


def test_sarif_fingerprints_survive_line_shifts(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    path = project / "buildspec.yml"
    text = path.read_text(encoding="utf-8")
    # three lines on top, a blank line inside phases: every finding moves down
    shifted = "# one\n# two\n\n" + text.replace("  pre_build:\n", "\n  pre_build:\n")
    path.write_text(shifted, encoding="utf-8")
    before = _fingerprints(sarif())
    after = _fingerprints(
        json.loads(hubspec("lint", "--isolated", "-f", "sarif", cwd=project).stdout)
    )
    assert [(rule, fp) for rule, fp, _ in after] == [(rule, fp) for rule, fp, _ in before]
    moved = [new - old for (_, _, old), (_, _, new) in zip(before, after, strict=True)]
    assert set(moved) == {3, 4}


def test_sarif_fingerprint_changes_with_the_command(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    path = project / "buildspec.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('run --rm "$TEST_IMAGE"', 'run "$OTHER_IMAGE"'), "utf-8")
    result = hubspec("lint", "--isolated", "-f", "sarif", cwd=project)
    before = {rule: fp for rule, fp, _ in _fingerprints(sarif())}
    after = {rule: fp for rule, fp, _ in _fingerprints(json.loads(result.stdout))}
    assert after["HS103"] != before["HS103"]
    assert after["HS101"] == before["HS101"]


# --- GitHub workflow commands ---------------------------------------------------------------------


def _unescape(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def parse_github(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Annotations as dicts (level, message and every property), and the other lines."""
    annotations: list[dict[str, str]] = []
    other: list[str] = []
    for line in text.splitlines():
        match = ANNOTATION.match(line)
        if match is None:
            other.append(line)
            continue
        entry = {"level": match["level"], "message": _unescape(match["message"])}
        for item in match["properties"].split(","):
            key, _, value = item.partition("=")
            entry[key] = _unescape(value)
        annotations.append(entry)
    return annotations, other


def test_github_annotations_parse_back_to_the_findings() -> None:
    annotations, other = parse_github(output("github"))
    findings = json_findings(active_only=True)
    assert len(annotations) == len(findings) == 7
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for annotation, finding in zip(annotations, findings, strict=True):
        assert set(annotation) == {
            "level",
            "message",
            "file",
            "line",
            "col",
            "endLine",
            "endColumn",
            "title",
        }
        assert annotation["level"] == level[finding["severity"]]
        assert annotation["file"] == finding["path"]
        assert (annotation["line"], annotation["col"]) == (
            str(finding["line"]),
            str(finding["column"]),
        )
        assert (annotation["endLine"], annotation["endColumn"]) == (
            str(finding["end_line"]),
            str(finding["end_column"]),
        )
        assert annotation["title"].split()[0] == finding["rule"]
        assert annotation["message"] == finding["message"]
    # the suppressed HS203 is not annotated; the summary is the only other line
    assert "HS203" not in output("github")
    assert other == [
        "Found 7 problems (3 errors, 4 warnings) in 2 files. 2 fixable with `hubspec fix`."
    ]


def test_github_escapes_paths_and_messages(tmp_path: Path) -> None:
    folder = tmp_path / "a,b:c 100%"
    folder.mkdir()
    (folder / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
    )
    result = hubspec("lint", "--isolated", "--format", "github", ".", cwd=tmp_path)
    assert result.returncode == 1
    (annotation,), _ = parse_github(result.stdout)
    assert annotation["file"] == "a,b:c 100%/buildspec.yml"
    assert (annotation["line"], annotation["col"]) == ("5", "9")
    assert "node:20" in annotation["message"]


# --- JUnit XML ------------------------------------------------------------------------------------


def test_junit_parses_back_for_a_codebuild_report_group() -> None:
    text = output("junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(text.encode("utf-8"))
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert root.tag in ("testsuites", "testsuite")
    cases = [case for suite in suites for case in suite.findall("testcase")]
    findings = json_findings(active_only=True)
    failing = [case for case in cases if case.find("failure") is not None]
    passing = [case for case in cases if len(case) == 0]
    assert len(failing) == len(findings) == 7
    assert [case.get("classname") for case in passing] == ["ci/buildspec-release.yml"]
    for suite in suites:
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))
        assert int(suite.get("failures", "-1")) == len(
            [case for case in suite.findall("testcase") if case.find("failure") is not None]
        )
        assert int(suite.get("errors", "0")) == 0
    if root.tag == "testsuites":
        assert int(root.get("tests", "-1")) == len(cases)
        assert int(root.get("failures", "-1")) == len(failing)
    for case, finding in zip(failing, findings, strict=True):
        assert case.get("classname") == finding["path"]
        assert finding["rule"] in (case.get("name") or "")
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("message") == finding["message"]
        assert finding["rule"] in (failure.get("type") or "")
        assert f"{finding['line']}:{finding['column']}" in (failure.text or "")
    names = [(case.get("classname"), case.get("name")) for case in cases]
    assert len(names) == len(set(names)), "test case names must be unique within a class"
    assert "HS203" not in text


def test_junit_of_a_clean_run_has_no_failures(tmp_path: Path) -> None:
    shutil.copytree(PROJECT / "ci", tmp_path / "ci")
    result = hubspec("lint", "--isolated", "--format", "junit", cwd=tmp_path)
    assert result.returncode == 0
    root = ElementTree.fromstring(result.stdout.encode("utf-8"))
    cases = root.iter("testcase")
    assert [(case.get("classname"), len(case)) for case in cases] == [
        ("ci/buildspec-release.yml", 0)
    ]
    assert {suite.get("failures") for suite in root.iter("testsuite")} == {"0"}


def test_junit_escapes_markup_in_paths(tmp_path: Path) -> None:
    folder = tmp_path / "a&b<c>"
    folder.mkdir()
    (folder / "buildspec.yml").write_text(
        'version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull "node:20"\n'
    )
    result = hubspec("lint", "--isolated", "--format", "junit", cwd=tmp_path)
    root = ElementTree.fromstring(result.stdout.encode("utf-8"))
    (case,) = root.iter("testcase")
    assert case.get("classname") == "a&b<c>/buildspec.yml"


# --- --output FILE --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["json", "sarif", "junit", "github"])
def test_output_file_gets_the_report_and_the_terminal_the_text(tmp_path: Path, name: str) -> None:
    report = tmp_path / f"report.{name}"
    result = hubspec("lint", "--isolated", "--format", name, "--output", str(report))
    assert result.returncode == 1
    assert normalise(name, report.read_text(encoding="utf-8")) == golden(name)
    assert result.stdout == golden("text")


def test_output_file_sarif_validates(tmp_path: Path) -> None:
    report = tmp_path / "hubspec.sarif"
    result = hubspec("lint", "--isolated", "-f", "sarif", "-o", str(report), "--exit-zero")
    assert result.returncode == 0
    schema = sarif_schema()
    jsonschema.validate(json.loads(report.read_text(encoding="utf-8")), schema)


def test_output_file_in_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = hubspec("lint", "--isolated", "-f", "json", "-o", str(tmp_path / "no" / "r.json"))
    assert result.returncode == 2
    assert "r.json" in result.stderr
    assert "Traceback" not in result.stderr


URI_REFERENCE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
"""The characters of an RFC 3986 URI reference (a space or a non-ASCII letter is none)."""


def test_sarif_uris_are_uri_references_for_any_file_name(tmp_path: Path) -> None:
    """SARIF names files by URI: a space, '#' or 'í' in a path is percent-encoded (strict
    consumers refuse the raw path), and an absolute path is a file URI."""
    from urllib.parse import unquote, urlparse

    top = tmp_path / "my repo"
    (top / ".git").mkdir(parents=True)
    folder = top / "dír#1"
    folder.mkdir()
    (folder / "My Dockerfile").write_text("FROM node:20\n", encoding="utf-8")
    buildspec = folder / "build spec.yml"
    buildspec.write_text(
        'version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -f "dír#1/My'
        ' Dockerfile" .\n',
        encoding="utf-8",
    )
    relative = "dír#1/build spec.yml"
    for given, expected in ((relative, None), (str(buildspec), buildspec)):
        sarif = json.loads(hubspec("lint", "-f", "sarif", given, cwd=top).stdout)
        (result,) = sarif["runs"][0]["results"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        (related,) = result["relatedLocations"]
        other = related["physicalLocation"]["artifactLocation"]["uri"]
        for each in (uri, other):
            assert URI_REFERENCE.fullmatch(each), each
        if expected is None:
            assert (unquote(uri), unquote(other)) == (relative, "dír#1/My Dockerfile")
        else:
            assert urlparse(uri).scheme == "file" and unquote(urlparse(uri).path) == str(expected)
            assert unquote(urlparse(other).path) == str(folder / "My Dockerfile")

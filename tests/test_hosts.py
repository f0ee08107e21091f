"""Host files: CloudFormation/SAM templates, CDK output and Terraform (issue 17).

Over the real files of ../shared/corpus-iac: every project found with its hand labels,
every inline buildspec mapped character by character onto the host text, Terraform heredocs
read as python-hcl2 reads them; and the command line as users run it.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from repos import hubspec

from conftest import FIXTURES, SHARED, STORED_HUB_CREDENTIALS, codebuild_project
from hubspec.build.project import Project
from hubspec.facts.daemon import DaemonUse
from hubspec.hosts.found import HostFile
from hubspec.hosts.kind import host_kind
from hubspec.hosts.read import read_host
from hubspec.lint.host import lint_host, project_findings
from hubspec.rules.base import ProjectFacts
from hubspec.run import files
from hubspec.settings import Settings

CORPUS = SHARED / "corpus-iac"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the IaC corpus is not here")


def _rows(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _manifest() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in _rows("manifest.tsv")} if CORPUS.is_dir() else {}


MANIFEST = _manifest()


def _host(ident: str) -> tuple[Path, str, HostFile]:
    path = CORPUS / ident / MANIFEST[ident]["path"]
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    kind = host_kind(str(path), text[: 64 * 1024])
    assert kind is not None, path
    return path, text, read_host(kind, text, len(data))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


@needs_corpus
@pytest.mark.parametrize("row", _rows("labels.tsv") if CORPUS.is_dir() else [], ids=str)
def test_every_labelled_project_is_found_where_labelled(row: dict[str, str]) -> None:
    _, text, host = _host(row["id"])
    if row["id"] == "010":  # not YAML in its repository: the file's finding is HS001
        assert host.problem is not None and host.problem.code == "HS001"
        return
    names = {
        found.project.name.removeprefix("aws_codebuild_project."): found for found in host.projects
    }
    found = names[row["project"]]
    if row["buildspec_line"] == "-":
        assert found.inline is None
    else:
        assert found.inline is not None
        first = len(found.inline.text) - len(found.inline.text.lstrip())
        assert _line(text, found.inline.offsets[first]) == int(row["buildspec_line"])


@needs_corpus
def test_amplify_build_specs_are_not_codebuild() -> None:
    for ident, row in MANIFEST.items():
        if row["kind"] == "amplify":
            _, _, host = _host(ident)
            assert host.projects == [] and host.problem is None


@needs_corpus
@pytest.mark.parametrize("ident", sorted(MANIFEST), ids=str)
def test_inline_text_maps_onto_the_host_character_by_character(ident: str) -> None:
    """Each character of an inline buildspec is the host character it maps to, but for what
    the host writes otherwise: a JSON escape (at its backslash), a line break, a `${...}`."""
    _, text, host = _host(ident)
    for found in host.projects:
        if found.inline is None:
            continue
        mapped = found.inline
        assert len(mapped.offsets) == len(mapped.text) + 1
        for index, char in enumerate(mapped.text):
            at = mapped.offsets[index]
            shown = text[at]
            if char == shown or char in "\n\r" or _in_placeholder(text, at):
                continue
            if shown == "{" and text[at + 1 : at + 40].lstrip().startswith('"'):
                continue  # an intrinsic in a JSON template (a Ref in Fn::Join): unknown
            assert shown == "\\", (ident, index, char, shown)


def _in_placeholder(text: str, at: int) -> bool:
    """Whether host offset `at` is inside a `${...}` (an unknown value of the same width)."""
    opened = text.rfind("${", 0, at + 1)
    return opened != -1 and text.find("}", opened) >= at and "\n" not in text[opened:at]


@needs_corpus
def test_terraform_heredocs_read_as_python_hcl2_reads_them() -> None:
    hcl2 = pytest.importorskip("hcl2")
    options = hcl2.SerializationOptions(strip_string_quotes=True, preserve_heredocs=False)
    compared = 0
    for ident, row in MANIFEST.items():
        if row["kind"] != "terraform":
            continue
        _, text, host = _host(ident)
        values = hcl2.loads(text, serialization_options=options)
        resources = {
            name: body
            for entry in values.get("resource", [])
            for name, body in entry.get("aws_codebuild_project", {}).items()
        }
        for found in host.projects:
            if found.inline is None:
                continue
            name = found.project.name.removeprefix("aws_codebuild_project.")
            expected = resources[f'"{name}"' if f'"{name}"' in resources else name]["source"][0]
            value = expected["buildspec"].replace('\\"', '"').replace("$${", "${")
            theirs = re.sub(r"\$\{[^}]*\}", "${}", value)
            ours = re.sub(r"\$\{[^}]*\}", "${}", found.inline.text)
            assert ours.rstrip("\n") == theirs.rstrip("\n"), ident
            compared += 1
    assert compared == 4  # 022, 023 and the two of 029


@needs_corpus
def test_the_whole_corpus_lints_from_the_command_line() -> None:
    """No crash, every file a host file, and the findings checked by hand (see below)."""
    run = hubspec("lint", "--format", "json", str(CORPUS), timeout=300)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["files"] == 40  # 027 (amplify.tf) declares no project
    found = {
        (Path(f["path"]).relative_to(CORPUS).parts[0], f["rule"], f["line"], f.get("project"))
        for f in report["findings"]
    }
    assert found == HAND_CHECKED


HAND_CHECKED = {
    # Dockerfiles that are not in the corpus: the pull cannot be judged (labels: unknown).
    ("001", "HS103", 130, "CodeBuildProject"),
    ("003", "HS103", 133, "CodeBuildProject"),
    ("004", "HS103", 212, "CodeBuildProject"),
    ("012", "HS103", 60, "CodeBuildProject"),
    ("013", "HS103", 58, "CodeBuildProject"),
    ("014", "HS103", 201, "CodeBuildProject"),
    ("016", "HS103", 76, "CodeBuildProject"),
    ("019", "HS103", 77, "CodeBuild"),
    ("020", "HS103", 84, "CodeBuildProject"),
    ("023", "HS103", 141, "aws_codebuild_project.codebuild_project"),
    ("025", "HS103", 569, "MyProject39F7B0AE"),
    ("026", "HS103", 414, "dockerBuild9FAAB478"),
    ("029", "HS103", 50, "aws_codebuild_project.flb-frontend-codebuild"),
    ("029", "HS103", 113, "aws_codebuild_project.flb-backend-codebuild"),
    ("034", "HS103", 256, "CodeBuildProject"),
    # Scripts the inline buildspecs run are followed (issue 16) but not in this corpus (it holds
    # the templates only): 002 `./upload-public-templates.sh`, 009 `./migrate_images.sh`, and
    # 017 `source venv/bin/activate` (the build makes the venv at line 64) at lines 65 and 72.
    ("002", "HS103", 61, "Project"),
    ("009", "HS103", 62, "CodeBuildCodeIntegration"),
    ("017", "HS103", 65, "CSSFRAGCodeBuildProject"),
    ("017", "HS103", 72, "CSSFRAGCodeBuildProject"),
    # 002: PrivilegedMode true, and the inline buildspec only runs pip and sceptre.
    ("002", "HS106", 28, "Project"),
    # Docker Hub project images without a registry credential (labels: project_image_on_hub).
    ("006", "HS104", 18, "aws_codebuild_project.code_pipeline_container_build_docker_hub"),
    ("015", "HS104", 23, "CodeBuild"),
    # Invalid YAML: 010 in its repository; 022's heredoc has a plain scalar holding ': '.
    ("010", "HS001", 7, None),
    ("022", "HS001", 77, "aws_codebuild_project.tripmgmt_build"),
    # 017: BuildSpec under Properties instead of Source.
    ("017", "HS002", 51, "CSSFRAGCodeBuildProject"),
    # Buildspec files the projects name that this corpus does not hold (it keeps the
    # templates only; checked: no such file under the repository's folder).
    ("005", "HS005", 60, "aws_codebuild_project.codebuild_build_container_docker_hub"),
    ("006", "HS005", 56, "aws_codebuild_project.code_pipeline_container_build_docker_hub"),
    ("007", "HS005", 66, "aws_codebuild_project.scan_trivy"),
    ("008", "HS005", 26, "aws_codebuild_project.mcs_docker_proxy_codebuild"),
    ("011", "HS005", 27, "CodeBuildProject"),
    # 021 names it in a heredoc that is only `${file("buildspec.yml")}`.
    ("021", "HS005", 94, "aws_codebuild_project.codebuild"),
    ("030", "HS005", 24, "aws_codebuild_project.tf_apply"),
    ("031", "HS005", 31, "aws_codebuild_project.codebuild"),
    ("031", "HS005", 56, "aws_codebuild_project.test_something"),
    ("032", "HS005", 23, "aws_codebuild_project.tms_build"),
    ("032", "HS005", 75, "aws_codebuild_project.timeline_chatbot_build"),
    ("035", "HS005", 160, "CodeBuildProject"),
    ("036", "HS005", 46, "aws_codebuild_project.agent_image"),
    ("037", "HS005", 39, "aws_codebuild_project.invalidator"),
    ("039", "HS005", 69, "CodeBuildProject"),
    # Buildspecs that are not known statically.
    ("018", "HS005", 53, "CodeBuildProject"),
    ("038", "HS005", 91, "aws_codebuild_project.dockerbuild"),
    ("038", "HS005", 155, "aws_codebuild_project.unittest"),
    ("040", "HS005", 55, "aws_codebuild_project.agent"),
}


def _lint(path: Path, settings: Settings | None = None):  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    kind = host_kind(str(path), data.decode("utf-8", errors="replace"))
    assert kind is not None
    return lint_host(
        str(path),
        data,
        kind=kind,
        source_root=path.parent,
        reader=files.read_referenced,
        settings=settings,
    )


TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Image: node:20
      Source:
        Type: CODEPIPELINE
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - docker pull python:3.12
"""


def test_json_sarif_and_text_name_the_project(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")

    def run(*args: str) -> str:
        done = hubspec("lint", *args, "template.yaml", cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        return done.stdout

    findings = json.loads(run("--format", "json"))["findings"]
    assert {(f["rule"], f["line"], f["column"], f["project"]) for f in findings} == {
        ("HS101", 15, 19, "Build"),
        ("HS104", 7, 16, "Build"),
        ("HS105", 15, 19, "Build"),
    }
    sarif = json.loads(run("--format", "sarif"))
    logical = [r["locations"][0]["logicalLocations"] for r in sarif["runs"][0]["results"]]
    assert logical == [[{"name": "Build", "kind": "resource"}]] * 3
    text = re.sub(r"\x1b\[[0-9;]*m", "", run("--color", "always"))
    assert "template.yaml:15:19" in text and "(project Build)" in text
    assert "- docker pull python:3.12" in text  # the frame quotes the host line


def test_stats_count_the_project_build_image(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    done = hubspec("lint", "--format", "json", "template.yaml", cwd=tmp_path)
    budget = json.loads(done.stdout)["budget"]["files"]
    assert [(b["path"], b["pulls_per_build"], b["build_image_pulls"]) for b in budget] == [
        ("template.yaml (Build)", 1, 1)
    ]


def test_discovery_finds_host_files_and_skips_tool_folders(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "main.tf").write_text('resource "aws_codebuild_project" "a" {\n}\n')
    (tmp_path / "vars.tf").write_text('variable "a" {}\n')
    (tmp_path / "package.json").write_text('{"name": "x"}\n')
    (tmp_path / "cdk.out").mkdir()
    (tmp_path / "cdk.out" / "Stack.template.json").write_text(
        '{"Resources": {"P": {"Type": "AWS::CodeBuild::Project"}}}\n'
    )
    for skipped in (".terraform/modules/m", "node_modules/pkg"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "main.tf").write_text('resource "aws_codebuild_project" "a" {}\n')
        (tmp_path / skipped / "template.yaml").write_text(TEMPLATE)
    found = sorted(str(t.path.relative_to(tmp_path)) for t in files.discover([str(tmp_path)]))
    assert found == ["cdk.out/Stack.template.json", "main.tf", "template.yaml"]
    kinds = {name: host_kind(name, (tmp_path / name).read_text()) for name in found}
    assert kinds == {
        "cdk.out/Stack.template.json": "cdk",
        "main.tf": "terraform",
        "template.yaml": "cloudformation",
    }


def test_project_rules_work_on_a_project_alone() -> None:
    """As the audit reads projects from the API: no host file, no spans."""
    project = Project("api-project", image="node:20", privileged_mode=True)
    unused = ProjectFacts(project, DaemonUse(None))
    findings = project_findings("codebuild:api-project", unused, Settings())
    assert [(f.rule, f.span.start.line, f.span.start.column) for f in findings] == [
        ("HS104", 1, 1),
        ("HS106", 1, 1),
    ]
    off = Project("api-project", image="aws/codebuild/standard:7.0", privileged_mode=False)
    used = ProjectFacts(off, DaemonUse((0, 10), "docker build ."))
    assert [f.rule for f in project_findings("p", used, Settings())] == ["HS105"]
    unknown = ProjectFacts(off)  # no buildspec known: neither HS105 nor HS106
    assert project_findings("p", unknown, Settings()) == []


def test_plaintext_project_secrets_are_masked(tmp_path: Path) -> None:
    template = TEMPLATE.replace(
        "        Image: node:20\n",
        "        Image: node:20\n"
        "        EnvironmentVariables:\n"
        "          - Name: DOCKERHUB_PASSWORD\n"
        "            Value: hunter2hunter2\n",
    )
    path = tmp_path / "template.yaml"
    path.write_text(template, encoding="utf-8")
    result = _lint(path)
    assert "hunter2hunter2" in result.secrets
    done = hubspec("lint", "--format", "text", str(path))
    assert "hunter2hunter2" not in done.stdout


# Bad input: a finding naming the file and place, bounded time, never a traceback.


@pytest.mark.parametrize(
    ("name", "text", "rule", "where"),
    [
        ("t.yaml", "AWSTemplateFormatVersion: x\nResources: [\n", "HS001", (3, 1)),
        ("t.json", '{"AWSTemplateFormatVersion": 1,\n "Resources": }\n', "HS001", (2, 15)),
        ("main.tf", 'resource "aws_codebuild_project" "a" {\n  name = \n', "HS001", None),
        (
            "t.yaml",
            "Resources:\n  P:\n    Type: AWS::CodeBuild::Project\n    Properties:\n"
            "      Source:\n        BuildSpec: !Frob x\n",
            "HS005",
            (6, 20),
        ),
    ],
)
def test_bad_host_files_are_findings(
    tmp_path: Path, name: str, text: str, rule: str, where: tuple[int, int] | None
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = _lint(path)
    assert [f.rule for f in result.findings] == [rule]
    if where is not None:
        start = result.findings[0].span.start
        assert (start.line, start.column) == where


def test_a_200_mb_template_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.template.yaml"
    with path.open("wb") as handle:
        handle.write(b"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
        handle.truncate(200 * 1024 * 1024)  # sparse: no 200 MB written to disk
    started = time.monotonic()
    done = hubspec("lint", "--format", "concise", str(path), timeout=120)
    assert time.monotonic() - started < 60
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{path}:1:1: HS001" in done.stdout and "larger than" in done.stdout


def test_ten_thousand_terraform_resources(tmp_path: Path) -> None:
    block = (
        'resource "aws_codebuild_project" "p{n}" {{\n'
        '  name = "p{n}"\n'
        "  environment {{\n"
        '    image = "node:20"\n'
        "  }}\n"
        "}}\n"
    )
    path = tmp_path / "many.tf"
    path.write_text("".join(block.format(n=n) for n in range(10_000)), encoding="utf-8")
    result = _lint(path)
    assert len(result.findings) == 10_000
    assert {f.rule for f in result.findings} == {"HS104"}
    last = result.findings[-1]
    assert (last.project, last.span.start.line) == ("aws_codebuild_project.p9999", 59_998)


def test_cdk_output_is_reported_never_edited(tmp_path: Path) -> None:
    (tmp_path / "cdk.out").mkdir()
    path = tmp_path / "cdk.out" / "Stack.template.json"
    spec = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
    template = {
        "Resources": {
            "P": {
                "Type": "AWS::CodeBuild::Project",
                "Properties": {
                    "Environment": {"Image": "aws/codebuild/standard:7.0", "PrivilegedMode": True},
                    "Source": {"BuildSpec": spec},
                },
            }
        }
    }
    path.write_text(json.dumps(template, indent=1), encoding="utf-8")
    before = path.read_bytes()
    done = hubspec("fix", str(path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert path.read_bytes() == before
    shown = done.stdout + done.stderr
    assert "generated by the AWS CDK" in shown
    assert "BuildEnvironmentVariableType.PARAMETER_STORE" in shown and "docker login" in shown


@needs_corpus
def test_every_corpus_fix_is_verified_and_cfn_lint_finds_nothing_new(tmp_path: Path) -> None:
    """The corpus with each missing Dockerfile written as `FROM node:20`, so that every
    docker build pulls from Docker Hub: `hubspec fix` fixes every template and Terraform
    file it can, a second fix changes nothing, only lines are added (a JSON string is
    re-encoded), and cfn-lint reports nothing it did not report before."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    for path in [root, *root.rglob("*")]:  # the shared corpus is read-only
        path.chmod(0o755 if path.is_dir() else 0o644)

    def on_corpus(*args: str) -> subprocess.CompletedProcess[str]:
        return hubspec(*args, str(root), timeout=600)

    report = json.loads(on_corpus("lint", "--format", "json").stdout)
    for finding in report["findings"]:
        missing = re.search(r"the Dockerfile (\S+) was not found", finding["message"])
        if missing:
            dockerfile = Path(finding["path"]).parent / missing.group(1)
            dockerfile.parent.mkdir(parents=True, exist_ok=True)
            dockerfile.write_text("FROM node:20\n", encoding="utf-8")
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
    pulls = [f for f in json.loads(on_corpus("lint", "--format", "json").stdout)["findings"]]
    hub = {Path(f["path"]).relative_to(root).parts[0] for f in pulls if f["rule"] == "HS101"}
    assert hub == {"001", "003", "004", "012", "013", "014", "016", "019", "020", "023",
                   "025", "026", "029", "034"}  # fmt: skip
    done = on_corpus("fix")
    assert "Traceback" not in done.stderr
    changed = sorted(
        str(path.relative_to(root)) for path, data in before.items() if path.read_bytes() != data
    )
    assert [name.split("/")[0] for name in changed] == sorted(hub - {"025", "026"})  # CDK
    for name in changed:
        old = before[root / name].decode("utf-8").splitlines(keepends=True)
        new = iter((root / name).read_bytes().decode("utf-8").splitlines(keepends=True))
        assert all(any(line == candidate for candidate in new) for line in old), name
    left = json.loads(on_corpus("lint", "--format", "json").stdout)["findings"]
    still = {Path(f["path"]).relative_to(root).parts[0] for f in left if f["rule"] == "HS101"}
    assert still == {"025", "026"}
    again = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
    on_corpus("fix")
    assert all(path.read_bytes() == data for path, data in again.items())
    templates = [name for name in changed if not name.endswith(".tf")]
    if shutil.which("cfn-lint") is None:
        pytest.skip("cfn-lint is not installed")
    assert _cfn_lint(CORPUS, templates) == _cfn_lint(root, templates)


def _cfn_lint(root: Path, names: list[str]) -> Counter[tuple[str, str, str]]:
    """cfn-lint's findings by file, rule and message (line numbers left out: lines moved)."""
    done = subprocess.run(
        ["cfn-lint", "--format", "parseable", *names],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    found: Counter[tuple[str, str, str]] = Counter()
    for line in done.stdout.splitlines():
        parts = line.split(":", 6)
        if len(parts) == 7:
            found[(parts[0], parts[5], re.sub(r"\d+", "N", parts[6]))] += 1
    return found


def test_registry_secret_adds_the_credential_in_each_dialect(tmp_path: Path) -> None:
    """`fix --registry-secret` (HS104): RegistryCredential and the SERVICE_ROLE pull, added
    after the image in the file's own layout; the next steps name the secret and the grant."""
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "HS104"
    yaml_path = tmp_path / "template.yaml"
    yaml_path.write_bytes((fixtures / "project-image-cfn" / "template.yaml").read_bytes())
    tf_path = tmp_path / "main.tf"
    tf_path.write_bytes((fixtures / "project-image-terraform" / "main.tf").read_bytes())
    json_path = tmp_path / "app.template.json"
    json_path.write_text(
        json.dumps(
            {
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {
                    "P": {
                        "Type": "AWS::CodeBuild::Project",
                        "Properties": {
                            "Environment": {"Image": "node:20", "Type": "LINUX_CONTAINER"}
                        },
                    }
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    originals = {path: path.read_text(encoding="utf-8") for path in (yaml_path, tf_path, json_path)}
    done = hubspec("fix", "--registry-secret", "dockerhub/ci", ".", cwd=tmp_path, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    assert "aws secretsmanager create-secret --name dockerhub/ci" in done.stdout
    assert "secretsmanager:GetSecretValue" in done.stdout
    yaml_new = yaml_path.read_text(encoding="utf-8")
    assert yaml_new == originals[yaml_path].replace(
        "        Image: node:20\n",
        "        Image: node:20\n"
        "        ImagePullCredentialsType: SERVICE_ROLE\n"
        "        RegistryCredential:\n"
        "          Credential: dockerhub/ci\n"
        "          CredentialProvider: SECRETS_MANAGER\n",
    )
    assert tf_path.read_text(encoding="utf-8") == originals[tf_path].replace(
        '    image                       = "python:3.12"\n',
        '    image                       = "python:3.12"\n'
        "    registry_credential {\n"
        '      credential          = "dockerhub/ci"\n'
        '      credential_provider = "SECRETS_MANAGER"\n'
        "    }\n",
    )
    assert json.loads(json_path.read_text(encoding="utf-8"))["Resources"]["P"]["Properties"][
        "Environment"
    ] == {
        "Image": "node:20",
        "ImagePullCredentialsType": "SERVICE_ROLE",
        "RegistryCredential": {
            "Credential": "dockerhub/ci",
            "CredentialProvider": "SECRETS_MANAGER",
        },
        "Type": "LINUX_CONTAINER",
    }
    lint = hubspec("lint", "--format", "json", ".", cwd=tmp_path, timeout=120)
    assert [f for f in json.loads(lint.stdout)["findings"] if f["rule"] == "HS104"] == []
    if shutil.which("cfn-lint") is not None:
        for path in (yaml_path, json_path):
            before_dir = tmp_path / "before"
            before_dir.mkdir(exist_ok=True)
            (before_dir / path.name).write_text(originals[path], encoding="utf-8")
            assert (
                _cfn_lint(tmp_path, [path.name]) - _cfn_lint(before_dir, [path.name]) == Counter()
            )


def test_a_buildspec_path_is_linted_as_that_file_in_the_project_context(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        '      - echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin\n'
        "      - docker pull node:20\n",
        encoding="utf-8",
    )
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Build:\n"
        "    Type: AWS::CodeBuild::Project\n"
        "    Properties:\n"
        "      Environment:\n"
        "        Image: aws/codebuild/standard:7.0\n"
        "        EnvironmentVariables:\n"
        "          - {Name: DOCKERHUB_TOKEN, Type: SECRETS_MANAGER, Value: 'hub:token'}\n"
        "      Source:\n"
        "        Type: CODEPIPELINE\n"
        "        BuildSpec: ci/buildspec.yml\n",
        encoding="utf-8",
    )
    done = hubspec("lint", "--format", "json", "template.yaml", cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"]
    # The login reads a project secret: no HS203. No PrivilegedMode: HS105 at the pull (the
    # login falls back to a client-side login without a daemon), in the buildspec file.
    assert [(f["path"], f["rule"], f["line"], f["column"], f["project"]) for f in findings] == [
        (str(Path("ci") / "buildspec.yml"), "HS105", 6, 9, "Build")
    ]


_LOGIN_BUILDSPEC = (
    "version: 0.2\nphases:\n  build:\n    commands:\n"
    '      - echo "$DOCKERHUB_TOKEN" | docker login -u "$DOCKERHUB_USER" --password-stdin\n'
    "      - docker pull node:20\n"
)


def _project(name: str, buildspec: str, privileged: bool = False) -> str:
    """A project whose login token comes from Secrets Manager (no user name stored)."""
    secret = (("DOCKERHUB_TOKEN", "SECRETS_MANAGER", "'hub:token'"),)
    return codebuild_project(name, buildspec, privileged=privileged, variables=secret)


def _repository_with_template(root: Path, buildspec: str, *projects: str) -> None:
    (root / ".git").mkdir()
    (root / "ci").mkdir()
    (root / "ci" / "buildspec.yml").write_text(buildspec, encoding="utf-8")
    (root / "template.yaml").write_text("Resources:\n" + "".join(projects), encoding="utf-8")


def _json_findings(done: subprocess.CompletedProcess[str]) -> list[tuple[object, ...]]:
    return [
        (f["path"], f["rule"], f["line"], f["column"], f.get("project"))
        for f in json.loads(done.stdout)["findings"]
    ]


def test_a_folder_run_reports_a_named_buildspec_in_its_projects_context_only(
    tmp_path: Path,
) -> None:
    """`hubspec lint .` finds ci/buildspec.yml itself and through the template: the project's
    findings stand for the file's own (its secret makes the login no HS203)."""
    _repository_with_template(
        tmp_path,
        _LOGIN_BUILDSPEC,
        _project("Build", "ci/buildspec.yml"),
        _project("Other", "ci/buildspec.yml"),
    )
    shown = str(Path("ci") / "buildspec.yml")
    alone = hubspec("lint", "--format", "json", shown, cwd=tmp_path)
    assert _json_findings(alone) == [(shown, "HS203", 5, 35, None)]
    done = hubspec("lint", "--format", "json", ".", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert _json_findings(done) == [
        (shown, "HS105", 6, 9, "Build"),
        (shown, "HS105", 6, 9, "Other"),
    ]
    assert json.loads(done.stdout)["summary"]["files"] == 2
    text = hubspec("lint", "--format", "concise", "template.yaml", shown, cwd=tmp_path)
    assert text.stdout.count("HS203") == 0 and text.stdout.count("HS105") == 2, text.stdout


def test_a_finding_two_lints_of_one_file_share_is_reported_once(tmp_path: Path) -> None:
    """The file alone and in two privileged projects: one HS101, naming the first project, and
    the file's pulls counted once per project that runs it."""
    pull_only = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
    _repository_with_template(
        tmp_path,
        pull_only,
        _project("Build", "ci/buildspec.yml", privileged=True),
        _project("Other", "ci/buildspec.yml", privileged=True),
    )
    done = hubspec("lint", "--format", "json", cwd=tmp_path)
    assert _json_findings(done) == [(str(Path("ci") / "buildspec.yml"), "HS101", 5, 9, "Build")]
    concise = hubspec("lint", cwd=tmp_path)
    assert concise.stdout.count("HS101") == 1, concise.stdout
    assert "Found 1 problem (1 error) in 2 files." in concise.stdout
    # the pull budget counts the file's pulls in each project that runs it, not again alone
    budget = json.loads(done.stdout)["budget"]["files"]
    assert [(entry["path"], entry["pulls_per_run"]) for entry in budget] == [
        ("template.yaml (Build)", 1),
        ("template.yaml (Other)", 1),
    ]
    stats = hubspec("lint", "--stats", cwd=tmp_path)
    assert "total: 2 Docker Hub pull(s)" in stats.stdout, stats.stdout


def test_fix_counts_an_error_left_in_a_named_buildspec_once(tmp_path: Path) -> None:
    broken = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n   bad: [\n"
    _repository_with_template(tmp_path, broken, _project("Build", "ci/buildspec.yml"))
    done = hubspec("fix", cwd=tmp_path)
    assert done.returncode == 1
    assert "1 error(s) remain" in done.stderr, done.stderr
    assert (tmp_path / "ci" / "buildspec.yml").read_text(encoding="utf-8") == broken


_STORED_CREDENTIALS = codebuild_project(
    "Build", "ci/buildspec.yml", privileged=True, variables=STORED_HUB_CREDENTIALS
)
_PULL_ONLY = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull node:20\n"
_LOGIN_ONLY = (
    "version: 0.2\nphases:\n  pre_build:\n    commands:\n"
    '      - echo "$DOCKERHUB_TOKEN" | docker login --username "$DOCKERHUB_USERNAME"'
    " --password-stdin\n"
    "  build:\n    commands:\n      - docker pull node:20\n"
)


def test_fix_of_a_template_fixes_the_buildspec_file_a_project_names(tmp_path: Path) -> None:
    """Lint says the pull in ci/buildspec.yml is fixable; `fix template.yaml` fixes it there,
    with the login alone, since the project keeps the credentials in Parameter Store."""
    _repository_with_template(tmp_path, _PULL_ONLY, _STORED_CREDENTIALS)
    template = (tmp_path / "template.yaml").read_bytes()
    lint = hubspec("lint", "template.yaml", cwd=tmp_path)
    assert "1 fixable with `hubspec fix`" in lint.stdout, lint.stdout
    done = hubspec("fix", "template.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Build: ci/buildspec.yml: added a pre_build phase" in done.stdout
    assert (tmp_path / "ci" / "buildspec.yml").read_text(encoding="utf-8") == _LOGIN_ONLY
    assert (tmp_path / "template.yaml").read_bytes() == template
    assert hubspec("lint", cwd=tmp_path).returncode == 0


def test_fix_of_a_folder_fixes_a_named_buildspec_once_in_its_projects_context(
    tmp_path: Path,
) -> None:
    """`hubspec fix .` finds the file alone too: the project's fix stands, written once."""
    _repository_with_template(tmp_path, _PULL_ONLY, _STORED_CREDENTIALS)
    diff = hubspec("fix", "--diff", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout.count("--- a/ci/buildspec.yml") == 1, diff.stdout
    assert "parameter-store" not in diff.stdout and "DOCKERHUB_USERNAME" in diff.stdout
    done = hubspec("fix", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stdout + done.stderr
    assert (tmp_path / "ci" / "buildspec.yml").read_text(encoding="utf-8") == _LOGIN_ONLY


def test_fix_stores_credentials_for_a_named_buildspec_whose_project_has_none(
    tmp_path: Path,
) -> None:
    bare = codebuild_project("Build", "ci/buildspec.yml", privileged=True)
    _repository_with_template(tmp_path, _PULL_ONLY, bare)
    alone = hubspec("fix", "--diff", str(Path("ci") / "buildspec.yml"), cwd=tmp_path)
    done = hubspec("fix", "template.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    fixed = (tmp_path / "ci" / "buildspec.yml").read_text(encoding="utf-8")
    assert "parameter-store:" in fixed and "docker login" in fixed
    added = [line[1:] for line in alone.stdout.splitlines() if line[:2] == "+ "]
    assert len(added) >= 5 and all(line in fixed for line in added), alone.stdout


def test_a_templatefile_with_variables_is_not_fixed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    buildspec = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull ${image}:20\n"
    (tmp_path / "infra" / "buildspec.yml").write_text(buildspec, encoding="utf-8")
    (tmp_path / "infra" / "main.tf").write_text(
        'resource "aws_codebuild_project" "app" {\n'
        "  environment {\n"
        '    image           = "aws/codebuild/standard:7.0"\n'
        "    privileged_mode = true\n"
        "  }\n"
        "  source {\n"
        '    type      = "GITHUB"\n'
        '    buildspec = templatefile("${path.module}/buildspec.yml", { image = "node" })\n'
        "  }\n"
        "}\n",
        encoding="utf-8",
    )
    done = hubspec("fix", cwd=tmp_path)
    assert done.returncode == 1
    assert "infra/buildspec.yml is a templatefile with variables" in done.stderr, done.stderr
    assert (tmp_path / "infra" / "buildspec.yml").read_text(encoding="utf-8") == buildspec


def test_suppressions_in_an_inline_buildspec_count(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        TEMPLATE.replace(
            "- docker pull python:3.12", "- docker pull python:3.12  # hubspec: ignore[HS101]"
        ),
        encoding="utf-8",
    )
    result = _lint(path)
    assert [(f.rule, f.suppressed is not None) for f in result.findings if f.rule == "HS101"] == [
        ("HS101", True)
    ]


def test_mirror_strategy_rewrites_the_inline_buildspec(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        TEMPLATE.replace(
            "        Image: node:20\n",
            "        Image: aws/codebuild/standard:7.0\n        PrivilegedMode: true\n",
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hubspec",
            "fix",
            "--strategy",
            "mirror",
            "--mirror",
            "ecr-public",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    text = path.read_text(encoding="utf-8")
    assert "- docker pull public.ecr.aws/docker/library/python:3.12\n" in text
    assert text.replace("public.ecr.aws/docker/library/python", "python") == TEMPLATE.replace(
        "        Image: node:20\n",
        "        Image: aws/codebuild/standard:7.0\n        PrivilegedMode: true\n",
    )


PRIVILEGED_TEMPLATE = TEMPLATE.replace(
    "        Image: node:20\n",
    "        Image: aws/codebuild/standard:7.0\n        PrivilegedMode: true\n",
)
HEREDOC_CASE = FIXTURES / "HS101" / "terraform-heredoc-indented"


@pytest.mark.parametrize(
    ("name", "text", "place", "newline"),
    [
        ("template.yaml", PRIVILEGED_TEMPLATE, "16:19: HS101 python:3.12", "\r\n"),
        ("template.yaml", PRIVILEGED_TEMPLATE, "16:19: HS101 python:3.12", "\r"),
        # HCL ends lines at LF or CR LF only
        ("main.tf", (HEREDOC_CASE / "main.tf").read_text(), "20:15: HS101 node:20", "\r\n"),
    ],
    ids=["cfn-crlf", "cfn-cr", "terraform-crlf"],
)
def test_a_host_files_line_breaks_are_kept_by_lint_and_fix(
    tmp_path: Path, name: str, text: str, place: str, newline: str
) -> None:
    """A Windows checkout writes templates and Terraform with CR LF: findings are at the same
    line:col, and the fix is the LF file's fix written with the file's own line breaks."""
    for top in (tmp_path, tmp_path / "lf"):
        (top / ".git").mkdir(parents=True)
        shutil.copy(HEREDOC_CASE / "Dockerfile", top)
    (tmp_path / "lf" / name).write_text(text)
    (tmp_path / name).write_bytes(text.replace("\n", newline).encode())
    linted = hubspec("lint", "--format", "concise", name, cwd=tmp_path)
    assert linted.stdout.startswith(f"{name}:{place}"), linted.stdout
    fixed = hubspec("fix", name, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert hubspec("fix", name, cwd=tmp_path / "lf").returncode == 0
    expected = (tmp_path / "lf" / name).read_text().replace("\n", newline)
    assert (tmp_path / name).read_bytes().decode() == expected
    assert "docker login" in expected


_TERRAFORM_NAMING = """\
resource "aws_codebuild_project" "app" {{
  environment {{
    image           = "aws/codebuild/standard:7.0"
    privileged_mode = true
  }}
  source {{
    type      = "CODEPIPELINE"
    buildspec = file("${{path.module}}/{path}")
  }}
}}
"""
_OUTSIDE_PULL = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull outside:1\n"


def _terraform_repository(tmp_path: Path, path: str) -> Path:
    """A work tree `repo` with infra/main.tf naming `path` from its module folder, a
    buildspec in repo/ci, and one more beside the work tree (outside the source root)."""
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "infra").mkdir()
    (top / "ci").mkdir()
    (top / "ci" / "buildspec.yml").write_text(_PULL_ONLY, encoding="utf-8")
    (tmp_path / "outside.yml").write_text(_OUTSIDE_PULL, encoding="utf-8")
    (top / "infra" / "main.tf").write_text(_TERRAFORM_NAMING.format(path=path), encoding="utf-8")
    return top


def test_a_named_buildspec_path_is_shown_without_dot_dot(tmp_path: Path) -> None:
    """`${path.module}/../ci/buildspec.yml` is ci/buildspec.yml in every format: a code
    scanning upload or an annotation names the file as the repository does."""
    top = _terraform_repository(tmp_path, "../ci/buildspec.yml")
    done = hubspec("lint", "--format", "json", "infra/main.tf", cwd=top)
    assert [(f["path"], f["rule"], f["line"]) for f in json.loads(done.stdout)["findings"]] == [
        ("ci/buildspec.yml", "HS101", 5)
    ]
    sarif = json.loads(hubspec("lint", "--format", "sarif", "infra/main.tf", cwd=top).stdout)
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        for location in result["locations"]
    }
    assert uris == {"ci/buildspec.yml"}
    github = hubspec("lint", "--format", "github", "infra/main.tf", cwd=top).stdout
    assert "file=ci/buildspec.yml,line=5," in github
    inside = hubspec("lint", "--format", "concise", "main.tf", cwd=top / "infra").stdout
    assert inside.startswith("../ci/buildspec.yml:5:9: HS101 "), inside
    diff = hubspec("fix", "--diff", "infra/main.tf", cwd=top).stdout
    assert diff.startswith("--- a/ci/buildspec.yml\n+++ b/ci/buildspec.yml\n"), diff


@pytest.mark.parametrize(
    ("expression", "fixed"),
    [
        ('<<BUILDSPEC\n${file("${path.module}/../ci/buildspec.yml")}\nBUILDSPEC', True),
        ('<<-EOT\n      ${templatefile("../ci/buildspec.yml", { tag = "1" })}\n    EOT', False),
    ],
)
def test_a_heredoc_of_only_a_file_call_names_that_file(
    tmp_path: Path, expression: str, fixed: bool
) -> None:
    """`<<EOF ${file("x.yml")} EOF` is x.yml's text: linted and fixed there, as
    `file("x.yml")` is (it was HS005 "only an interpolation", not linted); a template with
    variables is linted and left for a hand fix, as `templatefile(...)` is."""
    top = _terraform_repository(tmp_path, "unused.yml")
    main = top / "infra" / "main.tf"
    text = main.read_text(encoding="utf-8").replace('file("${path.module}/unused.yml")', expression)
    main.write_text(text, encoding="utf-8")
    done = hubspec("lint", "--format", "json", "infra/main.tf", cwd=top)
    assert [(f["path"], f["rule"], f["line"]) for f in json.loads(done.stdout)["findings"]] == [
        ("ci/buildspec.yml", "HS101", 5)
    ]
    done = hubspec("fix", "infra/main.tf", cwd=top)
    assert done.returncode == (0 if fixed else 1), done.stdout
    written = (top / "ci" / "buildspec.yml").read_text(encoding="utf-8")
    assert ("docker login" in written) is fixed
    assert fixed or "hubspec does not edit those: add the login by hand" in done.stderr
    assert main.read_text(encoding="utf-8") == text


def test_a_heredoc_of_only_a_variable_is_not_linted(tmp_path: Path) -> None:
    top = _terraform_repository(tmp_path, "unused.yml")
    main = top / "infra" / "main.tf"
    heredoc = "<<EOF\n${var.buildspec}\nEOF"
    main.write_text(
        main.read_text(encoding="utf-8").replace('file("${path.module}/unused.yml")', heredoc),
        encoding="utf-8",
    )
    done = hubspec("lint", "--format", "concise", "infra/main.tf", cwd=top)
    assert done.stdout.splitlines()[:1] == [
        "infra/main.tf:8:17: HS005 the heredoc is only an interpolation (such as"
        " ${var.buildspec}); the buildspec is not linted"
    ]


@pytest.mark.parametrize(
    ("path", "link", "reason"),
    [
        ("../../outside.yml", False, "../outside.yml is outside the source root"),
        ("../ci/link.yml", True, "ci/link.yml is a symlink out of the source root"),
        ("../ci/missing.yml", False, "ci/missing.yml was not found"),
    ],
)
def test_a_named_buildspec_outside_the_source_root_or_missing_is_not_read(
    tmp_path: Path, path: str, link: bool, reason: str
) -> None:
    """Nothing outside the source root is read (issue 16), for a file a project names too:
    HS005 (info) says why at the place the project names it, and fix writes nothing."""
    top = _terraform_repository(tmp_path, path)
    if link:
        (top / "ci" / "link.yml").symlink_to(tmp_path / "outside.yml")
    done = hubspec("lint", "--format", "concise", "infra/main.tf", cwd=top)
    assert done.returncode == 0, done.stdout  # an info finding does not fail the run
    assert done.stdout.splitlines()[0] == (
        f"infra/main.tf:8:17: HS005 the buildspec file {reason}, which hubspec does not read;"
        " it is not linted"
        if link or "outside" in reason
        else f"infra/main.tf:8:17: HS005 the buildspec file {reason}; it is not linted"
    )
    assert "outside:1" not in done.stdout
    fixed = hubspec("fix", "infra/main.tf", cwd=top)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (tmp_path / "outside.yml").read_text(encoding="utf-8") == _OUTSIDE_PULL


def test_a_templates_buildspec_path_climbing_out_of_the_source_root_is_not_read(
    tmp_path: Path,
) -> None:
    (tmp_path / "outside.yml").write_text(_OUTSIDE_PULL, encoding="utf-8")
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "template.yaml").write_text(
        "Resources:\n" + codebuild_project("Build", "../outside.yml", privileged=True),
        encoding="utf-8",
    )
    done = hubspec("lint", "--format", "json", "template.yaml", cwd=top)
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule"], f["message"]) for f in findings] == [
        (
            "HS005",
            "the buildspec file ../outside.yml is outside the source root, which hubspec does"
            " not read; it is not linted",
        )
    ]

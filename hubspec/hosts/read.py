"""Which files are host files (by name and content), and reading one into its projects."""

from __future__ import annotations

import re

from hubspec.hosts.cloudformation import read_template
from hubspec.hosts.found import HostFile, Problem
from hubspec.hosts.jsontree import parse_json
from hubspec.hosts.terraform import RESOURCE_TYPE, read_terraform
from hubspec.load.document import parse_tagged
from hubspec.load.source import YamlProblem

MAX_TEMPLATE_BYTES = 1024 * 1024
"""CloudFormation's own limit for a template body (from S3); CDK output is deployed the same way."""
MAX_TERRAFORM_BYTES = 16 * 1024 * 1024

_TEMPLATE = re.compile(
    r"^[\s{]*[\"']?AWSTemplateFormatVersion[\"']?\s*:|[\"']?Type[\"']?\s*:\s*[\"']?AWS::CodeBuild::Project",
    re.MULTILINE,
)
_CDK = re.compile(r'"aws:cdk:path"|"CDKMetadata"|/cdk-bootstrap/')
"""Marks of a template the AWS CDK synthesized (metadata, the bootstrap version check)."""
_BUILDSPEC_TOP = re.compile(r"^(version|phases)\s*:", re.MULTILINE)
_TERRAFORM = re.compile(r"^\s*resource\s+\"?" + RESOURCE_TYPE + r"\b", re.MULTILINE)


def host_kind(name: str, head: str) -> str | None:
    """ "cloudformation", "cdk" or "terraform" for a host file, None for anything else.

    By content: a template has `AWSTemplateFormatVersion` or a CodeBuild project resource
    (and is not a buildspec: no top-level `version` and `phases`); a Terraform file (`.tf`)
    is one whether or not it declares a project (there is nothing else to lint in it).
    """
    lowered = name.lower()
    if lowered.endswith(".tf"):
        return "terraform"
    if not lowered.endswith((".yml", ".yaml", ".json", ".template")):
        return None
    if _TEMPLATE.search(head) is None:
        return None
    if {match.group(1) for match in _BUILDSPEC_TOP.finditer(head)} == {"version", "phases"}:
        return None
    if lowered.endswith(".json") and (
        "cdk.out" in lowered.replace("\\", "/").split("/") or _CDK.search(head) is not None
    ):
        return "cdk"
    return "cloudformation"


def declares_projects(kind: str, head: str) -> bool:
    """Whether a host file can hold a CodeBuild project (discovery skips those that cannot)."""
    if kind == "terraform":
        return _TERRAFORM.search(head) is not None
    return True


def read_host(kind: str, text: str, size: int) -> HostFile:
    """The projects of a host file's decoded text (`size`: its length in bytes)."""
    limit = MAX_TERRAFORM_BYTES if kind == "terraform" else MAX_TEMPLATE_BYTES
    if size > limit:
        what = (
            "Terraform file" if kind == "terraform" else "template (CloudFormation's limit is 1 MB)"
        )
        return HostFile(
            kind,
            problem=Problem(
                "HS001", f"the {what} is larger than {limit:,} bytes; it is not read", 0, 1
            ),
        )
    if kind == "terraform":
        if RESOURCE_TYPE not in text:
            return HostFile(kind)
        return read_terraform(text)
    json_text = text.lstrip().startswith("{")
    root = parse_json(text) if json_text else parse_tagged(text)
    if isinstance(root, YamlProblem):
        return HostFile(kind, problem=Problem("HS001", root.message, root.offset, root.offset + 1))
    return read_template(root, text, json_text=json_text, kind=kind)

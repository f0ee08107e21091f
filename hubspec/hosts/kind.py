"""Which files are host files: by name and the first 64 KB, without reading them as hosts.

Kept apart from `read` (the template and Terraform readers) so that deciding a buildspec is
not a host file imports none of them.
"""

from __future__ import annotations

import re

RESOURCE_TYPE = "aws_codebuild_project"
"""Terraform's resource type for a CodeBuild project."""
HEAD_BYTES = 64 * 1024
"""How much of a file decides its kind."""

# Patterns as text, compiled (and cached by `re`) when a file first needs them: a lint of
# buildspecs alone never does, and compiling the four took 0.6 ms of every start.
_TEMPLATE = (
    r"(?m)^[\s{]*[\"']?AWSTemplateFormatVersion[\"']?\s*:"
    r"|[\"']?Type[\"']?\s*:\s*[\"']?AWS::CodeBuild::Project"
)
_CDK = r'"aws:cdk:path"|"CDKMetadata"|/cdk-bootstrap/'
"""Marks of a template the AWS CDK synthesized (metadata, the bootstrap version check)."""
_BUILDSPEC_TOP = r"(?m)^(version|phases)\s*:"
_TERRAFORM = r"(?m)^\s*resource\s+\"?" + RESOURCE_TYPE + r"\b"


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
    if "AWSTemplateFormatVersion" not in head and "AWS::CodeBuild::Project" not in head:
        return None  # what _TEMPLATE needs, found without a regex scan of every buildspec
    if re.search(_TEMPLATE, head) is None:
        return None
    if {match.group(1) for match in re.finditer(_BUILDSPEC_TOP, head)} == {"version", "phases"}:
        return None
    if lowered.endswith(".json") and (
        "cdk.out" in lowered.replace("\\", "/").split("/") or re.search(_CDK, head) is not None
    ):
        return "cdk"
    return "cloudformation"


def declares_projects(kind: str, head: str) -> bool:
    """Whether a host file can hold a CodeBuild project (discovery skips those that cannot)."""
    if kind == "terraform":
        return re.search(_TERRAFORM, head) is not None
    return True


def kind_of(display: str, data: bytes) -> str | None:
    """The host kind of a file given as bytes, None for a buildspec."""
    return host_kind(display, data[:HEAD_BYTES].decode("utf-8", errors="replace"))

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

# What marks a template, as patterns that start with a literal: a pattern the regex engine
# must try at every offset (`^...` in multiline mode, an alternation) costs a template more
# than reading it does. The patterns are text, compiled (and cached by `re`) when a file
# first needs them: a lint of buildspecs alone never does.
_VERSION_KEY = r"[\s{]*[\"']?AWSTemplateFormatVersion[\"']?\s*:"
"""`AWSTemplateFormatVersion:` after only spaces and braces on its line (`_version_key`)."""
_PROJECT_TYPE = r"Type[\"']?\s*:\s*[\"']?AWS::CodeBuild::Project"
_CDK_MARKS = ('"aws:cdk:path"', '"CDKMetadata"', "/cdk-bootstrap/")
"""Marks of a template the AWS CDK synthesized (metadata, the bootstrap version check)."""
_TOP_KEY_FIRST = r"(version|phases)\s*:"
_TOP_KEY = r"\n(version|phases)\s*:"
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
        return None  # what the marks need, found without a regex scan of every buildspec
    if not _version_key(head) and re.search(_PROJECT_TYPE, head) is None:
        return None
    if _top_keys(head) == {"version", "phases"}:
        return None
    if lowered.endswith(".json") and (
        "cdk.out" in lowered.replace("\\", "/").split("/")
        or any(mark in head for mark in _CDK_MARKS)
    ):
        return "cdk"
    return "cloudformation"


def _version_key(head: str) -> bool:
    """Whether a line is `AWSTemplateFormatVersion:` after spaces and braces (its line may
    start a few lines up, past blank ones: then it may start on the name's line too)."""
    at = head.find("AWSTemplateFormatVersion")
    while at != -1:
        if re.compile(_VERSION_KEY).match(head, head.rfind("\n", 0, at) + 1) is not None:
            return True
        at = head.find("AWSTemplateFormatVersion", at + 1)
    return False


def _top_keys(head: str) -> set[str]:
    """Which of `version:` and `phases:` start a line (a buildspec's top level)."""
    found = {match.group(1) for match in re.finditer(_TOP_KEY, head)}
    first = re.match(_TOP_KEY_FIRST, head)
    if first is not None:
        found.add(first.group(1))
    return found


def declares_projects(kind: str, head: str) -> bool:
    """Whether a host file can hold a CodeBuild project (discovery skips those that cannot)."""
    if kind == "terraform":
        return re.search(_TERRAFORM, head) is not None
    return True


def text_kind(name: str, text: str) -> str | None:
    """The host kind of a file given as text (an editor buffer), None for a buildspec."""
    return host_kind(name, text[:HEAD_BYTES])


def kind_of(display: str, data: bytes) -> str | None:
    """The host kind of a file given as bytes, None for a buildspec."""
    return host_kind(display, data[:HEAD_BYTES].decode("utf-8", errors="replace"))

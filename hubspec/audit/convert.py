"""A project as `BatchGetProjects` returns it -> the `Project` record and its buildspec.

Pure data: no boto3 here, so the conversion is tested on plain dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hubspec.build.project import Project, ProjectVariable, VariableType
from hubspec.records import record, replace

DEFAULT_BUILDSPEC = "buildspec.yml"
"""What CodeBuild runs when a project with a source names no buildspec."""
SCHEME = "codebuild://"


@record
class AccountProject:
    """One project of the account: its record, where it lives, and its buildspec."""

    project: Project
    region: str
    inline: str | None
    """The buildspec text typed into the project, or None when it lives elsewhere."""
    elsewhere: str | None = None
    """Where a buildspec that is not inline lives (`in source: ci/buildspec.yml`, S3)."""

    @property
    def display(self) -> str:
        """The path findings carry: `codebuild://REGION/PROJECT`."""
        return f"{SCHEME}{self.region}/{self.project.name}"


def from_api(data: Mapping[str, Any], region: str) -> AccountProject:
    """Convert one entry of `BatchGetProjects`' `projects`; unknown or odd values are None."""
    name = str(data.get("name") or "")
    arn = _text(data.get("arn"))
    environment = _mapping(data.get("environment"))
    source = _mapping(data.get("source"))
    credential = _mapping(environment.get("registryCredential"))
    project = Project(
        name=name,
        image=_text(environment.get("image")),
        privileged_mode=bool(environment.get("privilegedMode", False)),
        registry_credential=bool(credential.get("credential")),
        image_pull_credentials_type=_text(environment.get("imagePullCredentialsType")),
        variables=tuple(_variables(environment.get("environmentVariables"))),
        buildspec_path=None,
        arn=arn,
    )
    region = _region_of(arn) or region
    buildspec = _text(source.get("buildspec"))
    if buildspec is not None and buildspec.strip() and _is_inline(buildspec):
        return AccountProject(project, region, buildspec)
    if buildspec is not None and buildspec.strip().startswith("arn:"):
        return AccountProject(project, region, None, f"in S3: {buildspec.strip()}")
    if str(source.get("type", "")) == "NO_SOURCE":
        return AccountProject(project, region, None, "no buildspec and no source")
    path = buildspec.strip() if buildspec and buildspec.strip() else DEFAULT_BUILDSPEC
    project = replace(project, buildspec_path=path)
    return AccountProject(project, region, None, f"in source: {path}")


def _is_inline(buildspec: str) -> bool:
    """A buildspec value is YAML text, a path in the source, or an S3 ARN.

    A path or ARN is one line without a `key:` in it; YAML text has a line break or a colon
    followed by a space (`version: 0.2`), which file names do not.
    """
    text = buildspec.strip()
    if text.startswith("arn:"):
        return False
    return "\n" in text or ": " in text or text.endswith(":") or text.startswith("{")


def _variables(value: object) -> list[ProjectVariable]:
    if not isinstance(value, list):
        return []
    found = []
    for entry in value:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            continue
        try:
            kind = VariableType(str(entry.get("type", "PLAINTEXT")))
        except ValueError:
            continue
        found.append(ProjectVariable(entry["name"], kind, _text(entry.get("value"))))
    return found


def _region_of(arn: str | None) -> str | None:
    """`arn:aws:codebuild:eu-west-1:123456789012:project/name` -> `eu-west-1`."""
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 5 and parts[2] == "codebuild" and parts[3] else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}

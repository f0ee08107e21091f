"""The CodeBuild project a buildspec runs in, as its definition declares it.

A project comes from a CloudFormation/SAM template, CDK output, a Terraform file or the
CodeBuild API; every dialect names the same fields (see DESIGN.md, "Sources"). Values that
the definition does not give as literals (an intrinsic function, a variable) are None:
unknown, never guessed.
"""

from __future__ import annotations

import enum

from hubspec.model import Span
from hubspec.records import record


class VariableType(enum.StrEnum):
    """Where a project environment variable's value comes from."""

    PLAINTEXT = "PLAINTEXT"
    PARAMETER_STORE = "PARAMETER_STORE"
    SECRETS_MANAGER = "SECRETS_MANAGER"

    @property
    def from_store(self) -> bool:
        """Fetched by CodeBuild from a secret store, like the buildspec's env.parameter-store."""
        return self is not VariableType.PLAINTEXT


@record
class ProjectVariable:
    """One `EnvironmentVariables` entry: its value is the store reference for store types."""

    name: str
    type: VariableType = VariableType.PLAINTEXT
    value: str | None = None


@record
class Project:
    """A CodeBuild project: where its build runs and what it hands the build."""

    name: str
    """Logical id (CloudFormation), resource address (Terraform) or project name (API)."""
    image: str | None = None
    privileged_mode: bool | None = False
    registry_credential: bool = False
    image_pull_credentials_type: str | None = None
    variables: tuple[ProjectVariable, ...] = ()
    buildspec_path: str | None = None
    """A buildspec kept in the source repository (`ci/buildspec.yml`), when not inline."""
    arn: str | None = None
    span: Span | None = None
    """Where the definition is written (a template's resource), for findings about it."""
    image_span: Span | None = None
    privileged_span: Span | None = None
    """Where `PrivilegedMode` is set, when it is."""
    docker_server: bool = False
    """Builds use a remote Docker server (`Environment.DockerServer`): a daemon without
    privileged mode."""
    buildspec_inline: bool = False
    """The buildspec is written in the definition itself (not a file in the source)."""

    @property
    def store_variables(self) -> frozenset[str]:
        """Variables CodeBuild fetches from Parameter Store or Secrets Manager."""
        return frozenset(variable.name for variable in self.variables if variable.type.from_store)

"""
## What it does
Reports a buildspec that runs Docker daemon commands (`docker build`, `pull`, `run`, `push`,
`compose`, `buildx`...) in a CodeBuild project that does not turn on privileged mode
(`PrivilegedMode: true`, Terraform `privileged_mode = true`).

## Why is this bad?
Without privileged mode CodeBuild does not run the Docker daemon: every such command fails
with `Cannot connect to the Docker daemon`. Not reported: a project with a remote Docker
server (`DockerServer`), a custom image that starts `dockerd` itself in the buildspec, and
CodeBuild's retired `aws/codebuild/docker:*` images, which ran the daemon without
privileged mode.

## Example
```yaml
  Project:
    Type: AWS::CodeBuild::Project
    Properties:
      Environment:
        Image: aws/codebuild/standard:7.0
      Source:
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - docker build -t app .
```

## Use instead
```yaml
      Environment:
        Image: aws/codebuild/standard:7.0
        PrivilegedMode: true
```

## Fix
Not fixed automatically: privileged mode is a security decision (Security Hub's
CodeBuild.5 flags it), so turn it on by hand where the build needs the daemon.
"""

from __future__ import annotations

from collections.abc import Iterator

from hubspec.model import Severity
from hubspec.rules.base import ProjectDiagnostic, ProjectFacts, Rule, docs_of

DAEMON_IMAGES = ("aws/codebuild/docker:",)
"""CodeBuild's old images "with Docker support" ran the daemon without privileged mode."""


def check_project(facts: ProjectFacts) -> Iterator[ProjectDiagnostic]:
    daemon = facts.daemon
    if daemon is None or daemon.first is None or daemon.starts_daemon:
        return
    if facts.project.privileged_mode is not False or facts.project.docker_server:
        return  # on, or not known (an intrinsic, a variable)
    if (facts.project.image or "").startswith(DAEMON_IMAGES):
        return
    yield ProjectDiagnostic(
        "HS105",
        f"`{daemon.command}` needs the Docker daemon, and project {facts.project.name} does"
        " not set PrivilegedMode: true, so CodeBuild runs no daemon",
        facts.daemon_span or facts.project.span,
        facts.daemon_path,
    )


RULE = Rule(
    code="HS105",
    name="docker-daemon-unavailable",
    severity=Severity.ERROR,
    summary="docker daemon commands in a project without PrivilegedMode",
    docs=docs_of(__doc__),
    project_check=check_project,
)

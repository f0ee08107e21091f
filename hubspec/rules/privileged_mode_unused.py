"""
## What it does
Reports a CodeBuild project with privileged mode on whose buildspec never uses the Docker
daemon.

## Why is this bad?
Privileged mode gives the build container full access to the host's devices. AWS Security
Hub's control CodeBuild.5 flags it; it should be on only where the build needs the daemon.

## Example
```yaml
      Environment:
        Image: aws/codebuild/standard:7.0
        PrivilegedMode: true
      Source:
        BuildSpec: |
          version: 0.2
          phases:
            build:
              commands:
                - npm test
```

## Use instead
```yaml
      Environment:
        Image: aws/codebuild/standard:7.0
```

## Fix
Not fixed automatically: remove `PrivilegedMode: true` once nothing needs the daemon
(a script the buildspec runs may use it where hubspec cannot see).
"""

from __future__ import annotations

from collections.abc import Iterator

from hubspec.model import Severity
from hubspec.rules.base import ProjectDiagnostic, ProjectFacts, Rule, docs_of


def check_project(facts: ProjectFacts) -> Iterator[ProjectDiagnostic]:
    daemon = facts.daemon
    if facts.project.privileged_mode is not True or daemon is None:
        return
    if daemon.first is not None or daemon.starts_daemon:
        return
    yield ProjectDiagnostic(
        "HS106",
        f"project {facts.project.name} runs in privileged mode, but its buildspec runs no"
        " docker daemon command",
        facts.project.privileged_span or facts.project.span,
    )


RULE = Rule(
    code="HS106",
    name="privileged-mode-unused",
    severity=Severity.INFO,
    summary="privileged mode on, and nothing uses the daemon",
    docs=docs_of(__doc__),
    project_check=check_project,
)

"""
## What it does
Reports a `docker login` whose password or token variable is not defined under
`env.parameter-store` or `env.secrets-manager` in the buildspec: it is a plain
`env.variables` entry, or not defined in the buildspec at all.

## Why is this bad?
A token in a plain variable is stored unencrypted and shown in the console; a variable
defined only in the CodeBuild project is invisible to reviewers of the buildspec and may be
a plaintext project variable. Secret-store values are encrypted at rest and masked in logs.

## Example
```yaml
env:
  variables:
    DOCKER_USER: myuser
phases:
  pre_build:
    commands:
      - echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin
```

## Use instead
```yaml
env:
  variables:
    DOCKER_USER: myuser
  parameter-store:
    DOCKER_TOKEN: dockerhub-token
```

## Fix
Not fixed automatically: add the variable under `parameter-store` (or `secrets-manager`).
A variable the CodeBuild project defines with type PARAMETER_STORE or SECRETS_MANAGER
counts as stored when hubspec lints the project (a template or Terraform file); for a
buildspec file linted alone, suppress the finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext

STORES = ("parameter-store", "secrets-manager")
BUILTIN = frozenset({"CODEBUILD_SRC_DIR", "HOME", "PWD"})


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.events.model import Login

    model = context.analysis.model
    stored = context.store_variables
    plain = model.defined("variables")
    assigned = context.analysis.assigned
    for event in context.analysis.events:
        if not isinstance(event, Login) or not event.hub:
            continue
        for name in event.password_variables:
            if name in stored or name in BUILTIN or name in assigned:
                continue
            where = (
                "is a plain env.variables value"
                if name in plain
                else "is not defined in the buildspec"
                if context.project is None
                else "neither the buildspec nor the project defines from a secret store"
            )
            yield Diagnostic(
                "HS203",
                f"the Docker Hub login reads ${name}, which {where}; define it under"
                " env.parameter-store or env.secrets-manager",
                event.place.start,
                event.place.end,
            )


RULE = Rule(
    code="HS203",
    name="login-secret-not-from-store",
    severity=Severity.WARNING,
    summary="the login reads a variable that no secret store defines",
    docs=docs_of(__doc__),
    check=check,
)

"""
## What it does
Reports a `docker login` whose password or token variable is not defined under
`env.parameter-store` or `env.secrets-manager` in the buildspec: it is a plain
`env.variables` entry, or not defined in the buildspec at all. When the CodeBuild project is
known (an infrastructure-code template, `hubspec audit`), its variables of type
PARAMETER_STORE or SECRETS_MANAGER count as stored and a PLAINTEXT one as plain.

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
If the CodeBuild project defines it with type PARAMETER_STORE or SECRETS_MANAGER, suppress
the finding.
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
    stored = set(model.defined(*STORES))
    plain = set(model.defined("variables"))
    project_plain: set[str] = set()
    if context.project is not None:  # a project variable wins over the buildspec's
        for variable in context.project.variables:
            if variable.type.from_store:
                stored.add(variable.name)
            else:
                stored.discard(variable.name)
                project_plain.add(variable.name)
    assigned = context.analysis.assigned
    for event in context.analysis.events:
        if not isinstance(event, Login) or not event.hub:
            continue
        for name in event.password_variables:
            if name in stored or name in BUILTIN or name in assigned:
                continue
            if name in project_plain:
                where = "is a PLAINTEXT variable of the CodeBuild project"
            elif name in plain:
                where = "is a plain env.variables value"
            else:
                where = "is not defined in the buildspec"
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

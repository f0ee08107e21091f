"""
## What it does
Reports a password, token, secret or key written as a literal value in `env.variables`
(or 0.1 `environment_variables.plaintext`), or held by a CodeBuild project's environment
variable of type PLAINTEXT (`hubspec audit`). The value itself is never printed.

## Why is this bad?
The buildspec is committed to the repository, so the secret is readable by everyone with
access to it, forever (it stays in git history), and CodeBuild shows plain variables in the
console and does not mask them in logs.

## Example
```yaml
env:
  variables:
    DOCKER_TOKEN: dckr_pat_2b3e...
```

A project's environment variables (`hubspec audit`):
```text
DOCKER_TOKEN  PLAINTEXT  dckr_pat_2b3e...
```

## Use instead
```yaml
env:
  parameter-store:
    DOCKER_TOKEN: dockerhub-token
```

## Fix
Not fixed automatically: move the value to Parameter Store (`aws ssm put-parameter --type
SecureString`) or Secrets Manager, reference it under `parameter-store`/`secrets-manager`,
and revoke the exposed secret. A project variable: change its type to PARAMETER_STORE
(value: the parameter's name) or SECRETS_MANAGER.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.facts.secrets import MASK, looks_like_secret, plaintext_secrets
from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, ProjectDiagnostic, ProjectFacts, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    for entry in context.analysis.model.env:
        if entry.section != "variables" or isinstance(entry.value.value, bool):
            continue
        if looks_like_secret(entry.name, entry.literal):
            yield Diagnostic(
                "HS202",
                f"{entry.name} holds a literal secret in env.variables (value not shown);"
                " keep it in parameter-store or secrets-manager",
                entry.value.start,
                entry.value.end,
            )


def check_project(facts: ProjectFacts) -> Iterator[ProjectDiagnostic]:
    project = facts.project
    for variable in plaintext_secrets(project):
        yield ProjectDiagnostic(
            "HS202",
            f"project environment variable {variable.name}={MASK} holds a literal secret"
            " (type PLAINTEXT); make it PARAMETER_STORE or SECRETS_MANAGER",
            project.span,  # the project's definition in a template; None from the API (1:1)
        )


RULE = Rule(
    code="HS202",
    name="plaintext-credential",
    severity=Severity.ERROR,
    summary="a password/token literal in env.variables instead of a secret store",
    docs=docs_of(__doc__),
    check=check,
    project_check=check_project,
)

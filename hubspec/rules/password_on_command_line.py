"""
## What it does
Reports `docker login -p SECRET` and `docker login --password SECRET`.

## Why is this bad?
A password on the command line is visible to every process on the host (`ps`), may be
written to shell history and build logs, and the docker CLI itself warns against it.
CodeBuild masks Parameter Store values in logs only where it recognises them.

## Example
```yaml
      - docker login -u "$DOCKER_USER" -p "$DOCKER_TOKEN"
```

## Use instead
```yaml
      - echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin
```

## Fix
Not fixed automatically yet: pipe the secret into `--password-stdin` as above.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.events.model import Login

    for event in context.analysis.events:
        if isinstance(event, Login) and event.password_span is not None:
            start, end = event.password_span
            registry = "Docker Hub" if event.hub else (event.server or "the registry")
            yield Diagnostic(
                "HS201",
                f"docker login to {registry} passes the password on the command line;"
                " pipe it into --password-stdin instead",
                start,
                end,
            )


RULE = Rule(
    code="HS201",
    name="password-on-command-line",
    severity=Severity.ERROR,
    summary="docker login -p/--password puts the secret in process lists and logs",
    docs=docs_of(__doc__),
    check=check,
)

"""
## What it does
Reports a command that may pull from Docker Hub but that hubspec could not follow: an image
or Dockerfile path built from a variable the buildspec does not define, a Dockerfile, script
or compose file that is not in the repository, one the build downloads or writes itself
(`curl -o`, `> Dockerfile`, `>> build.env`), a Dockerfile read from stdin, `FROM $BASE`
without a default, or a command that is not valid shell. Only reported while no Docker Hub
login is in effect (after a login, every Hub pull is covered anyway).

## Why is this bad?
hubspec cannot tell whether the command pulls from Docker Hub, so a pull without login may
be missed and the build may still hit the rate limit.

## Example
```yaml
phases:
  build:
    commands:
      - docker build -f "$DOCKERFILE" .   # DOCKERFILE is set in the CodeBuild project
```

## Use instead
```yaml
env:
  variables:
    DOCKERFILE: docker/Dockerfile
phases:
  build:
    commands:
      - docker build -f "$DOCKERFILE" .
```

## Fix
Not fixable automatically. Define the variable in `env.variables`, or log in to Docker Hub
before the command (which makes the question moot), or suppress the finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    from hubspec.events.model import Unresolved, with_login_state

    seen: set[int] = set()
    for event, logged_in in with_login_state(context.analysis.events):
        if not isinstance(event, Unresolved) or logged_in:
            continue
        if event.place.start in seen:
            continue
        seen.add(event.place.start)
        yield Diagnostic(
            "HS103",
            f"cannot tell whether this pulls from Docker Hub: {event.reason}",
            event.place.start,
            event.place.end,
            notes=event.place.note(),
        )


RULE = Rule(
    code="HS103",
    name="unresolved-image",
    severity=Severity.WARNING,
    summary="an image, Dockerfile or compose file hubspec could not resolve",
    docs=docs_of(__doc__),
    check=check,
)

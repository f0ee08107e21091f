"""
## What it does
Reports keys CodeBuild does not know: a misspelt phase, an unknown key at the top level, in
`env`, in a phase, in `artifacts`, `cache`, `reports` or `batch`. Suggests the key you
probably meant.

## Why is this bad?
CodeBuild only logs "The following keys cannot be identified" and goes on, so the build
passes while the key does nothing. A phase named `prebuild` never runs; `env: variable:`
defines no variable.

## Example
```yaml
version: 0.2
phases:
  prebuild:
    commands:
      - echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin
```

## Use instead
```yaml
version: 0.2
phases:
  pre_build:
    commands:
      - echo "$DOCKER_TOKEN" | docker login --username "$DOCKER_USER" --password-stdin
```

## Fix
Not fixable automatically; the message names the likely intended key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of
from hubspec.schema.check import UNKNOWN_KEY

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    for issue in context.schema_issues:
        if issue.kind == UNKNOWN_KEY:
            yield Diagnostic("HS003", issue.message, issue.start, issue.end)


RULE = Rule(
    code="HS003",
    name="unknown-key",
    severity=Severity.WARNING,
    summary="a key CodeBuild does not know",
    docs=docs_of(__doc__),
    check=check,
)

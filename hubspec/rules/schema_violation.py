"""
## What it does
Validates the buildspec against hubspec's complete JSON Schema for buildspec versions 0.1 and
0.2 and reports every value of the wrong type, every value CodeBuild does not accept and every
missing required key, at the line and column of the offending value.

## Why is this bad?
CodeBuild rejects such a buildspec when the build starts (`YAML_FILE_ERROR`), after the build
has been queued and the environment provisioned. The commonest case is a command that
contains `: ` without quotes: YAML reads it as a mapping, not a string.

## Example
```yaml
version: 0.2
phases:
  build:
    commands:
      - echo Build started on: $(date)
```

## Use instead
```yaml
version: 0.2
phases:
  build:
    commands:
      - 'echo Build started on: $(date)'
```

## Fix
Not fixable automatically; the message names the path and what is expected there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hubspec.model import Severity
from hubspec.rules.base import Diagnostic, Rule, docs_of
from hubspec.schema.check import VIOLATION

if TYPE_CHECKING:
    from hubspec.facts.context import LintContext


def check(context: LintContext) -> Iterator[Diagnostic]:
    for issue in context.schema_issues:
        if issue.kind == VIOLATION:
            yield Diagnostic("HS002", issue.message, issue.start, issue.end)


RULE = Rule(
    code="HS002",
    name="schema-violation",
    severity=Severity.ERROR,
    summary="the buildspec breaks the schema",
    docs=docs_of(__doc__),
    check=check,
)

"""
## What it does
Reports a `# hubspec: ignore[...]` or `# hubspec: ignore-file[...]` comment that suppresses
nothing: no finding of the named rules is on the line it covers.

## Why is this bad?
A stale suppression hides the next real problem on that line, and tells readers about a
problem that is gone. It usually stays behind after the code it excused was fixed.

## Example
```yaml
phases:
  pre_build:
    commands:
      - echo "$DOCKER_TOKEN" | docker login -u "$DOCKER_USER" --password-stdin
  build:
    commands:
      - docker build -t app .  # hubspec: ignore[HS101] base image is on ECR now
```

## Use instead
```yaml
  build:
    commands:
      - docker build -t app .
```

## Fix
`hubspec fix` deletes the comment (the whole line when it stands alone). `--no-ignores`
shows every finding regardless of suppressions, for audits.
"""

from __future__ import annotations

from hubspec.model import Severity
from hubspec.rules.base import Rule, docs_of

RULE = Rule(
    code="HS004",
    name="unused-suppression",
    severity=Severity.WARNING,
    summary="a hubspec: ignore comment that suppresses nothing",
    docs=docs_of(__doc__),
    fixable=True,
)

"""
## What it does
Reports a buildspec that CodeBuild cannot read as one YAML mapping: a syntax error, a file
that is not UTF-8, several documents, a root that is not a mapping, an empty file, duplicate
keys, YAML tags that are not plain data, nesting past 64 levels or aliases that expand past
100,000 nodes.

## Why is this bad?
CodeBuild stops the build with `YAML_FILE_ERROR` before the first command runs. Duplicate keys
are worse: many YAML readers silently keep one of the two values, so half of a phase may
never run. Nothing else can be checked in a file that does not parse.

## Example
```yaml
version: 0.2
phases:
  build:
    commands:
      - docker build -t app .
  build:
    commands:
      - docker push app
```

## Use instead
```yaml
version: 0.2
phases:
  build:
    commands:
      - docker build -t app .
      - docker push app
```

## Fix
Not fixable automatically: hubspec cannot know which of two values you meant.
"""

from __future__ import annotations

from hubspec.model import Severity
from hubspec.rules.base import Rule, docs_of

RULE = Rule(
    code="HS001",
    name="invalid-yaml",
    severity=Severity.ERROR,
    summary="the file is not one valid YAML mapping",
    docs=docs_of(__doc__),
)

"""
## What it does
Notes a CodeBuild project whose buildspec hubspec cannot read: a `!Ref` of a template
parameter, a Terraform variable or conditional, an S3 object, an intrinsic function hubspec
does not know; or a buildspec file the project names that is not in the source root (often:
the project builds another repository), or that lies outside it (`../`, a symlink out),
which hubspec never reads.

## Why is this bad?
It is not bad in itself, but hubspec does not lint that buildspec, so a Docker Hub pull
without login in it goes unreported. Lint the buildspec file itself as well.

## Example
```yaml
      Source:
        BuildSpec: !Ref BuildSpecParameter
```

## Use instead
```yaml
      Source:
        BuildSpec: ci/buildspec.yml
```

## Fix
Not fixable: write the buildspec inline or as a path in the source, or lint the file the
parameter names with `hubspec lint`.
"""

from __future__ import annotations

from hubspec.model import Severity
from hubspec.rules.base import Rule, docs_of

RULE = Rule(
    code="HS005",
    name="unresolved-buildspec",
    severity=Severity.INFO,
    summary="a project's buildspec cannot be read (not known statically, missing, or outside"
    " the source root), so it is not linted",
    docs=docs_of(__doc__),
)

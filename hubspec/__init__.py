"""hubspec: lint and fix AWS CodeBuild buildspecs so Docker Hub pulls run logged in."""

from __future__ import annotations

__version__ = "0.1.0"

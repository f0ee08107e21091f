"""Entry point for `python -m hubspec`."""

from __future__ import annotations

from hubspec.entry import console

console()

"""Entry point for `python -m hubspec`."""

from __future__ import annotations

from hubspec.cli import main

main()

"""The followers the walk asks, in order, whether a command runs commands from a file."""

from __future__ import annotations

from hubspec.events.follow import Follower
from hubspec.events.scripts import SHELLS, SOURCING, follow_script

FOLLOWERS: tuple[Follower, ...] = (follow_script,)
PROGRAMS: frozenset[str] = SHELLS | SOURCING
"""Program names (without a folder) some follower may claim; a command whose program is none
of these, not a path (`./x.sh`) and not a wrapper (`sudo ...`) is not offered to followers."""

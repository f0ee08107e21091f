"""What `make` would run: a Makefile reader for the events walk.

Takes a make command line, the directory it runs in and the reader of files under the
source root; hands on the recipe lines make runs, in make's order, each with its Makefile and
line, and what it could not expand (unknown: a pull may be missed, never a guess).
Pure functions over text: files come only through the reader the walk passes in.
"""

from hubspec.events.make.maker import UNKNOWN_STAND_IN, UNKNOWN_VARIABLE, RecipeLine
from hubspec.events.make.run import MakeProblem, MakeRun, make_run

__all__ = [
    "UNKNOWN_STAND_IN",
    "UNKNOWN_VARIABLE",
    "MakeProblem",
    "MakeRun",
    "RecipeLine",
    "make_run",
]

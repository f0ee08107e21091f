"""Compose env files (`.env`, `--env-file`) read as compose-go's dotenv parser reads them."""

from __future__ import annotations

import pytest

from hubspec.docker.dotenv import read_dotenv


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("A=1\nB=two words\n", {"A": "1", "B": "two words"}),
        ("# comment\n\n  export A=1\nB = 2 \n", {"A": "1", "B": "2"}),
        ("A=x # a comment\nB=x#not a comment\n", {"A": "x", "B": "x#not a comment"}),
        ("A='$B \\n # kept'\n", {"A": "$B \\n # kept"}),
        ('A="line\\nnext \\"q\\" \\\\"\n', {"A": 'line\nnext "q" \\'}),
        ('A="first\nsecond"\nB=3\n', {"A": "first\nsecond", "B": "3"}),
        ("A=\nB=''\n", {"A": "", "B": ""}),
        ("A: 1\n", {"A": "1"}),
        ("REGISTRY=ecr.example\nIMAGE=${REGISTRY}/app:${TAG:-1}\n", {
            "REGISTRY": "ecr.example", "IMAGE": "ecr.example/app:1"}),
        ("IMAGE=$HOME/x\nOTHER=${SECRET}-y\nPLAIN=${NOT_SET}\n", {
            "IMAGE": "/root/x", "OTHER": None, "PLAIN": None}),
        ("HOME\nSECRET\nNOT_SET\n", {"HOME": "/root", "SECRET": None}),
        ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ],
)  # fmt: skip
def test_values(text: str, values: dict[str, str | None]) -> None:
    """The environment (HOME known, SECRET set to an unknown value) is seen first; a name
    nobody sets makes a plain `${NAME}` unknown, since the project may set it."""
    found, problem = read_dotenv(text, {"HOME": "/root", "SECRET": None})
    assert problem is None
    assert found == values


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("A=1\nB='open\n", (2, "the value's ' is not closed")),
        ('A="x" y\n', (1, "unexpected text after the quoted value: 'y'")),
        ("A B=1\n", (1, "unexpected character 'B' after A")),
        ("=1\n", (1, "expected a variable name")),
    ],
)
def test_problems(text: str, problem: tuple[int, str]) -> None:
    """What compose refuses: the line and why, and the values read before it."""
    found, found_problem = read_dotenv(text, {})
    assert found_problem == problem
    assert found == ({"A": "1"} if text.startswith("A=1\n") else {})

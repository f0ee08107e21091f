"""Differential fuzzing of ruamel.yaml's pure parser against libyaml's (ruamel.yaml.clib).

hubspec/load/document.py builds its tree from libyaml's events where they are known to match the
pure parser's and from the pure parser's everywhere else. This module compares the two on
one text at two levels:

- raw events (`event_difference`): the full event stream of each parser, every field and
  every mark (index, line, column), with no pre-check; the differences are sorted into
  named classes, which `_c_events` in hubspec/load/document.py handles one by one;
- hubspec's result (`parse_signature`): the Node tree (all fields and offsets) or the
  YamlProblem that `document.parse` gives via the fast path and with the pure parser alone.
  These must always be equal.

Used by tests/test_yaml_parsers.py (bounded) and by hand for counts of each class:
`python tests/fuzz/yaml_parsers.py --examples 20000`.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # run as a script: `fuzz` imports from tests/

from fuzz import targets  # noqa: E402
from hubspec.load import document  # noqa: E402
from hubspec.load.document import Node  # noqa: E402
from hubspec.load.source import Source, YamlProblem, decode  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Raw event streams.

EOF_LINE_COLUMN = "line/column at the end of a text without a final line break"


def event_tuple(event: Any) -> tuple[Any, ...]:
    """Every field of an event; plain style is None in ruamel and '' in libyaml."""
    tag = getattr(event, "tag", None)
    start, end = event.start_mark, event.end_mark
    return (
        type(event).__name__,
        getattr(event, "value", None),
        getattr(event, "style", None) or None,
        None if tag is None else str(tag),
        getattr(event, "anchor", None),
        getattr(event, "implicit", None),
        getattr(event, "flow_style", None),
        getattr(event, "explicit", None),
        getattr(event, "version", None),
        getattr(event, "tags", None),
        start.index,
        start.line,
        start.column,
        end.index,
        end.line,
        end.column,
    )


FIELDS = (
    "type",
    "value",
    "style",
    "tag",
    "anchor",
    "implicit",
    "flow_style",
    "explicit",
    "version",
    "tags",
    "start.index",
    "start.line",
    "start.column",
    "end.index",
    "end.line",
    "end.column",
)


def pure_events(text: str) -> list[tuple[Any, ...]] | Exception:
    from ruamel.yaml import YAML

    try:
        return [event_tuple(event) for event in YAML(typ="safe", pure=True).parse(text)]
    except Exception as error:
        return error


def c_events(text: str) -> list[tuple[Any, ...]] | Exception:
    from _ruamel_yaml import CParser

    parser = CParser(text)
    events: list[tuple[Any, ...]] = []
    try:
        while (event := parser.get_event()) is not None:
            events.append(event_tuple(event))
    except Exception as error:
        return error
    finally:
        parser.dispose()
    return events


def event_difference(text: str) -> set[str]:
    """Named classes of difference between the two parsers' events; empty when equal.

    Events are compared up to the first difference in more than line and column: what
    follows it is a consequence.
    """
    return events_difference(text, pure_events(text), c_events(text))


def events_difference(
    text: str,
    pure: list[tuple[Any, ...]] | Exception,
    fast: list[tuple[Any, ...]] | Exception,
) -> set[str]:
    """Named classes of difference between two event streams of `text` (see above)."""
    if isinstance(pure, Exception) and isinstance(fast, Exception):
        return set()
    if isinstance(fast, Exception):
        return {"libyaml refuses, ruamel accepts"}
    if isinstance(pure, Exception):
        return {"ruamel refuses, libyaml accepts: " + _refusal_class(text, pure)}
    classes: set[str] = set()
    for a, b in zip(pure, fast, strict=False):
        if a == b:
            continue
        fields = {FIELDS[i] for i in range(len(a)) if a[i] != b[i]}
        found = re.search(document._PURE_ONLY, text)
        if found is not None and document._pure_only(text):
            return {f"pre-checked: {found.group()!r}"}
        if fields <= {"start.line", "start.column", "end.line", "end.column"}:
            at_end = a[10] == len(text) and not text.endswith(("\n", "\r"))
            classes.add(EOF_LINE_COLUMN if at_end else "line/column elsewhere")
            continue
        if a[0] == "ScalarEvent" and b[10] == b[13] and a[1] == "":
            classes.add("empty scalar marked elsewhere")
        else:
            classes.add(f"{a[0]}: {', '.join(sorted(fields))}")
        return classes
    if len(pure) != len(fast):
        classes.add("different number of events")
    return classes


def _refusal_class(text: str, error: Exception | None) -> str:
    found = re.search(document._PURE_ONLY, text)
    if found is not None:
        return f" (pre-checked: {found.group()!r})"
    if error is None:
        return ""
    return str(getattr(error, "problem", None) or error).splitlines()[0]


# ---------------------------------------------------------------------------------------------
# hubspec's result by both paths.


def _shape(node: Node, order: dict[int, int]) -> tuple[Any, ...]:
    if id(node) in order:
        return ("alias of", order[id(node)])
    order[id(node)] = len(order)
    return (
        node.kind,
        node.tag,
        node.start,
        node.end,
        type(node.value).__name__,
        repr(node.value),
        node.style,
        node.flow,
        node.anchor,
        tuple((_shape(key, order), _shape(value, order)) for key, value in node.pairs),
        tuple(_shape(item, order) for item in node.items),
    )


def signature(result: document.Document | YamlProblem) -> tuple[Any, ...]:
    """All of a parse result: every Node field, shared (aliased) nodes, data, layout facts."""
    if isinstance(result, YamlProblem):
        return ("problem", result.message, result.offset)
    order: dict[int, int] = {}
    root = _shape(result.root, order)
    return (
        "document",
        result.path,
        result.text,
        result.bom,
        result.newline,
        root,
        repr(result.data),
        tuple(result.line_starts),
        tuple(sorted(order.get(target, -1) for target in result.alias_targets)),
    )


def parse_pure(decoded: Source) -> document.Document | YamlProblem:
    with mock.patch.object(document, "_c_events", lambda text: None):
        return document.parse("buildspec.yml", decoded)


def parse_default(decoded: Source) -> document.Document | YamlProblem:
    return document.parse("buildspec.yml", decoded)


def decoded_of(data: bytes | str) -> Source | None:
    result = decode(data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data)
    return result if result.problem is None else None


# ---------------------------------------------------------------------------------------------
# Inputs.

PLAIN = (
    "x",
    "hello world",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "~",
    "null",
    "Null",
    "true",
    "False",
    "0x1F",
    "0o17",
    "017",
    "0b101",
    "1_000",
    "-1",
    "+12",
    "0.2",
    "+1.5e3",
    "1e3",
    ".inf",
    "-.Inf",
    ".nan",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "12:30:00",
    "1:20",
    "é",
    "ключ",
    "日本語",
    "\U0001f433 whale",
    "\U0001f600",
    "a:b",
    "a#b",
    "-x",
    "?x",
    ":x",
    "50%",
    "x" * 1100,
    "docker pull node:20",
    "echo $(date) ${X:-y}",
    "a  b",
    "<<",
    "=",
    "@x",
)
KEYS = ("a", "b", "version", "phases", "commands", "é", "ключ", "\U0001f433", "<<", "1", "x y")
DOUBLE_ESCAPES = (
    "\\n",
    "\\t",
    "\\\t",
    "\\x41",
    "\\u00e9",
    "\\U0001F600",
    "\\/",
    "\\\\",
    '\\"',
    "\\0",
    "\\a",
    "\\b",
    "\\e",
    "\\f",
    "\\r",
    "\\v",
    "\\N",
    "\\_",
    "\\L",
    "\\P",
    "\\ ",
    " ",
    "'",
    "#",
    ": ",
)
TEXT_POOL = (
    *"abc xyz:#'\"\\-?[]{},&*!|>%@`~",
    *" \t\n\r\x85\u2028\u2029\ufeff\x07\x1b\x7f\x9f\xa0\ufffd\ue000",
    "é",
    "\u00df",
    "\u4e2d",
    "\U0001f433",
    "\U0001f600",
    "\\u00e9",
)
PLAIN_MORE = ("more words", "", "x: y", "# not a comment", "- x", "é\U0001f600", "trail  ")
BLOCK_LINES = (
    "   ",
    "      ",
    "text",
    "more words",
    "",
    "",
    " lead",
    "  deeper",
    "é\U0001f600",
    "trail  ",
    "# not a comment",
    "- x",
    "a: b",
)
TAGS = (
    "!!str ",
    "!!int ",
    "!!bool ",
    "!!null ",
    "!!float ",
    "!!map ",
    "!!seq ",
    "! ",
    "!local ",
    "!<tag:yaml.org,2002:str> ",
    "!!binary ",
)
HEADS = (
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "---\n",
    "---\n",
    "--- # c\n",
    "%YAML 1.2\n---\n",
    "%YAML 1.1\n---\n",
    "# c\n\n",
)
TAILS = ("", "", "", "", "...\n", "---\nb: 2\n", "\n\n", "# end\n", "... # c\n")
SPECIAL = (
    "\t",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\x07",
    "\x1b",
    "\x7f",
    "\x80",
    "\x9f",
    "\xa0",
    "\ud7ff",
    "\ue000",
    "\ufffd",
    "\ufffe",
    "\U0001f433",
    "é",
    ":",
    ": ",
    "- ",
    "? ",
    "#",
    " #",
    "'",
    '"',
    "\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "! ",
    "!x ",
    "|",
    ">",
    "|-",
    ">+2",
    "---",
    "--- ",
    "...",
    "%YAML 1.1\n",
    "%YAML 1.2\n",
    "%TAG !e! tag:e.com,2000:\n",
    "%FOO bar\n",
    "<<: *a\n",
    "x" * 1100,
)


class _Writer:
    """Writes a random YAML document line by line, in many styles, from one random generator.

    One `random.Random` (drawn by hypothesis, so runs replay) instead of a hypothesis draw for
    every choice: drawing is what made generation slow.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.anchors: list[str] = []
        self.lines: list[str] = []

    def flag(self, percent: int) -> bool:
        return self.rng.randrange(100) < percent

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    def picks(self, options: Sequence[str], most: int) -> list[str]:
        return self.rng.choices(options, k=self.rng.randint(0, most))

    def properties(self) -> str:
        text = ""
        if self.flag(12):
            name = self.pick(("a", "b", "x1", "long-anchor_name"))
            self.anchors.append(name)
            text += f"&{name} "
        if self.flag(2):
            text += self.pick(TAGS)
        return text

    def comment(self) -> str:
        return self.pick(("", "", "", "", " # c", "  #é😀 note", " #"))

    def scalar(self, indent: int, in_flow: bool) -> tuple[str, list[str]]:
        """The scalar's text on its own line and the lines that follow it (block scalars)."""
        kind = self.pick(("plain", "plain", "plain", "single", "double", "block", "text"))
        if self.flag(3):
            kind = "empty"
        if in_flow and kind == "block":
            kind = "double"
        if kind == "plain":
            if in_flow or not self.flag(15):
                return self.pick(PLAIN), []
            pad = " " * (indent + self.rng.randint(1, 3))
            return self.pick(PLAIN), [
                pad + line if line else "" for line in self.picks(PLAIN_MORE, 3)
            ]
        if kind == "empty":
            return "", []
        continuation = "\n" + " " * (indent + 2)
        if kind == "text":
            value = "".join(self.picks(TEXT_POOL, 12))
            style = self.pick(("single", "double", "raw"))
            if style == "single":
                return "'" + value.replace("'", "''") + "'", []
            if style == "double":
                return json.dumps(value, ensure_ascii=self.flag(50)), []
            return value, []
        if kind == "single":
            body = "".join(self.picks(("x", "''", " ", "é", "#", ": ", "\n", "  \n", "\n\n"), 6))
            return "'" + body.replace("\n", continuation) + "'", []
        if kind == "double":
            body = "".join(self.picks((*DOUBLE_ESCAPES, "x", "\\\n", "\n"), 6))
            return '"' + body.replace("\n", continuation) + '"', []
        extra = self.rng.randint(1, 4)
        explicit = self.flag(25)
        indicator = str(extra) if explicit else ""
        chomp = self.pick(("", "-", "+"))
        header = self.pick(("|", ">")) + (indicator + chomp if self.flag(50) else chomp + indicator)
        lines = self.picks(BLOCK_LINES, 6)
        if not explicit and lines:
            lines[0] = lines[0].lstrip() or "text"
        body = [" " * (indent + extra) + line if line else "" for line in lines]
        if self.flag(20):
            body.append("")
        return header + self.comment(), body

    def flow(self, depth: int, indent: int) -> str:
        if depth > 2 or self.flag(40):
            if self.anchors and self.flag(10):
                return "*" + self.pick(self.anchors)
            text, _ = self.scalar(indent, True)
            return self.properties() + text
        items = []
        mapping = self.flag(50)
        for _ in range(self.rng.randint(0, 3)):
            if mapping or self.flag(10):
                key, _ = self.scalar(indent, True)
                if self.flag(10):
                    items.append("? " + key)
                else:
                    separator = self.pick((": ", ":", " : "))
                    items.append(key + separator + self.flow(depth + 1, indent))
            else:
                items.append(self.flow(depth + 1, indent))
        joiner = self.pick((", ", ",", " , ", ",\n" + " " * (indent + 1)))
        trailing = "," if items and self.flag(15) else ""
        opening, closing = ("{", "}") if mapping else ("[", "]")
        return self.properties() + opening + joiner.join(items) + trailing + closing

    def value(self, prefix: str, indent: int, depth: int) -> None:
        """Append the lines of a node that follows `prefix` ("key:", "-", "---")."""
        choice = 0 if depth > 2 else self.rng.randint(0, 9)
        if choice <= 3:
            if self.anchors and self.flag(10):
                self.lines.append(f"{prefix} *{self.pick(self.anchors)}{self.comment()}")
                return
            properties = self.properties()
            text, following = self.scalar(indent, False)
            separator = " " if (text or properties) else ""
            self.lines.append(f"{prefix}{separator}{properties}{text}".rstrip(" ") + self.comment())
            self.lines.extend(following)
            return
        if choice == 4:
            self.lines.append(f"{prefix} {self.flow(0, indent)}{self.comment()}")
            return
        properties = self.properties().rstrip()
        self.lines.append(f"{prefix}{' ' + properties if properties else ''}{self.comment()}")
        child = indent + self.rng.choice((1, 2, 4))
        if choice <= 7:
            self.mapping(child, depth + 1)
        else:
            indentless = prefix.endswith(":") and self.flag(40)
            self.sequence(indent if indentless else child, depth + 1)

    def mapping(self, indent: int, depth: int) -> None:
        pad = " " * indent
        for _ in range(self.rng.randint(1, 3)):
            self.extras(pad)
            key, _ = self.scalar(indent, True)
            if self.flag(30):
                key = self.pick(KEYS)
            if self.flag(8):
                self.lines.append(f"{pad}? {key}")
                self.value(f"{pad}:", indent, depth)
            else:
                self.value(f"{pad}{self.properties()}{key}:", indent, depth)

    def sequence(self, indent: int, depth: int) -> None:
        pad = " " * indent
        for _ in range(self.rng.randint(1, 3)):
            self.extras(pad)
            if self.flag(15):
                key, _ = self.scalar(indent + 2, True)
                self.value(f"{pad}- {key}:", indent + 2, depth + 1)
            elif self.flag(8) and depth < 2:
                self.lines.append(f"{pad}- - {self.pick(PLAIN)}")
                self.sequence(indent + 2, depth + 1)
            else:
                self.value(f"{pad}-", indent, depth)

    def extras(self, pad: str) -> None:
        if self.flag(8):
            self.lines.append("")
        if self.flag(8):
            self.lines.append(pad + "# a comment line")


@st.composite
def yaml_document(draw: st.DrawFn) -> str:
    """A YAML text of varied styles; most parse, some are broken by an inserted character."""
    rng = draw(st.randoms(use_true_random=False))
    writer = _Writer(rng)
    head = writer.pick(HEADS)
    top = rng.randint(0, 9)
    if top <= 6:
        writer.mapping(0, 0)
    elif top == 7:
        writer.sequence(0, 0)
    elif top == 8:
        writer.lines.append(writer.flow(0, 0))
    else:
        writer.value("---", 0, 0)
    tail = writer.pick(TAILS)
    text = head + "\n".join(writer.lines) + ("\n" if writer.flag(80) else "") + tail
    text = text.replace("\n", writer.pick(("\n", "\n", "\n", "\r\n", "\r\n", "\r")))
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        at = rng.randint(0, len(text))
        text = text[:at] + writer.pick(SPECIAL) + text[at:]
    return text


def _texts(strategy: st.SearchStrategy[bytes]) -> st.SearchStrategy[str]:
    return strategy.map(lambda data: data.decode("utf-8", errors="replace"))


def yaml_texts() -> st.SearchStrategy[str]:
    """Generated documents, mutated real buildspecs and token soup."""
    return st.one_of(
        yaml_document(),
        yaml_document(),
        yaml_document(),
        _texts(targets.mutated(targets.buildspec_seeds)),
        _texts(targets.structured_buildspec()),
        _texts(targets.yamlish_text()),
        st.lists(st.sampled_from(TEXT_POOL), max_size=40).map("".join),
    )


# ---------------------------------------------------------------------------------------------
# Running by hand.


def fixture_and_corpus_texts() -> Iterator[tuple[str, bytes]]:
    for base in (targets.FIXTURES, targets.CORPUS):
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.is_file() and (base == targets.CORPUS or path.suffix in (".yml", ".yaml")):
                yield str(path), path.read_bytes()


def fallback_reason(text: str) -> str | None:
    """Why `document._c_events` leaves `text` to the pure parser (its checks, restated)."""
    found = re.search(document._PURE_ONLY, text)
    if found is not None and document._pure_only(text):
        return f"pre-check {found.group()!r}"
    events = c_events(text)
    if isinstance(events, Exception):
        return "libyaml error"
    flow = [False]
    for name, value, style, tag, anchor, _, flow_style, *_, start, _, _, end, _, _ in events:
        if name in ("MappingEndEvent", "SequenceEndEvent"):
            flow.pop()
        elif name == "AliasEvent":
            if text[end : end + 1] in document._NAME_GOES_ON:
                return "anchor or alias name"
        elif name in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent"):
            if tag is not None:
                return "tag"
            if anchor is not None:
                after = start + 1 + len(anchor)
                if text[start] != "&" or text[after : after + 1] in document._NAME_GOES_ON:
                    return "anchor or alias name"
            if name == "ScalarEvent" and start == end:
                reason = _empty_value_reason(text, start, value, flow[-1])
                if reason is not None:
                    return reason
                continue
            if style in ("|", ">"):
                header = text.index(style, start) + 1
                if not document._BLOCK_HEADER_END.match(text, header):
                    return "block scalar header"
            if name == "MappingStartEvent" and flow_style and text[start] != "{":
                return "flow mapping without '{'"
            if name != "ScalarEvent":
                flow.append(flow[-1] or bool(flow_style))
    return None


def _empty_value_reason(text: str, start: int, value: str, in_flow: bool) -> str | None:
    """None where an empty scalar's marks are known (after a block '-', or moved past a
    block ':' to the next token), else why not."""
    if in_flow:
        return "empty scalar in flow style"
    if value != "" or start == 0 or text[start - 1] not in "-:":
        return "empty scalar elsewhere"
    if text[start - 1] == ":":
        rest = text[start:]
        while rest[:1] in (" ", "\r", "\n", "#"):
            rest = rest.lstrip(" \r\n")
            if rest.startswith("#"):
                rest = rest[len(rest.split("\n", 1)[0].split("\r", 1)[0]) :]
        if rest[:1] in ("?", ":"):
            return "empty value before '?' or ':'"
    return None


def fast_path_difference(text: str) -> set[str]:
    """How the events hubspec takes from libyaml (`_c_events`: some moved) differ from
    ruamel's; empty when equal. Only for texts that `_c_events` accepts."""
    own = document._c_events(text)
    assert own is not None, "the text takes the pure parser"
    return events_difference(text, pure_events(text), [event_tuple(event) for event in own])


def tally(text: str, counts: collections.Counter[str], examples: dict[str, str]) -> None:
    """Count the event classes of `text`, the path hubspec takes and why, and any mismatch.

    Classes of `examples` named "MISMATCH" or "FAST PATH" must never occur.
    """

    def count(name: str) -> None:
        counts[name] += 1
        examples.setdefault(name, text)

    count("texts")
    decoded = decoded_of(text)
    if decoded is None:
        count("not decodable (decode refuses it: not parsed)")
        return
    differences = event_difference(decoded.text)
    for name in differences:
        count("events: " + name)
    reason = fallback_reason(decoded.text)
    fast = document._c_events(decoded.text) is not None
    if fast != (reason is None):
        count("MISMATCH between _c_events and fallback_reason")
    count("path: fast" if fast else f"path: pure ({reason})")
    if fast:
        for name in fast_path_difference(decoded.text) - {EOF_LINE_COLUMN}:
            count("FAST PATH over differing events: " + name)
    if signature(parse_pure(decoded)) != signature(parse_default(decoded)):
        count("MISMATCH of hubspec's result")


def main() -> None:
    from hypothesis import HealthCheck, given, settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000)
    options = parser.parse_args()
    started = time.monotonic()
    files: collections.Counter[str] = collections.Counter()
    file_examples: dict[str, str] = {}
    for _, data in fixture_and_corpus_texts():
        tally(data.decode("utf-8", errors="replace"), files, file_examples)
    counts: collections.Counter[str] = collections.Counter()
    examples: dict[str, str] = {}

    @settings(
        max_examples=options.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(yaml_texts())
    def run(text: str) -> None:
        tally(text, counts, examples)

    run()
    for title, counter, shown in (
        ("fixtures and corpus", files, file_examples),
        ("generated", counts, examples),
    ):
        print(f"{title}:")
        for name, number in sorted(counter.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {number:7d}  {name}")
            if name != "texts":
                print(f"           e.g. {shown[name]!r:.200}")
    print(f"{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

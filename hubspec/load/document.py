"""Source -> Document: a YAML node tree with source offsets, and plain data; HS001.

The tree is built here from ruamel.yaml's event stream rather than by ruamel's composer or
constructor, for three reasons: nothing is ever constructed from a tag, aliases are shared
nodes whose expanded size is counted before anything expands them, and nesting depth is
checked without recursion (ruamel's composer recurses and takes seconds to fail on deep input).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, Literal, TypeVar

from hubspec.load.source import Source, YamlProblem
from hubspec.model import Position, Span
from hubspec.records import field, record

MAX_DEPTH = 64
MAX_FLOW_DEPTH_SCAN = 200
MAX_EXPANDED_NODES = 100_000

NodeKind = Literal["scalar", "mapping", "sequence"]

_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "omap", "timestamp")
)


@record(frozen=False, eq=False, slots=True)
class Node:
    """One YAML node with the character offsets of its source text (end exclusive)."""

    kind: NodeKind
    tag: str
    start: int
    end: int
    value: Any = None
    style: str | None = None
    flow: bool = False
    anchor: str | None = None
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        """The value node under a scalar key of a mapping, or None."""
        for key_node, value_node in self.pairs:
            if key_node.kind == "scalar" and key_node.value == key:
                return value_node
        return None

    def key_node(self, key: str) -> Node | None:
        for key_node, _ in self.pairs:
            if key_node.kind == "scalar" and key_node.value == key:
                return key_node
        return None


@record(frozen=False)
class Document:
    """A parsed buildspec: its Source (text, layout facts, positions), the node tree, plain data."""

    path: str
    source: Source
    root: Node
    data: dict[str, Any]
    alias_targets: set[int] = field(default_factory=set)

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def bom(self) -> bool:
        return self.source.bom

    @property
    def newline(self) -> str:
        return self.source.newline

    @property
    def line_starts(self) -> list[int]:
        return self.source.line_starts

    def line(self, index: int) -> str:
        """Line `index` (0-based) without its line break."""
        return self.source.line(index)

    def position(self, offset: int) -> Position:
        """Where the user sees an offset (see `Source.position`)."""
        return self.source.position(offset)

    def local_position(self, offset: int) -> Position:
        """Line and column in this document's own text (layout of edits, comment lines)."""
        return self.source.local_position(offset)

    def span(self, start: int, end: int) -> Span:
        return self.source.span(start, end)


def parse(path: str, source: Source) -> Document | YamlProblem:
    """Parse a Source into a Document, or say why it is not one (HS001).

    Only the YAML library's errors and hubspec's own limits are problems of the text; any
    other exception is a bug in hubspec and goes up to the caller, which reports it as one.
    """
    if source.problem is not None:
        return source.problem
    builder = _TreeBuilder(source.text)
    result = _build(builder)
    if isinstance(result, YamlProblem):
        return result
    root = result
    if root.kind != "mapping":
        return YamlProblem(
            f"the document is a {_kind_noun(root)}; a buildspec is a mapping of keys"
            " such as version and phases",
            root.start,
        )
    data = to_plain(root)
    return Document(
        path=path,
        source=source,
        root=root,
        data=data,
        alias_targets=builder.alias_targets,
    )


def parse_tagged(
    text: str, wanted: Callable[[Node], Iterable[Node]] | None = None
) -> Node | YamlProblem:
    """Any one YAML document as a positioned tree, local tags (`!Ref x`) kept as data.

    For host files (CloudFormation templates): scalars under a local tag keep their text as
    the value and the tag in `Node.tag`; nothing is constructed. No buildspec checks here.

    With `wanted`, a collection nested three deep is composed only below the nodes that
    `wanted` picks from the tree above it; elsewhere it keeps its kind, tag and offsets but
    not its contents. A template's CodeBuild projects hold a fifth of its nodes; the problem
    (HS001) found, if any, is the one the whole tree would give.
    """
    builder = _TreeBuilder(text, local_tags=True, defer=wanted is not None)
    tree = _build(builder)
    if wanted is not None and isinstance(tree, Node):
        for node in wanted(tree):
            builder.expand(node)
    return tree


def _build(builder: _TreeBuilder) -> Node | YamlProblem:
    """The tree, or the problem: only the YAML library's errors and hubspec's own limits
    (depth, expanded size) are problems of the text; anything else is a bug and goes up."""
    deep = _flow_depth_scan(builder.text)
    if deep is not None:
        return YamlProblem(f"the YAML is nested deeper than {MAX_FLOW_DEPTH_SCAN} levels", deep)
    try:
        result = builder.build()
    except RecursionError:
        return YamlProblem(f"the YAML is nested deeper than {MAX_DEPTH} levels", 0)
    except _yaml_errors() as error:  # many classes, all with marks
        return _problem_from_ruamel(error)
    if isinstance(result, YamlProblem):
        return result
    # Without aliases the expanded size is the number of nodes, known already; host files
    # (templates) may be large, and only their aliases can blow up.
    too_many = builder.nodes > MAX_EXPANDED_NODES and not builder.local_tags
    if builder.alias_targets or too_many:
        return _check_expanded_size(result) or result
    return result


def _kind_noun(node: Node) -> str:
    if node.kind == "scalar":
        return "null value" if node.value is None else "scalar"
    return "sequence" if node.kind == "sequence" else "mapping"


def _flow_depth_scan(text: str) -> int | None:
    """Offset where bracket nesting passes the scan limit, else None.

    ruamel's scanner is quadratic in flow nesting, so pathological input is refused before
    it reaches the parser. Brackets inside strings are counted too; the limit is far above
    anything a real buildspec does.
    """
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH_SCAN:
        return None  # too few openers to get that deep: most files
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH_SCAN:
                return match.start()
        elif depth:
            depth -= 1
    return None


@cache
def _yaml_errors() -> tuple[type[Exception], ...]:
    """What ruamel.yaml raises for bad input; its warnings too, where a filter makes them errors."""
    from ruamel.yaml.error import YAMLError, YAMLFutureWarning, YAMLStreamError, YAMLWarning

    return (YAMLError, YAMLStreamError, YAMLWarning, YAMLFutureWarning)


def _problem_from_ruamel(error: Exception) -> YamlProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = str(problem)
    if context and "while" in str(context):
        message = f"{message} ({context})"
    if "\t" in message or "'\\t'" in message:
        message += "; YAML does not allow tabs for indentation"
    offset = int(getattr(mark, "index", 0) or getattr(error, "position", 0) or 0)
    return YamlProblem(f"invalid YAML: {message}", offset)


_PURE_ONLY = r"(?m)[\t\x85\u2028\u2029\ufeff]|^%"
"""Characters and directives that libyaml reads differently from ruamel (see `_c_events`):
the specification of `_pure_only`, which the tests hold it to; never compiled here."""


def _pure_only(text: str) -> bool:
    """Whether `_PURE_ONLY` is found in `text`, tabs in comment lines apart.

    Substring tests are ten times faster than the pattern. A tab after the '#' of a line
    that holds only a comment (or, in a block scalar, text) reads the same to both parsers.
    """
    if text.startswith("%") or "\n%" in text:
        return True
    if not text.isascii() and any(char in text for char in "\x85\u2028\u2029\ufeff"):
        return True
    return "\t" in text and not all(
        line.lstrip(" ").startswith("#") and line.index("\t") > line.index("#")
        for line in text.replace("\r", "\n").split("\n")  # '\r' alone ends a line too
        if "\t" in line
    )


_NAME_GOES_ON = frozenset("?:%@`")
"""Characters that end an anchor or alias name for libyaml but not for ruamel."""

_BLOCK_HEADER_END = re.compile(r"[-+0-9]*(?:[ \r\n]|\Z)")
"""The rest of a block scalar's header as ruamel takes it: indicators, then a space or break."""


@cache
def _c_parser_class() -> Any:
    """libyaml's parser from ruamel.yaml.clib (as `YAML(typ="safe")` loads it), else None."""
    try:
        from _ruamel_yaml import CParser
    except ImportError:
        return None
    return CParser


_STRING_TAG = "tag:yaml.org,2002:str"


@cache
def _plain_string_starts() -> frozenset[str] | None:
    """First characters with which YAML 1.2 may read a plain scalar as other than a string.

    The resolver picks its candidate patterns by the first character; with none for it, a
    plain scalar is a string. None when a pattern applies to every first character.
    """
    resolver = _default_resolver()
    table = resolver.versioned_resolver
    if None in table or resolver.yaml_path_resolvers:
        return None
    return frozenset(key for key in table if key)


@cache
def _default_resolver() -> Any:
    """ruamel's resolver for YAML 1.2, the version of every text that `_c_events` accepts."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).resolver


def _c_events(text: str) -> list[Any] | None:
    """libyaml's events for `text`, or None where ruamel's pure parser has to decide.

    With libyaml `parse` takes a sixth of the time on the corpus. Its events match ruamel's
    (type, value, style, tag, anchor, implicit, flow style and every mark's index) except in
    these classes, found by differential fuzzing (tests/fuzz/yaml_parsers.py):

    - A tab anywhere: ruamel refuses tabs as separators after a value or before a comment
      (`a: 1<TAB>`), libyaml takes them.
    - NEL, LS or PS (U+0085, U+2028, U+2029): line breaks in libyaml (YAML 1.1), ordinary
      characters in ruamel (YAML 1.2), so the two parse different documents.
    - A BOM after the one `decode` strips: libyaml drops it without counting it, so every
      mark after it is one short; ruamel counts it.
    - A line that starts with '%' (a directive): libyaml starts the document at the
      directive, ruamel at `---`; `%YAML 1.1` also changes how ruamel resolves scalars.
    - Any error: the pure parser parses again, so the problem (HS001) and its offset stay
      ruamel's.
    - An empty (zero-width) scalar in flow style, or one that is not after a block mapping's
      ':' or a block sequence's '-'. After ':' (`key:` with no value) ruamel marks it where
      the next token starts, libyaml right after the ':'; the event is moved there
      (`_moved_empty_value`) unless that token is a '?' or ':' indicator.
    - A tag: the two scan tags differently (`!a$!` is a tag to libyaml, an error to ruamel;
      `!` alone gets other `implicit` flags).
    - An anchor or alias name followed by one of ?:%@` : libyaml's name ends there, ruamel's
      goes on (`*name: 1` is the alias `name` as a key to libyaml, `name:` to ruamel).
    - A block scalar header followed at once by a comment (`|#`): an error to ruamel only.
    - A mapping in flow style that does not start with '{' at its mark: a single pair in a
      flow sequence (`["a":1]` is an error to ruamel) or a flow mapping with an anchor.
    - A `...` line that ends no document (`a\n...\n...`, or after a comment): libyaml skips
      it, ruamel refuses it.

    The first four are refused before parsing (1 of 210 corpus buildspecs has a tab, only in
    comment lines, where it is allowed: `_pure_only`), the others while the events are read. Kept as they come: at the end of a text without a final line
    break libyaml's last marks are on a line of their own, ruamel's at the end of the last
    line; their index, the only part used here, is the same.
    """
    parser_class = _c_parser_class()
    if parser_class is None or _pure_only(text):
        return None
    from ruamel.yaml.events import (
        AliasEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
    )

    try:
        parser = parser_class(text)
    except Exception:  # an extension that does not fit this ruamel.yaml
        return None
    events: list[Any] = []
    keep = events.append
    next_event = parser.get_event
    flow = [False]  # whether each open collection, and those around it, is in flow style
    try:
        while True:
            try:
                event = next_event()
            except Exception:  # whatever libyaml refuses, the pure parser decides on
                return None
            if event is None:
                break
            keep(event)
            kind = type(event)
            if kind is ScalarEvent:  # the most common event first
                start = event.start_mark.index
                if event.ctag is not None or (  # `tag` is a property: str(ctag)
                    event.anchor is not None and _anchor_goes_on(text, start, event.anchor)
                ):
                    return None
                if start == event.end_mark.index:
                    moved = _moved_empty_value(text, event, flow[-1])
                    if moved is None:
                        return None
                    events[-1] = moved
                    continue
                style = event.style
                if (style == "|" or style == ">") and not _BLOCK_HEADER_END.match(
                    text, text.index(style, start) + 1
                ):
                    return None
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                flow.pop()
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                start = event.start_mark.index
                if event.ctag is not None or (  # `tag` is a property: str(ctag)
                    event.anchor is not None and _anchor_goes_on(text, start, event.anchor)
                ):
                    return None
                if kind is MappingStartEvent and event.flow_style and text[start] != "{":
                    return None
                flow.append(flow[-1] or bool(event.flow_style))
            elif (
                kind is AliasEvent
                and text[event.end_mark.index : event.end_mark.index + 1] in _NAME_GOES_ON
            ):
                return None
    finally:
        parser.dispose()
    if "..." in text and _document_ends_unpaired(text, events):
        return None
    return events


_DOCUMENT_END = re.compile(r"(?m)^\.\.\.(?=[ \t\r\n]|$)")


def _document_ends_unpaired(text: str, events: list[Any]) -> bool:
    """Whether a `...` line ends no document (`a\n...\n...`): libyaml skips it, ruamel
    refuses it."""
    markers = len(_DOCUMENT_END.findall(text))
    if not markers:  # `...` inside a line (`echo Building...`): no marker, nothing to count
        return False
    from ruamel.yaml.events import DocumentEndEvent

    ends = sum(1 for event in events if type(event) is DocumentEndEvent and event.explicit)
    return markers > ends


def _host_events(text: str) -> list[Any] | None:
    """libyaml's events for a host file (a template), tags and all, else None.

    Templates are large and tagged (`!Ref`), and `_c_events` leaves tagged texts to the
    pure parser. Host files need node offsets and values, not the exact offsets of empty
    values or ruamel's refusals, so libyaml reads every text it accepts without a tab,
    NEL, LS, PS, extra BOM or directive (those differ in meaning, see `_c_events`); any
    error goes to the pure parser, which words the problem.
    """
    parser_class = _c_parser_class()
    if parser_class is None or _pure_only(text):
        return None
    try:
        parser = parser_class(text)
    except Exception:  # an extension that does not fit this ruamel.yaml
        return None
    events: list[Any] = []
    try:
        while (event := parser.get_event()) is not None:
            events.append(event)
    except Exception:  # libyaml's errors: the pure parser reports the problem
        return None
    finally:
        parser.dispose()
    return events


def _anchor_goes_on(text: str, start: int, anchor: str) -> bool:
    """Whether libyaml's anchor name may differ from ruamel's (`&a:b`), or is not at `start`."""
    after = start + 1 + len(anchor)
    return text[start] != "&" or text[after : after + 1] in _NAME_GOES_ON


_GAP = re.compile(r"(?:[ \r\n]+|#[^\r\n]*)*")
"""Spaces, line breaks and comments: what lies between a ':' and the next token."""


def _moved_empty_value(text: str, event: Any, in_flow: bool) -> Any:
    """An empty block value's event with ruamel's marks, or None where they are not known.

    libyaml marks `key:` with no value right after the ':', ruamel where the next token
    starts (the next key, or the end of the mapping). After a block sequence's '-' the two
    agree. Line and column count '\r\n', '\r' and '\n' as one break each, as ruamel does.
    """
    start = event.start_mark.index
    if in_flow or event.value != "" or event.anchor is not None or start == 0:
        return None
    before = text[start - 1]
    if before == "-":
        return event
    if before != ":":
        return None
    gap = _GAP.match(text, start)  # always matches, if only the empty string
    at = gap.end() if gap is not None else start
    if text[at : at + 1] in ("?", ":"):
        return None
    from ruamel.yaml.error import StreamMark
    from ruamel.yaml.events import ScalarEvent

    line = text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at)
    column = at - (max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1)
    mark = StreamMark(None, at, line, column)
    return ScalarEvent(None, None, event.implicit, "", mark, mark, style=None)


_RESOLVED: dict[tuple[str, Any], str] = {}
"""Tags the default resolver gave plain scalars of libyaml's texts, by value and implicit flags."""
_RESOLVED_LIMIT = 4096

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_NO_PAIRS: list[tuple[Node, Node]] = []
_NO_ITEMS: list[Node] = []
"""Shared by every scalar, and by mappings for items and sequences for pairs: never filled."""


def _tag_problem(tag: str, start: int) -> YamlProblem:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return YamlProblem(
        f"the YAML tag '{shown}' is not plain data; buildspecs hold only strings,"
        " numbers, booleans, lists and mappings",
        start,
    )


DEFER_DEPTH = 3
"""Collections that start this deep (in a template: a resource's Properties) may wait:
host files compose them only below the nodes a reader wants (YAML here, JSON in hosts)."""

T = TypeVar("T")


def deferred_below(node: Node, deferred: dict[int, T]) -> Iterator[tuple[Node, T]]:
    """The collections at or below `node` that were left uncomposed, each with what
    `deferred` kept for it (by the node's id), taken out of `deferred`."""
    todo = [node]
    while todo:
        current = todo.pop()
        kept = deferred.pop(id(current), None)
        if kept is not None:
            yield current, kept
        elif current.kind == "mapping":
            todo.extend(value for _, value in current.pairs)
        else:
            todo.extend(current.items)


class _Undeferrable(Exception):
    """The events hold what only composing them all decides on: compose them all."""


def _skim(first: Any, rest: Iterator[Any], depth: int, kinds: tuple[type, ...]) -> list[Any]:
    """The events of the collection that `first` starts (`depth` deep), taken from `rest`
    through its end without composing them; _Undeferrable where composing might give a
    problem or need other nodes: an alias, a key that is `<<` or not a scalar, a tag that is
    neither plain nor local, nesting near MAX_DEPTH. `kinds`: the event classes of a scalar,
    a mapping's and a sequence's start, and their ends."""
    scalar, mapping_start, sequence_start, mapping_end, sequence_end = kinds
    taken = [first]
    keep = taken.append
    # per open collection: True when a mapping's key comes next, False its value, None a list
    keys: list[bool | None] = [True if type(first) is mapping_start else None]
    for event in rest:
        keep(event)
        kind = type(event)
        if kind is scalar:
            if event.ctag is not None and _refused_tag(str(event.ctag), local_tags=True):
                raise _Undeferrable
            state = keys[-1]
            if state:
                if event.value == "<<":
                    raise _Undeferrable
                keys[-1] = False
            elif state is False:
                keys[-1] = True
        elif kind is mapping_end or kind is sequence_end:
            keys.pop()
            if not keys:
                return taken
            if keys[-1] is False:
                keys[-1] = True
        elif kind is mapping_start or kind is sequence_start:
            if (
                keys[-1]
                or (event.ctag is not None and _refused_tag(str(event.ctag), local_tags=True))
                or depth + len(keys) >= MAX_DEPTH
            ):
                raise _Undeferrable
            keys.append(True if kind is mapping_start else None)
        else:  # an alias; nothing else comes inside a collection
            raise _Undeferrable
    raise _Undeferrable


def _refused_tag(tag: str, local_tags: bool) -> bool:
    """Whether a tag is a problem (HS001): not plain data and, where local tags are kept as
    data (host files), not local (`!Ref`)."""
    return (
        tag not in _PLAIN_TAGS
        and tag not in ("!", "?")
        and not (local_tags and tag.startswith("!"))
    )


class _TreeBuilder:
    """An iterative composer over ruamel.yaml events."""

    def __init__(self, text: str, *, local_tags: bool = False, defer: bool = False) -> None:
        self.text = text
        self.local_tags = local_tags
        """Keep `!Ref`-style local tags as data (CloudFormation templates), else refuse them."""
        self.defer = defer
        """Compose collections nested `DEFER_DEPTH` deep only when asked (`expand`)."""
        self.anchors: dict[str, Node] = {}
        self.alias_targets: set[int] = set()
        self.nodes = 0
        self.deferred: dict[int, list[Any]] = {}
        """The events of each collection not composed yet, by the id of its node."""

    def build(self) -> Node | YamlProblem:
        """The tree from libyaml's events where they match ruamel's (`_c_events`), else ruamel's."""
        events = _host_events(self.text) if self.local_tags else _c_events(self.text)
        if events is not None:
            resolver, starts = _default_resolver(), _plain_string_starts()
            if self.defer:
                try:
                    return self._compose(events, resolver, starts, defer=True)
                except _Undeferrable:
                    self.anchors, self.alias_targets, self.deferred = {}, set(), {}
                    self.nodes = 0
            return self._compose(events, resolver, starts)
        from ruamel.yaml import YAML

        # The plain (not round-trip) parser: comments are not needed here, and skipping the
        # round-trip scanner's comment bookkeeping makes parsing about a fifth faster. Both
        # give the same events for every document; for broken YAML the plain one reports the
        # first problem in the text, where round trip's look-ahead may report a later one.
        yaml = YAML(typ="safe", pure=True)
        resolver = yaml.resolver
        return self._compose(yaml.parse(self.text), resolver)

    def expand(self, node: Node) -> None:
        """Compose the collections below `node` that were deferred (see `parse_tagged`)."""
        for current, events in deferred_below(node, self.deferred):
            full = self._compose(events, _default_resolver(), _plain_string_starts())
            if not isinstance(full, Node):  # `_skim` defers nothing that could be one
                raise AssertionError(full.message)
            current.pairs, current.items = full.pairs, full.items

    def _compose(
        self,
        events: Iterable[Any],
        resolver: Any,
        string_starts: frozenset[str] | None = None,
        *,
        defer: bool = False,
    ) -> Node | YamlProblem:
        """The tree of the events. `string_starts` (YAML 1.2 texts only) lets plain scalars
        whose first character no implicit type starts with skip the resolver: strings.
        With `defer`, collections `DEFER_DEPTH` deep are skimmed (`_skim`), not composed."""
        from ruamel.yaml.events import (
            AliasEvent,
            DocumentStartEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
        )
        from ruamel.yaml.nodes import ScalarNode

        stack: list[Node] = []
        pending_key: list[Node | None] = []
        documents = 0
        root: Node | None = None
        attach = self._attach
        kinds = (
            ScalarEvent,
            MappingStartEvent,
            SequenceStartEvent,
            MappingEndEvent,
            SequenceEndEvent,
        )
        rest = iter(events)
        for event in rest:
            kind = type(event)
            if kind is ScalarEvent:
                tag = None if event.ctag is None else str(event.ctag)  # as `.tag`, uncalled
                start = event.start_mark.index
                value = event.value
                if tag is not None and _refused_tag(tag, self.local_tags):
                    return _tag_problem(tag, start)
                if tag:
                    resolved = tag
                elif (
                    string_starts is not None
                    and event.implicit[0]
                    and value
                    and value[0] not in string_starts
                ):
                    resolved = _STRING_TAG
                elif string_starts is not None:
                    # libyaml's texts all take the default YAML 1.2 resolver: a pure function
                    # of the value, asked about `version: 0.2` in every file
                    key = (value, event.implicit)
                    known = _RESOLVED.get(key)
                    if known is None:
                        known = str(resolver.resolve(ScalarNode, value, event.implicit))
                        if len(_RESOLVED) < _RESOLVED_LIMIT:
                            _RESOLVED[key] = known
                    resolved = known
                else:
                    resolved = str(resolver.resolve(ScalarNode, value, event.implicit))
                style = event.style or None  # libyaml says '' for plain, ruamel None
                node = Node(
                    "scalar",
                    resolved,
                    start,
                    event.end_mark.index,
                    value if resolved == _STRING_TAG else _scalar_value(resolved, value, style),
                    style,
                    False,
                    event.anchor,
                    _NO_PAIRS,
                    _NO_ITEMS,
                )
                self.nodes += 1
                if event.anchor:
                    self.anchors[event.anchor] = node
                if not stack:
                    root = node
                    continue
                parent = stack[-1]
                if parent.kind == "sequence":  # `_attach`'s two commonest cases, inline
                    parent.items.append(node)
                elif pending_key[-1] is None:
                    pending_key[-1] = node
                else:
                    problem = attach(stack, pending_key, node)
                    if problem is not None:
                        return problem
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                done = stack.pop()
                done.end = event.end_mark.index
                if kind is MappingEndEvent:
                    pending_key.pop()
                if stack:
                    problem = attach(stack, pending_key, done)
                    if problem is not None:
                        return problem
                else:
                    root = done
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                tag = None if event.ctag is None else str(event.ctag)  # as `.tag`, uncalled
                start = event.start_mark.index
                if tag is not None and _refused_tag(tag, self.local_tags):
                    return _tag_problem(tag, start)
                local = tag if tag is not None and tag != "!" and tag.startswith("!") else None
                if len(stack) >= MAX_DEPTH:
                    return YamlProblem(f"the YAML is nested deeper than {MAX_DEPTH} levels", start)
                mapping = kind is MappingStartEvent
                node = Node(
                    "mapping" if mapping else "sequence",
                    local or (_MAP_TAG if mapping else _SEQ_TAG),
                    start,
                    start,
                    None,
                    None,
                    bool(event.flow_style),
                    event.anchor,
                    [] if mapping else _NO_PAIRS,
                    _NO_ITEMS if mapping else [],
                )
                self.nodes += 1
                if event.anchor:
                    self.anchors[event.anchor] = node
                if defer and len(stack) >= DEFER_DEPTH:
                    skimmed = _skim(event, rest, len(stack), kinds)
                    node.end = skimmed[-1].end_mark.index
                    self.deferred[id(node)] = skimmed
                    problem = attach(stack, pending_key, node)
                    if problem is not None:
                        return problem
                    continue
                stack.append(node)
                if mapping:
                    pending_key.append(None)
            elif kind is AliasEvent:
                if defer:  # the expanded size counts every node: compose them all
                    raise _Undeferrable
                target = self.anchors.get(event.anchor)
                if target is None:
                    return YamlProblem(f"undefined alias '{event.anchor}'", event.start_mark.index)
                self.alias_targets.add(id(target))
                if not stack:
                    root = target
                    continue
                problem = attach(stack, pending_key, target)
                if problem is not None:
                    return problem
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return YamlProblem(
                        "the file holds several YAML documents; a buildspec is one document",
                        event.start_mark.index,
                    )
        if root is None:
            return YamlProblem(
                "the file is empty; a buildspec needs at least version and phases", 0
            )
        return root

    def _attach(
        self, stack: list[Node], pending_key: list[Node | None], node: Node
    ) -> YamlProblem | None:
        parent = stack[-1]
        if parent.kind == "sequence":
            parent.items.append(node)
            return None
        key = pending_key[-1]
        if key is None:
            pending_key[-1] = node
            return None
        pending_key[-1] = None
        if key.kind != "scalar":
            return YamlProblem(
                "a mapping key is a list or mapping; keys must be plain words", key.start
            )
        if key.value == "<<" and key.tag.endswith(":merge"):
            return YamlProblem("YAML merge keys (<<) are not supported in buildspecs", key.start)
        for index, (existing, _) in enumerate(parent.pairs):
            if existing.value == key.value and existing.kind == "scalar":
                if self.local_tags:  # a host file: the last one wins, as in CloudFormation
                    parent.pairs[index] = (key, node)
                    return None
                line = self.text.count("\n", 0, existing.start) + 1
                return YamlProblem(
                    f"duplicate key '{key.value}' (first defined on line {line});"
                    " YAML keeps only one of them",
                    key.start,
                )
        parent.pairs.append((key, node))
        return None


def _scalar_value(tag: str, text: str, style: str | None) -> Any:
    """The plain-data value of a scalar, by its resolved tag; unknown forms stay strings."""
    if style is not None and style not in ("", None):
        return text
    kind = tag.rsplit(":", 1)[-1]
    try:
        if kind == "null":
            return None
        if kind == "bool":
            return text.lower() in ("true", "yes", "on", "y")
        if kind == "int":
            cleaned = text.replace("_", "")
            if cleaned.lower().startswith(("0x", "-0x", "+0x")):
                return int(cleaned, 16)
            if cleaned.lower().startswith(("0o", "-0o", "+0o")):
                return int(cleaned.replace("o", "").replace("O", ""), 8)
            return int(cleaned)
        if kind == "float":
            lowered = text.lower().replace("_", "")
            if lowered in (".inf", "+.inf"):
                return math.inf
            if lowered == "-.inf":
                return -math.inf
            if lowered == ".nan":
                return text
            return float(lowered)
    except ValueError:
        return text
    return text


def _check_expanded_size(root: Node) -> YamlProblem | None:
    """Refuse documents whose aliases would expand past the node limit (billion laughs)."""
    sizes: dict[int, int] = {}
    order: list[Node] = []
    seen: set[int] = set()
    todo: list[Node] = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        todo.extend(_children(node))
    for node in reversed(order):
        total = 1
        for child in _children(node):
            total += sizes.get(id(child), 1)
            if total > MAX_EXPANDED_NODES:
                return YamlProblem(
                    f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?)",
                    node.start,
                )
        sizes[id(node)] = total
    return None


def _children(node: Node) -> Iterator[Node]:
    if node.kind == "mapping":
        for key, value in node.pairs:
            yield key
            yield value
    elif node.kind == "sequence":
        yield from node.items


def to_plain(node: Node) -> Any:
    """Plain Python data for jsonschema; aliases become shared (not copied) objects."""
    memo: dict[int, Any] = {}
    return _plain(node, memo)


def _plain(node: Node, memo: dict[int, Any]) -> Any:
    if id(node) in memo:
        return memo[id(node)]
    if node.kind == "scalar":
        return node.value
    # a scalar child is its value (no call: most nodes are scalars)
    if node.kind == "sequence":
        items: list[Any] = []
        memo[id(node)] = items
        for item in node.items:
            items.append(item.value if item.kind == "scalar" else _plain(item, memo))
        return items
    mapping: dict[str, Any] = {}
    memo[id(node)] = mapping
    for key, value in node.pairs:
        mapping[str(key.value) if key.value is not None else "null"] = (
            value.value if value.kind == "scalar" else _plain(value, memo)
        )
    return mapping

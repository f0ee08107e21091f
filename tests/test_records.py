"""hubspec.records behaves like the dataclasses it replaces, where hubspec relies on it."""

from __future__ import annotations

import ast
import copy
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from hubspec import records
from hubspec.records import FrozenInstanceError, field, fields, record, replace


@record(order=True)
class Point:
    line: int
    column: int


@record
class Tagged:
    name: str
    notes: tuple[str, ...] = field(default=())
    items: list[int] = field(default_factory=list)
    label: str | None = None


@record(slots=True)
class Slotted:
    value: str | None
    start: int = 0


@record(frozen=False)
class Mutable:
    count: int = 0


@record(frozen=False, eq=False)
class ByIdentity:
    value: int


@record
class Empty:
    pass


def test_constructor_defaults_and_keywords() -> None:
    tagged = Tagged("a")
    assert (tagged.name, tagged.notes, tagged.items, tagged.label) == ("a", (), [], None)
    assert Tagged(name="b", label="x").label == "x"
    with pytest.raises(TypeError):
        Tagged()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, 2, 3)  # type: ignore[call-arg]


def test_default_factory_gives_each_instance_its_own_value() -> None:
    first, second = Tagged("a"), Tagged("b")
    first.items.append(1)
    assert second.items == []


def test_equality_and_hash_follow_the_fields() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(1, 3)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    assert Empty() == Empty()


def test_records_of_different_classes_are_never_equal() -> None:
    @record
    class Other:
        line: int
        column: int

    assert Point(1, 2) != Other(1, 2)
    assert Point(1, 2) != (1, 2)


def test_order_compares_fields_in_definition_order() -> None:
    assert Point(1, 9) < Point(2, 0)
    assert Point(2, 0) > Point(1, 9)
    assert Point(1, 1) <= Point(1, 1) <= Point(1, 2)
    assert sorted([Point(3, 1), Point(1, 2), Point(1, 1)]) == [
        Point(1, 1),
        Point(1, 2),
        Point(3, 1),
    ]
    with pytest.raises(TypeError):
        _ = Tagged("a") < Tagged("b")  # type: ignore[operator]


@pytest.mark.parametrize("obj", [Point(1, 2), Tagged("a"), Slotted("v")])
def test_frozen_records_refuse_assignment_and_deletion(obj: object) -> None:
    name = fields(obj)[0]
    with pytest.raises(FrozenInstanceError):
        setattr(obj, name, None)
    with pytest.raises(FrozenInstanceError):
        delattr(obj, name)
    assert isinstance(FrozenInstanceError("x"), AttributeError)


def test_mutable_records_assign_and_are_not_hashable() -> None:
    counter = Mutable()
    counter.count += 1
    assert counter == Mutable(1)
    with pytest.raises(TypeError):
        hash(counter)


def test_eq_false_compares_by_identity() -> None:
    one = ByIdentity(1)
    assert one == one
    assert one != ByIdentity(1)
    assert len({one, ByIdentity(1)}) == 2


def test_slots_records_have_no_instance_dict() -> None:
    slotted = Slotted("v", 3)
    assert not hasattr(slotted, "__dict__")
    assert Slotted.__slots__ == ("value", "start")  # type: ignore[attr-defined]
    assert Slotted("v").start == 0


def test_replace_copies_with_changes_and_rejects_unknown_fields() -> None:
    original = Tagged("a", notes=("n",))
    changed = replace(original, label="x")
    assert changed == Tagged("a", notes=("n",), label="x")
    assert original.label is None
    with pytest.raises(TypeError, match="no field"):
        replace(original, colour="red")


def test_repr_shows_every_field() -> None:
    assert repr(Point(1, 2)) == "Point(line=1, column=2)"
    assert repr(Slotted(None)) == "Slotted(value=None, start=0)"


@pytest.mark.parametrize("obj", [Point(1, 2), Tagged("a", items=[1]), Slotted("v", 2), Empty()])
def test_pickle_and_copy_round_trip(obj: object) -> None:
    assert pickle.loads(pickle.dumps(obj)) == obj
    assert copy.copy(obj) == obj
    assert copy.deepcopy(obj) == obj


def test_fields_and_match_args_are_in_definition_order() -> None:
    assert fields(Tagged) == ("name", "notes", "items", "label")
    assert Tagged.__match_args__ == ("name", "notes", "items", "label")
    match Point(1, 2):
        case Point(line, column):
            assert (line, column) == (1, 2)


def test_definition_errors_are_reported() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Bad:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="non-default field"):

        @record
        class Misordered:  # type: ignore[misc]
            first: int = 0
            second: str


def test_defaults_lists_plain_defaults_only() -> None:
    assert records.defaults(Tagged) == {"notes": (), "label": None}
    assert records.defaults(Point) == {}


def test_a_method_records_make_cannot_be_written_by_hand() -> None:
    with pytest.raises(TypeError, match="defines __repr__"):

        @record
        class Custom:
            value: int

            def __repr__(self) -> str:
                return "custom"


@record
class Line:
    text: str
    start: int = 0


@record
class Word:
    value: str
    offset: int = 5


def test_classes_of_one_shape_share_compiled_code_under_their_own_names() -> None:
    """`__init__` is a template for the shape with the class's field names put in."""
    line, word = Line("a"), Word(offset=2, value="w")
    assert (line.text, line.start, word.value, word.offset) == ("a", 0, "w", 2)
    assert Line.__init__.__code__.co_varnames[:3] == ("self", "text", "start")
    assert Word.__init__.__code__.co_varnames[:3] == ("self", "value", "offset")
    assert Line.__init__.__code__.co_code == Word.__init__.__code__.co_code
    assert Line.__init__.__qualname__.endswith("Line.__init__")
    with pytest.raises(TypeError, match="unexpected keyword argument 'value'"):
        Line(value="x")  # type: ignore[call-arg]
    with pytest.raises(FrozenInstanceError):
        line.text = "b"  # type: ignore[misc]


def test_a_factory_runs_only_for_a_value_not_given() -> None:
    given: list[int] = [1]
    tagged = Tagged("a", items=given)
    assert tagged.items is given
    assert Tagged("b").items == [] and Tagged("b").items is not Tagged("c").items


SHAPES_SCRIPT = """
import importlib, pkgutil
import hubspec, hubspec.records as records
found = set()
original = records._lazy_init
def spy(cls, names, defaults, factories, frozen):
    found.add((len(names), tuple(i for i, n in enumerate(names) if n in factories), frozen))
    return original(cls, names, defaults, factories, frozen)
records._lazy_init = spy
for module in pkgutil.walk_packages(hubspec.__path__, "hubspec."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(sorted(found))
"""


def _hubspec_shapes() -> set[records.Shape]:
    """The `__init__` shape of every record class in hubspec, found by importing it all in a
    fresh process (this one has its classes already)."""
    done = subprocess.run(
        [sys.executable, "-c", SHAPES_SCRIPT], capture_output=True, text=True, check=True
    )
    shapes: list[records.Shape] = ast.literal_eval(done.stdout)
    assert len(shapes) > 20  # the spy saw the classes
    return set(shapes)


def test_shipped_templates_cover_every_record_class_and_are_current() -> None:
    """records/templates.py is what templates_module makes for hubspec's own classes, so
    no lint compiles an `__init__` at run time (HUBSPEC_WRITE_TEMPLATES=1 rewrites it)."""
    shipped = Path(records.__file__).with_name("templates.py")
    expected = records.templates_module(_hubspec_shapes())
    if os.environ.get("HUBSPEC_WRITE_TEMPLATES") == "1":
        shipped.write_text(expected)
    assert shipped.read_text() == expected


def test_a_shape_not_shipped_is_compiled_and_named_like_the_rest() -> None:
    @record
    class Wide:
        a: int
        b: int
        c: int
        d: int
        e: int
        f: int
        g: int
        h: int
        i: int
        j: int
        k: int
        l: int  # noqa: E741
        m: int
        n: int
        o: int
        p: int = 16
        q: list[int] = field(default_factory=list)

    assert (17, (16,), True) not in records.TEMPLATES
    wide = Wide(*range(15))
    assert (wide.a, wide.o, wide.p, wide.q) == (0, 14, 16, [])
    assert Wide.__init__.__code__.co_varnames[:3] == ("self", "a", "b")
    assert Wide.__init__.__qualname__.endswith("Wide.__init__")

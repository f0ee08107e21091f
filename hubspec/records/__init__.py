"""`@record`: dataclass-style value classes that cost almost nothing to define.

Why not `dataclasses`: on Python 3.11 `@dataclass(frozen=True)` compiles six methods per
class with `exec`, about 1 ms a class on the CI machine, and hubspec defines some 65 classes,
so defining them took a fifth of a one-file `hubspec lint`. A record shares one generic
`__eq__`/`__hash__`/`__repr__`/ordering (keyed by `operator.attrgetter`), and makes its
`__init__` when the first instance is made, from a template compiled ahead for its shape
(`records/templates.py`). Type checkers treat `record` as a dataclass
(PEP 681), so mypy checks constructor calls, frozenness and `replace` as before.

Supported: `frozen` (default True), `eq`, `order`, `slots`, defaults and `field(default=...)`
/ `field(default_factory=...)`, `replace`, `fields`. Records do not inherit from records.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import cache
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform, overload

from hubspec.records.templates import TEMPLATES

T = TypeVar("T")
_C = TypeVar("_C", bound=type)

_FIELDS = "__record_fields__"
_DEFAULTS = "__record_defaults__"
_MUTABLE_DEFAULTS = (list, dict, set, bytearray)
# Unlike dataclasses, records do not keep a method the class wrote itself: they refuse it.
_GENERATED = frozenset(
    {"__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"}
    | {"__lt__", "__le__", "__gt__", "__ge__", "__getstate__", "__setstate__"}
)


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record."""


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: object, default_factory: Callable[[], object] | None) -> None:
        self.default = default
        self.default_factory = default_factory


_NO_DEFAULT: Any = object()


@overload
def field(*, default: T) -> T: ...
@overload
def field(*, default_factory: Callable[[], T]) -> T: ...
def field(*, default: Any = _NO_DEFAULT, default_factory: Any = None) -> Any:
    """A field's default, or a factory for a fresh mutable default per instance."""
    return _Field(default, default_factory)


@overload
def record(cls: _C, /) -> _C: ...
@overload
def record(
    *, frozen: bool = True, eq: bool = True, order: bool = False, slots: bool = False
) -> Callable[[_C], _C]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(
    cls: _C | None = None,
    /,
    *,
    frozen: bool = True,
    eq: bool = True,
    order: bool = False,
    slots: bool = False,
) -> _C | Callable[[_C], _C]:
    """Make `cls` a value class from its annotated fields, like `@dataclass(frozen=True)`."""

    def wrap(target: _C) -> _C:
        return _build(target, frozen=frozen, eq=eq, order=order, slots=slots)

    return wrap if cls is None else wrap(cls)


def fields(target: object) -> tuple[str, ...]:
    """The field names of a record class or instance, in definition order."""
    names: tuple[str, ...] = getattr(target, _FIELDS)
    return names


def defaults(target: object) -> dict[str, object]:
    """The plain default of each field that has one (not those made by a factory)."""
    values: dict[str, object] = getattr(target, _DEFAULTS)
    return dict(values)


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of `obj` with some fields changed (`dataclasses.replace` for records)."""
    names = fields(obj)
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field(s) {', '.join(sorted(unknown))}")
    values = {name: changes[name] if name in changes else getattr(obj, name) for name in names}
    return type(obj)(**values)


def _build(cls: _C, *, frozen: bool, eq: bool, order: bool, slots: bool) -> _C:
    namespace = cls.__dict__
    own = sorted(_GENERATED & set(namespace))
    if own:
        raise TypeError(f"{cls.__name__} defines {', '.join(own)}, which @record makes")
    annotations: dict[str, Any] = namespace.get("__annotations__", {})
    names: list[str] = []
    defaults: dict[str, object] = {}
    factories: dict[str, Callable[[], object]] = {}
    for name, annotation in annotations.items():
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        names.append(name)
        if name not in namespace:
            if defaults or factories:
                raise TypeError(f"non-default field {name!r} follows a default field")
            continue
        value = namespace[name]
        if isinstance(value, _Field):
            if value.default_factory is not None:
                factories[name] = value.default_factory
            else:
                defaults[name] = value.default
        elif isinstance(value, _MUTABLE_DEFAULTS):
            raise ValueError(f"mutable default for field {name!r}: use field(default_factory=...)")
        else:
            defaults[name] = value
    members: dict[str, object] = {
        _FIELDS: tuple(names),
        _DEFAULTS: dict(defaults),
        "__match_args__": tuple(names),
        "__repr__": _repr,
    }
    key = _key_function(names)
    if eq:
        members["__eq__"] = _comparison(operator.eq, key)
        members["__hash__"] = (lambda self: hash(key(self))) if frozen else None
    if order:
        for name, compare in _ORDERINGS.items():
            members[name] = _comparison(compare, key)
    if frozen:
        members["__setattr__"] = _frozen_setattr
        members["__delattr__"] = _frozen_delattr
    if slots:
        body = {name: value for name, value in namespace.items() if name not in names}
        body.pop("__dict__", None)
        body.pop("__weakref__", None)
        body["__slots__"] = tuple(names)
        cls = type(cls)(cls.__name__, cls.__bases__, body)
        if frozen:
            members["__getstate__"] = _getstate
            members["__setstate__"] = _setstate
    else:
        members.update(defaults)
        for name in factories:
            delattr(cls, name)
    members["__init__"] = _lazy_init(cls, names, defaults, factories, frozen)
    for name, value in members.items():
        setattr(cls, name, value)
    return cls


_ORDERINGS: dict[str, Callable[[Any, Any], Any]] = {
    "__lt__": operator.lt,
    "__le__": operator.le,
    "__gt__": operator.gt,
    "__ge__": operator.ge,
}


def _comparison(
    compare: Callable[[Any, Any], Any], key: Callable[[object], tuple[object, ...]]
) -> Callable[[object, object], Any]:
    """`__eq__`/`__lt__`...: compare the field tuples of two records of the same class."""

    def method(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compare(key(self), key(other))
        return NotImplemented

    return method


def _key_function(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    if not names:
        return lambda _obj: ()
    if len(names) == 1:
        get_one = attrgetter(names[0])
        return lambda obj: (get_one(obj),)
    get_all: Callable[[object], tuple[object, ...]] = attrgetter(*names)
    return get_all


def _lazy_init(
    cls: type,
    names: list[str],
    defaults: dict[str, object],
    factories: dict[str, Callable[[], object]],
    frozen: bool,
) -> Callable[..., None]:
    """An `__init__` that makes the real one (`_compile_init`) on first use and then steps aside."""

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        real = _compile_init(cls, names, defaults, factories, frozen)
        setattr(cls, "__init__", real)  # noqa: B010 (mypy forbids assigning __init__)
        real(self, *args, **kwargs)

    return __init__


def _compile_init(
    cls: type,
    names: list[str],
    defaults: dict[str, object],
    factories: dict[str, Callable[[], object]],
    frozen: bool,
) -> Callable[..., None]:
    """The class's `__init__`: the template for its shape, with the names put in.

    A template depends only on the number of fields, which of them take a factory, and
    frozenness (defaults live on the function, not in its code). Those of hubspec's own
    classes ship compiled (`records.templates`): compiling at run time took 5 to 12 ms of
    a one-file lint, the first `compile` of a process alone 2 ms or more. Renaming a
    template's parameters and attribute names copies no bytecode, and the result runs the
    same instructions per instance as the class's own source would.
    """
    made = tuple(index for index, name in enumerate(names) if name in factories)
    template = TEMPLATES.get((len(names), made, frozen)) or _init_template(len(names), made, frozen)
    generic = {f"f{index}": name for index, name in enumerate(names)}
    code = template.replace(
        co_varnames=tuple(generic.get(name, name) for name in template.co_varnames),
        co_names=tuple(generic.get(name, name) for name in template.co_names),
        co_consts=tuple(
            generic.get(value, value) if isinstance(value, str) else value
            for value in template.co_consts
        ),
        co_name="__init__",
        co_qualname=f"{cls.__qualname__}.__init__",
    )
    scope: dict[str, object] = {
        "_set": object.__setattr__,
        "_MISSING": _NO_DEFAULT,
        "_FACTORIES": tuple(factories.get(name) for name in names),
    }
    trailing = tuple(
        _NO_DEFAULT if name in factories else defaults[name]
        for name in names
        if name in defaults or name in factories
    )
    init: Callable[..., None] = FunctionType(code, scope, "__init__", trailing or None)
    return init


def template_name(count: int, made: tuple[int, ...], frozen: bool) -> str:
    """The name of a shape's template function in `records.templates`."""
    name = f"_init_{count}_{'frozen' if frozen else 'mutable'}"
    return name + "".join(f"_{index}" for index in made)


def template_source(count: int, made: tuple[int, ...], frozen: bool) -> str:
    """`__init__(self, f0, f1, ...)` setting fields `f0`, `f1`, ...; those at the indexes in
    `made` from their factory (`_FACTORIES[index]`) when not given."""
    lines = [f"def {template_name(count, made, frozen)}(", "    self: object,"]
    lines += [f"    f{index}: object," for index in range(count)]
    lines.append(") -> None:")
    for index in range(count):
        value = f"f{index}"
        if index in made:
            value = f"_FACTORIES[{index}]() if f{index} is _MISSING else f{index}"
        lines.append(
            f'    _set(self, "f{index}", {value})' if frozen else f"    self.f{index} = {value}"
        )
    if not count:
        lines.append("    pass")
    return "\n".join(lines) + "\n"


Shape = tuple[int, tuple[int, ...], bool]
"""A record class's fields as its `__init__` sees them: count, factory indexes, frozen."""

TEMPLATES_HEADER = '''"""Compiled `__init__` templates for the shapes of hubspec's record classes.

Generated by `records.templates_module` (tests/test_records.py checks it is current; set
HUBSPEC_WRITE_TEMPLATES=1 when running that test to rewrite it). `hubspec.records` puts
each class's field names in; a shape not listed here is compiled at its first instance.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import Any

_set = object.__setattr__
_MISSING: object = object()
_FACTORIES: tuple[Callable[[], object], ...] = ()
'''


def templates_module(shapes: set[Shape]) -> str:
    """The source of `records.templates` for these shapes."""
    parts = [TEMPLATES_HEADER]
    for shape in sorted(shapes):
        parts.append("\n\n" + template_source(*shape).replace("self: object", "self: Any"))
    entries = "".join(
        f"    {shape!r}: {template_name(*shape)}.__code__,\n" for shape in sorted(shapes)
    )
    parts.append(
        "\n\nTEMPLATES: dict[tuple[int, tuple[int, ...], bool], CodeType] = {\n" + entries + "}\n"
    )
    return "".join(parts)


@cache
def _init_template(count: int, made: tuple[int, ...], frozen: bool) -> CodeType:
    """A template compiled now: for a shape none of hubspec's classes has."""
    module = compile(template_source(count, made, frozen), "<record>", "exec")
    return next(value for value in module.co_consts if isinstance(value, CodeType))


def _repr(self: object) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields(self))
    return f"{type(self).__qualname__}({shown})"


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: object) -> tuple[object, ...]:
    return tuple(getattr(self, name) for name in fields(self))


def _setstate(self: object, state: tuple[object, ...]) -> None:
    for name, value in zip(fields(self), state, strict=True):
        object.__setattr__(self, name, value)

"""Every problem in the shape of lesson data, one line each: all that the structs refuse, not the first.

msgspec stops at the first value it refuses. When a lesson does not convert, this walks the data
against the structs' own field types (`msgspec.structs.fields`): unknown and missing keys, the
tag of every step and ask, then each value converted on its own, so that one bad field hides no
other (a typo in one step and a wrong type in another are two lines, as they always were). Only
the way into nested structs (steps, asks, calls, accepts, repo) is walked here; every other value
is checked by msgspec itself (a list of strings or categories item by item), and its refusal put
in the words `tutor validate` used with pydantic: the same lines, in the same order.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

from .models import FORMAT, SHA_PATTERN, SLUG_PATTERN
from .problems import at_key, shown
from .taxonomy import Category

Found = Iterator[tuple[str, str]]  # (where, what)


def shape_problems(data: dict[str, Any], struct: type[msgspec.Struct]) -> list[tuple[str, str]]:
    """Where and what each problem is in `data` as a `struct` (empty when msgspec's refusal could not
    be placed more precisely: the caller then reports msgspec's own line, see `refusal`)."""
    return list(_struct(data, struct, ""))


def problem_line(data: Any, kind: Any, error: msgspec.ValidationError) -> str:
    """The first problem of `data` as `kind` (a struct, or the `Step` or `Ask` union) that `parse`
    refused with `error`, as one line: `ok: input should be a valid boolean (got 'no'); 1 more`."""
    found = list(_value(data, kind, "")) or [refusal(error)]
    where, what = found[0]
    more = f"; {len(found) - 1} more" if len(found) > 1 else ""
    return f"{where}: {what}{more}" if where else f"{what}{more}"


def refusal(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec's own refusal as (where, what): `Expected `int`, got `str` - at `$.steps[3].ok``."""
    message, at = _split(str(error))
    return at.lstrip("."), _lower(message)


# ---------------------------------------------------------------- the walk


def _struct(value: Any, struct: type[msgspec.Struct], where: str) -> Found:
    if not isinstance(value, dict):
        yield where, f"input should be an object{_got(value)}"
        return
    fields = {field.encode_name: field for field in msgspec.structs.fields(struct)}
    for name, field in fields.items():
        if name in value:
            yield from _value(value[name], field.type, at_key(where, name))
        elif field.required:
            yield at_key(where, name), "missing field"
    tag_field = struct.__struct_config__.tag_field
    for key in value:
        if key not in fields and key != tag_field:
            yield at_key(where, key), f"unknown field {shown(key)} (not part of {FORMAT})"


def _value(value: Any, kind: Any, where: str) -> Found:
    structs = _structs_in(kind)
    if not structs and _origin(kind) is list and isinstance(value, list):
        item = _item_type(kind)
        yield from _items_then_length([_leaf(entry, item, f"{where}[{index}]") for index, entry in enumerate(value)], value, kind, where)
    elif not structs:
        yield from _leaf(value, kind, where)
    elif _converts(value, kind):
        return  # the walk goes only where msgspec refuses: a long lesson's good steps cost one conversion each
    elif _origin(kind) is list:
        yield from _list(value, kind, structs, where)
    elif value is None and type(None) in get_args(kind):
        return
    elif len(structs) == 1 and structs[0].__struct_config__.tag_field is None:
        yield from _struct(value, structs[0], where)
    else:
        yield from _tagged(value, structs, where)


def _list(value: Any, kind: Any, structs: list[type[msgspec.Struct]], where: str) -> Found:
    if not isinstance(value, list):
        yield where, f"input should be a valid array{_got(value)}"
        return
    item_kind = _item_type(kind)
    yield from _items_then_length([_value(item, item_kind, f"{where}[{index}]") for index, item in enumerate(value)], value, kind, where)


def _items_then_length(items: list[Found], value: list[Any], kind: Any, where: str) -> Found:
    """The problems of a list's items; its length only when they have none (as "after validation" says)."""
    found = [problem for item in items for problem in item]
    yield from found or _leaf(value, _list_shape(kind), where)


def _tagged(value: Any, structs: list[type[msgspec.Struct]], where: str) -> Found:
    """A step (tagged by `kind`) or an ask (by `type`): the tag chooses the struct."""
    if not isinstance(value, dict):
        yield where, f"input should be an object{_got(value)}"
        return
    tag_field = structs[0].__struct_config__.tag_field
    by_tag = {struct.__struct_config__.tag: struct for struct in structs}
    if tag_field not in value:
        yield where, f"missing field {tag_field!r}"
        return
    tag = value[tag_field]
    chosen = by_tag.get(tag) if isinstance(tag, str) else None
    if chosen is None:
        yield where, f"unknown {tag_field} {shown(str(tag))}; expected one of {', '.join(repr(name) for name in by_tag)}"
        return
    yield from _struct(value, chosen, where)


def _converts(value: Any, kind: Any) -> bool:
    try:
        msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError:
        return False
    return True


def _leaf(value: Any, kind: Any, where: str) -> Found:
    try:
        msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as error:
        message, at = _split(str(error))
        yield where + at, _words(message, _at(value, at), kind, where + at)


# ---------------------------------------------------------------- msgspec's refusal in Tutor's words

_EXPECTED = re.compile(r"Expected `([a-z]+)(?: \| null)?`, got `[a-z]+`")
_LENGTH = re.compile(r"Expected `(str|array|object)` of length (>=|<=) (\d+)")
_BOUND = re.compile(r"Expected `(?:int|float)` (>=|<=|>|<) (-?[\d.]+)")
_NAMES = {"int": "a valid integer", "bool": "a valid boolean", "str": "a valid string", "array": "a valid array",
          "object": "an object", "float": "a valid number"}
_UNITS = {"str": "character", "array": "item", "object": "item"}
_BOUNDS = {">=": "greater than or equal to", "<=": "less than or equal to", ">": "greater than", "<": "less than"}


def _words(message: str, given: Any, kind: Any, where: str) -> str:
    choices = _choices(kind)
    if choices is not None:  # an enum or a literal: name what it may be, whatever msgspec said
        if choices is Category and where.endswith("category"):
            return f"unknown category {shown(given)}; expected one of {', '.join(category.value for category in Category)}"
        values = [choice.value for choice in choices] if isinstance(choices, type) else list(choices)
        allowed = [repr(value) for value in values]
        listed = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
        return f"{shown(given)} is not allowed; input should be {listed}"
    if "matching regex" in message:
        if SLUG_PATTERN in message.replace("\\\\", "\\"):
            return f"{shown(given)} is not a slug (lowercase letters, digits and '-', starting with a letter or digit)"
        if SHA_PATTERN in message.replace("\\\\", "\\"):
            return f"{shown(given)} is not a git object id (7 to 64 lowercase hex digits)"
    if found := _LENGTH.match(message):
        what, bound, count = found.groups()
        unit = _UNITS[what] + ("" if count == "1" else "s")
        if what == "str":
            return f"string should have {'at least' if bound == '>=' else 'at most'} {count} {unit}{_got(given)}"
        return f"list should have {'at least' if bound == '>=' else 'at most'} {count} {unit} after validation, not {len(given)}"
    if found := _BOUND.match(message):
        return f"input should be {_BOUNDS[found.group(1)]} {found.group(2)}{_got(given)}"
    if found := _EXPECTED.match(message):
        return f"input should be {_NAMES.get(found.group(1), found.group(1))}{_got(given)}"
    return _lower(message) + _got(given)


def _got(given: Any) -> str:
    return "" if given is None or isinstance(given, (dict, list)) else f" (got {shown(given)})"


def _lower(message: str) -> str:
    return message[:1].lower() + message[1:]


# ---------------------------------------------------------------- types and paths

_AT = re.compile(r"^(.*) - at `\$(.*)`$", re.DOTALL)
_INDEX = re.compile(r"\[(\d+)\]")


def _split(message: str) -> tuple[str, str]:
    """`Expected `str`, got `int` - at `$[2]`` -> ("Expected `str`, got `int`", "[2]")."""
    found = _AT.match(message)
    return (found.group(1), found.group(2)) if found else (message, "")


def _at(value: Any, at: str) -> Any:
    """The value a msgspec path inside a leaf names (only list indexes: a leaf's dicts hold anything)."""
    for index in _INDEX.findall(at):
        if isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
    return value


def _origin(kind: Any) -> Any:
    return get_origin(get_args(kind)[0]) if get_origin(kind) is Annotated else get_origin(kind)


def _list_shape(kind: Any) -> Any:
    """A list type with its length bounds but items of any type: `options` of at least 2 items."""
    metas = [meta for meta in get_args(kind)[1:] if isinstance(meta, msgspec.Meta)] if get_origin(kind) is Annotated else []
    return Annotated[list[Any], *metas] if metas else list[Any]


def _item_type(kind: Any) -> Any:
    return get_args(get_args(kind)[0] if get_origin(kind) is Annotated else kind)[0]


def _structs_in(kind: Any) -> list[type[msgspec.Struct]]:
    """The structs a field's type leads to directly: `RepoRef | None`, `list[Call]`, the `Step` union."""
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return [kind]
    if get_origin(kind) is Annotated:
        return _structs_in(get_args(kind)[0])
    if get_origin(kind) in (Union, types.UnionType, list):
        return [struct for arg in get_args(kind) for struct in _structs_in(arg)]
    return []


def _choices(kind: Any) -> type[Enum] | tuple[Any, ...] | None:
    """The enum class or the literal values a leaf's type allows, else None."""
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    if get_origin(kind) is Literal:
        return get_args(kind)
    if get_origin(kind) in (Union, types.UnionType):
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        return _choices(options[0]) if len(options) == 1 else None
    return None

"""CSV columns derived from a public schema, and the CSV line the seed stores for each item.

The rule (docs/api.md): a scalar field is a column; a nested object's fields become
`parent_child` columns; a list of values is one column joined with `|`; a list of objects
gives one `list_field` column per field of its items, each joined with `|` in item order.
Columns follow the schema's field order. An export sends `csv_header(model)` and then the
stored lines, so no request flattens anything.
"""

import csv
import io
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import BaseModel

Extract = Callable[[dict[str, Any]], Any]
Column = tuple[str, Extract]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model inside `annotation` (`Model`, `Model | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for member in typing.get_args(annotation):
            model = _model_of(member)
            if model is not None:
                return model
    return None


def _list_item(annotation: Any) -> Any:
    """The item type of `list[X]` (or `list[X] | None`), else None."""
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for member in typing.get_args(annotation):
            item = _list_item(member)
            if item is not None:
                return item
    return None


def _text(value: Any) -> Any:
    return "" if value is None else value


def _leaves(model: type[BaseModel]) -> list[tuple[str, tuple[str, ...]]]:
    """(column name, key path) of every scalar or list-of-scalars field, nesting flattened."""
    leaves: list[tuple[str, tuple[str, ...]]] = []
    for name, field in model.model_fields.items():
        nested = _model_of(field.annotation)
        if nested is not None:
            leaves += [(f"{name}_{sub}", (name, *path)) for sub, path in _leaves(nested)]
        else:
            leaves.append((name, (name,)))
    return leaves


def _getter(path: tuple[str, ...]) -> Extract:
    if len(path) == 1:
        key = path[0]
        return lambda item: item.get(key)

    def extract(item: dict[str, Any]) -> Any:
        value: Any = item
        for key in path:
            if value is None:
                return None
            value = value.get(key)
        return value

    return extract


def _column(getter: Extract) -> Extract:
    def extract(item: dict[str, Any]) -> Any:
        value = getter(item)
        if isinstance(value, list):
            return "|".join(str(_text(part)) for part in value)
        return _text(value)

    return extract


def _list_column(getter: Extract, inner: Extract) -> Extract:
    def extract(item: dict[str, Any]) -> Any:
        return "|".join(str(_text(inner(element))) for element in getter(item) or [])

    return extract


@cache
def csv_columns(model: type[BaseModel]) -> tuple[Column, ...]:
    """The CSV columns of `model`, by the rule in the module docstring."""
    columns: list[Column] = []
    for name, field in model.model_fields.items():
        nested = _model_of(field.annotation)
        item_model = _model_of(_list_item(field.annotation))
        if nested is not None:
            for sub, path in _leaves(nested):
                columns.append((f"{name}_{sub}", _column(_getter((name, *path)))))
        elif item_model is not None:
            outer = _getter((name,))
            for sub, path in _leaves(item_model):
                columns.append((f"{name}_{sub}", _list_column(outer, _getter(path))))
        else:
            columns.append((name, _column(_getter((name,)))))
    return tuple(columns)


def _line(cells: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def csv_header(model: type[BaseModel]) -> str:
    """The header line (CRLF-terminated) of `model`'s CSV export."""
    return _line([name for name, _ in csv_columns(model)])


def csv_line(model: type[BaseModel], item: dict[str, Any]) -> str:
    """The CSV line (CRLF-terminated) of one item, `item` being its public JSON as a dict."""
    return _line([extract(item) for _, extract in csv_columns(model)])

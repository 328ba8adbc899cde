"""The events' long and dyadic CSV forms, and the data dictionary of every CSV export.

Each form has a literal path of its own (`/v1/events.long.csv`, `/v1/events.dyadic.csv`)
rather than a `shape=` parameter on /v1/events.csv: an operation has one response shape, so a
typed client names the form by its path and each header is stated once; the ETag and the file
name follow the path. The dictionary walks the rows' public schemas by the flattening rule of
app/readmodel/flatten.py, so it lists exactly the columns the exports send.
"""

import enum
import types
import typing
from typing import Any

from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from app.api.lists import ExportForm
from app.readmodel.contract import EVENT_DYADIC_CSV, EVENT_LONG_CSV
from app.schemas.events import EventPublic
from app.schemas.exports import (
    EventDyadRow,
    EventSourceRow,
    ExportColumn,
    ExportDictionary,
    ExportTable,
)
from app.schemas.quotes import QuotePublic
from app.schemas.reference import LeaderPublic, SourcePublic
from app.schemas.trade import TradeObservationPublic

LONG = ExportForm(name="long", column=EVENT_LONG_CSV, row=EventSourceRow)
DYADIC = ExportForm(name="dyadic", column=EVENT_DYADIC_CSV, row=EventDyadRow)

# Every CSV export: (path, what a row is, the model of its rows).
CSV_EXPORTS: tuple[tuple[str, str, type[BaseModel]], ...] = (
    ("/v1/events.csv", "an event (the wide form)", EventPublic),
    ("/v1/events.long.csv", "an event's supporting source passage", EventSourceRow),
    ("/v1/events.dyadic.csv", "a pair of an event's participants", EventDyadRow),
    ("/v1/quotes.csv", "a quote", QuotePublic),
    ("/v1/leaders.csv", "a leader", LeaderPublic),
    ("/v1/sources.csv", "a source article", SourcePublic),
    (
        "/v1/trade/observations.csv",
        "a trade figure as one source states it",
        TradeObservationPublic,
    ),
    ("/v1/trade/series.csv", "a point of a trade series", TradeObservationPublic),
)

_PANDAS = {"string": "string", "date": "string", "integer": "Int64", "number": "Float64"}
_PANDAS |= {"boolean": "boolean", "list": "string"}


def _members(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `None`, and whether `None` was part of it."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        return (members[0] if len(members) == 1 else str), optional
    return annotation, False


def _model(annotation: Any) -> type[BaseModel] | None:
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _is_date(meta: Any) -> bool:
    """Whether `meta` types a string as an ISO date (app/schemas/common.py IsoDate)."""
    return isinstance(meta, WithJsonSchema) and (meta.json_schema or {}).get("format") == "date"


def _scalar_type(annotation: Any, info: FieldInfo) -> tuple[str, list[str] | None]:
    """(type name, vocabulary) of a scalar field."""
    metadata = [*info.metadata, *getattr(annotation, "__metadata__", ())]
    if any(_is_date(meta) for meta in metadata):
        return "date", None
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "string", [str(member.value) for member in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return "string", [str(value) for value in typing.get_args(annotation)]
    if annotation is bool:
        return "boolean", None
    if annotation is int:
        return "integer", None
    if annotation is float:
        return "number", None
    return "string", None


def _columns(
    model: type[BaseModel], prefix: str = "", *, joined: bool = False, optional: bool = False
) -> list[ExportColumn]:
    """The columns of `model` in order: nested objects flattened to `parent_child`, lists
    joined with `|` (app/readmodel/flatten.py)."""
    columns: list[ExportColumn] = []
    for name, info in model.model_fields.items():
        annotation, nullable = _members(info.annotation)
        nullable = nullable or optional
        listed = typing.get_origin(annotation) is list
        inner = typing.get_args(annotation)[0] if listed else annotation
        nested = _model(inner)
        if nested is not None:
            columns += _columns(
                nested, f"{prefix}{name}_", joined=joined or listed, optional=nullable or listed
            )
            continue
        kind, values = _scalar_type(inner, info)
        kind = "list" if listed or joined else kind
        columns.append(
            ExportColumn(
                name=f"{prefix}{name}",
                type=kind,
                nullable=nullable or listed or joined,
                values=values,
                description=info.description,
                pandas_dtype=_PANDAS[kind],
            )
        )
    return columns


def export_table(path: str, row: str, model: type[BaseModel]) -> ExportTable:
    columns = _columns(model)
    return ExportTable(
        path=path,
        row=row,
        columns=columns,
        pandas_dtype={column.name: column.pandas_dtype for column in columns},
    )


def data_dictionary() -> ExportDictionary:
    """Every CSV export's columns, types, descriptions and pandas dtypes."""
    return ExportDictionary(exports=[export_table(*export) for export in CSV_EXPORTS])


# docs/api.md holds columns_section() between these markers (docs/record_columns.py writes it).
COLUMNS_START, COLUMNS_END = "<!-- columns:start -->", "<!-- columns:end -->"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def columns_section() -> str:
    """The markdown between the markers: one table per export."""
    parts: list[str] = []
    for export in data_dictionary().exports:
        parts += [
            "",
            f"`{export.path}`: each row is {export.row}.",
            "",
            "| Column | Type | Empty | pandas dtype | Description |",
            "|---|---|---|---|---|",
        ]
        for column in export.columns:
            kind = column.type
            if column.values:
                kind += ": " + ", ".join(f"`{value}`" for value in column.values)
            parts.append(
                f"| `{column.name}` | {_cell(kind)} | {'yes' if column.nullable else 'no'} | "
                f"`{column.pandas_dtype}` | {_cell(column.description)} |"
            )
    return "\n".join(parts) + "\n"

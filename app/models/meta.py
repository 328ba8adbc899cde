"""Facts about the loaded dataset as a whole."""

import datetime as dt

from sqlmodel import Field, SQLModel

import app.models.base  # noqa: F401  (naming convention first)


class DatasetMeta(SQLModel, table=True):
    __tablename__ = "dataset_meta"

    id: int = Field(default=1, primary_key=True)
    version: str = Field(max_length=64, description="SHA-256 over every seed file")
    loaded_at: dt.datetime
    max_event_span_days: int | None = Field(
        default=None, description="Longest date_hi - date_lo of any event; bounds date scans"
    )


class PublicIdRedirect(SQLModel, table=True):
    """A public id that was changed: requests for it are redirected (301) to its new id."""

    __tablename__ = "public_id_redirect"

    kind: str = Field(primary_key=True, max_length=10, description="event | quote")
    old_id: str = Field(primary_key=True, max_length=120)
    new_id: str = Field(max_length=120)

"""Reference geography: bodies, wilayas and their agencies."""

from __future__ import annotations

import uuid

from sqlmodel import Field, SQLModel


class Body(SQLModel, table=True):
    """A social-security or employment body (CNAS, CASNOS, …)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name_ar: str = Field(max_length=200)
    name_fr: str = Field(max_length=200)
    name_en: str = Field(max_length=200)


class Wilaya(SQLModel, table=True):
    """One of the 58 wilayas, keyed by its official code."""

    code: int = Field(primary_key=True)
    name_ar: str = Field(max_length=100)
    name_fr: str = Field(max_length=100)


class Agency(SQLModel, table=True):
    """An agency of a body in a wilaya, or a local centre below an agency."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    wilaya_code: int = Field(foreign_key="wilaya.code", index=True)
    kind: str = Field(max_length=20, default="agency")  # agency | centre
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="agency.id")
    name_ar: str = Field(max_length=200)
    name_fr: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = None
    longitude: float | None = None
    active: bool = True

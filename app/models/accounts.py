"""Organisations (buyers), bureaus (bidders) and the people who log in."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Column, String
from sqlmodel import Field, SQLModel

from app.clock import now
from app.models.base import UTCDateTime, in_list

ROLES = ("admin", "officer", "evaluator", "bureau")
ORGANISATION_KINDS = ("municipality", "housing_corporation", "utility", "water_board", "province", "other")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Organisation(SQLModel, table=True):
    """A public body that buys: a municipality, a housing corporation, a utility…"""

    __table_args__ = (CheckConstraint(in_list("kind", ORGANISATION_KINDS), name="kind"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    kind: str = Field(default="municipality", max_length=40)
    # Public identifier for open data (e.g. OIN or KvK number); optional.
    identifier: Optional[str] = Field(default=None, max_length=60)
    city: Optional[str] = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class Bureau(SQLModel, table=True):
    """A consultancy that can be invited to a tender."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(max_length=254)
    city: Optional[str] = Field(default=None, max_length=120)
    website: Optional[str] = Field(default=None, max_length=300)
    kvk_number: Optional[str] = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(in_list("role", ROLES), name="role"),
        # Officers and evaluators belong to an organisation, bureau users to a bureau, admins to neither.
        CheckConstraint(
            "(role IN ('officer', 'evaluator') AND organisation_id IS NOT NULL AND bureau_id IS NULL)"
            " OR (role = 'bureau' AND bureau_id IS NOT NULL AND organisation_id IS NULL)"
            " OR (role = 'admin' AND bureau_id IS NULL)",
            name="role_affiliation",
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(sa_column=Column(String(254), nullable=False, unique=True))
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisation.id", index=True)
    bureau_id: Optional[int] = Field(default=None, foreign_key="bureau.id", index=True)
    # None until the user sets a password (e.g. a bureau contact following an invitation link).
    password_hash: Optional[str] = Field(default=None, max_length=255)
    # Part of the login cookie; replaced at logout and password change so old cookies die.
    session_token: str = Field(
        default_factory=new_session_token, sa_column=Column(String(64), nullable=False, unique=True)
    )
    active: bool = True
    locale: Optional[str] = Field(default=None, max_length=5)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    last_login_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)

    # --- Flask-Login protocol -------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"

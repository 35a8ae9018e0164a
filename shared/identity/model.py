"""Identity commands and views exposed through the API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.identity.roles import Role

# A deliberate, light check (no DNS, no extra dependency): something@domain.tld, at most 320 chars.
Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

RoleName = Literal["free_user", "paid_user", "company_admin", "platform_admin"]


class RegisterCommand(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    email: Email
    password: str = Field(min_length=1, max_length=1024)
    full_name: str | None = Field(default=None, max_length=200)


class LoginCommand(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    email: Email
    password: str = Field(min_length=1, max_length=1024)


class RefreshCommand(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    refresh_token: str = Field(min_length=20, max_length=200)


class LogoutCommand(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    refresh_token: str | None = Field(default=None, min_length=20, max_length=200)


class UpdateMeCommand(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)

    full_name: str | None = Field(default=None, max_length=200)
    current_password: str | None = Field(default=None, max_length=1024)
    new_password: str | None = Field(default=None, max_length=1024)


class SetRolesCommand(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    roles: list[RoleName] = Field(min_length=1, max_length=4)


class TokenPair(BaseModel):
    model_config = ConfigDict(defer_build=True)
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type
    expires_in: int
    refresh_token: str


class User(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: uuid.UUID
    email: str
    full_name: str | None = None
    roles: list[str]
    company_id: uuid.UUID | None = None
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None = None


class UserPage(BaseModel):
    model_config = ConfigDict(defer_build=True)
    items: list[User]
    next_cursor: str | None = None


__all__ = ["Role"]

"""The taxonomy as `GET /v1/taxonomy` publishes it: industries with their sub-industries (key, ru/en label) and
the complementary sub-industry pairs (a, b, synergy ru/en) — the codes a company's `industry` and
`sub_industries` must use (shared/taxonomy/codes.py checks them on write).

Only those fields leave: what else the data file holds for matching (`shared.taxonomy`) stays inside. The
answer and its ETag (a hash of its bytes) are made once per process; the data changes only with a deploy.
"""

from __future__ import annotations

import hashlib
from functools import cache

from pydantic import BaseModel, ConfigDict

from shared.taxonomy import Complement, Label, taxonomy

__all__ = ["IndustryView", "SubIndustryView", "TaxonomyView", "etag", "fresh", "published"]


class SubIndustryView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    key: str
    label: Label


class IndustryView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    key: str
    label: Label
    sub_industries: list[SubIndustryView]


class TaxonomyView(BaseModel):
    """The industry taxonomy: the codes of a company's `industry` and `sub_industries`, with their labels, and
    the sub-industry pairs whose products complement each other (in either order)."""

    model_config = ConfigDict(defer_build=True)

    industries: list[IndustryView]
    complements: list[Complement]


@cache
def published() -> TaxonomyView:
    data = taxonomy()
    return TaxonomyView(
        industries=[
            IndustryView(
                key=i.key,
                label=i.label,
                sub_industries=[SubIndustryView(key=s.key, label=s.label) for s in i.sub_industries],
            )
            for i in data.industries
        ],
        complements=list(data.complements),
    )


@cache
def etag() -> str:
    """A strong ETag of the published answer: the first 16 hex digits of its JSON's SHA-256."""
    digest = hashlib.sha256(published().model_dump_json().encode("utf-8")).hexdigest()
    return f'"{digest[:16]}"'


def fresh(if_none_match: str | None) -> bool:
    """Whether an `If-None-Match` header names the current ETag (or is `*`): the caller's copy is current."""
    if not if_none_match:
        return False
    current = etag()
    tags = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == current for tag in tags)

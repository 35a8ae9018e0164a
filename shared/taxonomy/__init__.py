"""The industry taxonomy: industries, their sub-industries and the sub-industry pairs that complement each other.

One data file, `taxonomy.json` beside this module (shipped in the shared layer), read by the compatibility model
(`shared.partnerships.compatibility`) and by the sample-catalog generator (`localcloud.catalog.generate`).
Every industry and sub-industry has a Russian and an English label; every complementary pair the joint offering
it could sell, in both languages. `taxonomy()` parses and checks the file once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Complement", "Industry", "Label", "SubIndustry", "Taxonomy", "taxonomy"]

TAXONOMY_FILE = Path(__file__).with_name("taxonomy.json")

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Product = Annotated[str, Field(pattern=r"^[a-z0-9_]{2,100}$")]  # an integration code, as companies write them


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Label(_Frozen):
    ru: Text
    en: Text


class SubIndustry(_Frozen):
    """A kind of product. `products`: integration codes of well-known products of this kind (a company that
    integrates with `tilda` plugs into store builders); `phrases`: how a description names this kind of
    product (Russian and English, lower case). Both let matching read what a product says it plugs into."""

    key: Key
    label: Label
    products: tuple[Product, ...] = ()
    phrases: tuple[Text, ...] = ()


class Industry(_Frozen):
    key: Key
    label: Label
    sub_industries: tuple[SubIndustry, ...] = Field(min_length=1)


class Complement(_Frozen):
    """Two sub-industries whose products complement each other (in either order) and what they could sell together."""

    a: Key
    b: Key
    synergy: Label


class Taxonomy(_Frozen):
    about: str = ""
    industries: tuple[Industry, ...] = Field(min_length=1)
    complements: tuple[Complement, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        industries = [i.key for i in self.industries]
        if len(set(industries)) != len(industries):
            raise ValueError(f"an industry is listed twice: {sorted(k for k in industries if industries.count(k) > 1)}")
        subs = [s.key for i in self.industries for s in i.sub_industries]
        if len(set(subs)) != len(subs):
            raise ValueError(f"a sub-industry is listed twice: {sorted(k for k in set(subs) if subs.count(k) > 1)}")
        known, pairs = set(subs), set()
        for c in self.complements:
            unknown = {c.a, c.b} - known
            if unknown:
                raise ValueError(f"complement {c.a} + {c.b}: unknown sub-industry {', '.join(sorted(unknown))}")
            pair = frozenset((c.a, c.b))
            if len(pair) == 1 or pair in pairs:
                raise ValueError(f"complement {c.a} + {c.b}: a sub-industry with itself, or a pair listed twice")
            pairs.add(pair)
        return self

    def industry_of_sub(self) -> dict[str, str]:
        """Sub-industry key → the key of its industry."""
        return {s.key: i.key for i in self.industries for s in i.sub_industries}


@cache
def taxonomy() -> Taxonomy:
    """The taxonomy of `taxonomy.json`, parsed and checked on the first call."""
    return Taxonomy.model_validate_json(TAXONOMY_FILE.read_bytes())

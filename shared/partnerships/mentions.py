"""What a product says it plugs into: the kinds of product (sub-industries) its integrations and description name.

A user who enters a company writes what it does and what it works with, not taxonomy codes. Two things in
that text name other kinds of product (both read from `shared/taxonomy/taxonomy.json`):

* an integration code of a well-known product of a kind (`tilda` → store builders, `yookassa` → payments),
  the taxonomy's `products`;
* a phrase naming the kind in the description (`подключается к конструкторам интернет-магазинов`), the
  taxonomy's `phrases`. The first sentence usually says what the product itself is ("X — платёжный сервис
  для ..."), so phrases count only after it, and never for the company's own sub-industries.

The same reading finds whom a product sells to: the customer segments of `shared/taxonomy/audiences.json`
named anywhere in the description or the AI tags (`audiences`), the seed's «общая целевая аудитория».

Phrases match by word stems (the first five letters of longer words, short words whole), so Russian word
forms match ("конструкторам" ~ "конструктор"); every stem of a phrase must occur in one sentence.
Pure domain, no I/O; cached per text, since ranking a pool reads the same company against each candidate.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from shared.taxonomy import TAXONOMY_FILE, taxonomy

_WORD = re.compile(r"[a-zа-яё0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_FOR = re.compile(r"\s(?:для|for)\s")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text.strip()) if s.strip()]


def stem(word: str) -> str:
    word = word.replace("ё", "е")
    return word[:5] if len(word) > 3 else word


def stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _WORD.findall(text.lower()))


@dataclass(frozen=True)
class Mention:
    """`kind` (a sub-industry) is named by `evidence`: an integration code or a phrase of the description."""

    kind: str
    evidence: str
    via: str  # "integration" | "description"


@cache
def _products() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for industry in taxonomy().industries:
        for sub in industry.sub_industries:
            for product in sub.products:
                found.setdefault(product, []).append(sub.key)
    return {product: tuple(kinds) for product, kinds in found.items()}


@cache
def _phrases() -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(kind, phrase, its stems), longest phrases first."""
    rows = [
        (sub.key, phrase, stems(phrase))
        for industry in taxonomy().industries
        for sub in industry.sub_industries
        for phrase in sub.phrases
    ]
    return tuple(sorted((r for r in rows if r[2]), key=lambda r: -len(r[2])))


@lru_cache(maxsize=4096)
def _described(description: str) -> tuple[Mention, ...]:
    found: dict[str, Mention] = {}
    for sentence in _sentences(description)[1:]:
        words = stems(sentence)
        for kind, phrase, needed in _phrases():
            if kind not in found and needed <= words:
                found[kind] = Mention(kind, phrase, "description")
    return tuple(found.values())


def products_of(kinds: Iterable[str]) -> list[str]:
    """Integration codes of well-known products of these kinds (a candidate listing one plugs into them)."""
    wanted = set(kinds)
    return sorted(p for p, of in _products().items() if wanted & set(of))


def mentions(company: Mapping[str, Any], own: Iterable[str] = ()) -> dict[str, Mention]:
    """Kinds of product `company` names (kind → the first evidence), other than its own kinds `own`."""
    mine = set(own)
    found: dict[str, Mention] = {}
    for code in company.get("integrations") or []:
        for kind in _products().get(str(code), ()):
            if kind not in mine:
                found.setdefault(kind, Mention(kind, str(code), "integration"))
    for mention in _described(str(company.get("description") or "")):
        if mention.kind not in mine:
            found.setdefault(mention.kind, mention)
    return found


@lru_cache(maxsize=4096)
def described_as(name: str, description: str) -> tuple[str, ...]:
    """Kinds the company's name and own first sentence say it is, up to whom it is for ("PayFlow — платёжный
    сервис для интернет-магазинов" → payments: what follows «для» names its customers, not itself)."""
    first = next(iter(_sentences(description)), "")
    words = stems(f"{name} {_FOR.split(first.lower(), maxsplit=1)[0]}")
    return tuple(dict.fromkeys(kind for kind, _, needed in _phrases() if needed <= words))


AUDIENCES_FILE = TAXONOMY_FILE.with_name("audiences.json")


@dataclass(frozen=True)
class Audience:
    """A customer segment: `broad` ones (small business, enterprise) say little when shared."""

    key: str
    label: str
    broad: bool


@cache
def _audience_phrases() -> tuple[tuple[Audience, frozenset[str]], ...]:
    data = json.loads(AUDIENCES_FILE.read_text(encoding="utf-8"))
    return tuple(
        (Audience(a["key"], a["label"]["ru"], bool(a.get("broad"))), stems(phrase))
        for a in data["audiences"]
        for phrase in a["phrases"]
    )


@lru_cache(maxsize=4096)
def _audiences_in(text: str) -> tuple[Audience, ...]:
    found: dict[str, Audience] = {}
    for sentence in _sentences(text):
        words = stems(sentence)
        for audience, needed in _audience_phrases():
            if audience.key not in found and needed and needed <= words:
                found[audience.key] = audience
    return tuple(found.values())


def audiences(company: Mapping[str, Any]) -> dict[str, Audience]:
    """The customer segments the company's description and AI tags name (key → segment)."""
    tags = ". ".join(str(t) for t in company.get("ai_tags") or [])
    text = f"{company.get('description') or ''}\n{tags}"
    return {a.key: a for a in _audiences_in(text)}

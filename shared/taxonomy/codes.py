"""Checking industry and sub-industry codes against the taxonomy, and proposing the nearest known ones.

A company's `industry` must be an industry key of `taxonomy.json` and each of its `sub_industries` a
sub-industry key; a sub-industry need not belong to the company's industry (an e-commerce company may well
sell a fintech product). For an unknown code `nearest_industries` / `nearest_sub_industries` propose the
known codes it most likely meant, matched (difflib) on the keys and on the Russian and English labels and
their words: `paymnts` → `payments`, `платежи` → `payments`, `Open banking` → `banking_api`. A sub-industry
code given as an industry proposes its own industry first.

The taxonomy is read on the first check (`shared.taxonomy.taxonomy()`, once per process); difflib only
when a code is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from shared.taxonomy import taxonomy

if TYPE_CHECKING:
    from shared.taxonomy import Label

__all__ = [
    "Suggestion",
    "is_industry",
    "is_sub_industry",
    "nearest_industries",
    "nearest_sub_industries",
    "unknown_sub_industries",
]

CUTOFF = 0.6  # difflib's ratio a candidate needs (its own default)
LIMIT = 3  # codes proposed at most
_RUNNER_UP = 0.85  # a candidate scoring below this share of the best one is left out
_MIN_WORD = 4  # label words shorter than this are not matched on their own ("и", "API")


@dataclass(frozen=True)
class Suggestion:
    """A known code proposed for an unknown one, with its labels (to show beside the code)."""

    key: str
    ru: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "ru": self.ru, "en": self.en}


@dataclass(frozen=True)
class _Entry:
    key: str
    label: Label
    texts: tuple[str, ...]  # normalised: the key, both labels, and their longer words


def _normalise(text: str) -> str:
    return " ".join(re.split(r"[\s_\-–—/,.;:()«»\"']+", text.strip().casefold().replace("ё", "е"))).strip()


def _entry(key: str, label: Label) -> _Entry:
    texts = [_normalise(key), _normalise(label.ru), _normalise(label.en)]
    for text in texts[1:]:
        texts += [word for word in text.split() if len(word) >= _MIN_WORD]
    return _Entry(key, label, tuple(dict.fromkeys(texts)))


@cache
def _industries() -> dict[str, _Entry]:
    return {i.key: _entry(i.key, i.label) for i in taxonomy().industries}


@cache
def _sub_industries() -> dict[str, _Entry]:
    return {s.key: _entry(s.key, s.label) for i in taxonomy().industries for s in i.sub_industries}


def is_industry(code: str) -> bool:
    return code in _industries()


def is_sub_industry(code: str) -> bool:
    return code in _sub_industries()


def unknown_sub_industries(codes: list[str]) -> list[tuple[int, str]]:
    """(position, code) of each code that is no sub-industry of the taxonomy."""
    known = _sub_industries()
    return [(n, code) for n, code in enumerate(codes) if code not in known]


def _nearest(code: str, entries: dict[str, _Entry], first: list[str]) -> list[Suggestion]:
    from difflib import SequenceMatcher

    wanted = _normalise(code)
    scored: list[tuple[float, int, str]] = []
    if wanted:
        matcher = SequenceMatcher(a=wanted, autojunk=False)
        for order, entry in enumerate(entries.values()):
            best = 0.0
            for text in entry.texts:
                matcher.set_seq2(text)
                if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
                    best = max(best, matcher.ratio())
            if best >= CUTOFF:
                scored.append((-best, order, entry.key))
    scored.sort()
    # The close runners-up only: "FinTech" is fintech, not hrtech and martech besides.
    close = [key for score, _, key in scored if -score >= -scored[0][0] * _RUNNER_UP] if scored else []
    keys = list(dict.fromkeys([*first, *close]))[:LIMIT]
    return [Suggestion(key, entries[key].label.ru, entries[key].label.en) for key in keys]


def nearest_industries(code: str) -> list[Suggestion]:
    """The industries an unknown industry code most likely meant, best first (at most three; maybe none).
    A sub-industry's key proposes its own industry first."""
    parent = taxonomy().industry_of_sub().get(code.strip())
    return _nearest(code, _industries(), [parent] if parent else [])


def nearest_sub_industries(code: str) -> list[Suggestion]:
    """The sub-industries an unknown sub-industry code most likely meant, best first (at most three; maybe none)."""
    return _nearest(code, _sub_industries(), [])

"""A deterministic synthetic catalog of Russian B2B/B2C SaaS companies.

Everything comes from the industry taxonomy (`shared/taxonomy/taxonomy.json`, which the compatibility model
reads too), the word lists of `data/*.json` beside this module and one `random.Random(seed)`: no network, no
faker. The same (count, seed) always gives the same catalog, so the committed `companies.json` can be checked
against it. Within an industry the sub-industries serve the same customers, so the catalog holds both
competitors (same sub-industry) and complementary products (a store builder, a delivery aggregator, a payments
service and an e-commerce CRM sharing integrations). Legal identifiers are valid: INN and OGRN carry the region
of the headquarters city and correct control digits.

    python -m localcloud.catalog.generate [--count N] [--seed S] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, TypedDict

from shared.companies.legal import inn_check_digits, ogrn_check_digit
from shared.companies.slugs import slugify
from shared.taxonomy import taxonomy

DEFAULT_OUT = Path(__file__).with_name("companies.json")
DATA_DIR = Path(__file__).with_name("data")
DEFAULT_COUNT = 320
DEFAULT_SEED = 2026
# The catalog is "as of" the end of this year: no funding round or founding after it.
AS_OF_YEAR = 2025


class TechStack(TypedDict):
    languages: list[str]
    frameworks: list[str]
    databases: list[str]
    cloud: list[str]


class CatalogCompany(TypedDict):
    name: str
    description: str
    website: str
    logo_url: str | None
    industry: str
    sub_industries: list[str]
    business_model: str
    founded_year: int
    headquarters_country: str
    headquarters_city: str
    employees_count: int
    funding_total: int
    funding_stage: str
    last_funding_date: str | None
    inn: str | None
    ogrn: str | None
    kpp: str | None
    legal_name: str
    legal_address: str
    tech_stack: TechStack
    integrations: list[str]
    api_available: bool
    api_documentation_url: str | None
    ai_tags: list[str]
    ai_summary: str


def _data(name: str) -> Any:
    """One of the word lists in data/ (each file's "about" says what its fields mean)."""
    return json.loads((DATA_DIR / f"{name}.json").read_text("utf-8"))


def _pairs[T](items: Sequence[Sequence[Any]], second: Callable[[Any], T]) -> tuple[tuple[str, T], ...]:
    """[[text, value], ...] of a data file as typed pairs."""
    return tuple((str(first), second(value)) for first, value in items)


# --- vocabulary (data/vocabulary.json) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Audience:
    genitive: str  # "для интернет-магазинов"
    tag: str


_VOCABULARY = _data("vocabulary")
AUDIENCES: dict[str, Audience] = {
    key: Audience(value["genitive"], value["tag"]) for key, value in _VOCABULARY["audiences"].items()
}
# key: (nominative, instrumental) as a description writes them: "интегрируется с Яндекс Метрикой".
INTEGRATIONS: dict[str, tuple[str, str]] = {
    key: (nominative, instrumental) for key, (nominative, instrumental) in _VOCABULARY["integrations"].items()
}


# --- industries (shared/taxonomy/taxonomy.json for what there is, data/industries.json for how it reads) ----


@dataclass(frozen=True, slots=True)
class Sub:
    """A sub-industry: what its products are called, for whom, what they do and plug into."""

    key: str
    products: tuple[tuple[str, str], ...]  # (nominative phrase, grammatical gender m/f/n)
    audiences: tuple[str, ...]
    features: tuple[str, ...]
    benefits: tuple[str, ...]  # third-person present: "[Сервис] сокращает ..."
    integrations: tuple[str, ...]  # the core ones, most typical first
    tags: tuple[str, ...]
    consumer: bool  # sold to people: mostly B2C
    mixed: bool  # sold to businesses that serve people (payments, clinics, stores): often B2B2C
    exclude: tuple[str, ...]  # integrations that would be a competitor


@dataclass(frozen=True, slots=True)
class Industry:
    key: str
    weight: float
    subs: tuple[Sub, ...]
    pool: tuple[str, ...]  # integrations typical for the industry, most typical first
    roots: tuple[str, ...]  # Cyrillic name roots: "Склад" + "Логик"
    words: tuple[str, ...]  # product words after a house brand: "Вектор.Кадры"
    fused: tuple[str, ...]  # whole brand words: "Счетовод"
    latin: tuple[tuple[str, str], ...]  # (Latin root, its Cyrillic reading for the legal name)
    languages: tuple[tuple[str, int], ...]
    extras: tuple[str, ...]  # closing sentences for descriptions
    api_share: float


def _sub(key: str, raw: dict[str, Any]) -> Sub:
    return Sub(
        key,
        _pairs(raw["products"], str),
        tuple(raw["audiences"]),
        tuple(raw["features"]),
        tuple(raw["benefits"]),
        tuple(raw["integrations"]),
        tuple(raw["tags"]),
        bool(raw.get("consumer", False)),
        bool(raw.get("mixed", False)),
        tuple(raw.get("exclude", ())),
    )


def _industries() -> tuple[Industry, ...]:
    """The taxonomy's industries and sub-industries, in its order, with what data/industries.json says of each."""
    raw: dict[str, Any] = _data("industries")["industries"]
    industries = taxonomy().industries
    if set(raw) != {i.key for i in industries}:
        raise ValueError(
            f"data/industries.json and the taxonomy name different industries: {set(raw) ^ {i.key for i in industries}}"
        )
    built = []
    for industry in industries:
        data = raw[industry.key]
        subs = data["sub_industries"]
        if set(subs) != {s.key for s in industry.sub_industries}:
            raise ValueError(f"data/industries.json, {industry.key}: not the taxonomy's sub-industries")
        built.append(
            Industry(
                industry.key,
                data["weight"],
                tuple(_sub(s.key, subs[s.key]) for s in industry.sub_industries),
                tuple(data["pool"]),
                tuple(data["roots"]),
                tuple(data["words"]),
                tuple(data["fused"]),
                _pairs(data["latin"], str),
                _pairs(data["languages"], int),
                tuple(data["extras"]),
                data["api_share"],
            )
        )
    for sub in (s for i in built for s in i.subs):
        unknown = (set(sub.audiences) - set(AUDIENCES)) | ({*sub.integrations, *sub.exclude} - set(INTEGRATIONS))
        if unknown:
            raise ValueError(f"data/industries.json, {sub.key}: not in data/vocabulary.json: {sorted(unknown)}")
    return tuple(built)


INDUSTRIES: tuple[Industry, ...] = _industries()
INDUSTRY_BY_KEY = {industry.key: industry for industry in INDUSTRIES}

# --- names (data/names.json) --------------------------------------------------------------------------------

_NAMES = _data("names")
CYR_TAILS: tuple[str, ...] = tuple(_NAMES["cyr_tails"])
CYR_SPACED: tuple[str, ...] = tuple(_NAMES["cyr_spaced"])
HOUSE_BRANDS: tuple[str, ...] = tuple(_NAMES["house_brands"])
HOUSE_LEGAL_SUFFIXES: tuple[str, ...] = tuple(_NAMES["house_legal_suffixes"])
LATIN_TAILS = _pairs(_NAMES["latin_tails"], str)
GENERIC_LATIN = _pairs(_NAMES["generic_latin"], str)
CYR_NAME_SUFFIXES: tuple[str, ...] = tuple(_NAMES["cyr_name_suffixes"])
LATIN_NAME_SUFFIXES = _pairs(_NAMES["latin_name_suffixes"], str)

# --- places (data/places.json) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str
    weight: float  # within the country
    region: str  # INN/OGRN region code; "" abroad
    offices: tuple[str, ...]  # tax offices that assign INNs (the 3rd and 4th INN digits)
    registrars: tuple[str, ...]  # tax offices that register companies (OGRN digits 6-7)
    locality: str  # how an address names the city
    postcodes: tuple[int, int, int]  # first, last, digits
    streets: tuple[str, ...]


_PLACES = _data("places")
CITIES: tuple[City, ...] = tuple(
    City(
        c["name"],
        c["country"],
        c["weight"],
        c["region"],
        tuple(c["offices"]),
        tuple(c["registrars"]),
        c["locality"],
        (c["postcodes"][0], c["postcodes"][1], c["postcodes"][2]),
        tuple(c["streets"]),
    )
    for c in _PLACES["cities"]
)
COUNTRY_WEIGHTS: dict[str, float] = {key: c["weight"] for key, c in _PLACES["countries"].items()}
NATIONAL_TLD: dict[str, str] = {key: c["tld"] for key, c in _PLACES["countries"].items()}
# Legal form of a small/private company, by country: ТОО in Kazakhstan, ООО elsewhere.
PRIVATE_FORM: dict[str, str] = {key: c["private_form"] for key, c in _PLACES["countries"].items()}

# --- money and tech (the stacks' names in data/stack.json) --------------------------------------------------

STAGES = ("bootstrapped", "pre_seed", "seed", "series_a", "series_b", "series_c", "late_stage", "ipo")
# stage: (smallest, largest total raised in roubles; years after founding of the last round: min, max)
FUNDING: dict[str, tuple[int, int, int, int]] = {
    "pre_seed": (1_500_000, 15_000_000, 0, 1),
    "seed": (10_000_000, 90_000_000, 0, 2),
    "series_a": (80_000_000, 600_000_000, 1, 4),
    "series_b": (400_000_000, 2_500_000_000, 3, 7),
    "series_c": (1_500_000_000, 6_000_000_000, 4, 10),
    "late_stage": (3_000_000_000, 15_000_000_000, 6, 14),
    "ipo": (4_000_000_000, 30_000_000_000, 8, 16),
}
FOUNDED_WEIGHTS = {
    year: w
    for years, w in (((2005, 2009), 3), ((2010, 2013), 5), ((2014, 2022), 7), ((2023, 2024), 4))
    for year in range(years[0], years[1] + 1)
}

_STACK = _data("stack")
FRAMEWORKS: dict[str, tuple[tuple[str, int], ...]] = {
    language: _pairs(frameworks, int) for language, frameworks in _STACK["frameworks"].items()
}
FRONTENDS = _pairs(_STACK["frontends"], int)
CLOUDS = _pairs(_STACK["clouds"], int)
ON_PREMISE_INDUSTRIES = frozenset({"cybersecurity", "govtech", "erp"})
ANALYTIC_INDUSTRIES = frozenset({"analytics", "martech", "ecommerce", "retailtech"})
INTEGRATION_COUNTS = ((2, 10), (3, 20), (4, 25), (5, 20), (6, 13), (7, 7), (8, 5))
SUB_COUNTS = ((1, 45), (2, 40), (3, 15))

# --- descriptions (data/descriptions.json) ------------------------------------------------------------------

_DESCRIPTIONS = _data("descriptions")
FEATURE_INTROS: tuple[str, ...] = tuple(_DESCRIPTIONS["feature_intros"])
INTEGRATION_SENTENCES: tuple[str, ...] = tuple(_DESCRIPTIONS["integration_sentences"])
API_SENTENCES: tuple[str, ...] = tuple(_DESCRIPTIONS["api_sentences"])
GENERIC_EXTRAS: tuple[str, ...] = tuple(_DESCRIPTIONS["generic_extras"])
CONSUMER_EXTRAS: tuple[str, ...] = tuple(_DESCRIPTIONS["consumer_extras"])
# Sentences that only make sense for a Russian company.
_RUSSIAN_ONLY: tuple[str, ...] = tuple(_DESCRIPTIONS["russian_only"])
WHICH: dict[str, str] = dict(_DESCRIPTIONS["which"])


# --- helpers ----------------------------------------------------------------------------------------------


class _Weighted:
    """A weighted choice with the cumulative weights computed once."""

    __slots__ = ("cum", "items")

    def __init__(self, pairs: Sequence[tuple[str, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _one[T](rng: random.Random, items: Sequence[T]) -> T:
    """`rng.choice` without its rejection loop: a few times faster, and as deterministic."""
    return items[int(rng.random() * len(items))]


def _pick_int(rng: random.Random, pairs: Sequence[tuple[int, int]]) -> int:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _pick_unique(rng: random.Random, pairs: Sequence[tuple[str, float]], k: int) -> list[str]:
    """k distinct items, each drawn by weight from the ones left."""
    items = [item for item, _ in pairs]
    weights = [float(weight) for _, weight in pairs]
    chosen: list[str] = []
    for _ in range(min(k, len(items))):
        index = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(parts: Sequence[str]) -> str:
    """ "A, B и C"; "A, B, а также C" when a part has its own "и" ("сбор и корреляция событий")."""
    if len(parts) == 1:
        return parts[0]
    last = ", а также " if any(" и " in part for part in parts) else " и "
    return ", ".join(parts[:-1]) + last + parts[-1]


def _slug(text: str) -> str:
    return slugify(text)


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _numbers(rng: random.Random) -> dict[str, int]:
    """The numbers a benefit or an extra may quote; each set keeps the Russian plural it is written with."""
    return {
        "pct": _one(rng, (10, 15, 20, 25, 30, 35, 40)),
        "h": _one(rng, (5, 6, 8, 10, 12, 15, 20)),
        "d": _one(rng, (5, 7, 10, 14)),
        "m": _one(rng, (5, 10, 15, 20, 30)),
        "w": _one(rng, (5, 6, 7, 8)),
        "mo": _one(rng, (5, 6, 9, 12)),
        "pts": _one(rng, (10, 12, 15, 18, 20)),
        "pp": _one(rng, (5, 6, 7, 8)),
        "x": _one(rng, (2, 3, 4)),
        "n": _one(rng, (5, 10, 20, 30, 50)),
    }


# --- the generator ----------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.names: set[str] = set()
        self.name_suffixes: dict[str, int] = {}
        self.slugs: set[str] = set()
        self.inns: set[str] = set()
        self.ogrns: set[str] = set()
        self.country = _Weighted(list(COUNTRY_WEIGHTS.items()))
        self.cities = {
            country: (
                [c for c in CITIES if c.country == country],
                list(accumulate(c.weight for c in CITIES if c.country == country)),
            )
            for country in COUNTRY_WEIGHTS
        }
        self.founded = _Weighted([(str(y), w) for y, w in FOUNDED_WEIGHTS.items()])
        self.clouds = _Weighted(CLOUDS)
        self.frontends = _Weighted(FRONTENDS)
        self.frameworks = {lang: _Weighted(pairs) for lang, pairs in FRAMEWORKS.items()}

    # -- the plan: which industry and primary sub-industry each company gets

    def plan(self, count: int) -> list[tuple[Industry, Sub]]:
        """Industries by quota (largest remainder), so every industry gets its share even in a small
        catalog; within an industry the sub-industries take turns, so each has competitors."""
        total = sum(i.weight for i in INDUSTRIES)
        exact = [count * i.weight / total for i in INDUSTRIES]
        quotas = [int(e) for e in exact]
        by_remainder = sorted(range(len(INDUSTRIES)), key=lambda n: exact[n] - quotas[n], reverse=True)
        for n in by_remainder[: count - sum(quotas)]:
            quotas[n] += 1
        slots: list[tuple[Industry, Sub]] = []
        for industry, quota in zip(INDUSTRIES, quotas, strict=True):
            subs = list(industry.subs)
            self.rng.shuffle(subs)
            slots.extend((industry, subs[k % len(subs)]) for k in range(quota))
        self.rng.shuffle(slots)
        return slots

    # -- one company

    def company(self, industry: Industry, primary: Sub) -> CatalogCompany:
        rng = self.rng
        subs = self._subs(industry, primary)
        country = self.country.pick(rng)
        cities, cum = self.cities[country]
        city = rng.choices(cities, cum_weights=cum)[0]
        founded = int(self.founded.pick(rng))
        employees = self._employees(founded)
        stage = self._stage(founded, employees)
        funding, funding_date = self._funding(stage, founded)
        name, legal_base, latin = self._name(industry)
        domain = self._domain(name, latin, country)
        inn, ogrn, kpp = self._identifiers(city, founded)
        api = rng.random() < industry.api_share
        integrations = self._integrations(industry, subs)
        product, gender = _one(rng, primary.products)
        audience = AUDIENCES[_one(rng, primary.audiences)]
        lead = product if " для " in product else f"{product} для {audience.genitive}"
        numbers = _numbers(rng)
        return {
            "name": name,
            "description": self._description(
                name, lead, subs, integrations=integrations, api=api, country=country, numbers=numbers
            ),
            "website": f"https://{domain}",
            "logo_url": f"https://{domain}/logo.png" if rng.random() < 0.75 else None,
            "industry": industry.key,
            "sub_industries": [s.key for s in subs],
            "business_model": self._business_model(primary),
            "founded_year": founded,
            "headquarters_country": country,
            "headquarters_city": city.name,
            "employees_count": employees,
            "funding_total": funding,
            "funding_stage": stage,
            "last_funding_date": funding_date,
            "inn": inn,
            "ogrn": ogrn,
            "kpp": kpp,
            "legal_name": f'{self._legal_form(country, stage, employees)} "{legal_base}"',
            "legal_address": self._address(city),
            "tech_stack": self._tech_stack(industry, primary, country),
            "integrations": integrations,
            "api_available": api,
            "api_documentation_url": f"https://{domain}/docs/api" if api else None,
            "ai_tags": self._tags(subs, audience, api),
            "ai_summary": f"{_cap(lead)}, {WHICH[gender]} {_one(rng, primary.benefits).format(**numbers)}.",
        }

    def _subs(self, industry: Industry, primary: Sub) -> list[Sub]:
        related = [s for s in industry.subs if s is not primary and s.consumer == primary.consumer]
        extra = min(_pick_int(self.rng, SUB_COUNTS) - 1, len(related))
        return [primary, *self.rng.sample(related, extra)]

    def _business_model(self, primary: Sub) -> str:
        roll = self.rng.random()
        if primary.consumer:
            return "B2C" if roll < 0.6 else "B2B2C" if roll < 0.9 else "B2B"
        if primary.mixed:
            return "B2B" if roll < 0.5 else "B2B2C" if roll < 0.95 else "B2C"
        return "B2B" if roll < 0.9 else "B2B2C"

    def _employees(self, founded: int) -> int:
        # Log-uniform, capped by age: a two-year-old company has tens of people, not thousands.
        age = AS_OF_YEAR - founded
        cap = min(5000.0, 12.0 * 2.0**age)
        return max(5, min(5000, round(_log_uniform(self.rng, 5, max(cap, 6.0)))))

    def _stage(self, founded: int, employees: int) -> str:
        rng = self.rng
        age = AS_OF_YEAR - founded
        if rng.random() < (0.3 if age >= 10 else 0.18):
            return "bootstrapped"
        size = employees * math.exp(rng.uniform(-0.4, 0.4))
        stage = "late_stage"
        for limit, name in (
            (15, "pre_seed" if age <= 3 else "seed"),
            (45, "seed"),
            (150, "series_a"),
            (450, "series_b"),
            (1300, "series_c"),
        ):
            if size < limit:
                stage = name
                break
        if stage == "late_stage" and age >= 10 and rng.random() < 0.3:
            stage = "ipo"
        # A company nine years old that never raised beyond seed is, in practice, self-funded.
        return "bootstrapped" if stage in ("pre_seed", "seed") and age >= 9 else stage

    def _funding(self, stage: str, founded: int) -> tuple[int, str | None]:
        if stage == "bootstrapped":
            return 0, None
        rng = self.rng
        low, high, after_min, after_max = FUNDING[stage]
        amount = _log_uniform(rng, low, high)
        unit = 100_000 if amount < 100_000_000 else 1_000_000
        year = founded + rng.randint(after_min, after_max)
        if stage == "ipo":
            year = max(year, 2021)  # the Russian tech IPOs are 2021 and later
        year = max(founded, min(AS_OF_YEAR, year))
        return round(amount / unit) * unit, f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    def _legal_form(self, country: str, stage: str, employees: int) -> str:
        if country != "RU":
            return PRIVATE_FORM[country]
        if stage == "ipo":
            return "ПАО"
        if stage in ("series_c", "late_stage") or employees > 1000:
            return "АО" if self.rng.random() < 0.6 else "ООО"
        return "ООО"

    # -- names and domains

    def _name(self, industry: Industry) -> tuple[str, str, bool]:
        """(brand, what goes in the quotes of the legal name, whether the brand is Latin)."""
        candidate = ("", "", False)
        for _ in range(6):
            candidate = self._name_candidate(industry)
            if candidate[0] not in self.names:
                break
        else:
            candidate = self._suffixed(*candidate)
        self.names.add(candidate[0])
        return candidate

    def _name_candidate(self, industry: Industry) -> tuple[str, str, bool]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.34:
            root, tail = _one(rng, industry.roots), _one(rng, CYR_TAILS)
            if root == tail:
                tail = "Про"
            name = root + tail
            return name, name.upper(), False
        if roll < 0.46:
            name = _one(rng, industry.fused)
            return name, name.upper(), False
        if roll < 0.58:
            house = _one(rng, HOUSE_BRANDS)
            return f"{house}.{_one(rng, industry.words)}", house.upper() + _one(rng, HOUSE_LEGAL_SUFFIXES), False
        if roll < 0.66:
            name = f"{_one(rng, industry.roots)} {_one(rng, CYR_SPACED)}"
            return name, name.upper(), False
        return self._latin_name(industry, generic=roll >= 0.9)

    def _latin_name(self, industry: Industry, *, generic: bool) -> tuple[str, str, bool]:
        """ "PayFlow" from an industry root, "Tochka Cloud" from a generic one."""
        rng = self.rng
        tail, tail_cyr = _one(rng, LATIN_TAILS)
        if not generic:
            root, root_cyr = _one(rng, industry.latin)
            return root + tail, root_cyr + tail_cyr, True
        root, root_cyr = _one(rng, GENERIC_LATIN)
        while tail[0].islower():  # "Tochka Cloud", not "Tochkaify"
            tail, tail_cyr = _one(rng, LATIN_TAILS)
        return f"{root} {tail}", f"{root_cyr} {tail_cyr}", True

    def _suffixed(self, name: str, legal: str, latin: bool) -> tuple[str, str, bool]:
        """A taken name made unique: first a word ("Плюс", "Next"), then a number."""
        n = self.name_suffixes.get(name, 0)
        words: Sequence[tuple[str, str]] = LATIN_NAME_SUFFIXES if latin else [(s, s.upper()) for s in CYR_NAME_SUFFIXES]
        while True:
            n += 1
            if n <= len(words):
                word, word_legal = words[n - 1]
            else:
                word = word_legal = str(n - len(words) + 1)
            candidate = f"{name} {word}"
            if candidate not in self.names:
                self.name_suffixes[name] = n
                return candidate, f"{legal} {word_legal}", latin

    def _domain(self, name: str, latin: bool, country: str) -> str:
        rng = self.rng
        base = _slug(name)
        if latin and rng.random() < 0.5:
            base = base.replace("-", "")
        slug = base
        n = 1
        while slug in self.slugs:
            n += 1
            slug = f"{base}-{_one(rng, ('app', 'hq', 'online', 'team', 'soft'))}" if n == 2 else f"{base}{n}"
        self.slugs.add(slug)
        roll = rng.random()
        if country != "RU" and roll < 0.5:
            return f"{slug}.{NATIONAL_TLD[country]}"
        return f"{slug}.{'ru' if roll < 0.85 else 'io' if roll < 0.93 else 'com'}"

    # -- legal identifiers and address

    def _identifiers(self, city: City, founded: int) -> tuple[str | None, str | None, str | None]:
        if city.country != "RU":
            return None, None, None
        rng = self.rng
        while True:
            body = f"{city.region}{_one(rng, city.offices)}{rng.randrange(100_000):05d}"
            inn = body + inn_check_digits(body)
            if inn not in self.inns:
                break
        self.inns.add(inn)
        sign = "5" if founded <= 2012 and rng.random() < 0.15 else "1"
        while True:
            body = f"{sign}{founded % 100:02d}{city.region}{_one(rng, city.registrars)}{rng.randrange(100_000):05d}"
            ogrn = body + ogrn_check_digit(body)
            if ogrn not in self.ogrns:
                break
        self.ogrns.add(ogrn)
        return inn, ogrn, f"{inn[:4]}01001"

    def _address(self, city: City) -> str:
        rng = self.rng
        first, last, digits = city.postcodes
        house = str(_one(rng, (rng.randint(1, 30), rng.randint(1, 120))))
        if rng.random() < 0.12:
            house += _one(rng, "АБВ")
        parts = [f"{rng.randint(first, last):0{digits}d}", city.locality, _one(rng, city.streets), f"д {house}"]
        if city.name == "Москва" and rng.random() < 0.35:
            parts.append(f"стр {rng.randint(1, 9)}")
        roll = rng.random()
        if roll < 0.4:
            parts.append(f"офис {rng.randint(1, 12)}{rng.randint(1, 30):02d}")
        elif roll < 0.6:
            parts.append(f"помещ {rng.randint(1, 60)}")
        elif roll < 0.7:
            floor = rng.randint(2, 15)
            parts.append(f"этаж {floor}, офис {floor}{rng.randint(1, 30):02d}")
        return ", ".join(parts)

    # -- product

    def _integrations(self, industry: Industry, subs: Sequence[Sub]) -> list[str]:
        rng = self.rng
        excluded = {key for s in subs for key in s.exclude}
        wanted = _pick_int(rng, INTEGRATION_COUNTS)
        chosen: list[str] = []
        primary_core = [k for k in subs[0].integrations if k not in excluded]
        chosen.extend(primary_core[: rng.randint(1, min(3, len(primary_core)))])
        for sub in subs[1:]:
            options = [k for k in sub.integrations if k not in chosen and k not in excluded]
            if options:
                chosen.append(_one(rng, options))
        pool = [k for k in (*primary_core, *industry.pool) if k not in chosen and k not in excluded]
        pool = list(dict.fromkeys(pool))
        chosen.extend(_pick_unique(rng, [(k, len(pool) - n) for n, k in enumerate(pool)], wanted - len(chosen)))
        return chosen[: max(wanted, 2)]

    def _tech_stack(self, industry: Industry, primary: Sub, country: str) -> TechStack:
        rng = self.rng
        backend = _pick_unique(rng, industry.languages, 1 if rng.random() < 0.6 else 2)
        frameworks = [self.frameworks[lang].pick(rng) for lang in backend if lang in self.frameworks]
        languages = list(backend)
        if rng.random() < (0.2 if backend == ["1C"] else 0.85):
            frameworks.append(self.frontends.pick(rng))
            if "TypeScript" not in languages:
                languages.append("TypeScript" if rng.random() < 0.85 else "JavaScript")
        if primary.consumer or rng.random() < 0.1:
            if rng.random() < 0.6:
                languages.extend(lang for lang in ("Kotlin", "Swift") if lang not in languages)
            else:
                languages.append("Dart")
                frameworks.append("Flutter")
        frameworks = list(dict.fromkeys(frameworks))
        return {
            "languages": languages,
            "frameworks": frameworks,
            "databases": self._databases(industry, backend),
            "cloud": self._cloud(industry, country),
        }

    def _databases(self, industry: Industry, backend: Sequence[str]) -> list[str]:
        rng = self.rng
        databases: list[str] = []
        if "PHP" in backend and rng.random() < 0.6:
            databases.append("MySQL")
        if "C#" in backend and rng.random() < 0.5:
            databases.append("Microsoft SQL Server")
        if not databases or rng.random() < 0.5:
            databases.insert(0, "PostgreSQL")
        if rng.random() < (0.6 if industry.key in ANALYTIC_INDUSTRIES else 0.15):
            databases.append("ClickHouse")
        if industry.key == "fintech" and rng.random() < 0.25:
            databases.append("Tarantool")
        for name, share in (("Redis", 0.55), ("MongoDB", 0.12), ("Elasticsearch", 0.15), ("OpenSearch", 0.05)):
            if rng.random() < share:
                databases.append(name)
        return databases

    def _cloud(self, industry: Industry, country: str) -> list[str]:
        rng = self.rng
        if industry.key in ON_PREMISE_INDUSTRIES and rng.random() < 0.3:
            return ["on-premise"]
        if country != "RU" and rng.random() < 0.35:
            return ["AWS"]
        first = self.clouds.pick(rng)
        clouds = [first]
        if rng.random() < 0.25:
            second = self.clouds.pick(rng)
            if second != first:
                clouds.append(second)
        return clouds

    def _tags(self, subs: Sequence[Sub], audience: Audience, api: bool) -> list[str]:
        rng = self.rng
        tags = list(rng.sample(subs[0].tags, rng.randint(2, 3)))
        for sub in subs[1:]:
            tags.append(_one(rng, sub.tags))
        if rng.random() < 0.7:
            tags.append(audience.tag)
        if api and rng.random() < 0.3:
            tags.append("api")
        tags.extend(subs[0].tags)  # every sub-industry has three tags: at least three in all
        return list(dict.fromkeys(t.lower() for t in tags))[:6]

    def _description(
        self,
        name: str,
        lead: str,
        subs: Sequence[Sub],
        *,
        integrations: Sequence[str],
        api: bool,
        country: str,
        numbers: dict[str, int],
    ) -> str:
        rng = self.rng
        primary = subs[0]
        features = rng.sample(primary.features, rng.randint(2, 3))
        if len(subs) > 1:
            features.append(_one(rng, subs[1].features))
        listed = _join(features)
        variant = rng.randrange(4)
        if variant == 0:
            opening = [f"{_cap(lead)}: {listed}."]
        elif variant == 1:
            opening = [f"{name} — {lead}.", f"{_one(rng, FEATURE_INTROS)} {listed}."]
        elif variant == 2:
            opening = [f"{name} — {lead}: {listed}."]
        else:
            opening = [f"{_cap(lead)}.", f"{_cap(listed)} — в одном окне."]
        subject = _one(rng, (name, "Сервис", "Продукт", "Решение"))
        sentences = [*opening, f"{subject} {_one(rng, primary.benefits).format(**numbers)}."]
        if rng.random() < 0.8:
            shown = integrations[: rng.randint(2, 4)]
            template = _one(rng, INTEGRATION_SENTENCES)
            sentences.append(
                template.format(
                    instr=_join([INTEGRATIONS[k][1] for k in shown]), nom=", ".join(INTEGRATIONS[k][0] for k in shown)
                )
            )
        if len(sentences) < 4 and rng.random() < 0.6:
            sentences.append(self._extra(subs, api, country).format(**numbers))
        return " ".join(sentences)

    def _extra(self, subs: Sequence[Sub], api: bool, country: str) -> str:
        rng = self.rng
        if api and rng.random() < 0.45:
            return _one(rng, API_SENTENCES)
        industry_extras = INDUSTRY_BY_SUB[subs[0].key].extras
        options = [*industry_extras, *industry_extras, *GENERIC_EXTRAS]
        if subs[0].consumer:
            options.extend(CONSUMER_EXTRAS)
        if country != "RU":
            options = [o for o in options if not any(marker in o for marker in _RUSSIAN_ONLY)]
        return _one(rng, options) if options else _one(rng, API_SENTENCES)


INDUSTRY_BY_SUB = {sub.key: industry for industry in INDUSTRIES for sub in industry.subs}


def generate(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[CatalogCompany]:
    """`count` companies, the same for the same (count, seed)."""
    generator = _Generator(seed)
    return [generator.company(industry, sub) for industry, sub in generator.plan(count)]


def dumps(companies: Sequence[CatalogCompany]) -> str:
    return json.dumps(list(companies), ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud.catalog.generate", description="Write the synthetic sample catalog as JSON."
    )
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    companies = generate(args.count, args.seed)
    args.out.write_text(dumps(companies), encoding="utf-8")
    print(f"{len(companies)} companies -> {args.out}")


if __name__ == "__main__":
    main()

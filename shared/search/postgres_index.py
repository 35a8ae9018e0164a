"""Search served from Postgres in the embedded profile: russian text search config plus trigram names.

Matching (`match`), in two steps:

1. every word of the query, as its russian stem and as a prefix of longer words (``'платеж':* &
   'сервис':*``; stems under 4 letters match whole), in ``search_vector`` (name weighted A, description
   B; the snowball stemmer makes "платёжный сервис" and "платежные сервисы" the same stems, ё included),
   or ``name % q`` (pg_trgm similarity >= 0.3: a misspelt company name), ranked by
   ``ts_rank + similarity(name, q)``. The prefix also forgives a typo in a word's ending: "платежый" has
   the stem "платеж", which begins "платежн" (платежные);
2. only when step 1 finds nothing: each query word that no company uses is replaced by the (up to 3)
   words of the catalog most like it (``company_search_words``, every word of the names and descriptions,
   migration 0006; pg_trgm similarity >= 0.4, GIN-indexed), and step 1's search runs again with them
   (each word: any of its replacements). A typo anywhere in a word ("плтежные", "платежый") shares most
   of its trigrams with the right word. Matching the query against whole descriptions by pg_trgm
   ``word_similarity`` instead cost 430 ms a query at 100,000 companies; this costs a few.

The query's operators (quotes, ``or``, ``-``) are not interpreted: its words are. The catalog filters are
the companies list's own SQL (shared/companies/filters.py) over the filter columns migration 0006
generates from the document. Highlights come from ``ts_headline`` for the requested ids only, marking
any word that begins with one of the query's stems, or with a stem of a replacement of a word no
company uses (so typos are marked too).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from shared.companies.filters import filter_sql
from shared.companies.model import Company, CompanyFilters, SearchHit
from shared.db import connection
from shared.search.highlight import GREATER_THAN, LESS_THAN, MARK_END, MARK_START, render_highlight
from shared.search.model import Candidate, Highlight, TextMatches

_UPSERT = """
INSERT INTO company_search (company_id, version, name, industry, document, deleted, search_vector, updated_at)
VALUES (%(id)s, %(version)s, %(name)s, %(industry)s, %(doc)s, %(deleted)s,
        setweight(to_tsvector('russian', %(name)s), 'A') ||
        setweight(to_tsvector('russian', coalesce(%(description)s, '')), 'B'), NOW())
ON CONFLICT (company_id) DO UPDATE SET
    version = EXCLUDED.version, name = EXCLUDED.name, industry = EXCLUDED.industry,
    document = EXCLUDED.document, deleted = EXCLUDED.deleted, search_vector = EXCLUDED.search_vector, updated_at = NOW()
WHERE company_search.version < EXCLUDED.version
"""

# How like a query word a catalog word must be to replace it (pg_trgm similarity: "платежый" ~ "платежные" 0.46,
# "плтежные" ~ "платежные" 0.58), and how many replacements a word gets.
WORD_SIMILARITY = "0.4"
REPLACEMENTS = 3
_WORD = re.compile(r"[^\W_]+")

_COLUMNS = "company_id::text AS id, name, industry, slug, funding_stage, business_model, headquarters_city"

# The query's stems (the russian config drops stop words), each also a prefix when 4 letters or longer;
# quote_literal and the character check keep a stem from being read as tsquery syntax.
_STEMS = """
SELECT quote_literal(l) || CASE WHEN length(l) >= 4 THEN ':*' ELSE '' END AS term
FROM unnest(tsvector_to_array(to_tsvector('russian', %(q)s))) AS l
WHERE l ~ '^[[:alnum:]_-]+$'
"""

_MATCH = f"""
WITH q AS (SELECT to_tsquery('simple', coalesce(string_agg(term, ' & '), '')) AS tsq FROM ({_STEMS}) AS s)
SELECT {_COLUMNS},
       ts_rank(search_vector, q.tsq) + similarity(name, %(q)s) AS score, count(*) OVER () AS total
FROM company_search, q
WHERE NOT deleted AND (search_vector @@ q.tsq OR name %% %(q)s) {{filters}}
ORDER BY score DESC, company_id
LIMIT %(limit)s
"""

_MATCH_CORRECTED = f"""
WITH q AS (SELECT to_tsquery('russian', %(corrected)s) AS tsq)
SELECT {_COLUMNS}, ts_rank(search_vector, q.tsq) AS score, count(*) OVER () AS total
FROM company_search, q
WHERE NOT deleted AND search_vector @@ q.tsq {{filters}}
ORDER BY score DESC, company_id
LIMIT %(limit)s
"""

# Per query word: itself when a company uses it, else the catalog words most like it (nothing when none is).
_REPLACEMENTS = """
SELECT q.w AS word, coalesce(
    (SELECT ARRAY[v.word] FROM company_search_words v WHERE v.word = q.w),
    (SELECT array_agg(c.word ORDER BY c.s DESC, c.word) FROM (
        SELECT v.word, similarity(v.word, q.w) AS s FROM company_search_words v
        WHERE v.word %% q.w ORDER BY s DESC, v.word LIMIT %(replacements)s) AS c),
    '{}') AS words
FROM unnest(%(words)s::text[]) WITH ORDINALITY AS q(w, n)
ORDER BY q.n
"""

# Any of the query's stems: what ts_headline marks (< and > swapped for stand-ins: see shared/search/highlight.py).
_HEADLINE = f"""
WITH q AS (SELECT to_tsquery('simple', coalesce(string_agg(term, ' | '), '')) AS tsq FROM ({_STEMS}) AS s)
SELECT company_id::text AS id,
       ts_headline('russian', translate(name, '<>', %(stand_ins)s), q.tsq, %(name_options)s) AS name,
       CASE WHEN coalesce(document->>'description', '') <> ''
            THEN ts_headline('russian', translate(document->>'description', '<>', %(stand_ins)s), q.tsq,
                             %(description_options)s) END AS description
FROM company_search, q
WHERE company_id = ANY(%(ids)s::uuid[])
"""
_NAME_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
_DESCRIPTION_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, "
    f'FragmentDelimiter=" … "'
)


class PostgresIndex:
    backend = "postgres"

    def __init__(self, database_url: str) -> None:
        self._url = database_url

    def upsert(self, company: Company, *, deleted: bool = False) -> bool:
        return self.upsert_many([(company, deleted)]) == 1

    def upsert_many(self, companies: list[tuple[Company, bool]]) -> int:
        if not companies:  # nothing to write: no connection (an empty batch, the warm-up)
            return 0
        conn = connection(self._url)
        applied = 0
        with conn.transaction():
            for company, deleted in companies:
                cur = conn.execute(
                    _UPSERT,
                    {
                        "id": company.id,
                        "version": company.version,
                        "name": company.name,
                        "industry": company.industry,
                        "description": company.description,
                        "doc": company.model_dump_json(),
                        "deleted": deleted,
                    },
                )
                applied += cur.rowcount
        return applied

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        matches = self.match(query, CompanyFilters(), limit)
        return [
            SearchHit(id=uuid.UUID(c.id), name=c.name, industry=c.industry, score=c.score) for c in matches.candidates
        ]

    def match(self, query: str, filters: CompanyFilters, limit: int) -> TextMatches:
        clauses, params = filter_sql(filters)
        where = "".join(f" AND {c}" for c in clauses)
        params.update(q=query, limit=limit)
        conn = connection(self._url)
        with conn.transaction():
            rows: list[Any] = conn.execute(_MATCH.format(filters=where), params).fetchall()
            fuzzy = not rows
            if fuzzy:
                corrected = _tsquery(self._replacements(conn, query))
                if corrected:
                    params["corrected"] = corrected
                    rows = conn.execute(_MATCH_CORRECTED.format(filters=where), params).fetchall()
        total = int(rows[0]["total"]) if rows else 0
        return TextMatches([_candidate(r) for r in rows], total, fuzzy=fuzzy and bool(rows))

    def _replacements(self, conn: Any, query: str) -> list[list[str]]:
        """For each word of `query` (in order): itself if a company uses it, else its nearest catalog words."""
        words = query_words(query)
        if not words:
            return []
        conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (WORD_SIMILARITY,))
        rows: list[Any] = conn.execute(_REPLACEMENTS, {"words": words, "replacements": REPLACEMENTS}).fetchall()
        return [list(r["words"]) for r in rows]

    def highlight(self, query: str, ids: Sequence[str]) -> dict[str, Highlight]:
        if not ids:
            return {}
        conn = connection(self._url)
        with conn.transaction():
            known = self._replacements(conn, query)
        extra = [w for words, original in zip(known, query_words(query), strict=True) if original not in words
                 for w in words]  # fmt: skip
        params = {
            "q": " ".join([query, *extra]),
            "ids": list(ids),
            "name_options": _NAME_OPTIONS,
            "description_options": _DESCRIPTION_OPTIONS,
            "stand_ins": LESS_THAN + GREATER_THAN,
        }
        with conn.transaction():
            rows: list[Any] = conn.execute(_HEADLINE, params).fetchall()
        return {
            r["id"]: Highlight(name=render_highlight(r["name"]), description=render_highlight(r["description"]))
            for r in rows
        }

    def ping(self) -> None:
        conn = connection(self._url)
        conn.execute("SELECT 1 FROM company_search LIMIT 1")
        conn.rollback()


def query_words(query: str) -> list[str]:
    """The query's words as the catalog's words are kept: lower case, letters and digits, 3 to 40 long (12 at most)."""
    return [w for w in _WORD.findall(query.lower()) if 3 <= len(w) <= 40][:12]


def _tsquery(replacements: list[list[str]]) -> str:
    """``(a:* | b:*) & (c)``: every word by any of its replacements (prefix from 4 letters); words without
    one are left out. The words are letters and digits only, so nothing in them is tsquery syntax."""
    groups = [
        "(" + " | ".join(w + (":*" if len(w) >= 4 else "") for w in words) + ")" for words in replacements if words
    ]
    return " & ".join(groups)


def _candidate(row: Any) -> Candidate:
    return Candidate(
        id=row["id"], name=row["name"], industry=row["industry"], slug=row["slug"],
        funding_stage=row["funding_stage"], business_model=row["business_model"], city=row["headquarters_city"],
        score=float(row["score"]),
    )  # fmt: skip

"""Search served from Postgres in the embedded profile: russian text search config plus trigram names.

Matching (`match`), in two steps:

1. every word of the query, as its russian stem and as a prefix of longer words (``'платеж':* &
   'сервис':*``; stems under 4 letters match whole), in ``search_vector`` (name weighted A, description
   B; the snowball stemmer makes "платёжный сервис" and "платежные сервисы" the same stems, ё included),
   or ``name % q`` (pg_trgm similarity >= 0.3: a misspelt company name), ranked by
   ``ts_rank + similarity(name, q)``. The prefix also forgives a typo in a word's ending: "платежый" has
   the stem "платеж", which begins "платежн" (платежные);
2. only when step 1 finds nothing: ``q <% search_text`` (pg_trgm word_similarity >= 0.5 against the
   best-matching stretch of name and description, GIN-indexed, migration 0006), ranked by it: a typo
   anywhere else in a word ("плтежные") shares most of its trigrams with the right word.

The query's operators (quotes, ``or``, ``-``) are not interpreted: its words are. The catalog filters are
the companies list's own SQL (shared/companies/filters.py) over the filter columns migration 0006
generates from the document. Highlights come from ``ts_headline`` for the requested ids only, marking
any word that begins with one of the query's stems.
"""

from __future__ import annotations

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

# pg_trgm's default (0.6) misses a dropped letter in a short word: "плтежные" scores 0.58 against "платежные".
WORD_SIMILARITY = "0.5"

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

_MATCH_FUZZY = f"""
SELECT {_COLUMNS}, word_similarity(%(q)s, search_text) AS score, count(*) OVER () AS total
FROM company_search
WHERE NOT deleted AND %(q)s <%% search_text {{filters}}
ORDER BY score DESC, company_id
LIMIT %(limit)s
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
                conn.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", (WORD_SIMILARITY,))
                rows = conn.execute(_MATCH_FUZZY.format(filters=where), params).fetchall()
        total = int(rows[0]["total"]) if rows else 0
        return TextMatches([_candidate(r) for r in rows], total, fuzzy=fuzzy and bool(rows))

    def highlight(self, query: str, ids: Sequence[str]) -> dict[str, Highlight]:
        if not ids:
            return {}
        conn = connection(self._url)
        params = {
            "q": query,
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


def _candidate(row: Any) -> Candidate:
    return Candidate(
        id=row["id"], name=row["name"], industry=row["industry"], slug=row["slug"],
        funding_stage=row["funding_stage"], business_model=row["business_model"], city=row["headquarters_city"],
        score=float(row["score"]),
    )  # fmt: skip

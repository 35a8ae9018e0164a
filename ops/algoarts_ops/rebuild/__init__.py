"""`algoarts rebuild companies|search|cache`: a read model rebuilt from the company event store.

Every read model is a function of the event store (shared/rebuild.py replays it: each aggregate folded
from its latest snapshot and the events after it). What the command does per read model, one module each:

* ``companies`` (`companies.py`, the current-state table in Postgres): one transaction per batch locks
  the batch's rows, folds the aggregates and overwrites their rows, exactly as a command does, so a
  command running meanwhile is serialised with the rebuild and nothing goes backwards. Missing rows come
  back; rows that hold a slug, INN or OGRN another aggregate owns lose it (counted as conflicts); rows
  without any event (not event-sourced) are counted and left alone; enrichment-only columns are kept.
* ``search``: whichever backend the cloud uses. Postgres (`search_postgres.py`): `company_search_new` is
  built beside the live table, then swapped in by name in one short transaction (with its indexes,
  constraints and grants renamed/copied), after catching up on events appended meanwhile. OpenSearch
  (`search_opensearch.py`): a fresh `companies_v{n+1}` index with the current mapping, bulk-indexed
  (deleted companies as tombstones, external versions as the projection writes them), caught up, then
  the `companies` alias moves to it in one atomic alias update and the old index is deleted: readers
  never see an empty index.
* ``cache`` (`cache.py`): every `company:*` key and every list page with its generation counter are
  dropped (the cache is read-through); `--warm` then puts every company back at its version, as the
  projection would.

`report.py` holds what a rebuild did and how it reads; `cli.py` resolves the endpoints and prints.
Endpoints are explicit: `--database-url`, `--redis-url`, `--opensearch-url` (or ALGOARTS_* variables),
else the running local cloud's.
"""

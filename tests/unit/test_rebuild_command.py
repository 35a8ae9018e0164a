"""`algoarts rebuild` without servers: naming the next index, the report, bad input (progress: test_progress.py)."""

from __future__ import annotations

import pytest

from algoarts_ops import local_cloud
from algoarts_ops.rebuild import search_postgres
from algoarts_ops.rebuild.report import RebuildReport, format_report
from algoarts_ops.rebuild.search_opensearch import next_index_name
from localcloud.cli import main
from shared.rebuild import behind


def test_the_next_index_follows_the_highest_version() -> None:
    assert next_index_name([]) == "companies_v1"
    assert next_index_name(["companies_v1"]) == "companies_v2"
    assert next_index_name(["companies_v2", "companies_v10", "companies_v9", "companies", "other_v99"]) == (
        "companies_v11"
    )


def test_aggregates_behind_are_those_whose_written_version_is_not_the_latest() -> None:
    assert behind({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 1}) == ["b", "c"]
    assert behind({"a": 1}, {"a": 1}) == []


def test_the_report_says_what_was_rebuilt_and_what_was_wrong() -> None:
    report = RebuildReport(
        "search", "opensearch alias companies -> companies_v3", aggregates=320, live=300, deleted=20, written=320
    )
    report.seconds, report.caught_up = 2.0, 2
    report.notes.append("was companies_v2 (318 documents): deleted")
    assert format_report(report) == [
        "rebuilt search (opensearch alias companies -> companies_v3) in 2.00 s",
        "  320 aggregates (300 live, 20 deleted), 320 written, 160/s",
        "  2 caught up",
        "  was companies_v2 (318 documents): deleted",
    ]
    cache = RebuildReport("cache", "redis", dropped=12)
    assert format_report(cache)[1] == "  dropped 12 keys"


def test_the_search_rebuild_writes_with_the_projections_own_sql() -> None:
    from shared.search.postgres_index import _UPSERT

    sql = search_postgres._search_upsert_sql("company_search_new")
    assert sql == _UPSERT.replace("company_search", "company_search_new")
    assert "INSERT INTO company_search_new (" in sql and "WHERE company_search_new.version < EXCLUDED.version" in sql


def test_index_definitions_are_moved_to_the_new_table_under_a_temporary_name() -> None:
    index = search_postgres._TableIndex(
        "idx_company_search_fts",
        "CREATE INDEX idx_company_search_fts ON public.company_search USING gin (search_vector)",
        None,
    )
    assert search_postgres._index_on(index, "company_search_new") == (
        'CREATE INDEX "idx_company_search_fts_new" ON company_search_new USING gin (search_vector)'
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rebuild", "companies", "--batch", "0"], "--batch must be at least 1"),
        (["rebuild", "companies"], "no database"),
        (["rebuild", "cache", "--warm"], "no database"),
        (["rebuild", "cache"], "no Redis"),
    ],
)
def test_bad_input_exits_2_with_the_reason(
    argv: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(local_cloud, "state", lambda: None)
    for name in ("ALGOARTS_DATABASE_URL", "ALGOARTS_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_an_unknown_read_model_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["rebuild", "everything"])
    assert "invalid choice: 'everything'" in capsys.readouterr().err

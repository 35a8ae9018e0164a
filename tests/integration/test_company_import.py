"""Bulk company import (`algoarts companies import`) against a real, migrated Postgres.

Every test makes its own names and identifiers (valid INN/OGRN from random bodies), so tests never
collide with each other or with other tests on the shared session database. The static sample files
are only read and checked here; the writing tests use copies with fresh identifiers.
"""

from __future__ import annotations

import csv
import json
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from algoarts_ops.company_import.importer import ImportFailed, import_companies
from algoarts_ops.company_import.rows import ROW_NUMBER, ImportFileError, read_rows
from localcloud.cli import main
from shared.commands import Context
from shared.companies import service
from shared.companies.aggregate import CompanyState
from shared.companies.legal import inn_check_digits, ogrn_check_digit

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "companies_sample.csv"
BAD = DATA / "companies_bad.csv"


# --- helpers -------------------------------------------------------------------------------------


def _organisation() -> tuple[str, str]:
    """A fresh (INN, OGRN) of an organisation: 10 and 13 digits, control digits right."""
    inn_body = f"77{secrets.randbelow(10**7):07d}"
    ogrn_body = f"1{secrets.randbelow(10**11):011d}"
    return inn_body + inn_check_digits(inn_body), ogrn_body + ogrn_check_digit(ogrn_body)


def _sole_trader() -> tuple[str, str]:
    """A fresh (INN, OGRNIP) of a sole trader: 12 and 15 digits."""
    inn_body = f"54{secrets.randbelow(10**8):08d}"
    ogrn_body = f"3{secrets.randbelow(10**13):013d}"
    return inn_body + inn_check_digits(inn_body), ogrn_body + ogrn_check_digit(ogrn_body)


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _company(name: str, **fields: Any) -> dict[str, Any]:
    inn, ogrn = _organisation()
    return {
        "name": name,
        "industry": "fintech",
        "business_model": "B2B",
        "headquarters_country": "RU",
        "headquarters_city": "Москва",
        "inn": inn,
        "ogrn": ogrn,
        "integrations": ["1c", "amocrm"],
        "ai_tags": ["платежи"],
        "legal_name": f"ООО «{name}»",
        **fields,
    }


def _bad_inn() -> str:
    inn, _ = _organisation()
    return inn[:-1] + str((int(inn[-1]) + 1) % 10)


def _sample_copy(tmp_path: Path, *, delimiter: str, bom: bool) -> tuple[Path, list[dict[str, str]]]:
    """tests/data/companies_sample.csv with fresh names and identifiers, written with this delimiter."""
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fieldnames = list(reader.fieldnames or [])
        rows = list(reader)
    tag = _tag()
    for row in rows:
        row["name"] = f"{row['name']} {tag}"
        row["inn"], row["ogrn"] = _sole_trader() if len(row["inn"]) == 12 else _organisation()
    path = tmp_path / f"companies-{tag}.csv"
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames, delimiter=delimiter, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def _companies(pg: Any, inns: list[str]) -> list[dict[str, Any]]:
    rows = pg.execute(
        "SELECT id::text AS id, name, inn, ogrn, kpp, industry, sub_industries, integrations, ai_tags, tech_stack, "
        "api_available, legal_name, owner_id::text AS owner_id, version FROM companies "
        "WHERE inn = ANY(%s) AND deleted_at IS NULL ORDER BY name",
        (inns,),
    ).fetchall()
    pg.rollback()
    return list(rows)


def _traces(pg: Any, inns: list[str]) -> dict[str, int]:
    """How many rows anywhere carry these INNs: companies, events, outbox messages."""
    counts = pg.execute(
        "SELECT (SELECT count(*) FROM companies WHERE inn = ANY(%(inns)s)) AS companies, "
        "(SELECT count(*) FROM company_events WHERE payload->'fields'->>'inn' = ANY(%(inns)s)) AS events, "
        "(SELECT count(*) FROM outbox WHERE envelope->'payload'->'company'->>'inn' = ANY(%(inns)s)) AS outbox",
        {"inns": inns},
    ).fetchone()
    pg.rollback()
    return dict(counts)


def _write_json(tmp_path: Path, rows: list[Any]) -> Path:
    path = tmp_path / f"companies-{_tag()}.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


# --- successful imports --------------------------------------------------------------------------


def test_json_import_writes_companies_events_and_outbox(
    pg: Any, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = _tag()
    rows = [
        _company(f"ПлатёжПро {tag}", kpp="770301001", tech_stack={"languages": ["Python"], "cloud": ["Yandex Cloud"]}),
        _company(f"СкладУм {tag}", industry="logistics", sub_industries=["wms"], description=None),
        _company(f"КадрыОнлайн {tag}", industry="hrtech", ai_tags=None, api_available=True),
    ]
    path = _write_json(tmp_path, rows)

    report = import_companies(postgres_url, read_rows(path, None), progress=True)

    assert report.rejected == []
    assert report.imported == 3 and len(report.ids) == 3 and report.accepted == 3 and report.total == 3
    assert report.seconds > 0 and report.rows_per_second > 0
    assert "3/3" in capsys.readouterr().err  # the progress bar

    inns = [r["inn"] for r in rows]
    written = _companies(pg, inns)
    assert sorted(c["id"] for c in written) == sorted(report.ids)
    by_name = {c["name"]: c for c in written}
    first = by_name[f"ПлатёжПро {tag}"]
    assert first["kpp"] == "770301001" and first["legal_name"] == f"ООО «ПлатёжПро {tag}»"
    assert first["integrations"] == ["1c", "amocrm"] and first["ai_tags"] == ["платежи"]
    assert first["tech_stack"] == {
        "languages": ["Python"],
        "frameworks": [],
        "databases": [],
        "cloud": ["Yandex Cloud"],
    }
    assert by_name[f"СкладУм {tag}"]["sub_industries"] == ["wms"]
    assert by_name[f"КадрыОнлайн {tag}"]["ai_tags"] == [] and by_name[f"КадрыОнлайн {tag}"]["api_available"] is True
    assert all(c["version"] == 1 and c["owner_id"] is None for c in written)

    events = pg.execute(
        "SELECT aggregate_id::text AS id, version, event_type, actor, correlation_id FROM company_events "
        "WHERE aggregate_id = ANY(%s::uuid[])",
        (report.ids,),
    ).fetchall()
    assert sorted(e["id"] for e in events) == sorted(report.ids)
    assert {(e["version"], e["event_type"], e["actor"]) for e in events} == {(1, "company.created", "system:import")}
    assert {e["correlation_id"] for e in events} == {report.correlation_id}  # one per import run

    outbox = pg.execute(
        "SELECT message_key, envelope->>'event_type' AS event_type, envelope->>'correlation_id' AS correlation_id "
        "FROM outbox WHERE message_key = ANY(%s)",
        (report.ids,),
    ).fetchall()
    assert sorted(m["message_key"] for m in outbox) == sorted(report.ids)
    assert {(m["event_type"], m["correlation_id"]) for m in outbox} == {("company.created", report.correlation_id)}

    audit = pg.execute(
        "SELECT count(*) AS n FROM audit_log WHERE resource_id = ANY(%s) AND action = 'company.created'",
        (report.ids,),
    ).fetchone()
    assert audit["n"] == 3
    pg.rollback()


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True)], ids=["comma", "semicolon-bom"])
def test_csv_import(pg: Any, postgres_url: str, tmp_path: Path, delimiter: str, bom: bool) -> None:
    path, source = _sample_copy(tmp_path, delimiter=delimiter, bom=bom)
    if bom:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    rows = read_rows(path, None)
    assert [r[ROW_NUMBER] for r in rows] == [2, 3, 4, 5, 6]
    assert rows[0]["name"] == source[0]["name"]  # no BOM glued to the first column's name
    assert rows[0]["sub_industries"] == ["accounting", "payroll"]
    assert rows[0]["tech_stack"]["frameworks"] == ["Django", "React"]
    assert "kpp" not in rows[4] and "funding_total" not in rows[4]  # empty cells are nulls

    report = import_companies(postgres_url, rows)

    assert report.rejected == [] and report.imported == 5
    written = {c["inn"]: c for c in _companies(pg, [r["inn"] for r in source])}
    assert len(written) == 5
    first = written[source[0]["inn"]]
    assert first["integrations"] == ["1c", "sbis", "diadoc", "tinkoff_business"]
    assert first["ai_tags"] == ["облачная бухгалтерия", "ЭДО", "малый бизнес"]
    assert first["tech_stack"]["databases"] == ["PostgreSQL", "Redis"]
    assert first["kpp"] == "770301001"
    tender = written[source[3]["inn"]]
    assert tender["api_available"] is False  # "нет"
    sole_trader = written[source[4]["inn"]]
    assert len(sole_trader["inn"]) == 12 and len(sole_trader["ogrn"]) == 15 and sole_trader["kpp"] is None
    events = pg.execute(
        "SELECT count(*) AS n FROM company_events WHERE aggregate_id = ANY(%s::uuid[]) AND version = 1 "
        "AND event_type = 'company.created'",
        (report.ids,),
    ).fetchone()
    outbox = pg.execute("SELECT count(*) AS n FROM outbox WHERE message_key = ANY(%s)", (report.ids,)).fetchone()
    pg.rollback()
    assert events["n"] == 5 and outbox["n"] == 5


def test_the_sample_file_is_valid_and_a_dry_run_writes_nothing(pg: Any, postgres_url: str) -> None:
    rows = read_rows(SAMPLE, None)
    report = import_companies(postgres_url, rows, dry_run=True)

    assert report.rejected == []
    assert report.dry_run and report.accepted == 5 and report.imported == 0 and report.ids == []
    assert _traces(pg, [r["inn"] for r in rows]) == {"companies": 0, "events": 0, "outbox": 0}


def test_dry_run_writes_nothing(pg: Any, postgres_url: str) -> None:
    tag = _tag()
    rows = [_company(f"Сухой Прогон {i} {tag}") for i in range(3)]

    report = import_companies(postgres_url, rows, dry_run=True)

    assert report.accepted == 3 and report.imported == 0 and report.rejected == []
    assert _traces(pg, [r["inn"] for r in rows]) == {"companies": 0, "events": 0, "outbox": 0}


# --- rejected rows -------------------------------------------------------------------------------


def test_one_bad_inn_writes_nothing_and_names_the_row_and_field(pg: Any, postgres_url: str) -> None:
    tag = _tag()
    rows = [_company(f"Хорошая {i} {tag}") for i in range(4)]
    rows[1]["inn"] = _bad_inn()

    report = import_companies(postgres_url, rows)

    assert report.imported == 0 and report.ids == [] and report.accepted == 3
    assert len(report.rejected) == 1
    rejected = report.rejected[0]
    assert (rejected.row, rejected.field, rejected.label) == (2, "inn", "ИНН")
    assert "неверная контрольная сумма" in rejected.message
    assert _traces(pg, [r["inn"] for r in rows]) == {"companies": 0, "events": 0, "outbox": 0}


def test_messages_in_english(postgres_url: str) -> None:
    row = _company(f"English {_tag()}", inn=_bad_inn(), website="example.com")

    report = import_companies(postgres_url, [row], language="en", dry_run=True)

    assert {(r.field, r.label) for r in report.rejected} == {("inn", "INN"), ("website", "Website")}
    assert any("check digit does not match" in r.message for r in report.rejected)


def test_skip_invalid_imports_only_the_good_rows(pg: Any, postgres_url: str) -> None:
    tag = _tag()
    rows = [_company(f"Пропуск {i} {tag}") for i in range(4)]
    rows[1]["inn"] = _bad_inn()
    rows[3]["industry"] = "Финтех"

    report = import_companies(postgres_url, rows, skip_invalid=True)

    assert [(r.row, r.field) for r in report.rejected] == [(2, "inn"), (4, "industry")]
    assert report.rejected_rows == 2 and report.imported == 2
    written = _companies(pg, [r["inn"] for r in rows])
    assert sorted(c["name"] for c in written) == [f"Пропуск 0 {tag}", f"Пропуск 2 {tag}"]
    assert sorted(c["id"] for c in written) == sorted(report.ids)


def test_duplicates_in_the_file_and_in_the_database(pg: Any, postgres_url: str) -> None:
    tag = _tag()
    existing = _company(f"Уже Есть {tag}")
    (existing_id,) = import_companies(postgres_url, [existing]).ids
    _, fresh_ogrn = _organisation()
    fresh_inn, _ = _organisation()

    first = _company(f"Первая {tag}")
    rows = [
        first,
        _company(f"Вторая {tag}", inn=first["inn"], ogrn=None),  # the INN of row 1
        _company(f"Третья {tag}", inn=None, ogrn=first["ogrn"]),  # the OGRN of row 1
        _company(f"  первая   {tag.upper()} "),  # the name of row 1, other spaces and case
        _company(f"Четвёртая {tag}", inn=existing["inn"], ogrn=fresh_ogrn),  # a live company's INN
        _company(f"Пятая {tag}", inn=fresh_inn, ogrn=existing["ogrn"]),  # a live company's OGRN
    ]

    report = import_companies(postgres_url, rows)

    assert [(r.row, r.field, r.other_row, r.existing_id) for r in report.rejected] == [
        (2, "inn", 1, None),
        (3, "ogrn", 1, None),
        (4, "name", 1, None),
        (5, "inn", None, existing_id),
        (6, "ogrn", None, existing_id),
    ]
    messages = {r.row: r.message for r in report.rejected}
    assert "строкой 1" in messages[2] and "строкой 1" in messages[4]
    assert existing_id in messages[5] and f"Уже Есть {tag}" in messages[5]
    assert report.imported == 0
    assert _companies(pg, [first["inn"], fresh_inn]) == []

    # Skipping them imports the first row alone.
    report = import_companies(postgres_url, rows, skip_invalid=True)
    assert report.imported == 1
    assert [c["name"] for c in _companies(pg, [first["inn"], fresh_inn])] == [f"Первая {tag}"]


def test_the_bad_sample_file_reports_each_typical_mistake(postgres_url: str) -> None:
    report = import_companies(postgres_url, read_rows(BAD, None), dry_run=True)

    assert [(r.row, r.field) for r in report.rejected] == [
        (3, "inn"),
        (4, "website"),
        (4, "industry"),
        (5, "industry"),  # foodtech: no such industry
        (5, "business_model"),
        (5, "headquarters_country"),
        (6, "inn"),
        (7, "industry"),  # FinTech: fintech was meant
        (7, "kpp"),
        (8, "sub_industries.0"),  # property_managment: property_management was meant
        (8, "employees_count"),
        (8, "last_funding_date"),
        (9, "name"),
    ]
    assert report.accepted == 1 and report.rejected_rows == 7
    messages = {(r.row, r.field): r.message for r in report.rejected}
    assert "возможно, вы имели в виду fintech (Финтех)" in messages[(7, "industry")]
    assert "«property_managment» — возможно, вы имели в виду property_management" in messages[(8, "sub_industries.0")]
    assert {r.row: r.other_row for r in report.rejected if r.other_row} == {6: 2, 9: 2}


def test_a_json_item_that_is_not_an_object_is_a_rejected_row(postgres_url: str, tmp_path: Path) -> None:
    path = _write_json(tmp_path, [_company(f"Объект {_tag()}"), "не объект"])

    report = import_companies(postgres_url, read_rows(path, "json"), dry_run=True)

    assert [(r.row, r.field) for r in report.rejected] == [(2, "")]
    assert "объектом JSON" in report.rejected[0].message


def test_unreadable_files_are_refused_before_any_row(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("name,industry,компания\nА,fintech,Б\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        read_rows(unknown, None)
    assert "компания" in info.value.ru and "неизвестные колонки" in info.value.ru

    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes("name,industry\nКомпания,fintech\n".encode("cp1251"))
    with pytest.raises(ImportFileError) as info:
        read_rows(cp1251, None)
    assert "UTF-8" in info.value.ru

    with pytest.raises(ImportFileError):
        read_rows(tmp_path / "companies.xlsx", None)


# --- a failure while writing ---------------------------------------------------------------------


def test_a_failure_in_the_middle_leaves_nothing_written(
    pg: Any, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = _tag()
    rows = [_company(f"Откат {i} {tag}") for i in range(5)]
    real: Callable[[Any, dict[str, Any], str | None, Context], CompanyState] = service.create_in_transaction
    calls: list[str] = []

    def failing_on_the_third(conn: Any, fields: dict[str, Any], owner: str | None, ctx: Context) -> CompanyState:
        calls.append(fields["name"])
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(conn, fields, owner, ctx)

    monkeypatch.setattr(service, "create_in_transaction", failing_on_the_third)

    with pytest.raises(ImportFailed) as info:
        import_companies(postgres_url, rows)

    assert info.value.row == 3 and "the disk is full" in info.value.ru and "ничего не записано" in info.value.ru
    assert len(calls) == 3  # two rows had been written in the transaction before the failure
    assert _traces(pg, [r["inn"] for r in rows]) == {"companies": 0, "events": 0, "outbox": 0}
    slugs = pg.execute("SELECT count(*) AS n FROM company_slugs WHERE slug LIKE %s", (f"%{tag}",)).fetchone()
    pg.rollback()
    assert slugs["n"] == 0


# --- the command ---------------------------------------------------------------------------------


def test_cli_exits_1_on_rejected_rows_and_writes_the_report(
    pg: Any, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_path = tmp_path / "report.json"

    code = main(["companies", "import", str(BAD), "--database-url", postgres_url, "--report", str(report_path)])

    assert code == 1
    out = capsys.readouterr().out
    assert "строка 3: ИНН (inn) — неверная контрольная сумма" in out
    assert "строка 6: ИНН (inn) — совпадает со строкой 2" in out
    assert "строка 8: Подотрасли, элемент 1 (sub_industries.0) — Неизвестная подотрасль «property_managment»" in out
    assert "Ничего не записано" in out
    items = json.loads(report_path.read_text("utf-8"))
    assert {"row": 3, "field": "inn"}.items() <= items[0].items() and "message" in items[0]
    assert len(items) == 13
    assert _traces(pg, ["7728516040"])["companies"] == 0  # the one good row of the file is not written either


def test_cli_imports_with_an_owner(
    pg: Any, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    email = f"importer-{_tag()}@example.ru"
    user = pg.execute("INSERT INTO users (email, password_hash) VALUES (%s, 'x') RETURNING id::text AS id", (email,))
    user_id = user.fetchone()["id"]
    pg.commit()
    path, source = _sample_copy(tmp_path, delimiter=";", bom=True)
    argv = ["companies", "import", str(path), "--database-url", postgres_url, "--lang", "en", "-q"]

    assert main([*argv, "--dry-run"]) == 0
    assert "dry run, nothing written: 5 to import, rejected 0 rows" in capsys.readouterr().out
    assert main([*argv, "--owner-email", email.upper()]) == 0

    assert capsys.readouterr().out.startswith("imported 5, rejected 0 rows in ")
    written = _companies(pg, [r["inn"] for r in source])
    assert len(written) == 5 and {c["owner_id"] for c in written} == {user_id}

    # The same file again: every row's INN is taken now.
    assert main(argv) == 1
    assert capsys.readouterr().out.count("A company with this INN already exists") == 5


def test_cli_refuses_an_unknown_owner_and_a_bad_file(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["companies", "import", str(SAMPLE), "--database-url", postgres_url]
    assert main([*argv, "--owner-email", f"nobody-{_tag()}@example.ru"]) == 2
    assert "Нет пользователя с почтой" in capsys.readouterr().err

    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    assert main(["companies", "import", str(broken), "--database-url", postgres_url]) == 2
    assert "Некорректный JSON" in capsys.readouterr().err

"""template.yaml is the one description of the system: every function on disk is declared and vice versa."""

from __future__ import annotations

from pathlib import Path

from localcloud import template as tpl
from localcloud.paths import TEMPLATE
from support import ROOT

TEMPLATE_DATA = tpl.load(TEMPLATE)


def test_every_function_folder_is_declared_and_every_declaration_exists() -> None:
    on_disk = {p.parent.relative_to(ROOT).as_posix() + "/" for p in (ROOT / "functions").glob("*/*/app.py")}
    declared = {res["Properties"]["CodeUri"] for res in tpl.functions(TEMPLATE_DATA).values()}
    assert on_disk == declared


def test_handlers_exist() -> None:
    for name, res in tpl.functions(TEMPLATE_DATA).items():
        module, func = res["Properties"]["Handler"].split(".")
        source = (ROOT / res["Properties"]["CodeUri"] / f"{module}.py").read_text()
        assert f"{func} = " in source or f"def {func}(" in source, name


def test_routes_are_unique_and_there_is_a_catch_all() -> None:
    keys = [r.route_key for r in tpl.http_routes(TEMPLATE_DATA)]
    assert len(keys) == len(set(keys))
    assert "$default" in keys


def test_kafka_sources_have_an_sqs_on_failure_destination() -> None:
    sources = tpl.kafka_sources(TEMPLATE_DATA)
    assert sources, "the projection must be stream-triggered"
    for source in sources:
        assert source.on_failure is not None, source.function
        assert TEMPLATE_DATA["Resources"][source.on_failure]["Type"] == "AWS::SQS::Queue"
        assert "company.events" in source.topics or source.topics


def test_cfn_short_tags_are_read_as_intrinsics(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("A: !Ref X\nB: !GetAtt Q.Arn\nC: !Sub 'x-${Y}'\nD: !Split [',', !Ref Z]\n")
    data = tpl.load(path)
    assert data == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": ["Q", "Arn"]},
        "C": {"Fn::Sub": "x-${Y}"},
        "D": {"Fn::Split": [",", {"Ref": "Z"}]},
    }

"""README's "Finding a function" table, generated from template.yaml: function -> trigger -> models -> test.

One row per function: its logical name and handler folder, what triggers it (an HTTP route, a Kafka
topic, a queue, a schedule, a state machine's task, the gateway's authorizer), the models it takes
and answers (HTTP functions: read from their declared operations), and its test file. The README holds
the table between two markers; `algoarts openapi --write` rewrites it and a unit test keeps it current.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from localcloud import template as tpl
from localcloud.paths import ROOT, TEMPLATE

README = ROOT / "README.md"
START, END = "<!-- functions-table:start -->", "<!-- functions-table:end -->"


def _ref(value: Any) -> str:
    """`!GetAtt Queue.Arn` / `!Ref X` as the resource's name."""
    if isinstance(value, dict):
        inner = next(iter(value.values()))
        return str(inner[0] if isinstance(inner, list) else inner).split(".")[0]
    return str(value)


def _triggers(name: str, resource: dict[str, Any], template: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for event in (resource["Properties"].get("Events") or {}).values():
        props = event.get("Properties") or {}
        kind = event["Type"]
        if kind == "HttpApi":
            found.append(f"`{props.get('Method', 'ANY').upper()} {props.get('Path')}`")
        elif kind in ("SelfManagedKafka", "MSK"):
            found.append("Kafka " + ", ".join(f"`{t}`" for t in props.get("Topics", [])))
        elif kind == "SQS":
            found.append(f"SQS `{_ref(props.get('Queue'))}`")
        elif kind in ("Schedule", "ScheduleV2"):
            found.append(f"schedule `{props.get('Schedule') or props.get('ScheduleExpression')}`")
        else:
            found.append(kind)
    for machine, res in template["Resources"].items():
        if res.get("Type") == "AWS::Serverless::StateMachine":
            subs = (res.get("Properties") or {}).get("DefinitionSubstitutions") or {}
            if any(_ref(v) == name for v in subs.values()):
                found.append(f"task of `{machine}`")
    if any(a.function == name for a in tpl.http_authorizers(template)):
        found.append("HTTP API authorizer")
    return found or ["invoked directly"]


def _models(code_dir: Path) -> str:
    from localcloud.openapi import _answer_type, _load_app

    # Only HTTP functions declare operations; event functions are not imported (their cold start reads queues).
    app = _load_app(code_dir) if "api()" in (code_dir / "app.py").read_text("utf-8") else None
    if app is None or not getattr(app, "operations", None):
        return ""
    names: list[str] = []
    for op in app.operations:
        for p in op.binding.parameters:
            model = p.model or (p.annotation if p.location == "body" else None)
            if model is not None and getattr(model, "__name__", None) and model.__name__ not in names:
                names.append(model.__name__)
        answer = _answer_type(op.binding.returns)
        label = getattr(answer, "__name__", None)
        if label and f"→ {label}" not in names:
            names.append(f"→ {label}")
    return " ".join(f"`{n}`" if not n.startswith("→") else f"→ `{n[2:]}`" for n in names)


def rows() -> list[tuple[str, str, str, str, str]]:
    template = tpl.load(TEMPLATE)
    out = []
    for name, resource in sorted(tpl.functions(template).items()):
        code = Path(resource["Properties"]["CodeUri"].rstrip("/"))
        test = Path("tests/functions") / code.parts[-2] / f"test_{code.parts[-1]}.py"
        trigger = "; ".join(_triggers(name, resource, template))
        out.append((name, f"`{code}/`", trigger, _models(ROOT / code), f"`{test}`"))
    return out


def render() -> str:
    lines = ["| function | handler | trigger | models (in → answer) | test |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in rows()]
    return "\n".join(lines)


def updated_readme() -> str:
    text = README.read_text("utf-8")
    block = f"{START}\n{render()}\n{END}"
    if START not in text:
        raise ValueError(f"README.md has no {START} marker")
    return re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)


def write() -> Path:
    README.write_text(updated_readme(), "utf-8")
    return README

"""State machine definitions agree with template.yaml.

Every statemachines/*.asl.json is used by a state machine in the template, each `${Name}` placeholder in it
has a DefinitionSubstitutions entry (and each entry is used), and every Lambda task invokes a function the
template declares, which the state machine is allowed to invoke. The ASL itself is validated by
asl-validator in tests/checks/run_checks.sh.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import template as tpl
from localcloud.paths import ROOT, TEMPLATE

TEMPLATE_DATA = tpl.load(TEMPLATE)
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE_DATA["Resources"]
DEFINITIONS = sorted((ROOT / "statemachines").glob("*.asl.json"))
PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


def state_machines() -> dict[str, dict[str, Any]]:
    return {name: res for name, res in RESOURCES.items() if res["Type"] == "AWS::Serverless::StateMachine"}


def users(path: Path) -> dict[str, dict[str, Any]]:
    """The state machines whose DefinitionUri is this file: name -> Properties."""
    found = {}
    for name, res in state_machines().items():
        uri = res["Properties"].get("DefinitionUri")
        if isinstance(uri, str) and (TEMPLATE.parent / uri).resolve() == path.resolve():
            found[name] = res["Properties"]
    return found


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def placeholders(definition: dict[str, Any]) -> set[str]:
    return {name for text in strings(definition) for name in PLACEHOLDER.findall(text)}


def missing_substitutions(definition: dict[str, Any], substitutions: dict[str, Any]) -> set[str]:
    return placeholders(definition) - set(substitutions)


def states(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, including those inside Parallel branches and Map processors."""
    for name, state in machine.get("States", {}).items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from states(state[key])


def invoked_functions(definition: dict[str, Any], substitutions: dict[str, Any]) -> dict[str, str]:
    """Task state -> logical id of the template function it invokes; AssertionError if it is not one."""
    invoked = {}
    for name, state in states(definition):
        if state.get("Type") != "Task":
            continue
        resource = state.get("Resource", "")
        args = state.get("Parameters") or state.get("Arguments") or {}
        if resource.startswith(LAMBDA_INVOKE):
            target = args.get("FunctionName")
            assert target is not None, f"{name}: a lambda:invoke task needs a static FunctionName"
        elif PLACEHOLDER.fullmatch(resource) or resource.startswith("arn:aws:lambda:"):
            target = resource  # the direct Lambda integration: Resource is the function's ARN
        else:
            continue
        match = PLACEHOLDER.fullmatch(target)
        assert match, f"{name}: FunctionName {target!r} must be a ${{...}} placeholder, not a literal"
        value = substitutions.get(match.group(1))
        assert value is not None, f"{name}: no DefinitionSubstitutions entry for {target}"
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            function, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn", f"{name}: {target} is {function}.{attribute}, not an ARN"
        elif isinstance(value, dict) and "Ref" in value:
            function = value["Ref"]
        else:
            raise AssertionError(f"{name}: {target} = {value!r} does not refer to a template resource")
        kind = RESOURCES.get(function, {}).get("Type")
        assert kind in FUNCTION_TYPES, f"{name}: {target} refers to {function} ({kind}), not a function"
        invoked[name] = function
    return invoked


def invoke_policy_functions(properties: dict[str, Any]) -> set[str]:
    found = set()
    for policy in properties.get("Policies", []):
        if isinstance(policy, dict) and "LambdaInvokePolicy" in policy:
            target = policy["LambdaInvokePolicy"].get("FunctionName")
            if isinstance(target, dict) and "Ref" in target:
                found.add(target["Ref"])
    return found


def load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_there_are_definitions_and_every_state_machine_has_its_file() -> None:
    assert DEFINITIONS, "no statemachines/*.asl.json"
    for name, res in state_machines().items():
        uri = res["Properties"].get("DefinitionUri")
        assert isinstance(uri, str), f"{name}: DefinitionUri must be a file in statemachines/"
        assert (TEMPLATE.parent / uri).is_file(), f"{name}: {uri} does not exist"


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.name)
def test_definition_is_used_and_its_placeholders_are_substituted(path: Path) -> None:
    definition = load(path)
    assert {"StartAt", "States"} <= definition.keys()
    machines = users(path)
    assert machines, f"{path.name} is not the DefinitionUri of any state machine in template.yaml"
    for name, properties in machines.items():
        substitutions = properties.get("DefinitionSubstitutions", {})
        missing = missing_substitutions(definition, substitutions)
        assert not missing, f"{name}: {sorted(missing)} in {path.name} have no DefinitionSubstitutions entry"
        unused = set(substitutions) - placeholders(definition)
        assert not unused, f"{name}: DefinitionSubstitutions {sorted(unused)} are not used in {path.name}"


@pytest.mark.parametrize("path", DEFINITIONS, ids=lambda p: p.name)
def test_lambda_tasks_invoke_template_functions_the_machine_may_invoke(path: Path) -> None:
    definition = load(path)
    for name, properties in users(path).items():
        invoked = invoked_functions(definition, properties.get("DefinitionSubstitutions", {}))
        allowed = invoke_policy_functions(properties)
        for state, function in invoked.items():
            assert function in allowed, f"{name}.{state} invokes {function} without a LambdaInvokePolicy for it"


def test_the_checks_catch_a_placeholder_without_a_substitution() -> None:
    definition = load(DEFINITIONS[0])
    definition["States"]["Extra"] = {
        "Type": "Task",
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": "${UndeclaredFunctionArn}"},
        "End": True,
    }
    (name, properties), *_ = users(DEFINITIONS[0]).items()
    substitutions = properties.get("DefinitionSubstitutions", {})
    assert missing_substitutions(definition, substitutions) == {"UndeclaredFunctionArn"}
    with pytest.raises(AssertionError, match="no DefinitionSubstitutions entry"):
        invoked_functions(definition, substitutions)
    with pytest.raises(AssertionError, match="not a function"):
        invoked_functions(definition, {**substitutions, "UndeclaredFunctionArn": {"Fn::GetAtt": [name, "Arn"]}})

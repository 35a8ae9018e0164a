"""State machine definitions agree with template.yaml.

Every statemachines/*.asl.json is used by a state machine in the template, each `${Name}` placeholder in it
has a DefinitionSubstitutions entry (and each entry is used), and every Lambda task invokes a function the
template declares, which the state machine is allowed to invoke. The ASL itself is validated by
asl-validator in tests/checks/run_checks.sh.

A placeholder may stand for a number (`"TimeoutSeconds": ${ReviewTimeoutSeconds}`): CloudFormation
substitutes the text before parsing, so such a file is JSON only after substitution; `load` parses it
with each bare placeholder read as 1.

The partner-discovery chain has structure tests of its own: a bounded Map, the review task waiting for
its token with a timeout from a parameter, a Catch on every task (or on the Map around it), and every
state reachable from StartAt.
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
BARE_PLACEHOLDER = re.compile(r"(?<=:)(\s*)\$\{([^}]+)\}")
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
    data = json.loads(BARE_PLACEHOLDER.sub(r"\g<1>1", path.read_text("utf-8")))
    assert isinstance(data, dict)
    return data


def bare_placeholders(path: Path) -> set[str]:
    """Placeholders standing for a JSON value of their own (numbers), not inside a string."""
    return {m.group(2) for m in BARE_PLACEHOLDER.finditer(path.read_text("utf-8"))}


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
        missing = missing_substitutions(definition, substitutions) | (bare_placeholders(path) - set(substitutions))
        assert not missing, f"{name}: {sorted(missing)} in {path.name} have no DefinitionSubstitutions entry"
        unused = set(substitutions) - placeholders(definition) - bare_placeholders(path)
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


# --- the partner-discovery chain ------------------------------------------------------------------

DISCOVERY = ROOT / "statemachines" / "partner_discovery.asl.json"


def discovery() -> dict[str, Any]:
    return load(DISCOVERY)


def successors(state: dict[str, Any]) -> set[str]:
    found = {state["Next"]} if "Next" in state else set()
    found |= {c["Next"] for c in state.get("Catch", [])}
    found |= {c["Next"] for c in state.get("Choices", [])}
    if "Default" in state:
        found.add(state["Default"])
    return found


def reachable(machine: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [machine["StartAt"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert name in machine["States"], f"{name} is a transition target but no state"
        todo.extend(successors(machine["States"][name]))
    return seen


def test_discovery_every_state_is_reachable_and_every_path_ends() -> None:
    machine = discovery()
    assert reachable(machine) == set(machine["States"]), "unreachable states"
    for name, state in machine["States"].items():
        assert successors(state) or state["Type"] in {"Succeed", "Fail"} or state.get("End"), f"{name} leads nowhere"
    processor = machine["States"]["AnalyzeCandidates"]["ItemProcessor"]
    assert reachable(processor) == set(processor["States"])


def test_discovery_analyses_candidates_in_a_bounded_map() -> None:
    state = discovery()["States"]["AnalyzeCandidates"]
    assert state["Type"] == "Map"
    assert 1 <= state["MaxConcurrency"] <= 10
    item = state["ItemProcessor"]["States"][state["ItemProcessor"]["StartAt"]]
    assert item["Parameters"]["FunctionName"] == "${AnalyzerFunctionArn}"


def test_discovery_waits_for_the_review_with_a_timeout_from_a_parameter() -> None:
    review = discovery()["States"]["HumanReview"]
    assert review["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert review["Parameters"]["Payload"]["task_token.$"] == "$$.Task.Token"
    assert "ReviewTimeoutSeconds" in bare_placeholders(DISCOVERY)
    assert '"TimeoutSeconds": ${ReviewTimeoutSeconds}' in DISCOVERY.read_text("utf-8")
    (_, properties), *_ = users(DISCOVERY).items()
    assert properties["DefinitionSubstitutions"]["ReviewTimeoutSeconds"] == {"Ref": "DiscoveryReviewTimeoutSeconds"}
    assert TEMPLATE_DATA["Parameters"]["DiscoveryReviewTimeoutSeconds"]["Type"] == "Number"
    timeout = next(c for c in review["Catch"] if c["ErrorEquals"] == ["States.Timeout"])
    assert timeout["Next"] == "RecordExpiry"
    assert discovery()["States"]["RecordExpiry"]["Next"] == "Expired"


def test_discovery_review_outcomes_and_no_match() -> None:
    machine = discovery()["States"]
    decision = machine["ReviewDecision"]
    assert decision["Choices"][0]["Next"] == "MarkContacted" and decision["Default"] == "RecordRejection"
    assert machine["MarkContacted"]["Next"] == "Contacted" and machine["RecordRejection"]["Next"] == "Rejected"
    assert machine["AboveThreshold"]["Default"] == "RecordNoMatch" and machine["RecordNoMatch"]["Next"] == "NoMatch"
    for end in ("Contacted", "Rejected", "Expired", "NoMatch"):
        assert machine[end]["Type"] == "Succeed"


def test_discovery_every_task_retries_providers_and_is_caught_then_recorded() -> None:
    machine = discovery()
    for name, state in machine["States"].items():
        if state["Type"] not in {"Task", "Map"}:
            continue
        catch_all = [c for c in state.get("Catch", []) if c["ErrorEquals"] == ["States.ALL"]]
        assert catch_all, f"{name} has no Catch for States.ALL"
        if name == "RecordFailure":
            assert catch_all[0]["Next"] == "DiscoveryFailed"
            continue
        failed = machine["States"][catch_all[0]["Next"]]
        assert failed == {"Type": "Pass", "Result": name, "ResultPath": "$.failed_step", "Next": "RecordFailure"}
    tasks = [s for _, s in states(machine) if s["Type"] == "Task" and s is not machine["States"]["RecordFailure"]]
    for state in tasks:
        assert any("ProviderUnavailable" in r["ErrorEquals"] and r["BackoffRate"] > 1 for r in state["Retry"])
    assert machine["States"]["RecordFailure"]["Next"] == "DiscoveryFailed"
    assert machine["States"]["DiscoveryFailed"]["Type"] == "Fail"

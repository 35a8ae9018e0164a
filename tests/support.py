"""Helpers shared by the test tiers: sample events, handler modules loaded by path, a Lambda context."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def event(name: str, **changes: Any) -> dict[str, Any]:
    """A sample event from events/, with top-level keys replaced."""
    data: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text("utf-8"))
    data = copy.deepcopy(data)
    data.update(changes)
    return data


def load_function(context: str, function: str) -> ModuleType:
    """Import functions/<context>/<function>/app.py afresh, as a cold start would."""
    path = ROOT / "functions" / context / function / "app.py"
    name = f"fn_{context}_{function}"
    sys.modules.pop(name, None)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class LambdaContext:
    function_name: str = "test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id: str = "req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000

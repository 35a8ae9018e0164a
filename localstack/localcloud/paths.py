"""Where the local cloud keeps things: caches survive `down`, state is per checkout."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("ALGOARTS_CACHE", ROOT / ".cache"))
STATE_DIR = Path(os.environ.get("ALGOARTS_STATE", ROOT / ".state" / "local"))
TEMPLATE = ROOT / "template.yaml"


def shown(path: Path) -> str:
    """A path as a newcomer reads it in the CLI's output: relative to the checkout when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

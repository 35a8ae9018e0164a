"""The sample catalog's vector cache: the model is asked only for texts it has not seen, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import catalog_vectors
from localcloud.catalog_vectors import CachedEmbedder


class CountingEmbedder:
    model, dimensions = "e5/test", 2

    def __init__(self) -> None:
        self.asked: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.asked += texts
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.0, 1.0]


def test_vectors_are_computed_once_and_read_back_by_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog_vectors, "CACHE_DIR", tmp_path)
    inner = CountingEmbedder()
    first = CachedEmbedder(inner)
    assert first.embed_documents(["платёжный шлюз", "CRM"]) == [[14.0, 1.0], [3.0, 1.0]]
    assert first.path.parent == tmp_path / "catalog-vectors" and "/" not in first.path.name

    again = CountingEmbedder()
    second = CachedEmbedder(again)  # a later start: reads the file
    assert second.embed_documents(["CRM", "новый текст", "платёжный шлюз"]) == [[3.0, 1.0], [11.0, 1.0], [14.0, 1.0]]
    assert again.asked == ["новый текст"] and second.computed == 1
    assert (second.model, second.dimensions) == ("e5/test", 2)

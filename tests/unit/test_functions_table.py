"""README's "Finding a function" table is current with template.yaml and the handlers."""

from __future__ import annotations

from localcloud import functions_table


def test_readme_table_is_up_to_date() -> None:
    assert functions_table.README.read_text("utf-8") == functions_table.updated_readme(), (
        "run `make openapi` and commit README.md"
    )

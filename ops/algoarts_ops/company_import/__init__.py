"""Bulk import of companies from CSV or JSON: `algoarts companies import FILE` and the local cloud's seeding.

`rows.py` reads a file into rows (CSV or JSON; row numbers as the user sees them), `checks.py` checks
every row (the model, duplicates within the file and against the live companies), `importer.py`
writes the accepted rows in one transaction through the company service, and `cli.py` is the command:
the report in Russian or English and the exit code.
"""

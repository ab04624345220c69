"""Reads one careerql CSV URL with pandas and with DuckDB, as an analyst would, and prints what each read as
JSON: {"pandas": [row, ...], "duckdb": [row, ...]}, each row an object by column (tests/api/named.rs)."""
import datetime
import decimal
import json
import os
import sys

import duckdb
import duckdb_extension_httpfs
import pandas


def plain(value):
    """numpy and DuckDB scalars as JSON values; a time as careerql writes one (RFC 3339, UTC, milliseconds)."""
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)


url = sys.argv[1]

frame = pandas.read_csv(url)
pandas_rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")

connection = duckdb.connect()
extension = os.path.join(
    os.path.dirname(duckdb_extension_httpfs.__file__), "extensions", f"v{duckdb.__version__}", "httpfs.duckdb_extension"
)
connection.execute(f"LOAD '{extension}'")
relation = connection.sql(f"SELECT * FROM read_csv('{url}', header = true)")
duckdb_rows = [dict(zip(relation.columns, row)) for row in relation.fetchall()]

print(json.dumps({"pandas": pandas_rows, "duckdb": duckdb_rows}, default=plain))

"""A database made by an earlier gra gains the columns added since, so its run can be resumed."""

import sqlite_utils

from runtime.storage import schema
from runtime.storage.store import Store


def test_an_older_database_gets_the_new_columns_empty_and_keeps_its_rows(tmp_path):
    db = sqlite_utils.Database(tmp_path / "gra.db")
    for name, (columns, pk, foreign_keys) in schema.TABLES.items():
        if name != "index_items":  # a table an older gra did not have at all
            old = {k: v for k, v in columns.items() if not (name == "lm_calls" and k == "program")}
            db[name].create(old, pk=pk, foreign_keys=foreign_keys or None)
    db["lm_calls"].insert({"role": "reviewer", "member": "m0", "parse_status": "ok"})
    db.conn.close()

    store = Store(tmp_path / "gra.db")

    assert "program" in store.db["lm_calls"].columns_dict and "index_items" in store.db.table_names()
    assert list(store.db.execute("select role, program from lm_calls")) == [("reviewer", None)]

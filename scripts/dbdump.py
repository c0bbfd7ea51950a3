#!/usr/bin/env python3
"""Prints one line per table and view of a newsdb database: its name, row count and a digest of every
row in a fixed order, leaving out the columns that hold wall-clock times (runs.started_at,
finished_at). Views are included so that a table that became a view still compares.
Two databases made of the same folders by two builds must print the same lines: this is how a
change that must not change what is stored is checked (a refactor, a speed-up).

    scripts/dbdump.py before.db > before.txt
    scripts/dbdump.py after.db > after.txt
    diff before.txt after.txt && echo same

Ends with FTS5's own integrity check of the index.
"""
import hashlib
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
skip = {("runs", "started_at"), ("runs", "finished_at")}
tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'documents_fts_%' ORDER BY name")]
for t in tables:
    cols = [r[1] for r in db.execute(f"PRAGMA table_info('{t}')") if (t, r[1]) not in skip]
    if t == "documents_fts":
        cols = ["rowid", "title", "body"]
    q = f"SELECT {', '.join(cols)} FROM {t} ORDER BY {', '.join(cols[:3]) if t != 'documents_fts' else 'rowid'}"
    h = hashlib.sha256(); n = 0
    for row in db.execute(q):
        h.update(repr(row).encode()); n += 1
    print(f"{t}\t{n}\t{h.hexdigest()[:16]}")
db.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
print("documents_fts integrity-check\tok")

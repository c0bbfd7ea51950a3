#!/usr/bin/env python3
"""Does a database end where a fresh ingest of the same folder does?

    python3 scripts/compare_dbs.py HISTORY.db FRESH.db

Compares what issue 16 promises (the same as tests/cli/util.rs `LiveState`): every live source on a
document with the same content hash, the same learned site lines (domain, line hash), the same
near-duplicate clusters (as sets of content hashes). Prints one line: "same" or what differs, and
exits 0 or 1.
"""

import sqlite3
import sys


def state(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sources = dict(db.execute(
        "SELECT f.path, d.content_hash FROM files f JOIN documents d ON d.id = f.document_id"
        " WHERE f.status IN ('ingested', 'duplicate')"))
    learned = set(db.execute("SELECT domain, line_hash FROM site_lines WHERE documents >= 5"))
    groups = {}
    for cluster, content in db.execute(
            "SELECT cluster_id, content_hash FROM documents"
            " WHERE retired_run_id IS NULL AND cluster_id IS NOT NULL"):
        groups.setdefault(cluster, []).append(content)
    clusters = {tuple(sorted(g)) for g in groups.values()}
    return sources, learned, clusters


def main():
    history, fresh = sys.argv[1], sys.argv[2]
    hs, hl, hc = state(history)
    fs, fl, fc = state(fresh)
    differ = [p for p in set(hs) | set(fs) if hs.get(p) != fs.get(p)]
    if not differ and hl == fl and hc == fc:
        print(f"same: {len(fs)} live sources, {len(fl)} learned lines, {len(fc)} clusters")
        return 0
    print(f"DIFFERENT: {len(differ)} of {len(fs)} sources on another document"
          f" (e.g. {sorted(differ)[:3]}); learned lines {len(hl)} vs {len(fl)} fresh"
          f" ({len(hl & fl)} in common); clusters {len(hc)} vs {len(fc)} ({len(hc & fc)} in common)")
    return 1


if __name__ == "__main__":
    sys.exit(main())

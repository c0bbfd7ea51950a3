#!/usr/bin/env python3
"""Prints one line per table of a newsdb database: what a user sees in it now, with a digest of its
rows keyed by what names them (documents by content hash, files by path), leaving out row ids, run ids
and retired documents.

`scripts/dbdump.py` checks that two builds store exactly the same rows. This checks the weaker thing a
change to *how* a run stores may keep: the same live documents, files, audits, clusters and site
learning, whatever the history behind them (which runs, which retired versions).

    scripts/dblive.py before.db > before.txt
    scripts/dblive.py after.db > after.txt
    diff before.txt after.txt && echo same
"""
import hashlib
import sqlite3
import sys

db = sqlite3.connect(sys.argv[1])
LIVE = "(SELECT id, content_hash FROM documents WHERE retired_run_id IS NULL)"
queries = {
    "documents": f"""
        SELECT d.content_hash, d.title, d.published, d.url, d.domain, d.body, d.word_count,
               d.cleaner_version, d.lang, c.content_hash, d.stopword_ratio, d.alpha_ratio,
               d.repetition, d.boilerplate_ratio, d.site_version
        FROM documents d LEFT JOIN documents c ON c.id = d.cluster_id
        WHERE d.retired_run_id IS NULL""",
    "documents_fts": f"""
        SELECT l.content_hash, f.title, f.body FROM documents_fts f JOIN {LIVE} l ON l.id = f.rowid""",
    "files": """
        SELECT f.path, f.line, f.size, f.mtime, f.raw_hash, f.encoding, d.content_hash, f.title,
               f.published, f.url, f.status, f.reason, f.detail, f.format, f.extractor
        FROM files f LEFT JOIN documents d ON d.id = f.document_id""",
    "removed_lines": f"""
        SELECT l.content_hash, r.line, r.rule, r.text FROM removed_lines r JOIN {LIVE} l ON l.id = r.document_id""",
    "minhash_buckets": f"""
        SELECT b.band_key, l.content_hash FROM minhash_buckets b JOIN {LIVE} l ON l.id = b.document_id""",
    "near_duplicates": f"""
        SELECT min(a.content_hash, b.content_hash), max(a.content_hash, b.content_hash), n.similarity
        FROM near_duplicates n JOIN {LIVE} a ON a.id = n.a JOIN {LIVE} b ON b.id = n.b""",
    "site_lines": "SELECT domain, line_hash, documents, text FROM site_lines",
    "sites": "SELECT domain, learned_lines, version FROM sites",
    "site_sources": "SELECT raw_hash, domain, page_key, lines FROM site_sources",
    "site_pages": "SELECT domain, page_key, lines FROM site_pages",
    "site_pending": "SELECT raw_hash FROM site_pending",
}
for table, query in queries.items():
    rows = sorted(repr(row) for row in db.execute(query))
    h = hashlib.sha256()
    for row in rows:
        h.update(row.encode())
    print(f"{table}\t{len(rows)}\t{h.hexdigest()[:16]}")

#!/usr/bin/env python3
"""newsdb's per-document stage inside Spark, then one machine loads the result: the run behind
`scripts/spark.sh`, which sets it up (see there and the README's "Past one machine").

    python scripts/spark_run.py --input DIR --work DIR --newsdb target/release/newsdb [--workers 4]

1. PySpark, in local mode with several worker processes, reads every file under DIR (binary, so
   any encoding passes) and runs the stage on each through the Python package
   (`newsdb.prepare_file`), and once more through `newsdb prepare` with `RDD.pipe`; the two must
   give the same records.
2. A shuffle on the content hash drops exact copies: of the records with one content hash, one per
   distinct source (raw hash) is kept, the first in folder order. (Copies add nothing but a path;
   sources that differ in their bytes are kept, as site learning counts their lines.)
3. The records are sorted back into folder order and written as JSON Lines shards, and
   `newsdb ingest --prepared SHARD...` loads them into WORK/spark.db in one run.
4. The check: `newsdb ingest DIR` into WORK/single.db, and the two databases must hold the same
   live documents (content hash, title, date, URL, site, language, body, site version) in the same
   near-duplicate clusters. Exit 0 when they do, 1 with the differences when they do not.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time


def local_path(uri):
    """Spark's `file:/a/b` (or `file:///a/b`) as `/a/b`."""
    if uri.startswith("file:"):
        uri = uri[len("file:") :]
        while uri.startswith("//"):
            uri = uri[1:]
    return uri


def folder_order(path):
    """Sort key of a path as `newsdb ingest` walks a folder: by name, component by component."""
    return path.split("/")


def prepare_rows(rows):
    import newsdb

    for path, content in rows:
        yield json.dumps(newsdb.prepare_file(bytes(content), path))


def documents(db):
    """A database's live documents, comparable across databases: fields, body, site version, and
    the cluster named by its representative's content hash."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        """SELECT d.content_hash, d.title, d.published, d.url, d.domain, d.lang, d.body,
                  d.site_version, r.content_hash
           FROM documents d LEFT JOIN documents r ON r.id = d.cluster_id
           WHERE d.retired_run_id IS NULL ORDER BY d.content_hash"""
    ).fetchall()
    conn.close()
    return rows


def run(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", required=True, help="a folder of scraped article files")
    ap.add_argument("--work", required=True, help="where shards and databases go (emptied)")
    ap.add_argument("--newsdb", required=True, help="the newsdb binary")
    ap.add_argument("--workers", type=int, default=4, help="Spark local workers")
    args = ap.parse_args()
    newsdb_bin = os.path.abspath(args.newsdb)
    source = os.path.abspath(args.input)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    shards = os.path.join(args.work, "prepared")

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(f"local[{args.workers}]")
        .appName("newsdb-prepare")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    started = time.time()
    files = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .option("pathGlobFilter", "*.{txt,html,htm}")
        .load(source)
        .select("path", "content")
        .rdd.map(lambda r: (local_path(r.path), r.content))
        .repartition(args.workers * 4)
        .cache()
    )
    total = files.count()

    # The stage through the Python package, and once through `newsdb prepare` as a pipe.
    by_package = files.mapPartitions(prepare_rows).map(json.loads)
    import base64

    by_pipe = (
        files.map(
            lambda r: json.dumps({"path": r[0], "file_base64": base64.b64encode(bytes(r[1])).decode()})
        )
        .pipe(f"{newsdb_bin} prepare")
        .map(json.loads)
    )
    package_records = by_package.map(lambda r: (r["path"], r)).cache()
    pipe_records = by_pipe.map(lambda r: (r["path"], r))
    differ = package_records.fullOuterJoin(pipe_records).filter(lambda kv: kv[1][0] != kv[1][1])
    mismatches = differ.keys().take(5)
    if mismatches:
        print(f"FAIL: the package and `newsdb prepare` differ on {mismatches}", file=sys.stderr)
        return 1

    # Exact copies dropped by a shuffle on the content hash (rejected records keep their path).
    def keep_distinct_sources(group):
        kept, seen = [], set()
        for path, record in sorted(group, key=lambda pr: folder_order(pr[0])):
            if record["raw_hash"] not in seen:
                seen.add(record["raw_hash"])
                kept.append(record)
        return kept

    # Then back in folder order, so the loader stores the sources in the order `ingest` walks them
    # (a document's title, date and URL are those of its first source).
    deduplicated = (
        package_records.map(lambda pr: (pr[1].get("content_hash") or pr[0], pr))
        .groupByKey()
        .flatMap(lambda kv: keep_distinct_sources(kv[1]))
        .sortBy(lambda r: folder_order(r["path"]), numPartitions=args.workers * 4)
    )
    deduplicated.map(json.dumps).saveAsTextFile(shards)
    written = deduplicated.count()
    spark.stop()
    spark_seconds = time.time() - started
    parts = sorted(
        os.path.join(shards, p) for p in os.listdir(shards) if p.startswith("part-")
    )
    print(
        f"spark: {total} files, {total - written} exact copies dropped, {written} records in "
        f"{len(parts)} shards, {spark_seconds:.1f} s",
        file=sys.stderr,
    )

    loaded = os.path.join(args.work, "spark.db")
    single = os.path.join(args.work, "single.db")
    out = run([newsdb_bin, "--db", loaded, "ingest", "--quiet", "--prepared", *parts])
    if out.returncode not in (0, 3):
        print("FAIL: ingest --prepared failed", file=sys.stderr)
        return 1
    out = run([newsdb_bin, "--db", single, "ingest", "--quiet", source])
    if out.returncode not in (0, 3):
        print("FAIL: the single-machine ingest failed", file=sys.stderr)
        return 1

    a, b = documents(loaded), documents(single)
    clusters = sum(1 for row in b if row[8] is not None and row[8] != row[0])
    if a == b:
        print(
            f"PASS: {len(a)} documents, {clusters} in near-duplicate clusters: the same content "
            f"hashes, fields and clusters from Spark + ingest --prepared as from one ingest"
        )
        return 0
    only_a = {r[0] for r in a} - {r[0] for r in b}
    only_b = {r[0] for r in b} - {r[0] for r in a}
    print(
        f"FAIL: {len(a)} documents from Spark, {len(b)} from one ingest; "
        f"{len(only_a)} only in the first, {len(only_b)} only in the second",
        file=sys.stderr,
    )
    for x, y in zip(a, b):
        if x != y:
            print(f"first difference:\n- {x[:6]}\n- {y[:6]}", file=sys.stderr)
            break
    return 1


if __name__ == "__main__":
    sys.exit(main())

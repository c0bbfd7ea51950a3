#!/usr/bin/env bash
# newsdb past one machine, for real: PySpark (local mode, several workers) runs newsdb's
# per-document stage through the Python package and through `newsdb prepare`, drops exact copies
# with a shuffle on the content hash, writes prepared shards, and `newsdb ingest --prepared` loads
# them; the check compares the database with a single-machine `newsdb ingest` of the same files
# (scripts/spark_run.py says how).
#
#   scripts/spark.sh                 # 20,000 files (real text from ../shared/devset when present)
#   scripts/spark.sh --files 300     # the small run CI makes
#
# Needs: the Rust toolchain, python3, Java 17 or newer (Debian: openjdk-17-jre-headless). PySpark
# and the Python package (./python) go into a virtual environment: $NEWSDB_SPARK_VENV if set (CI
# reuses the one its Python tests use), else target/spark-venv. Work files go to $SPARK_WORK
# (default: a new temporary folder, removed at the end unless SPARK_KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."

files=20000
while [ $# -gt 0 ]; do
    case "$1" in
        --files) files="$2"; shift 2 ;;
        *) echo "usage: scripts/spark.sh [--files N]" >&2; exit 2 ;;
    esac
done
command -v java >/dev/null || {
    echo "spark: Java 17+ is required (Debian: apt-get install openjdk-17-jre-headless)" >&2
    exit 1
}

venv="${NEWSDB_SPARK_VENV:-$PWD/target/spark-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pyspark, newsdb" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==4.0.1" ./python
fi

cargo build --release --locked --quiet --bin newsdb --example gen_corpus
work="${SPARK_WORK:-$(mktemp -d)}"
[ "${SPARK_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
corpus="$work/corpus"
if [ -d ../shared/devset ]; then
    python3 scripts/real_corpus.py ../shared/devset "$corpus" "$files"
else
    echo "spark: no ../shared/devset; generated text instead of real text" >&2
    target/release/examples/gen_corpus --files "$files" --seed 1 --out "$corpus"
fi
"$venv/bin/python" scripts/spark_run.py --input "$corpus" --work "$work/run" \
    --newsdb target/release/newsdb --workers 4

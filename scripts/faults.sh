#!/usr/bin/env bash
# Fault injection (issue 16): does every interrupted history end where a fresh ingest would?
#
#   scripts/faults.sh [--files N] [--kills K] [--histories H]
#
# On a corpus of N files (default 20,000) made of real text (scripts/real_corpus.py over
# ../shared/devset; without it, the synthetic examples/gen_corpus.rs corpus, which has little site
# boilerplate to learn):
#
# 1. one fresh ingest, timed (T seconds): the reference;
# 2. K times (default 20), into a new database: ingest, SIGKILL at (k - 0.5) / K of T (so the kills
#    spread from before the first commit (the learning pass, which writes nothing), through the
#    run's batches, to the end), then one ingest to completion; compared with the reference
#    (scripts/compare_dbs.py: every live file on the same content hash, the same learned site lines,
#    the same clusters) and `newsdb check`;
# 3. SIGTERM at T/2 (cron's `timeout`): exit 143, the run recorded `interrupted`, then the same;
# 4. a tmpfs too small for the database (needs root to mount; skipped, with a message, otherwise):
#    the run fails on a full disk, the tmpfs is made larger, one more ingest, then the same;
# 5. H random histories of the property test (tests/cli/histories.rs; default 200) beyond the 50
#    that `cargo test` runs.
#
# Prints one line per fault and a summary ("kills converged: 20/20"); exits 1 if any differs.
set -euo pipefail
cd "$(dirname "$0")/.."

files=20000 kills=20 histories=200
while [ $# -gt 0 ]; do
    case "$1" in
        --files) files=$2; shift 2 ;;
        --kills) kills=$2; shift 2 ;;
        --histories) histories=$2; shift 2 ;;
        *) echo "usage: scripts/faults.sh [--files N] [--kills K] [--histories H]" >&2; exit 2 ;;
    esac
done

cargo build --release --locked --quiet --bin newsdb --example gen_corpus
work=$(mktemp -d /tmp/newsdb-faults.XXXXXX)
# A copy: a build during the run (the histories at the end, or the user's) must not change the binary.
cp target/release/newsdb "$work/newsdb"
bin="$work/newsdb"
trap 'mountpoint -q "$work/small" 2>/dev/null && umount "$work/small"; rm -rf "$work"' EXIT
corpus="$work/corpus"

if [ -d ../shared/devset/naive ]; then
    python3 scripts/real_corpus.py ../shared/devset "$corpus" "$files"
else
    echo "no ../shared/devset: using the synthetic corpus (little site boilerplate to learn)" >&2
    target/release/examples/gen_corpus --files "$files" --seed 1 --out "$corpus" >/dev/null
fi

# An ingest that ran to its end: 0, or 3 when some files were refused (the real dumps hold a few
# binary ones). Anything else is a failure of the run.
ingest() {
    local db=$1 rc=0
    "$bin" --db "$db" ingest --quiet "$corpus" 2>/dev/null || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
        echo "ingest into $db exited $rc" >&2
        return 1
    fi
}

# Where a killed run stopped: its runs and their statuses, and the files stored.
where() {
    python3 - "$1" <<'EOF'
import sqlite3, sys
try:
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    runs = [s for (s,) in db.execute("SELECT status FROM runs ORDER BY id")]
    files = db.execute("SELECT count(*) FROM files").fetchone()[0]
    print(f"runs {'+'.join(runs) or 'none'}, {files} files stored")
except sqlite3.Error as e:
    print(f"no database yet ({e})")
EOF
}

# Compares $1 with the reference and runs `newsdb check`; prints the verdict, returns 1 if it differs.
verdict() {
    local db=$1 same check_rc=0
    same=$(python3 scripts/compare_dbs.py "$db" "$work/fresh.db") || { echo "$same"; return 1; }
    "$bin" --db "$db" check >/dev/null || check_rc=$?
    if [ "$check_rc" -ne 0 ]; then
        echo "newsdb check exited $check_rc"
        return 1
    fi
    echo "$same; check clean"
}

start=$(date +%s.%N)
ingest "$work/fresh.db"
T=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
echo "fresh ingest of $files files: ${T} s ($(where "$work/fresh.db"))"

converged=0 late=0
for k in $(seq 1 "$kills"); do
    db="$work/kill$k.db"
    at=$(awk -v t="$T" -v k="$k" -v n="$kills" 'BEGIN { printf "%.2f", t * (k - 0.5) / n }')
    "$bin" --db "$db" ingest --quiet "$corpus" 2>/dev/null &
    pid=$!
    sleep "$at"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    stopped=$(where "$db")
    ingest "$db"
    if v=$(verdict "$db"); then converged=$((converged + 1)); fi
    case "$stopped" in *completed+completed*) late=$((late + 1)) ;; esac
    echo "kill $k/$kills at ${at} s ($stopped): $v"
    rm -f "$db" "$db-wal" "$db-shm"
done

failed=0
db="$work/term.db"
"$bin" --db "$db" ingest --quiet "$corpus" 2>/dev/null &
pid=$!
half=$(awk -v t="$T" 'BEGIN { printf "%.2f", t / 2 }')
sleep "$half"
kill -TERM "$pid" 2>/dev/null || true
rc=0; wait "$pid" || rc=$?
stopped=$(where "$db")
ingest "$db"
if ! v=$(verdict "$db"); then
    term="FAILED"; failed=1
elif [ "$rc" -eq 143 ]; then
    term="ok"
else
    term="missed (the run ended before the signal: the machine was faster than when T was measured)"
fi
echo "SIGTERM at $half s: exit $rc ($stopped); after a re-run: $v"

disk="skipped (mounting a tmpfs needs root)"
if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/small" && mount -t tmpfs -o size=4m tmpfs "$work/small" 2>/dev/null; then
    size=$(stat -c %s "$work/fresh.db")
    mount -o remount,size=$((size / 2)) "$work/small"
    rc=0
    "$bin" --db "$work/small/db" ingest --quiet "$corpus" 2>"$work/disk.err" || rc=$?
    why=$(grep -m1 -o 'database or disk is full\|No space left on device' "$work/disk.err" || true)
    stopped=$(where "$work/small/db")
    mount -o remount,size=$((size * 4)) "$work/small"
    ingest "$work/small/db"
    if v=$(verdict "$work/small/db") && [ "$rc" -ne 0 ] && [ -n "$why" ]; then
        disk="ok"
    else
        disk="FAILED"; failed=1
    fi
    echo "full disk (tmpfs of $((size / 2)) bytes): exit $rc, '${why:-no disk-full error}' ($stopped); after more room and a re-run: $v"
    umount "$work/small"
fi

hist="skipped"
if [ "$histories" -gt 0 ]; then
    if NEWSDB_HISTORIES=$histories NEWSDB_HISTORY_FIRST=51 cargo test --release --locked --quiet \
        --test cli histories >"$work/histories.log" 2>&1; then
        hist="$histories/$histories"
    else
        hist="FAILED ($(grep -m1 -o 'history seed [0-9]*' "$work/histories.log" || echo see log))"
        failed=1
    fi
fi

echo "kills converged: $converged/$kills ($late landed after the ingest had ended); SIGTERM: $term; full disk: $disk; random histories (seeds 51-$((50 + histories))): $hist"
[ "$converged" -eq "$kills" ] && [ "$failed" -eq 0 ]

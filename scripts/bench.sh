#!/usr/bin/env bash
# newsdb side by side with the SQLite floor and with sqlite-utils, on real text and on generated
# text, in one run.
#
#   scripts/bench.sh                      # corpora of 20k and 100k files of each kind (an hour or
#                                         # more on 2 cores)
#   scripts/bench.sh --corpus real        # only the real-text corpora (or: synthetic)
#   scripts/bench.sh --sizes "2000"       # other sizes
#   scripts/bench.sh --search-1m          # also search latency on 1M documents (JSON Lines, ~1 hour)
#   scripts/bench.sh --rounds 3           # the floor, the tuned floor and the ingest, alternating,
#                                         # this many times; their rows give the median (default 3;
#                                         # this shared machine moves 10-30% between minutes)
#   scripts/bench.sh --smoke              # 300 files, every step once, no timing claims (CI runs this)
#   scripts/bench.sh --settings 20000     # newsdb ingest under other SQLite/FTS5 settings, side by side
#   scripts/bench.sh --html 20000         # only: ingest of N saved HTML pages made from the dev set's
#                                         # real pages (scripts/html_corpus.py), and the extractor
#                                         # alone on one thread (examples/extract_alone)
#   scripts/bench.sh --prepare 20000      # only: `newsdb prepare` of N real-text files (as
#                                         # {"path","file_base64"} lines) beside `newsdb ingest` of
#                                         # the same folder, and prepare's memory at 20k and 1M
#                                         # generated JSON Lines records
#
# Two kinds of corpus, each a column of the table: "real", files of real article paragraphs and real
# boilerplate lines of real pages, made by scripts/real_corpus.py from ../shared/devset (left out,
# with a note, without it); "synthetic", pseudo-words drawn by Zipf's law (examples/gen_corpus.rs),
# the corpus of the earlier measurements. Both have the same mix of exact copies, variants and near
# copies. Real text is what counts: the synthetic corpus hid a 3x slowdown on real text.
#
# Needs: the Rust toolchain, python3 (sqlite-utils is installed into a throwaway virtual environment
# here), the stock sqlite3 shell (its fsdir() reads the files for the floor), GNU time. Work files go
# to $BENCH_DIR (default: a new temporary folder), which is removed at the end unless BENCH_KEEP=1.
# Prints a Markdown table; BENCHMARKS.md holds one, with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="20000 100000"
corpora="real synthetic"
search_1m=0
smoke=0
rounds=3
settings=0
html=0
prepare=0
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) sizes="$2"; shift 2 ;;
        --corpus) corpora="$2"; shift 2 ;;
        --search-1m) search_1m=1; shift ;;
        --rounds) rounds="$2"; shift 2 ;;
        --smoke) smoke=1; sizes="300"; rounds=1; shift ;;
        --settings) settings="$2"; sizes=""; shift 2 ;;
        --html) html="$2"; sizes=""; shift 2 ;;
        --prepare) prepare="$2"; sizes=""; shift 2 ;;
        *) echo "usage: scripts/bench.sh [--sizes \"N...\"] [--corpus real|synthetic] [--rounds N] [--search-1m] [--smoke] [--settings N] [--html N] [--prepare N]" >&2; exit 2 ;;
    esac
done

for tool in python3 sqlite3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done

work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet --bin newsdb --example gen_corpus --example search_latency \
    --example clean_speed --example extract_alone
newsdb="$PWD/target/release/newsdb"
gen="$PWD/target/release/examples/gen_corpus"
latency="$PWD/target/release/examples/search_latency"
clean_speed="$PWD/target/release/examples/clean_speed"
# A kept $BENCH_DIR reuses its corpora: named after the generator's source, so a changed generator
# makes new ones instead of timing a stale corpus.
gen_stamp=$(cat examples/gen_corpus.rs examples/common/*.rs | sha256sum | cut -c1-12)

if [ ! -x "$work/venv/bin/sqlite-utils" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check "sqlite-utils==3.38"
fi
sqlite_utils="$work/venv/bin/sqlite-utils"

# measure NAME CMD...: runs CMD under GNU time; sets $wall (s), $rss (MB) and $cpu (user + sys s).
measure() {
    local name="$1"; shift
    /usr/bin/time -f "%e %M %U %S" -o "$work/time.$name" "$@" >"$work/out.$name" 2>"$work/err.$name" || {
        echo "bench: $name failed:" >&2; cat "$work/err.$name" >&2; exit 1; }
    read -r wall rss_kb user sys <"$work/time.$name"
    rss=$(( rss_kb / 1024 ))
    cpu=$(python3 -c "print(round($user + $sys, 1))")
}

# "${allow3[@]}" CMD...: CMD, where exit 3 (a finished run that refused some files: the real and
# HTML corpora have a few dev-set pages with binary bytes or no article) counts as success.
allow3=(bash -c '"$@" || [ $? -eq 3 ]' -)

# median A B ...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# of_rounds LABEL WALL...: LABEL, followed by the walls its median came from when there are several.
of_rounds() { [ "$rounds" = 1 ] && echo "$1" || echo "$1 (median of ${*:2})"; }

# ratio A B: A / B with two decimals ("-" when B rounds to zero: too fast to time at this size).
ratio() { python3 -c "print(f'{$1 / $2:.2f}' if $2 > 0 else '-')"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "sqlite3 shell $(sqlite3 --version | cut -d' ' -f1), sqlite-utils $("$sqlite_utils" --version | awk '{print $NF}'), newsdb $("$newsdb" --version | awk '{print $2}')"
echo
devset=../shared/devset
if [[ " $corpora " == *" real "* ]] && [ ! -d "$devset/naive" ]; then
    echo "bench: no $devset/naive, so no real-text corpus: the synthetic one only" >&2
    corpora="${corpora//real/}"
fi
real_stamp=$(sha256sum scripts/real_corpus.py | cut -c1-12)

# One process cleaning one file (`newsdb clean`, a seed): start-up included, the median of 21.
if [ -n "$sizes" ]; then
    # GNU time counts in hundredths of a second: too coarse here.
    read -r clean1 clean1_rss < <(python3 - "$newsdb" <<'PY'
import glob, resource, statistics, subprocess, sys, time
seed = sorted(glob.glob("seeds/*"))[0]
times = []
for _ in range(21):
    start = time.perf_counter()
    subprocess.run([sys.argv[1], "clean", seed], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times) * 1000:.1f}", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
    echo "newsdb clean FILE, one process on a seed (median of 21): $clean1 ms, $clean1_rss MB peak RSS"
    echo
    echo "| corpus | files | corpus MB | step | wall s | peak RSS MB | ratio |"
    echo "|---|---:|---:|---|---:|---:|---|"
fi

for n in $sizes; do
for kind in $corpora; do
    if [ "$kind" = real ]; then
        corpus="$work/real$n-$real_stamp"
        [ -d "$corpus" ] || python3 scripts/real_corpus.py "$devset" "$corpus" "$n" >&2
    else
        corpus="$work/corpus$n-$gen_stamp"
        [ -d "$corpus" ] || "$gen" --files "$n" --seed 1 --out "$corpus"
    fi
    row() { echo "| $kind | $n | $mb | $1 | $2 | $3 | $4 |"; }
    mb=$(du -sm "$corpus" | cut -f1)
    # Warm the page cache for every contender alike.
    find "$corpus" -type f -exec cat {} + >/dev/null

    # The floor, the tuned floor and newsdb's ingest, one after the other, $rounds times: each row
    # gives the median wall time (and the largest peak RSS), so that a slow minute of this shared
    # machine moves one round of each, not one contender.
    floors=(); tuneds=(); ingests=(); floor_rss=0; tuned_rss=0; ingest_rss=0
    for round in $(seq "$rounds"); do
    # The floor: the stock shell loads the files and indexes them, nothing else. The tuned floor
    # gives FTS5 a larger in-memory hash and fewer merges: what SQLite can do at its best here.
    for variant in floor tuned; do
        rm -f "$work/floor.db"*
        tuning=""
        [ "$variant" = tuned ] && tuning="INSERT INTO documents_fts(documents_fts, rank) VALUES('hashsize', 67108864);
INSERT INTO documents_fts(documents_fts, rank) VALUES('automerge', 16);"
        cat >"$work/floor.sql" <<SQL
PRAGMA page_size = 8192;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT, body TEXT);
CREATE VIRTUAL TABLE documents_fts USING fts5(body, content="documents", content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2");
$tuning
BEGIN;
INSERT INTO documents(path, body) SELECT name, CAST(data AS TEXT) FROM fsdir('$corpus') WHERE (mode & 61440) = 32768;
INSERT INTO documents_fts(documents_fts) VALUES('rebuild');
COMMIT;
SQL
        measure "$variant" sqlite3 "$work/floor.db" ".read $work/floor.sql"
        if [ "$variant" = floor ]; then
            floors+=("$wall"); floor_rss=$(( rss > floor_rss ? rss : floor_rss ))
        else
            tuneds+=("$wall"); tuned_rss=$(( rss > tuned_rss ? rss : tuned_rss ))
        fi
    done
    rm -f "$work/newsdb.db"*
    measure ingest "${allow3[@]}" "$newsdb" --db "$work/newsdb.db" ingest --quiet "$corpus"
    ingests+=("$wall"); ingest_rss=$(( rss > ingest_rss ? rss : ingest_rss ))
    done
    floor=$(median "${floors[@]}"); tuned=$(median "${tuneds[@]}"); ingest=$(median "${ingests[@]}")
    row "$(of_rounds "floor: sqlite3 fsdir + FTS5 rebuild" "${floors[@]}")" "$floor" "$floor_rss" "1.00"
    row "$(of_rounds "tuned floor (FTS5 hashsize 64 MiB, automerge 16)" "${tuneds[@]}")" "$tuned" "$tuned_rss" "$(ratio "$tuned" "$floor") × floor"
    row "$(of_rounds "newsdb ingest" "${ingests[@]}")" "$ingest" "$ingest_rss" "$(ratio "$ingest" "$floor") × floor, $(ratio "$ingest" "$tuned") × tuned"
    # An ingest is one run, plus a follow-up run when sites learned lines in it (their pages are
    # cleaned again without those lines): what each took, from the runs table.
    python3 - "$work/newsdb.db" "$kind" "$n" "$mb" "$rounds" >"$work/runs.md" <<'PY'
import sqlite3, sys
from datetime import datetime
db, kind, n, mb, rounds = sys.argv[1:]
last = "" if rounds == "1" else ", the last round"
rows = sqlite3.connect(db).execute(
    "SELECT started_at, finished_at, files_seen, changed FROM runs ORDER BY id").fetchall()
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
for i, (start, end, seen, changed) in enumerate(rows):
    what = "first run" if i == 0 else f"follow-up run (site learning): {changed} files cleaned again"
    print(f"| {kind} | {n} | {mb} | of which {what}{last} | {t(end) - t(start):.2f} | | |")
PY
    cat "$work/runs.md"

    # The same ingest without near-duplicate detection: what MinHash, the LSH buckets and the
    # clustering cost (target: throughput with detection at least 0.8 of that without).
    rm -f "$work/plain.db"*
    measure plain "${allow3[@]}" "$newsdb" --db "$work/plain.db" ingest --quiet --no-near-duplicates "$corpus"
    row "newsdb ingest --no-near-duplicates" "$wall" "$rss" "throughput with detection = $(ratio "$wall" "$ingest") × without"
    clusters=$("$newsdb" --db "$work/newsdb.db" sql "SELECT count(*) FROM (SELECT 1 FROM documents GROUP BY cluster_id HAVING count(*) > 1)" --csv | tail -1)
    row "(near-duplicate clusters found: $clusters)" "" "" ""
    rm -f "$work/plain.db"*

    rm -f "$work/su.db"*
    measure su_insert "$sqlite_utils" insert-files "$work/su.db" documents "$corpus" --text \
        -c path:path -c sha256:sha256 -c body:content_text --pk path --silent
    su_insert=$wall
    measure su_fts "$sqlite_utils" enable-fts "$work/su.db" documents body --fts5 --create-triggers
    su=$(python3 -c "print(round($su_insert + $wall, 2))")
    row "sqlite-utils insert-files + enable-fts" "$su" "$rss" "newsdb is $(ratio "$su" "$ingest")× as fast"

    measure reingest "${allow3[@]}" "$newsdb" --db "$work/newsdb.db" ingest --quiet "$corpus"
    # GNU time counts in hundredths of a second, and at 20k both take a few of them (0.04 against
    # 0.09 s in one run, 0.064 against 0.076 s as medians of 11): the walls are the medians of
    # alternating runs timed to the microsecond, 11 of each (3 for --smoke); the re-run's peak RSS
    # is the run's above.
    quick=$([ "$smoke" = 1 ] && echo 3 || echo 11)
    walls=$(python3 - "$quick" "$newsdb" "$work/newsdb.db" "$corpus" <<'PY'
import statistics, subprocess, sys, time
n, newsdb, db, corpus = int(sys.argv[1]), *sys.argv[2:]
commands = [["find", corpus, "-type", "f", "-printf", "%s %T@\n"],
            [newsdb, "--db", db, "ingest", "--quiet", corpus]]
walls = [[], []]
for _ in range(n):
    for wall, command in zip(walls, commands):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - start)
        # Exit 3: a finished run that refused some files (the real corpus has a few binary pages).
        if done.returncode not in (0, 3):
            sys.exit(f"bench: {command[0]} exited with {done.returncode}")
print(*(f"{statistics.median(w):.3f}" for w in walls))
PY
)
    read -r find_wall wall <<<"$walls"
    row "find -printf (listing), median of $quick" "$find_wall" "-" "1.00"
    row "newsdb re-ingest, unchanged, median of $quick alternating with find" "$wall" "$rss" "$(ratio "$wall" "$find_wall") × find"

    # The cleaner alone, one thread, files in memory: it must stay far faster than the whole ingest.
    measure clean "$clean_speed" "$corpus"
    lines=$(awk '/^clean:/ {print $4}' "$work/out.clean")
    ingest_lines=$(python3 -c "print(round($lines / $ingest))")
    row "cleaner alone, 1 thread: $(awk '/^clean:/ {print $(NF-5), $(NF-4)}' "$work/out.clean" | tr -d ,)" "" "" "ingest: $ingest_lines lines/s on all cores"

    measure search "$latency" "$work/newsdb.db" "$([ $smoke = 1 ] && echo 50 || echo 2000)"
    docs=$("$newsdb" --db "$work/newsdb.db" sql "SELECT count(*) AS n FROM documents WHERE retired_run_id IS NULL" --csv | tail -1)
    row "search, 1/2/3 words of its vocabulary ($docs documents)" "$(cat "$work/out.search")" "$rss" ""
    if [ "$smoke" = 1 ]; then
        # The smoke run checks that every step ran and produced what it should, not how fast.
        [ "$docs" -gt 0 ] || { echo "bench: no documents from the $kind corpus" >&2; exit 1; }
    fi
    rm -rf "$work/su.db"* "$work/floor.db"*
    [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$corpus"
done
done

if [ "$settings" != 0 ]; then
    # Each variant: a new database created by newsdb (schema only), changed by one statement through
    # the sqlite3 shell, then the same ingest. FTS5 keeps its options in the table's config, and the
    # page size of a database is fixed once it has tables, so every variant starts from scratch.
    corpus="$work/corpus$settings-$gen_stamp"
    [ -d "$corpus" ] || "$gen" --files "$settings" --seed 1 --out "$corpus"
    find "$corpus" -type f -exec cat {} + >/dev/null
    mkdir -p "$work/empty"
    echo
    echo "| setting ($settings files) | ingest wall s | peak RSS MB | database MB | ratio to newsdb's defaults |"
    echo "|---|---:|---:|---:|---:|"
    base=""
    while IFS='|' read -r label env sql; do
        rm -f "$work/set.db"*
        if [ "$label" = "page_size 4096" ]; then
            # Written once with 4 KiB pages, the file keeps them: newsdb's page_size pragma only
            # applies to a database never written.
            sqlite3 "$work/set.db" "PRAGMA page_size = 4096; CREATE TABLE x (x); DROP TABLE x;"
        fi
        "$newsdb" --db "$work/set.db" ingest --quiet "$work/empty"
        [ -z "$sql" ] || sqlite3 "$work/set.db" "$sql"
        # shellcheck disable=SC2086 # $env holds NAME=VALUE words, or nothing
        measure setting env $env "$newsdb" --db "$work/set.db" ingest --quiet "$corpus"
        [ -n "$base" ] || base=$wall
        size=$(du -m "$work/set.db" | cut -f1)
        if [ "$label" = "newsdb's defaults, then FTS5 optimize" ]; then
            /usr/bin/time -f "%e" -o "$work/time.optimize" sqlite3 "$work/set.db" \
                "INSERT INTO documents_fts(documents_fts) VALUES('optimize');"
            label="$label (optimize alone: $(cat "$work/time.optimize") s)"
            size=$(du -m "$work/set.db" | cut -f1)
        fi
        echo "| $label | $wall | $rss | $size | $(ratio "$wall" "$base") |"
    done <<'VARIANTS'
newsdb's defaults||
FTS5 hashsize 16 MiB||INSERT INTO documents_fts(documents_fts, rank) VALUES('hashsize', 16777216);
FTS5 automerge 16||INSERT INTO documents_fts(documents_fts, rank) VALUES('automerge', 16);
FTS5 automerge 2||INSERT INTO documents_fts(documents_fts, rank) VALUES('automerge', 2);
FTS5 crisismerge 64||INSERT INTO documents_fts(documents_fts, rank) VALUES('crisismerge', 64);
FTS5 pgsz 8000||INSERT INTO documents_fts(documents_fts, rank) VALUES('pgsz', 8000);
page_size 4096||
synchronous FULL (default NORMAL)|NEWSDB_SYNCHRONOUS=FULL|
page cache 32 MiB (default 48)|NEWSDB_CACHE_MIB=32|
page cache 64 MiB|NEWSDB_CACHE_MIB=64|
batches of 128 files (default 512)|NEWSDB_BATCH_FILES=128|
batches of 2048 files|NEWSDB_BATCH_FILES=2048|
newsdb's defaults again (the noise between runs)||
newsdb's defaults, then FTS5 optimize||
VARIANTS
fi

if [ "$html" != 0 ]; then
    devset=../shared/devset
    [ -d "$devset/html" ] || { echo "bench: --html needs $devset/html (the dev set's pages)" >&2; exit 1; }
    corpus="$work/html$html"
    [ -d "$corpus" ] || python3 scripts/html_corpus.py "$devset" "$corpus" "$html" >&2
    mb=$(du -sm "$corpus" | cut -f1)
    find "$corpus" -type f -exec cat {} + >/dev/null
    echo
    echo "| HTML files | corpus MB | step | wall s | peak RSS MB | pages/s |"
    echo "|---:|---:|---|---:|---:|---:|"
    rm -f "$work/html.db"*
    measure html_ingest "${allow3[@]}" "$newsdb" --db "$work/html.db" ingest --quiet "$corpus"
    echo "| $html | $mb | newsdb ingest (all cores) | $wall | $rss | $(python3 -c "print(round($html / $wall))") |"
    measure html_reingest "${allow3[@]}" "$newsdb" --db "$work/html.db" ingest --quiet "$corpus"
    echo "| $html | $mb | newsdb re-ingest, unchanged | $wall | $rss | |"
    measure html_alone "$PWD/target/release/examples/extract_alone" "$devset" "$work/alone"
    echo "| - | - | one thread, the dev set's pages: $(cat "$work/out.html_alone") | $wall | $rss | |"
fi

if [ "$prepare" != 0 ]; then
    corpus="$work/real$prepare"
    if [ -d ../shared/devset ]; then
        [ -d "$corpus" ] || python3 scripts/real_corpus.py ../shared/devset "$corpus" "$prepare" >&2
    else
        echo "bench: no ../shared/devset, so generated text (not real text)" >&2
        [ -d "$corpus" ] || "$gen" --files "$prepare" --seed 1 --out "$corpus"
    fi
    # Every file as one {"path", "file_base64"} line, the shape a Spark job feeds `newsdb prepare`.
    python3 - "$corpus" >"$work/files.jsonl" <<'PY'
import base64, json, os, sys
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(root, name)
        data = base64.b64encode(open(path, "rb").read()).decode()
        print(json.dumps({"path": path, "file_base64": data}))
PY
    mb=$(du -sm "$corpus" | cut -f1)
    find "$corpus" -type f -exec cat {} + >/dev/null
    cat "$work/files.jsonl" >/dev/null
    echo
    echo "| files | corpus MB | step | wall s | CPU s | peak RSS MB | files/s |"
    echo "|---:|---:|---|---:|---:|---:|---:|"
    for round in 1 2; do
        rm -f "$work/prep.db"*
        measure prep_ingest "${allow3[@]}" "$newsdb" --db "$work/prep.db" ingest --quiet "$corpus"
        echo "| $prepare | $mb | newsdb ingest of the folder (round $round) | $wall | $cpu | $rss | $(python3 -c "print(round($prepare / $wall))") |"
        measure prep_stage bash -c '"$@" >/dev/null || [ $? -eq 3 ]' - "$newsdb" prepare "$work/files.jsonl"
        echo "| $prepare | $mb | newsdb prepare of the same files, to /dev/null (round $round) | $wall | $cpu | $rss | $(python3 -c "print(round($prepare / $wall))") |"
    done
    for n in 20000 1000000; do
        measure "prep_mem$n" bash -c '"$1" --files "$2" --seed 2 --jsonl | "$3" prepare >/dev/null' - "$gen" "$n" "$newsdb"
        echo "| $n | - | generated JSON Lines piped through newsdb prepare (memory) | $wall | $cpu | $rss | $(python3 -c "print(round($n / $wall))") |"
    done
fi

if [ "$search_1m" = 1 ]; then
    echo
    echo "| corpus | records | step | wall s | CPU s | peak RSS MB | result |"
    echo "|---|---:|---|---:|---:|---:|---|"
    for kind in $corpora; do
        rm -f "$work/1m.db"*
        # Made as it is read (a million records do not fit the disk as files): the generator's time
        # is in the ingest's wall time and CPU; peak RSS is the larger of the two processes'. Exit 3
        # (a few real pages with binary bytes rejected) counts as success.
        if [ "$kind" = real ]; then
            make_1m="python3 scripts/real_corpus.py $devset - 1000000 --jsonl --seed 2 2>/dev/null"
        else
            make_1m="$gen --files 1000000 --seed 2 --jsonl"
        fi
        measure ingest1m "${allow3[@]}" bash -c "set -o pipefail; $make_1m | $newsdb --db $work/1m.db ingest --quiet --jsonl -"
        docs=$("$newsdb" --db "$work/1m.db" sql "SELECT count(*) AS n FROM documents" --csv | tail -1)
        db_mb=$(du -m "$work/1m.db" | cut -f1)
        echo "| $kind | 1000000 | newsdb ingest --jsonl - | $wall | $cpu | $rss | $docs documents, $db_mb MB |"
        measure search1m "$latency" "$work/1m.db" 2000
        echo "| $kind | 1000000 | search p50/p99 ms, 1/2/3 words of its vocabulary | $wall | $cpu | $rss | $(cat "$work/out.search1m") |"
    done
fi

if [ "$smoke" = 1 ]; then
    echo "bench smoke: ok"
fi

//! Re-ingestion you can trust: incremental runs, changes, renames, deletions, restores, retirement,
//! kill -9 at any point, one writer at a time, readers during a run.

use crate::util::{assert_intact, files_under, generate_corpus, stdout, Env};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// What must be the same after any history of runs as after one fresh run over the final folder:
/// live documents (hash, title, body), and live files (path, status, document hash).
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    documents: BTreeSet<(String, Option<String>, String)>,
    files: BTreeSet<(String, String, String)>,
}

fn snapshot(db: &Path) -> Snapshot {
    let conn = rusqlite::Connection::open(db).unwrap();
    let documents = conn
        .prepare("SELECT content_hash, title, body FROM documents WHERE retired_run_id IS NULL")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let files = conn
        .prepare(
            "SELECT f.path, f.status, coalesce(d.content_hash, f.reason) FROM files f
             LEFT JOIN documents d ON d.id = f.document_id WHERE f.status <> 'deleted'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    Snapshot { documents, files }
}

/// A fresh database over the same folder, for comparison.
fn fresh_snapshot(env: &Env) -> Snapshot {
    let db = env.dir.path().join("fresh.db");
    let out = env.ingest_into(&db);
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    snapshot(&db)
}

const A: &str = "Alpha story\n20220101\nhttps://a.example/1\nThe alpha story has one sentence.\n";
const B1: &str =
    "Beta story\n20220102\nhttps://b.example/1\nThe first version of the beta story.\n";
const B2: &str =
    "Beta story\n20220102\nhttps://b.example/1\nThe second, edited version of the beta story.\n";
const E: &str = "Echo story\n\nThe echo story moves to another folder.\n";
const F: &str = "Foxtrot story\n\nThe foxtrot story is deleted, then restored.\n";

#[test]
fn a_history_of_runs_ends_where_a_fresh_ingest_of_the_final_folder_does() {
    let env = Env::new();
    let root = env.corpus();
    env.write("a.txt", A);
    env.write("b.txt", B1);
    env.write("c.txt", A); // a byte-identical copy
    env.write("e.txt", E);
    env.write("f.txt", F);
    let first = env.ingest(0);
    assert_eq!(
        (
            first["new_documents"].as_i64(),
            first["duplicates"].as_i64()
        ),
        (Some(4), Some(1))
    );

    // Run 2: modify b, rename e, delete f, add a whitespace variant of a.
    std::fs::write(root.join("b.txt"), B2).unwrap();
    std::fs::create_dir_all(root.join("moved")).unwrap();
    std::fs::rename(root.join("e.txt"), root.join("moved/e.txt")).unwrap();
    std::fs::remove_file(root.join("f.txt")).unwrap();
    env.write(
        "g.txt",
        A.replace("one sentence", "one  sentence")
            .replace('\n', "\r\n"),
    );
    let second = env.ingest(0);
    assert_eq!(second["changed"], 1, "{second}");
    assert_eq!(second["renamed"], 1, "{second}");
    assert_eq!(
        second["deleted"], 2,
        "e.txt moved away and f.txt went: {second}"
    );
    assert_eq!(
        second["retired"], 2,
        "b's first version and f's document: {second}"
    );
    assert_eq!(second["unchanged"], 2, "a.txt and c.txt: {second}");
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE retired_run_id IS NOT NULL"),
        2
    );
    // Retired documents are kept, but left out of search unless asked.
    let hits = |args: &[&str]| -> usize {
        let out = env.cmd(args).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(hits(&["search", "--json", "foxtrot"]), 0);
    assert_eq!(
        hits(&["search", "--json", "--include-retired", "foxtrot"]),
        1
    );

    // Run 3: restore f, delete a (its document lives on in c and g), b back to its first version.
    env.write("f.txt", F);
    std::fs::remove_file(root.join("a.txt")).unwrap();
    std::fs::write(root.join("b.txt"), B1).unwrap();
    let third = env.ingest(0);
    assert_eq!(third["deleted"], 1, "{third}");
    assert_eq!(third["retired"], 1, "b's second version: {third}");
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE retired_run_id IS NULL"),
        4
    );
    assert_eq!(
        hits(&["search", "--json", "foxtrot"]),
        1,
        "a restored file revives its document"
    );

    // Run 4: nothing changed.
    let fourth = env.ingest(0);
    assert_eq!(fourth["unchanged"], fourth["files_seen"]);
    assert_eq!(
        (fourth["deleted"].as_i64(), fourth["retired"].as_i64()),
        (Some(0), Some(0))
    );

    assert_intact(&env.db());
    assert_eq!(snapshot(&env.db()), fresh_snapshot(&env));

    // History: every run is in the log, and a.txt's deletion is recorded with its run.
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE status = 'completed'"),
        4
    );
    assert_eq!(
        env.count("SELECT deleted_run_id FROM files WHERE path LIKE '%/a.txt'"),
        3
    );
    let first_seen = env.count(
        "SELECT d.first_run_id FROM documents d JOIN files f ON f.document_id = d.id WHERE f.path LIKE '%/g.txt'",
    );
    assert_eq!(
        first_seen, 1,
        "g.txt joined a document first stored in run 1"
    );

    // prune deletes retired documents for good, and the index stays right.
    let out = env.cmd(&["prune", "--json"]).output().unwrap();
    assert!(out.status.success());
    let pruned: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(pruned, serde_json::json!({ "pruned_documents": 1 }));
    assert_eq!(env.count("SELECT count(*) FROM documents"), 4);
    assert_intact(&env.db());
}

#[test]
fn an_unchanged_file_is_not_read_again_and_verify_rereads_it() {
    let env = Env::new();
    let path = env.write("a.txt", "Title\n\nThe original sentence here.\n");
    env.ingest(0);
    // Same size, same mtime, other bytes: only a run that reads the file can notice.
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, "Title\n\nThe modified sentence here.\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let second = env.ingest(0);
    assert_eq!(second["unchanged"], 1);
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE body LIKE '%original%'"),
        1
    );
    let verified = env.ingest_with(&["--verify"], 0);
    assert_eq!(verified["changed"], 1, "{verified}");
    assert_eq!(env.count("SELECT count(*) FROM documents WHERE body LIKE '%modified%' AND retired_run_id IS NULL"), 1);
}

/// A run whose statements change many pages at once: a second folder holding copies of a thousand
/// stored files, so that the run's end marks each of their 900 documents seen (a page or more each,
/// several megabytes of changed pages in one statement). SQLite keeps a statement's journal in
/// memory up to a limit and then writes it out in one piece; above 128 KiB that write failed, and
/// the run ended as "database or disk is full" with the disk nearly empty.
#[test]
fn a_run_that_changes_thousands_of_pages_in_one_statement_completes() {
    let env = Env::new();
    let first = env.dir.path().join("first");
    generate_corpus(&first, 1_000);
    let copies = env.dir.path().join("copies");
    for entry in files_under(&first) {
        let to = copies.join(entry.strip_prefix(&first).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    for root in [&first, &copies] {
        env.cmd(&["ingest", "--quiet", root.to_str().unwrap()])
            .assert()
            .success();
    }
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE status = 'completed'"),
        2
    );
    // Every document was seen by the second run, through the copies.
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE last_run_id IS NOT 2"),
        0
    );
    assert_intact(&env.db());
}

#[test]
fn files_under_roots_not_scanned_are_untouched() {
    let env = Env::new();
    let one = env.write("one/a.txt", "A sentence in folder one.\n");
    let two = env.write("two/b.txt", "A sentence in folder two.\n");
    let (one, two) = (
        one.parent().unwrap().to_owned(),
        two.parent().unwrap().to_owned(),
    );
    env.cmd(&["ingest", "-q", one.to_str().unwrap(), two.to_str().unwrap()])
        .assert()
        .success();
    std::fs::remove_file(two.join("b.txt")).unwrap();
    env.cmd(&["ingest", "-q", one.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'deleted'"),
        0
    );
    // Folder two is empty now: its only file is gone, which takes --allow-mass-delete (see below).
    env.cmd(&["ingest", "-q", "--allow-mass-delete", two.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        env.count(
            "SELECT count(*) FROM files WHERE status = 'deleted' AND path LIKE '%/two/b.txt'"
        ),
        1
    );
}

/// Issue 16, point 4: an empty root (an unmounted share) marked every file deleted and retired every
/// document, exit 0, and a `prune` then deleted them for good.
#[test]
fn an_empty_or_mostly_vanished_root_keeps_its_files_unless_allowed() {
    let env = Env::new();
    for i in 0..6 {
        env.write(
            &format!("s/{i}.txt"),
            format!("Story {i}\n\nThe council met on day {i} and voted on the library budget.\n"),
        );
    }
    env.ingest(0);
    let corpus = env.corpus();
    // Four of six gone at once: more than half.
    for i in 0..4 {
        std::fs::remove_file(corpus.join(format!("s/{i}.txt"))).unwrap();
    }
    let out = env
        .cmd(&["ingest", "--json", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("refused to mark deleted 4 of its 6 live files"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (summary["deleted"].as_i64(), summary["retired"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(summary["refused_deletions"][0]["vanished"], 4);
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'deleted'"),
        0
    );
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE warning LIKE '%--allow-mass-delete%'"),
        1
    );
    // The whole root emptied: still kept.
    for i in 4..6 {
        std::fs::remove_file(corpus.join(format!("s/{i}.txt"))).unwrap();
    }
    let out = env
        .cmd(&["ingest", "-q", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the root is empty"));
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE retired_run_id IS NULL"),
        6
    );
    // When it is meant: allowed.
    let summary = env.ingest_with(&["--allow-mass-delete"], 0);
    assert_eq!(
        (summary["deleted"].as_i64(), summary["retired"].as_i64()),
        (Some(6), Some(6))
    );
    assert_intact(&env.db());
}

/// A file truncated to nothing (a scraper about to write it again) keeps its article: the run reports
/// it and exits 3, the document stays live, and the next run with the file whole goes on from there.
#[test]
fn an_emptied_file_keeps_its_document() {
    let env = Env::new();
    let text = "Story A\n\nThe council met on Monday and voted on the library budget.\n";
    let path = env.write("a.txt", text);
    env.ingest(0);
    std::fs::write(&path, "").unwrap();
    let summary = env.ingest(3);
    assert_eq!(
        (summary["failed"].as_i64(), summary["retired"].as_i64()),
        (Some(1), Some(0)),
        "{summary}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files f JOIN documents d ON d.id = f.document_id WHERE f.status = 'ingested' AND d.retired_run_id IS NULL"),
        1
    );
    std::fs::write(&path, text.replace("Monday", "Tuesday")).unwrap();
    let summary = env.ingest(0);
    assert_eq!(summary["changed"], 1, "{summary}");
    assert_intact(&env.db());
}

/// A root that cannot be opened (an unmounted share, a typo in newsdb.toml) is skipped: the other
/// roots are ingested, its files stay live, and the run says so and exits 5.
#[test]
fn a_missing_root_is_skipped_and_the_others_are_ingested() {
    let env = Env::new();
    let (one, two) = (env.corpus().join("one"), env.corpus().join("two"));
    env.write(
        "one/a.txt",
        "Story A\n\nThe council met on Monday and voted on the library budget.\n",
    );
    env.write(
        "two/b.txt",
        "Story B\n\nThe harbour board met on Tuesday and approved the new quay.\n",
    );
    let (one, two) = (one.to_str().unwrap(), two.to_str().unwrap());
    env.cmd(&["ingest", "-q", one, two]).assert().code(0);

    let mounted_elsewhere = env.dir.path().join("away");
    std::fs::rename(two, &mounted_elsewhere).unwrap();
    env.write(
        "one/c.txt",
        "Story C\n\nThe school board met on Wednesday and hired two teachers.\n",
    );
    let out = env.cmd(&["ingest", "--json", one, two]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(&format!("{two}: cannot open"))
            && stderr.contains("its 1 live files are kept"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("cannot open").count(),
        1,
        "said once: {stderr}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["new_documents"], 1, "{summary}");
    assert_eq!(summary["refused_deletions"][0]["root"], two);
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'ingested'"),
        3
    );
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE warning LIKE '%cannot open%'"),
        1
    );
    // Every root missing: nothing to ingest, a plain error.
    std::fs::rename(&mounted_elsewhere, env.dir.path().join("gone")).unwrap();
    env.cmd(&["ingest", "-q", two]).assert().code(1);
    assert_intact(&env.db());
}

/// A run looks only at documents whose files changed in it to find those to retire, unless the run
/// before it did not finish: then its committed batches may have moved files off documents it never
/// retired, and the next run, even over an unchanged folder, must find them.
#[test]
fn a_run_after_one_that_died_retires_what_the_dead_run_left() {
    let env = Env::new();
    env.write("a.txt", "First version of the story.\n");
    env.ingest(0);
    env.write("a.txt", "Second version of the story, rewritten.\n");
    env.ingest(0);
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE retired_run_id IS NOT NULL"),
        1
    );
    // The state a run killed after its last batch and before its end leaves: the file points at
    // the new document, the old one is not retired, the run is still 'running'.
    env.conn()
        .execute_batch(
            "UPDATE documents SET retired_run_id = NULL;
             UPDATE runs SET status = 'running', finished_at = NULL
             WHERE id = (SELECT max(id) FROM runs);",
        )
        .unwrap();
    let next = env.ingest(0);
    assert_eq!(next["unchanged"], 1);
    assert_eq!(next["retired"], 1, "{next}");
    assert_eq!(
        env.count(
            "SELECT count(*) FROM documents WHERE retired_run_id IS NULL AND body LIKE 'First%'"
        ),
        0
    );
    // And a run after a completed one finds nothing more to do.
    assert_eq!(env.ingest(0)["retired"], 0);
}

/// Kills the ingest at chosen points (the binary aborts there, as `kill -9` would: no destructor,
/// no rollback of ours), checks the database each time, changes the folder between kills, then lets a
/// run finish and compares with an uninterrupted ingest. The points are batch counts, not delays, so
/// every kill lands mid-run whatever the machine's speed.
#[test]
fn killed_at_any_point_leaves_a_sound_database_that_converges() {
    use std::os::unix::process::ExitStatusExt;
    let env = Env::new();
    generate_corpus(&env.corpus(), 2000);
    let corpus = env.corpus();
    // 2,000 files in batches of 100: the first three runs die after their 1st, 3rd and 5th commit,
    // the fourth after its last batch, before the run's end is written.
    let points = ["batch:1", "batch:3", "batch:5", "finish"];
    for point in points {
        let out = env
            .cmd(&["ingest", "--quiet", corpus.to_str().unwrap()])
            .env("NEWSDB_TEST_ABORT", point)
            .env("NEWSDB_BATCH_FILES", "100")
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(libc_sigabrt()),
            "{point}: the run must die there; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_intact(&env.db());
        // Change the folder between kills too: a run must converge on what is there now.
        if point == "batch:3" {
            std::fs::remove_file(corpus.join("d3/000003.txt")).unwrap();
            std::fs::write(
                corpus.join("d4/000004.txt"),
                "Rewritten\n\nA short replacement story.\n",
            )
            .unwrap();
        }
    }
    let last = env.ingest(0);
    assert_eq!(last["failed"], 0);
    assert_intact(&env.db());
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE status = 'interrupted'"),
        points.len() as i64
    );
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE status = 'running'"),
        0
    );
    let (after, fresh) = (snapshot(&env.db()), fresh_snapshot(&env));
    if after != fresh {
        let only = |a: &Snapshot, b: &Snapshot| -> Vec<String> {
            a.files
                .difference(&b.files)
                .map(|f| format!("{f:?}"))
                .take(10)
                .collect()
        };
        let docs = |a: &Snapshot, b: &Snapshot| -> Vec<String> {
            a.documents
                .difference(&b.documents)
                .map(|d| format!("{} {:?} {}", d.0, d.1, &d.2[..60.min(d.2.len())]))
                .take(10)
                .collect()
        };
        panic!("after kills only: {:#?}\nfresh only: {:#?}\ndocs after only {:#?}\ndocs fresh only {:#?}", only(&after, &fresh), only(&fresh, &after), docs(&after, &fresh), docs(&fresh, &after));
    }
}

/// SIGTERM (cron's `timeout`, systemd stopping a unit) between batches: the run keeps what it
/// committed, is recorded as interrupted with the signal's name, exits 143, and the next run finishes
/// the job and ends where an uninterrupted ingest would.
#[test]
fn sigterm_records_the_run_as_interrupted_and_the_next_run_converges() {
    let env = Env::new();
    generate_corpus(&env.corpus(), 500);
    let corpus = env.corpus();
    let out = env
        .cmd(&["ingest", "--quiet", corpus.to_str().unwrap()])
        .env("NEWSDB_TEST_ABORT", "signal:2")
        .env("NEWSDB_BATCH_FILES", "100")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    let (status, error, seen): (String, String, i64) = env
        .conn()
        .query_row("SELECT status, error, files_seen FROM runs", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(status, "interrupted");
    assert!(error.contains("SIGTERM"), "{error}");
    assert_eq!(seen, 200, "two batches of 100 committed and counted");
    assert_eq!(
        env.count("SELECT count(*) FROM files"),
        200,
        "what was committed stays"
    );
    assert_intact(&env.db());
    env.ingest(0);
    assert_eq!(snapshot(&env.db()), fresh_snapshot(&env));
}

/// SIGTERM while the run's end compares near-duplicates (the longest part of a large run's end): the
/// run stops there instead of finishing the checks, is recorded as interrupted, exits 143, keeps its
/// batches, and the next run does the end and converges.
#[test]
fn sigterm_during_the_near_duplicate_checks_stops_the_run() {
    let env = Env::new();
    generate_corpus(&env.corpus(), 300);
    let corpus = env.corpus();
    let out = env
        .cmd(&["ingest", "--quiet", corpus.to_str().unwrap()])
        .env("NEWSDB_TEST_ABORT", "signal:end")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("interrupted by SIGTERM"), "{stderr}");
    let (status, error): (String, String) = env
        .conn()
        .query_row("SELECT status, error FROM runs", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(status, "interrupted");
    assert!(error.contains("grouping near-duplicates"), "{error}");
    assert_eq!(env.count("SELECT count(*) FROM files"), 300);
    assert!(
        env.count("SELECT count(*) FROM documents WHERE cluster_id IS NULL") > 0,
        "the documents wait to be checked"
    );
    assert_eq!(env.count("SELECT count(*) FROM near_duplicates"), 0);
    assert_intact(&env.db());
    env.ingest(0);
    assert_eq!(snapshot(&env.db()), fresh_snapshot(&env));
}

/// SIGABRT, the signal `std::process::abort` ends the process with.
fn libc_sigabrt() -> i32 {
    6
}

#[test]
fn a_second_writer_is_refused_at_once_or_waits() {
    let env = Env::new();
    env.write("a.txt", "A sentence to ingest.\n");
    // Hold the writer lock the way a running ingest does.
    let lock_path = format!("{}.lock", env.db().display());
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.try_lock().unwrap();
    let corpus = env.corpus();
    // The lock stays held while this runs: had the ingest waited for it, it would never return.
    let out = env
        .cmd(&["ingest", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "a locked ingest exits at once");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("another newsdb ingest is writing to this database"),
        "{stderr}"
    );

    let mut waiting = env.spawn_ingest(&["--wait"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "--wait must wait for the lock"
    );
    drop(lock);
    assert!(waiting.wait().unwrap().success());
    assert_eq!(env.count("SELECT count(*) FROM documents"), 1);
}

/// Issue 16, point 6: through a symbolic link to the database a second writer ran, and the first
/// failed with "UNIQUE constraint failed".
#[test]
fn a_second_writer_through_a_link_to_the_database_is_refused_too() {
    let env = Env::new();
    env.write("a.txt", "A sentence to ingest.\n");
    env.ingest(0);
    let link = env.dir.path().join("link.db");
    std::os::unix::fs::symlink(env.db(), &link).unwrap();
    let lock_path = format!("{}.lock", env.db().display());
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.try_lock().unwrap();
    let corpus = env.corpus();
    let out = env
        .cmd_on(&link, &["ingest", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn readers_work_while_an_ingest_runs() {
    let env = Env::new();
    generate_corpus(&env.corpus(), 2000);
    env.write(
        "first/seed.txt",
        "Seed story\n\nThe minister visited the border before the run.\n",
    );
    env.cmd(&["ingest", "-q", env.corpus().join("first").to_str().unwrap()])
        .assert()
        .success();
    let mut child = env.spawn_ingest(&[]);
    let (mut reads, mut reads_during_run) = (0, 0);
    loop {
        let running = child.try_wait().unwrap().is_none();
        let out = env
            .cmd(&["search", "--json", "minister border", "--limit", "5"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "search failed during ingest: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let conn = rusqlite::Connection::open_with_flags(
            env.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'minister'",
                [],
                |r| r.get(0),
            )
            .expect("a plain SQLite reader works during ingest");
        assert!(n >= 1);
        reads += 1;
        if running {
            reads_during_run += 1;
        } else {
            break;
        }
    }
    assert!(child.wait().unwrap().success());
    assert!(
        reads_during_run >= 3,
        "only {reads_during_run} of {reads} reads overlapped the ingest"
    );
}

#[test]
fn runs_lists_the_run_log() {
    let env = Env::new();
    env.write("a.txt", "A sentence to ingest.\n");
    env.ingest(0);
    env.ingest(0);
    let out = env.cmd(&["runs", "--json"]).output().unwrap();
    let runs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_eq!(runs[0]["id"], 2, "newest first");
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(runs[0]["unchanged"], 1);
    assert_eq!(runs[1]["new_documents"], 1);
    let table = String::from_utf8(env.cmd(&["runs"]).output().unwrap().stdout).unwrap();
    assert!(table.starts_with("id"), "{table}");
}

#[test]
fn a_read_only_database_is_a_clear_error_and_stays_intact() {
    let env = Env::new();
    env.write("a.txt", "A sentence to ingest.\n");
    env.ingest(0);
    env.write("b.txt", "Another sentence to ingest.\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let denied = std::fs::OpenOptions::new()
        .write(true)
        .open(env.db())
        .is_err();
    if denied {
        let corpus = env.corpus();
        let out = env
            .cmd(&["ingest", corpus.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("readonly") || stderr.contains("read-only"),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    } else {
        eprintln!("running as root: write permissions cannot be denied here");
    }
    std::fs::set_permissions(env.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_intact(&env.db());
    assert_eq!(env.count("SELECT count(*) FROM documents"), 1);
}

/// `newsdb check` finds what breaks the database's invariants, `--repair` rebuilds what the rows
/// allow, and the exit code tells cron.
#[test]
fn check_finds_problems_and_repair_fixes_what_it_can() {
    let env = Env::new();
    for i in 0..3 {
        env.write(
            &format!("{i}.txt"),
            format!("Story {i}\n\nThe council met on day {i} and voted on the library budget.\n"),
        );
    }
    env.ingest(0);
    env.cmd(&["check"]).assert().code(0);
    // Damage it by hand: a document retired while its file is live, the index out of step.
    env.conn()
        .execute_batch(
            "UPDATE documents SET retired_run_id = 1 WHERE id = 1;
             INSERT INTO documents_fts(documents_fts, rowid, title, body)
             SELECT 'delete', id, title, body FROM documents WHERE id = 2;",
        )
        .unwrap();
    let out = env.cmd(&["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["sound"], false);
    let failing: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["problems"].as_u64() > Some(0))
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        failing,
        [
            "fts-index-matches-documents",
            "documents-with-live-files-are-live"
        ]
    );
    let out = env.cmd(&["check", "--repair"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("repaired fts-index-matches-documents"),
        "{stdout}"
    );
    assert!(stdout.contains("the database is sound"), "{stdout}");
    assert_intact(&env.db());
}

/// Issue 16 point 12: a file replaced by a symbolic link (the walk does not follow links) used to
/// stay live forever; it is deleted, as a fresh ingest would not have it, and a link loop does not
/// hang the run.
#[test]
fn a_file_replaced_by_a_symlink_is_deleted() {
    let env = Env::new();
    for (name, topic) in [
        ("a.txt", "harbour"),
        ("b.txt", "library"),
        ("c.txt", "bridge"),
    ] {
        env.write(
            name,
            format!("The {topic}\n\nThe {topic} reopened on Monday after a winter of repairs.\n"),
        );
    }
    env.ingest(0);
    let a = env.corpus().join("a.txt");
    std::fs::remove_file(&a).unwrap();
    std::os::unix::fs::symlink(env.corpus().join("b.txt"), &a).unwrap();
    let loop_link = env.corpus().join("c.txt");
    std::fs::remove_file(&loop_link).unwrap();
    std::os::unix::fs::symlink(&loop_link, &loop_link).unwrap();
    let summary = env.ingest_with(&["--allow-mass-delete"], 0);
    assert_eq!(summary["deleted"], 2, "{summary}");
    assert_eq!(summary["retired"], 2, "{summary}");
    let summary = env.ingest(0);
    assert_eq!(
        (summary["deleted"].as_i64(), summary["unchanged"].as_i64()),
        (Some(0), Some(1))
    );
    assert_intact(&env.db());
}

/// Issue 16 point 12: a folder the run cannot list keeps one `error` row (it used to be marked
/// deleted at every run's end), and the files under it stay live.
#[test]
fn an_unreadable_folder_keeps_its_error_row_and_its_files() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.write(
        "open/a.txt",
        "Harbour\n\nThe harbour reopened on Monday after repairs.\n",
    );
    env.write(
        "shut/b.txt",
        "Library\n\nThe library closed on Friday after ninety years.\n",
    );
    env.write(
        "shut/c.txt",
        "Bridge\n\nThe bridge was closed on Sunday for an inspection.\n",
    );
    env.ingest(0);
    let shut = env.corpus().join("shut");
    std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&shut).is_ok() {
        std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o755)).unwrap();
        // Not a skip that fails under CI: root lists any folder, and CI machines may run as root.
        eprintln!("running as root: a folder cannot be made unreadable here");
        return;
    }
    for _ in 0..2 {
        let summary = env.ingest(3);
        assert_eq!(summary["deleted"], 0, "{summary}");
        assert_eq!(summary["failed"], 1, "{summary}");
    }
    std::fs::set_permissions(&shut, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'error' AND reason = 'unreadable'"),
        1
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'deleted'"),
        0
    );
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE retired_run_id IS NULL"),
        3
    );
}

/// Issue 16 point 12: the database file deleted while a run writes into it used to end "completed"
/// with exit 0 and no database; the run notices at its next commit and fails loudly.
#[test]
fn a_database_deleted_during_a_run_fails_the_run() {
    let env = Env::new();
    generate_corpus(&env.corpus(), 2000);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
        .arg("--db")
        .arg(env.db())
        .args(["ingest", "--quiet"])
        .arg(env.corpus())
        .env("NEWSDB_BATCH_FILES", "5")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the run to start writing, then delete the database under it.
    loop {
        let started = rusqlite::Connection::open_with_flags(
            env.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .ok()
        .and_then(|c| {
            c.query_row("SELECT count(*) FROM files", [], |r| r.get::<_, i64>(0))
                .ok()
        })
        .is_some_and(|n| n > 0);
        if started {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was seen"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::fs::remove_file(env.db()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the database file is gone"), "{stderr}");
}

/// A batch that fails (here: a trigger of the user's refuses one document, as a full disk or a
/// broken database would) rolls back whole, with the batches written since the last commit: the run
/// is recorded `failed` with its error and the counts of the batches it committed, not of the work
/// it lost; the next run converges.
#[test]
fn a_failed_batch_adds_nothing_to_the_run_s_counts() {
    // Batches of two files, in path order: b and c, then d (poison) and e. Committed one at a time,
    // b and c stay; committed two at a time, they go with d and e.
    for (commit_batches, committed) in [("1", 2), ("2", 0)] {
        a_failed_batch_rolls_back(commit_batches, committed);
    }
}

fn a_failed_batch_rolls_back(commit_batches: &str, committed: i64) {
    let env = Env::new();
    let story = |n: usize, word: &str| {
        format!(
            "Story {n}\n\nThe council met on Monday to discuss item {n}, the {word} budget and the new \
             timetable for the bus routes that cross the river.\n"
        )
    };
    env.write("a.txt", story(0, "road"));
    env.ingest(0);
    env.conn()
        .execute_batch(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON documents
             WHEN NEW.body LIKE '%poison%'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    env.write("b.txt", story(1, "school"));
    env.write("c.txt", story(2, "library"));
    env.write("d.txt", story(3, "poison"));
    env.write("e.txt", story(4, "harbour"));
    let out = env
        .cmd(&["ingest", "--quiet", env.corpus().to_str().unwrap()])
        .env("NEWSDB_BATCH_FILES", "2")
        .env("NEWSDB_COMMIT_BATCHES", commit_batches)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a failed run exits 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("injected failure"), "{stderr}");
    let (status, error, new_documents, failed): (String, String, i64, i64) = env
        .conn()
        .query_row(
            "SELECT status, error, new_documents, failed FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(status, "failed");
    assert!(error.contains("injected failure"), "{error}");
    assert_eq!(
        new_documents, committed,
        "committing {commit_batches} batches at a time"
    );
    assert_eq!(failed, 0);
    assert_eq!(env.count("SELECT count(*) FROM documents"), 1 + committed);
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE path LIKE '%/e.txt'"),
        0
    );
    assert_intact(&env.db());

    // The fault gone, the next run takes what the failed one lost.
    env.conn()
        .execute_batch("DROP TRIGGER refuse_poison")
        .unwrap();
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 4 - committed, "{summary}");
    assert_eq!(env.count("SELECT count(*) FROM documents"), 5);
    assert_intact(&env.db());
}

/// A copy into a folder the run was given, of a file that is still where it was (outside the run's
/// roots), is a copy, not a rename; a file moved from there is one.
#[test]
fn a_copy_whose_original_still_exists_is_not_counted_as_a_rename() {
    let env = Env::new();
    let text =
        "Story\n\nThe bridge on Mill Street was closed on Sunday for an inspection of its piers.\n";
    let original = env.write("a/story.txt", text);
    let a = env.corpus().join("a");
    let b = env.corpus().join("b");
    let ingest = |root: &Path| -> serde_json::Value {
        serde_json::from_str(&stdout(&mut env.cmd(&[
            "ingest",
            "--json",
            root.to_str().unwrap(),
        ])))
        .unwrap()
    };
    assert_eq!(ingest(&a)["new_documents"], 1);
    env.write("b/copy.txt", text);
    let copied = ingest(&b);
    assert_eq!(
        copied["renamed"], 0,
        "the original is still in a/: {copied}"
    );
    assert_eq!(copied["duplicates"], 1, "{copied}");
    // Moved: its old path is gone from the disk, and its bytes show up at a new one.
    std::fs::remove_file(&original).unwrap();
    env.write("b/moved.txt", text);
    let moved = ingest(&b);
    assert_eq!(
        moved["renamed"], 1,
        "a/story.txt went, b/moved.txt came: {moved}"
    );
}

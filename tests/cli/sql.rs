//! `newsdb sql`: read-only queries in three formats, and the guard against writes. Also `stats`.

use crate::util::{seeds, stdout, Env};
use serde_json::Value;

#[test]
fn select_prints_table_json_and_csv() {
    let env = Env::seeded();
    let sql = "SELECT domain, count(*) AS n FROM documents WHERE domain IS NOT NULL GROUP BY domain ORDER BY domain";
    let table = stdout(&mut env.cmd(&["sql", sql]));
    assert!(table.lines().next().unwrap().starts_with("domain"));
    assert!(table.contains("newsweek.com"));
    let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&["sql", sql, "--json"]))).unwrap();
    assert_eq!(
        json[0],
        serde_json::json!({"domain": "abqjournal.com", "n": 1})
    );
    let csv = stdout(&mut env.cmd(&["sql", sql, "--csv"]));
    assert_eq!(csv, "domain,n\nabqjournal.com,1\nnewsweek.com,1\n");
}

#[test]
fn statements_that_write_are_refused() {
    let env = Env::seeded();
    for sql in [
        "DELETE FROM documents",
        "UPDATE documents SET title = 'x'",
        "INSERT INTO runs (started_at, roots, cleaner_version) VALUES ('x', '[]', 'x')",
        "DROP TABLE files",
        "CREATE TABLE t (x)",
        "PRAGMA user_version = 7",
    ] {
        let out = env.cmd(&["sql", sql]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql} was not refused");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("newsdb: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert_eq!(env.count("SELECT count(*) FROM documents"), 5);
    assert_eq!(
        env.count("PRAGMA user_version"),
        newsdb::store::SCHEMA_VERSION,
        "the version was not changed"
    );
    // A write hidden after a read is refused too: one statement at a time.
    let out = env
        .cmd(&["sql", "SELECT 1; DELETE FROM documents"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.count("SELECT count(*) FROM documents"), 5);
}

#[test]
fn bad_sql_is_a_clear_error() {
    let env = Env::seeded();
    let out = env
        .cmd(&["sql", "SELECT nope FROM documents"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("no such column: nope"));
}

#[test]
fn stats_counts_documents_files_and_runs() {
    let env = Env::seeded();
    env.cmd(&["ingest", "--quiet", seeds().to_str().unwrap()])
        .assert()
        .success();
    let stats: Value = serde_json::from_str(&stdout(&mut env.cmd(&["stats", "--json"]))).unwrap();
    assert_eq!(stats["documents"], 5);
    assert_eq!(stats["files"], 5);
    assert_eq!(stats["duplicates"], 0);
    assert_eq!(stats["failures"], 0);
    assert_eq!(stats["runs"], 2);
    assert!(stats["size_bytes"].as_u64().unwrap() > 0);
    let text = stdout(&mut env.cmd(&["stats"]));
    assert!(text.contains("documents   5"), "{text}");
}

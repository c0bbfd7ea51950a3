//! `newsdb prepare` (the per-document stage as a streaming filter) and `ingest --prepared` (loading
//! its records without cleaning again): a cluster prepares, one machine loads, and the database is
//! the one `ingest` makes of the same sources.

use crate::util::{assert_intact, files_under, Env};
use base64::Engine as _;
use rusqlite::Connection;
use serde_json::Value;
use std::path::Path;

/// A masthead line no built-in rule names, on every page of one site: learned after 5 pages.
const PROMO: &str = "The Valley Times is an independent newspaper serving the valley since 1921.";

/// Files with every kind of source: articles of a site that repeats a line (site learning and its
/// follow-up run), copies and near copies (clusters), a saved page, and files rejected for cause.
fn corpus(env: &Env) {
    crate::util::generate_corpus(&env.corpus().join("gen"), 60);
    for (n, topic) in [
        "library", "bridge", "school", "hospital", "market", "harbour",
    ]
    .iter()
    .enumerate()
    {
        env.write(
            &format!("valley/{n}.txt"),
            format!(
                "The {topic} will close\n20240301\nhttps://www.valley.example/news/{topic}\n\
                 Councillors voted on Tuesday to close the {topic} at the end of the summer, after a long debate.\n\
                 Residents said the {topic} had served the town for decades and asked for a review.\n\
                 {PROMO}\n"
            ),
        );
    }
    env.write(
        "page.html",
        "<!doctype html><html lang=\"en\"><head><title>Ferry back - Gazette</title></head><body><nav><a href=\"/\">Home</a></nav>\
         <article><h1>Ferry back</h1><p>The ferry to the island runs again after the storm of last week, the harbour master said on Monday.</p>\
         <p>Boats had stayed in port for six days while the sea wall was checked by engineers from the county.</p></article></body></html>",
    );
    env.write("empty.txt", "");
    env.write("binary.txt", b"\x00\x01\x02\x03binary\x00\x00".as_slice());
}

/// Every file under the corpus as `{"path", "file_base64"}` lines, the shape a Spark job writes.
fn file_lines(dir: &Path) -> String {
    let mut out = String::new();
    for entry in files_under(dir) {
        let bytes = std::fs::read(&entry).unwrap();
        let line = serde_json::json!({
            "path": entry.to_str().unwrap(),
            "file_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        });
        out.push_str(&format!("{line}\n"));
    }
    out
}

/// What a database holds of its live documents, comparable across databases: each document's
/// fields, body and site version, and its cluster named by the representative's content hash.
fn documents(db: &Path) -> Vec<Vec<Option<String>>> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT d.content_hash, d.title, d.published, d.url, d.domain, d.lang, d.body,
                    d.site_version, r.content_hash, d.cleaner_version
             FROM documents d LEFT JOIN documents r ON r.id = d.cluster_id
             WHERE d.retired_run_id IS NULL ORDER BY d.content_hash",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            (0..10).map(|i| r.get::<_, Option<String>>(i)).collect()
        })
        .unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// Runs `newsdb prepare ARGS` with `input` on stdin; returns stdout and the exit code.
fn prepare(env: &Env, args: &[&str], input: &str) -> (String, Option<i32>) {
    let out = env
        .cmd(&[&["prepare"][..], args].concat())
        .write_stdin(input)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[test]
fn files_prepared_then_loaded_make_the_database_ingest_makes() {
    let env = Env::new();
    corpus(&env);
    let direct = env.dir.path().join("direct.db");
    let out = env.ingest_into(&direct);
    assert_eq!(out.status.code(), Some(3), "two files are rejected");

    let (prepared, code) = prepare(&env, &[], &file_lines(&env.corpus()));
    assert_eq!(code, Some(3), "rejected records are printed, and said so");
    let records: Vec<Value> = prepared
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), files_under(&env.corpus()).len());
    let rejected: Vec<&str> = records
        .iter()
        .filter_map(|r| r["rejected"]["code"].as_str())
        .collect();
    assert_eq!(rejected, ["binary", "empty"]);
    let page = records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("page.html"))
        .unwrap();
    assert_eq!(
        (&page["extractor"], &page["title"]),
        (&"dom_smoothie".into(), &"Ferry back".into())
    );
    // Two shards, as a cluster's job writes them, loaded in one run.
    let lines: Vec<&str> = prepared.lines().collect();
    let (first, second) = lines.split_at(lines.len() / 2);
    let shards = [env.dir.path().join("part-0"), env.dir.path().join("part-1")];
    std::fs::write(&shards[0], first.join("\n") + "\n").unwrap();
    std::fs::write(&shards[1], second.join("\n") + "\n").unwrap();

    let summary = load_all(&env, &shards, 3);
    assert_eq!(summary["sites_learned"], 1, "{summary}");
    assert_eq!(summary["follow_up"]["changed"], 6, "{summary}");
    let loaded = documents(&env.db());
    assert!(loaded.len() > 50);
    assert_eq!(loaded, documents(&direct));
    assert_eq!(
        env.count(
            "SELECT count(*) FROM files WHERE status = 'error' AND reason IN ('binary', 'empty')"
        ),
        2
    );
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM documents WHERE retired_run_id IS NULL AND body LIKE '%{PROMO}%'"
        )),
        0
    );
    assert_intact(&env.db());
}

/// `ingest --json --prepared FILE`: the summary, after checking the exit code.
fn load(env: &Env, file: &Path, expected_exit: i32) -> Value {
    load_all(env, &[file.to_path_buf()], expected_exit)
}

/// `ingest --json --prepared FILE...`.
fn load_all(env: &Env, files: &[std::path::PathBuf], expected_exit: i32) -> Value {
    let mut args = vec!["ingest", "--json", "--prepared"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let out = env.cmd(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(expected_exit),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// JSON Lines articles: `prepare FILE` then `ingest --prepared` gives what `ingest --jsonl FILE`
/// gives (site learning's follow-up included); from standard input too, in input order.
#[test]
fn json_lines_prepared_then_loaded_make_the_database_ingest_jsonl_makes() {
    let env = Env::new();
    let mut input = String::new();
    for (n, topic) in [
        "library", "bridge", "school", "hospital", "market", "harbour",
    ]
    .iter()
    .enumerate()
    {
        let record = serde_json::json!({
            "title": format!("The {topic} will close"),
            "url": format!("https://valley.example/news/{n}"),
            "date": "2024-03-01",
            "text": format!("Councillors voted on Tuesday to close the {topic} at the end of the summer, after a long debate.\nResidents said the {topic} had served the town for decades.\n{PROMO}\n"),
        });
        input.push_str(&format!("{record}\n\n"));
    }
    input.push_str("{\"html\": \"<html><body><article><p>The ferry to the island runs again after the storm of last week, the harbour master said on Monday morning.</p></article></body></html>\", \"url\": \"https://gazette.example/ferry\"}\n");
    input.push_str("{\"text\": \"\"}\n");
    input.push_str("not json\n");
    let articles = env.write("articles.jsonl", &input);
    let direct = env.dir.path().join("direct.db");
    let out = env
        .cmd_on(
            &direct,
            &["ingest", "--quiet", "--jsonl", articles.to_str().unwrap()],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));

    let (prepared, code) = prepare(&env, &[articles.to_str().unwrap()], "");
    assert_eq!(code, Some(3));
    let lines: Vec<u64> = prepared
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        lines,
        [1, 3, 5, 7, 9, 11, 13, 14, 15],
        "in input order, blank lines skipped"
    );
    let file = env.dir.path().join("prepared.jsonl");
    std::fs::write(&file, &prepared).unwrap();
    let summary = load(&env, &file, 3);
    assert_eq!(summary["follow_up"]["changed"], 6, "{summary}");
    assert_eq!(documents(&env.db()), documents(&direct));
    // The same paths and reasons as `ingest --jsonl` gave them.
    let files = |db: &Path| -> Vec<(String, String, Option<String>)> {
        let conn = Connection::open(db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT path, status, reason FROM files WHERE status <> 'deleted' ORDER BY path",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    assert_eq!(files(&env.db()), files(&direct));

    // From standard input, into a database of its own: the same documents (no follow-up run, as
    // with `ingest --jsonl -`: standard input cannot be read twice).
    let (piped, _) = prepare(&env, &[], &input);
    let out = env
        .cmd_on(
            &env.dir.path().join("piped.db"),
            &["ingest", "--quiet", "--prepared", "-"],
        )
        .write_stdin(piped)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdin_direct = env.dir.path().join("stdin-direct.db");
    env.cmd_on(&stdin_direct, &["ingest", "--quiet", "--jsonl", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(
        documents(&env.dir.path().join("piped.db")),
        documents(&stdin_direct)
    );
}

/// Records made by another cleaner (here, with a rules file) are refused with why, each recorded;
/// lines that are not prepared records are refused too; nothing is stored for them.
#[test]
fn records_of_another_cleaner_and_other_lines_are_refused() {
    let env = Env::new();
    let rules = env.dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"podcast-promo\"\ncategory = \"newsletter\"\npattern = \"(?i)podcast, every friday\"\n",
    )
    .unwrap();
    let input = "{\"text\": \"The ferry to the island runs again after the storm of last week, the harbour master said.\", \"title\": \"Ferry\"}\n";
    let (prepared, code) = prepare(&env, &["--rules", rules.to_str().unwrap()], input);
    assert_eq!(code, Some(0));
    let file = env.dir.path().join("prepared.jsonl");
    std::fs::write(&file, format!("{prepared}{{\"path\": \"x\"}}\n")).unwrap();
    let summary = load(&env, &file, 3);
    assert_eq!(
        (
            summary["new_documents"].as_u64(),
            summary["failed"].as_u64()
        ),
        (Some(0), Some(2)),
        "{summary}"
    );
    let out = env
        .cmd(&["ingest", "--prepared", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("this newsdb cleans with"), "{stderr}");
    assert!(
        stderr.contains(
            "prepared.jsonl#2: not a prepared record (newsdb prepare prints them): missing field"
        ),
        "{stderr}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE reason = 'cleaner-version'"),
        1
    );
    assert_eq!(env.count("SELECT count(*) FROM documents"), 0);
    // With the same rules the records load.
    let out = env
        .cmd(&[
            "ingest",
            "--quiet",
            "--rules",
            rules.to_str().unwrap(),
            "--prepared",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "the line that is no record is still refused"
    );
    assert_eq!(env.count("SELECT count(*) FROM documents"), 1);
}

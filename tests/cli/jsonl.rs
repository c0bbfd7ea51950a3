//! JSON Lines in and out: `ingest --jsonl`, `export --jsonl`, and `--jsonl` output.

use crate::util::{assert_intact, seeds, stdout, Env};
use serde_json::Value;
use std::io::Write;
use std::process::Stdio;

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Fields that must survive export → ingest → export unchanged.
const DOCUMENT_FIELDS: &[&str] = &[
    "content_hash",
    "title",
    "published",
    "url",
    "domain",
    "lang",
    "word_count",
    "body",
];

#[test]
fn export_then_ingest_of_the_export_reproduces_the_documents() {
    let env = Env::new();
    crate::util::generate_corpus(&env.corpus(), 60);
    for seed in std::fs::read_dir(seeds()).unwrap() {
        let seed = seed.unwrap().path();
        std::fs::copy(&seed, env.corpus().join(seed.file_name().unwrap())).unwrap();
    }
    env.ingest(0);
    let exported = env.dir.path().join("export.jsonl");
    env.cmd(&["export", "--jsonl", "-o", exported.to_str().unwrap()])
        .assert()
        .success();
    let first = lines(&std::fs::read_to_string(&exported).unwrap());
    assert_eq!(
        first.len() as i64,
        env.count("SELECT count(*) FROM documents")
    );
    let seed_doc = first
        .iter()
        .find(|d| d["url"].as_str().is_some_and(|u| u.contains("newsweek")))
        .unwrap();
    assert_eq!(seed_doc["lang"], "eng");
    let copies = first
        .iter()
        .find(|d| d["sources"].as_array().unwrap().len() > 1)
        .unwrap();
    assert!(copies["sources"][0].as_str().unwrap().ends_with(".txt"));

    let copy_db = env.dir.path().join("copy.db");
    let out = env
        .cmd_on(&copy_db, &["ingest", "--quiet", "--jsonl"])
        .arg(&exported)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = lines(&stdout(&mut env.cmd_on(&copy_db, &["export", "--jsonl"])));
    assert_eq!(first.len(), again.len());
    for (a, b) in first.iter().zip(&again) {
        for field in DOCUMENT_FIELDS {
            assert_eq!(a[field], b[field], "{field} of document {}", a["id"]);
        }
        let line = b["sources"][0].as_str().unwrap();
        assert!(
            line.starts_with(exported.to_str().unwrap()) && line.contains('#'),
            "{line}"
        );
    }
    assert_intact(&copy_db);
}

#[test]
fn scraper_records_from_stdin_and_malformed_lines_reported_with_their_line() {
    let env = Env::new();
    let input = concat!(
        r#"{"text": "Storm hits the coast.\nThousands lost power on Tuesday night.\nShare this:", "title": "Storm", "date": "2024-03-01T08:00:00Z", "url": "https://www.example.com/storm", "author": "A. B."}"#,
        "\n",
        "{not json\n",
        "\n",
        r#"{"title": "no text"}"#,
        "\n",
        r#"{"body": "Die Regierung hat am Dienstag neue Hilfen für die Landwirtschaft beschlossen, wie ein Sprecher mitteilte."}"#,
        "\n",
    );
    let out = pipe_to_ingest(&env, input);
    assert_eq!(out.status.code(), Some(3), "some records were rejected");
    let stderr = String::from_utf8(out.stderr).unwrap();
    // A piped record's path is `-#` and its bytes' hash (see the next test); the message names its line.
    assert!(
        stderr.contains(": not an article record: line 2: invalid JSON"),
        "{stderr}"
    );
    assert!(stderr.lines().any(|l| l.starts_with("-#")), "{stderr}");
    assert!(
        stderr.contains("line 4: no \"body\", \"text\", \"content\" or \"html\""),
        "{stderr}"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["new_documents"], 2);
    assert_eq!(summary["failed"], 2);

    let docs = lines(&stdout(&mut env.cmd(&[
        "sql",
        "SELECT title, published, domain, lang, body FROM documents ORDER BY id",
        "--jsonl",
    ])));
    assert_eq!(docs[0]["title"], "Storm");
    assert_eq!(docs[0]["published"], "2024-03-01");
    assert_eq!(docs[0]["domain"], "example.com");
    assert_eq!(
        docs[0]["body"], "Storm hits the coast.\nThousands lost power on Tuesday night.",
        "the text is cleaned like a file's"
    );
    assert_eq!(docs[1]["lang"], "deu");
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'error' AND reason = 'bad-record' AND line IN (2, 4)"),
        2
    );
}

/// Pipes `input` into `newsdb ingest --jsonl - --json` and returns what it printed and its status.
fn pipe_to_ingest(env: &Env, input: &str) -> std::process::Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
        .arg("--db")
        .arg(env.db())
        .args(["ingest", "--jsonl", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Pipes `input` into `newsdb ingest --jsonl - --json`, expects success and returns the summary.
fn ingest_stdin(env: &Env, input: &str) -> Value {
    let out = pipe_to_ingest(env, input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A stream that comes slowly (a scraper piping its records as it finds them): each batch is
/// committed once no more input is ready, so readers see it while the stream stays open, without
/// waiting for the batches the writer otherwise commits together.
#[test]
fn a_slow_stream_s_batches_are_visible_while_it_stays_open() {
    let env = Env::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
        .arg("--db")
        .arg(env.db())
        .args(["ingest", "--jsonl", "-", "--quiet"])
        .env("NEWSDB_BATCH_FILES", "2")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let record = |n: usize| {
        format!(r#"{{"text": "Story {n} about the harbour, the museum and the tram line."}}"#)
            + "\n"
    };
    for batch in 0..3 {
        for n in [2 * batch, 2 * batch + 1] {
            stdin.write_all(record(n).as_bytes()).unwrap();
        }
        stdin.flush().unwrap();
        // Not a timing claim: the wait ends as soon as the batch is visible; the limit only keeps
        // a broken build from hanging the suite.
        let expected = 2 * (batch as i64 + 1);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let stored = env
                .conn()
                .query_row("SELECT count(*) FROM documents", [], |r| r.get::<_, i64>(0))
                .unwrap_or(0);
            if stored == expected {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "batch {batch}: {stored} documents visible, {expected} expected"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.count("SELECT count(*) FROM documents"), 6);
    assert_intact(&env.db());
}

/// Issue 16, point 5: each day's piped batch, keyed `-#LINE`, replaced the day before's records and
/// retired their documents.
#[test]
fn piped_batches_add_up_and_a_record_piped_twice_is_stored_once() {
    let env = Env::new();
    let a = r#"{"text": "First story about the harbour expansion plans."}"#;
    let b = r#"{"text": "Second story about the museum reopening downtown."}"#;
    let c = r#"{"text": "Third story about the new tram line to the airport."}"#;
    let first = ingest_stdin(&env, &format!("{a}\n{b}\n"));
    assert_eq!(first["new_documents"], 2);
    let second = ingest_stdin(&env, &format!("{c}\n{a}\n"));
    assert_eq!(
        (
            second["new_documents"].as_i64(),
            second["unchanged"].as_i64()
        ),
        (Some(1), Some(1)),
        "{second}"
    );
    assert_eq!(
        (second["deleted"].as_i64(), second["retired"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE retired_run_id IS NULL"),
        3
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'ingested'"),
        3
    );
    assert_intact(&env.db());
}

/// Issue 16, point 9: a file written with a byte-order mark lost its first record as invalid JSON.
#[test]
fn a_byte_order_mark_does_not_cost_the_first_record() {
    let env = Env::new();
    let file = env.dir.path().join("feed.jsonl");
    let a = r#"{"title": "Harbour", "text": "First story about the harbour expansion plans."}"#;
    let b = r#"{"text": "Second story about the museum reopening downtown."}"#;
    std::fs::write(&file, format!("\u{feff}{a}\n{b}\n")).unwrap();
    let out = stdout(&mut env.cmd(&["ingest", "--json", "--jsonl", file.to_str().unwrap()]));
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            summary["new_documents"].as_i64(),
            summary["failed"].as_i64()
        ),
        (Some(2), Some(0))
    );
    let hits = lines(&stdout(&mut env.cmd(&["search", "harbour", "--jsonl"])));
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["title"], "Harbour");
}

#[test]
fn a_record_gone_from_the_file_is_deleted_and_its_document_retired() {
    let env = Env::new();
    let file = env.dir.path().join("feed.jsonl");
    let a = r#"{"text": "First story about the harbour expansion plans."}"#;
    let b = r#"{"text": "Second story about the museum reopening downtown."}"#;
    std::fs::write(&file, format!("{a}\n{b}\n")).unwrap();
    env.cmd(&["ingest", "-q", "--jsonl", file.to_str().unwrap()])
        .assert()
        .success();
    std::fs::write(&file, format!("{a}\n")).unwrap();
    let out = stdout(&mut env.cmd(&["ingest", "--json", "--jsonl", file.to_str().unwrap()]));
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["unchanged"], 1);
    assert_eq!(summary["deleted"], 1);
    assert_eq!(summary["retired"], 1);
    let hits = lines(&stdout(&mut env.cmd(&["search", "museum", "--jsonl"])));
    assert!(hits.is_empty());
    assert_intact(&env.db());
}

#[test]
fn search_and_runs_print_json_lines() {
    let env = Env::seeded();
    let hits = lines(&stdout(
        &mut env.cmd(&["search", "Lavrov", "--jsonl", "-n", "3"]),
    ));
    assert_eq!(hits.len(), 3);
    for hit in &hits {
        for key in [
            "id",
            "title",
            "published",
            "url",
            "domain",
            "lang",
            "snippet",
            "rank",
            "source_count",
        ] {
            assert!(hit.get(key).is_some(), "{key} missing from {hit}");
        }
    }
    let runs = lines(&stdout(&mut env.cmd(&["runs", "--jsonl"])));
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "completed");
}

/// A record longer than a file may be (64 MiB) is refused with a reason, never held whole in memory,
/// and the records around it are ingested.
#[test]
fn a_record_over_the_size_limit_is_refused_and_the_others_are_ingested() {
    let env = Env::new();
    let path = env.dir.path().join("big.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        file,
        r#"{{"title": "One", "text": "The council met on Monday and voted on the library budget."}}"#
    )
    .unwrap();
    write!(file, r#"{{"title": "Huge", "text": ""#).unwrap();
    let block = "word ".repeat(1 << 16);
    for _ in 0..(65 << 20) / block.len() {
        file.write_all(block.as_bytes()).unwrap();
    }
    writeln!(file, r#""}}"#).unwrap();
    writeln!(
        file,
        r#"{{"title": "Three", "text": "The harbour board met on Tuesday and approved the new quay."}}"#
    )
    .unwrap();
    drop(file);
    let out = env
        .cmd(&["ingest", "--json", "--jsonl", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("big.jsonl#2: file too large"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["new_documents"], 2, "{summary}");
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE reason = 'too-large' AND line = 2"),
        1
    );
}

#[test]
fn dates_in_every_common_form_and_corpus_tool_records_are_read() {
    let env = Env::new();
    let body = |topic: &str| {
        format!("The council met on Tuesday to discuss {topic}, and agreed to go on with the work.")
    };
    let records = [
        serde_json::json!({"text": body("the budget"), "title": "A", "date": "Tue, 18 Jan 2022 10:00:00 GMT"}),
        serde_json::json!({"text": body("the harbour"), "title": "B", "date": 1642500000}),
        serde_json::json!({"text": body("the lighthouse"), "title": "C", "published": "1642500000"}),
        serde_json::json!({"text": body("the slipway"), "title": "D", "date": "January 18, 2022"}),
        // datatrove / Dolma: the body in `content` or `text`, the fields in `metadata`.
        serde_json::json!({"content": body("the bridge"), "metadata": {"title": "E", "url": "https://x.example/e", "date": "2022-01-18T10:00:00Z"}}),
        // A date it cannot read costs the date only; the text says what it was.
        serde_json::json!({"text": body("the pier"), "title": "F", "url": "https://x.example/f", "date": "last Tuesday"}),
    ];
    let input: String = records.iter().map(|r| format!("{r}\n")).collect();
    let summary = ingest_stdin(&env, &input);
    assert_eq!(summary["new_documents"], 6, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    let docs = lines(&stdout(&mut env.cmd(&[
        "sql",
        "SELECT title, published, url FROM documents ORDER BY title",
        "--jsonl",
    ])));
    for doc in &docs[..5] {
        assert_eq!(doc["published"], "2022-01-18", "{doc}");
    }
    assert_eq!(docs[4]["url"], "https://x.example/e");
    assert_eq!(
        (&docs[5]["title"], &docs[5]["published"], &docs[5]["url"]),
        (&"F".into(), &Value::Null, &"https://x.example/f".into())
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status <> 'error' AND detail LIKE '%\"last Tuesday\" not understood%'"),
        1
    );
}

#[test]
fn a_text_header_with_a_date_in_another_form_keeps_its_title_and_url() {
    let env = Env::new();
    for (name, date) in [
        ("a.txt", "January 18, 2022"),
        ("b.txt", "2022-01-18T10:00:00Z"),
        ("c.txt", "18.01.2022"),
        ("d.txt", "2022/01/18"),
    ] {
        env.write(
            name,
            format!(
                "Harbour reopens {name}\n{date}\nhttps://www.gazette.example/{name}\n\nThe harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall.\n"
            ),
        );
    }
    env.ingest(0);
    let docs = lines(&stdout(&mut env.cmd(&[
        "sql",
        "SELECT title, published, url, body FROM documents ORDER BY title",
        "--jsonl",
    ])));
    assert_eq!(docs.len(), 1, "one article, four sources: {docs:?}");
    let sources = env.count("SELECT count(*) FROM files WHERE published = '2022-01-18' AND title LIKE 'Harbour reopens%' AND url LIKE 'https://www.gazette.example/%'");
    assert_eq!(sources, 4);
    assert!(
        !docs[0]["body"]
            .as_str()
            .unwrap()
            .contains("Harbour reopens"),
        "{docs:?}"
    );
}

#[test]
fn gzip_and_zstd_json_lines_are_read_by_their_magic_bytes() {
    use std::io::Write as _;
    let env = Env::new();
    let records = |topic: &str| -> String {
        (0..3)
            .map(|i| {
                format!(
                    "{}\n",
                    serde_json::json!({
                        "text": format!("The council met on Tuesday to discuss {topic} number {i}, and agreed to go on."),
                        "title": format!("{topic} {i}"),
                        "date": "2024-03-01",
                    })
                )
            })
            .collect()
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(records("harbour").as_bytes()).unwrap();
    let gz_path = env.write("a.jsonl.gz", gz.finish().unwrap());
    let zst = ruzstd::encoding::compress_to_vec(
        records("bridge").as_bytes(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    let zst_path = env.write("b.jsonl.zst", zst);
    for path in [&gz_path, &zst_path] {
        let out = env
            .cmd(&["ingest", "--json", "--jsonl", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["new_documents"], 3, "{summary}");
    }
    // Piped too.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(records("ferry").as_bytes()).unwrap();
    let out = env
        .cmd(&["ingest", "--json", "--jsonl", "-"])
        .write_stdin(gz.finish().unwrap())
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["new_documents"], 3, "{summary}");
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE body LIKE '%council met%'"),
        9
    );
}

/// A header date line newsdb cannot read costs only the date: title and URL are kept, the headline
/// stays out of the body, `files.detail` keeps the line, and the run warns on stderr (exit 0).
#[test]
fn a_text_header_with_a_date_it_cannot_read_keeps_the_rest() {
    let env = Env::new();
    env.write(
        "a.txt",
        "El puerto reabre\n18 de enero de 2022\nhttps://www.gaceta.example/puerto\n\nThe harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall.\n",
    );
    let out = env
        .cmd(&["ingest", env.corpus().to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("a.txt: warning: header date \"18 de enero de 2022\" not understood"),
        "{stderr}"
    );
    let doc = &lines(&stdout(&mut env.cmd(&[
        "sql",
        "SELECT d.title, d.published, d.url, d.body, f.detail FROM documents d JOIN files f ON f.document_id = d.id",
        "--jsonl",
    ])))[0];
    assert_eq!(
        (&doc["title"], &doc["published"], &doc["url"]),
        (
            &"El puerto reabre".into(),
            &Value::Null,
            &"https://www.gaceta.example/puerto".into()
        )
    );
    assert!(
        doc["body"].as_str().unwrap().starts_with("The harbour"),
        "{doc}"
    );
    assert!(
        doc["detail"]
            .as_str()
            .unwrap()
            .contains("\"18 de enero de 2022\" not understood"),
        "{doc}"
    );
    // --quiet keeps the warning off stderr, not out of the database.
    env.write("b.txt", "Otro\n2022年1月18日\nhttps://www.gaceta.example/otro\n\nThe ferry to the island runs again after the storm of last week.\n");
    let out = env
        .cmd(&["ingest", "--quiet", env.corpus().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).as_ref()
        ),
        (Some(0), "")
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE detail LIKE '%2022年1月18日%not understood%'"),
        1
    );
}

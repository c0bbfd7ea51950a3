//! Datasette, the real one, on a newsdb database: the FTS table is found by its naming, `?_search=`
//! works, and the shipped metadata (`datasette/metadata.json`, keyed by the database's name by
//! `newsdb datasette-config`) gives facets and a ranked search query.
//!
//! Datasette comes from PyPI: `.ci/run` installs it into a throwaway virtual environment and names it
//! in `NEWSDB_TEST_DATASETTE` (with `NEWSDB_REQUIRE_DATASETTE=1`, so CI cannot skip this test).
//! Elsewhere the test uses `datasette` from `PATH`, and skips, saying so, when there is none.

use crate::util::{seeds, stdout, Env};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Datasette of one major version: from `var` (`.ci/run` sets it), else for 0.65 `datasette` on
/// `PATH`. `None` (the test skips) unless `NEWSDB_REQUIRE_DATASETTE` is set.
fn datasette(var: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path));
    }
    let found = (var == "NEWSDB_TEST_DATASETTE")
        .then(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("datasette"))
                    .find(|p| p.is_file())
            })
        })
        .flatten();
    if found.is_none() {
        assert!(
            std::env::var_os("NEWSDB_REQUIRE_DATASETTE").is_none(),
            "NEWSDB_REQUIRE_DATASETTE is set but {var} names no datasette"
        );
    }
    found
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET over plain HTTP/1.0 (no chunked encoding): the status code and the body.
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, body.to_owned()))
}

fn get_json(port: u16, path: &str) -> Value {
    let (status, body) = get(port, path).unwrap();
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path}: {e}: {body}"))
}

fn ids(rows: &Value) -> Vec<i64> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn datasette_0_65_searches_documents_and_ranks_with_the_shipped_metadata() {
    match datasette("NEWSDB_TEST_DATASETTE") {
        Some(datasette) => searches_and_ranks(&datasette, Major::V0),
        None => eprintln!("skipped: no datasette (set NEWSDB_TEST_DATASETTE, or see .ci/run)"),
    }
}

#[test]
fn datasette_1_0_searches_documents_and_ranks_with_the_same_config() {
    match datasette("NEWSDB_TEST_DATASETTE_1") {
        Some(datasette) => searches_and_ranks(&datasette, Major::V1),
        None => {
            eprintln!("skipped: no Datasette 1.0 (set NEWSDB_TEST_DATASETTE_1, or see .ci/run)")
        }
    }
}

/// Datasette's major version: 1.0 reads the same file with `-c` (configuration) where 0.65 reads it
/// with `--metadata`, and gives a table's facets in JSON only when asked (`_extra=facet_results`).
#[derive(Clone, Copy, PartialEq)]
enum Major {
    V0,
    V1,
}

/// The seeds and an edited copy of one of them (a near-duplicate cluster) in a database that is not
/// called `newsdb.db`, served by `datasette` with the output of `newsdb datasette-config`.
struct Served {
    env: Env,
    db: PathBuf,
    port: u16,
    _server: Server,
}

fn serve(datasette: &std::path::Path, major: Major) -> Served {
    let env = Env::new();
    // Datasette names the database after its file: `newsdb datasette-config` keys the shipped
    // metadata by this one's name.
    let db = env.dir.path().join("corpus-2024.db");
    env.cmd_on(&db, &["ingest", "--quiet", seeds().to_str().unwrap()])
        .assert()
        .success();
    // A second version of a seed story (one sentence added): a near-duplicate cluster, which the
    // ranked query must show as one row, as `newsdb search` does.
    let seed = std::fs::read_to_string(seeds().join("002_dad89e80a77f07e4.txt")).unwrap();
    // The sentence goes into the longest paragraph, which the cleaner keeps.
    let longest = seed.lines().max_by_key(|l| l.len()).unwrap();
    let edited = env.write(
        "edited.txt",
        seed.replacen(
            longest,
            &format!("{longest} The talks are to resume in Geneva next week, officials said."),
            1,
        ),
    );
    env.cmd_on(&db, &["ingest", "--quiet", edited.to_str().unwrap()])
        .assert()
        .success();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metadata = env.dir.path().join("metadata.json");
    std::fs::write(
        &metadata,
        stdout(&mut env.cmd_on(&db, &["datasette-config"])),
    )
    .unwrap();
    let server = Server(
        Command::new(datasette)
            .arg("serve")
            .arg(&db)
            .arg(if major == Major::V0 {
                "--metadata"
            } else {
                "-c"
            })
            .arg(&metadata)
            .args(["--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("datasette starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(port, "/-/versions.json").is_err() {
        assert!(Instant::now() < deadline, "datasette did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    Served {
        env,
        db,
        port,
        _server: server,
    }
}

fn searches_and_ranks(datasette: &std::path::Path, major: Major) {
    let served = serve(datasette, major);
    let (env, db, port) = (&served.env, &served.db, served.port);

    // The table page has a search box: Datasette found documents_fts.
    let (status, html) = get(port, "/corpus-2024/documents").unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("name=\"_search\""), "no search box");

    // ?_search= returns the documents newsdb's own search finds (every version: a table filter
    // lists rows, not stories).
    let newsdb_hits: Value = serde_json::from_str(&stdout(
        &mut env.cmd_on(db, &["search", "Blinken", "--all-copies", "--json"]),
    ))
    .unwrap();
    let mut expected = ids(&newsdb_hits);
    let found = get_json(
        port,
        "/corpus-2024/documents.json?_search=Blinken&_shape=array&_col=title",
    );
    let mut got = ids(&found);
    expected.sort();
    got.sort();
    assert!(!got.is_empty());
    assert_eq!(got, expected);

    // The shipped canned query ranks as `newsdb search` does.
    let newsdb_ranked: Value = serde_json::from_str(&stdout(
        &mut env.cmd_on(db, &["search", "Lavrov", "--json"]),
    ))
    .unwrap();
    let ranked = get_json(port, "/corpus-2024/search.json?q=Lavrov&_shape=array");
    assert_eq!(ids(&ranked), ids(&newsdb_ranked));
    assert!(ranked[0]["snippet"]
        .as_str()
        .unwrap()
        .contains("**Lavrov**"));

    // Near-duplicates are one row; plain words with punctuation work (each word is quoted, as
    // Datasette's own box does); an empty box lists nothing and is no error.
    for q in ["OSCE", "U.S.%20sanctions", "Lavrov%20Geneva"] {
        let words = q.replace("%20", " ");
        let newsdb: Value =
            serde_json::from_str(&stdout(&mut env.cmd_on(db, &["search", &words, "--json"])))
                .unwrap();
        let ranked = get_json(
            port,
            &format!("/corpus-2024/search.json?q={q}&_shape=array"),
        );
        assert!(!ids(&ranked).is_empty(), "{q}");
        assert_eq!(ids(&ranked), ids(&newsdb), "{q}");
    }
    let clustered: Value = serde_json::from_str(&stdout(&mut env.cmd_on(
        db,
        &[
            "sql",
            "--json",
            "SELECT count(*) AS n FROM documents WHERE cluster_id IS NOT NULL AND cluster_id <> id",
        ],
    )))
    .unwrap();
    assert_eq!(clustered[0]["n"], 1, "the edited seed is a near-duplicate");
    // The page shows the snippets' matches in bold (datasette-render-markdown, configured at the
    // database's level, where Datasette 1.0a41 looks for it), one row per story.
    let (status, html) = get(port, "/corpus-2024/search?q=Lavrov").unwrap();
    assert_eq!(status, 200);
    assert!(html.contains("<strong>Lavrov</strong>"), "{html}");
    assert_eq!(html.matches("<tr>").count() - 1, ids(&newsdb_ranked).len());
    let (status, _) = get(port, "/corpus-2024/search?q=").unwrap();
    assert_eq!(status, 200, "the search page opens with an empty box");
    assert_eq!(
        get_json(port, "/corpus-2024/search.json?q=&_shape=array"),
        Value::Array(vec![])
    );

    // Facets on domain and on the published date, from the metadata.
    let faceted = get_json(
        port,
        "/corpus-2024/documents.json?_search=Lavrov&_extra=facet_results",
    );
    let facets = match major {
        Major::V0 => &faceted["facet_results"],
        Major::V1 => &faceted["facet_results"]["results"],
    };
    assert!(
        facets["domain"]["results"].as_array().unwrap().len() >= 2,
        "{facets}"
    );
    assert_eq!(facets["published"]["type"], "date", "{facets}");
}

/// The search page as a person sees it, in a real browser: Chromium (Debian's package; `.ci/run`
/// installs it) takes a screenshot of Datasette 0.65 with datasette-render-markdown, which shows the
/// snippets' `**` marks as bold. The README shows the screenshot (`datasette/search.png`, a copy of
/// one this test made).
#[test]
fn datasette_search_page_shows_one_row_per_story_with_bold_matches() {
    let Some(datasette) = datasette("NEWSDB_TEST_DATASETTE") else {
        eprintln!("skipped: no datasette (set NEWSDB_TEST_DATASETTE, or see .ci/run)");
        return;
    };
    let Some(chromium) = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    }) else {
        crate::util::skip("no chromium for the screenshot of Datasette's search page");
        return;
    };
    let served = serve(&datasette, Major::V0);
    let (env, db, port) = (&served.env, &served.db, served.port);
    let newsdb: Value = serde_json::from_str(&stdout(
        &mut env.cmd_on(db, &["search", "Lavrov", "--json"]),
    ))
    .unwrap();
    let (status, html) = get(port, "/corpus-2024/search?q=Lavrov").unwrap();
    assert_eq!(status, 200);
    // One row per story (the edited copy is not a row of its own), matches in bold.
    let rows = html.matches("<tr>").count() - 1; // the header row
    assert_eq!(rows, ids(&newsdb).len(), "{html}");
    assert!(html.contains("<strong>Lavrov</strong>"), "{html}");
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("datasette-search.png");
    let _ = std::fs::remove_file(&shot);
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,1100")
        .arg(format!(
            "http://127.0.0.1:{port}/corpus-2024/search?q=Lavrov"
        ))
        .output()
        .unwrap();
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}

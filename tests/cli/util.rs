//! A fresh folder and database per test, and helpers to run the binary and read the database.

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub struct Env {
    pub dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Folder of article files under test.
    pub fn corpus(&self) -> PathBuf {
        let p = self.dir.path().join("corpus");
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("test.db")
    }

    /// Writes a file under the corpus folder, creating folders on the way.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.corpus().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// `newsdb --db <test db> ARGS`, run from the temporary folder.
    pub fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_on(&self.db(), args)
    }

    /// `newsdb --db DB ARGS`, run from the temporary folder, on another database than the test's own.
    pub fn cmd_on(&self, db: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("newsdb").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("NEWSDB_DB")
            .env_remove("NEWSDB_CONFIG")
            .arg("--db")
            .arg(db)
            .args(args);
        cmd
    }

    /// Ingests the corpus folder with `--json` and returns the summary; asserts the exit code.
    pub fn ingest(&self, expected_exit: i32) -> Value {
        self.ingest_with(&[], expected_exit)
    }

    /// `ingest --json EXTRA... <corpus>`; returns the summary and asserts the exit code.
    pub fn ingest_with(&self, extra: &[&str], expected_exit: i32) -> Value {
        let corpus = self.corpus();
        let mut args = vec!["ingest", "--json"];
        args.extend_from_slice(extra);
        args.push(corpus.to_str().unwrap());
        let out = self.cmd(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected_exit),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `newsdb --db DB ingest --quiet <corpus>` into another database than the test's own.
    pub fn ingest_into(&self, db: &Path) -> std::process::Output {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
            .arg("--db")
            .arg(db)
            .args(["ingest", "--quiet"])
            .arg(self.corpus())
            .output()
            .unwrap()
    }

    /// Starts `newsdb ingest --quiet EXTRA... <corpus>` in the background.
    pub fn spawn_ingest(&self, extra: &[&str]) -> std::process::Child {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
            .arg("--db")
            .arg(self.db())
            .args(["ingest", "--quiet"])
            .args(extra)
            .arg(self.corpus())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    }

    /// A database made from `seeds/`.
    pub fn seeded() -> Env {
        let env = Env::new();
        env.cmd(&["ingest", "--quiet", seeds().to_str().unwrap()])
            .assert()
            .success();
        env
    }

    pub fn conn(&self) -> Connection {
        Connection::open(self.db()).unwrap()
    }

    /// Runs a query returning one integer.
    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The `files` row of the one source whose path ends in `/name`.
    pub fn file_row(&self, name: &str) -> FileRow {
        self.conn()
            .query_row(
                "SELECT status, reason, detail, format, extractor FROM files
                 WHERE path LIKE '%/' || ?1",
                [name],
                |r| {
                    Ok(FileRow {
                        status: r.get(0)?,
                        reason: r.get(1)?,
                        detail: r.get(2)?,
                        format: r.get(3)?,
                        extractor: r.get(4)?,
                    })
                },
            )
            .unwrap_or_else(|e| panic!("the files row of {name}: {e}"))
    }
}

/// What the `files` table says of one source.
#[derive(Debug)]
pub struct FileRow {
    pub status: String,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub format: Option<String>,
    pub extractor: Option<String>,
}

impl FileRow {
    /// The reason a rejected source was refused, else its status.
    pub fn outcome(&self) -> String {
        self.reason.clone().unwrap_or_else(|| self.status.clone())
    }
}

/// Asserts that the database passes `PRAGMA integrity_check` and FTS5's `integrity-check`.
pub fn assert_intact(db: &Path) {
    let conn = Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    conn.execute(
        "INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')",
        [],
    )
    .expect("FTS index matches the documents");
    // And newsdb's own invariants, through the binary.
    let out = Command::cargo_bin("newsdb")
        .unwrap()
        .env_remove("NEWSDB_DB")
        .args(["--db", db.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "newsdb check: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

pub fn seeds() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
}

/// The seed whose file name starts with `name_prefix`.
pub fn seed_path(name_prefix: &str) -> PathBuf {
    std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(name_prefix)
        })
        .unwrap()
}

pub fn seed(name_prefix: &str) -> Vec<u8> {
    std::fs::read(seed_path(name_prefix)).unwrap()
}

pub fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every file under `dir`, in path order.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Writes `n` article-like files (3-line header, 8–20 paragraphs, about 2–4 KB) under `dir`, spread
/// over ten folders; every tenth file is a byte-identical copy of the one before. Deterministic.
pub fn generate_corpus(dir: &Path, n: usize) {
    const WORDS: &[&str] = &[
        "minister",
        "talks",
        "border",
        "troops",
        "sanctions",
        "government",
        "election",
        "economy",
        "market",
        "prices",
        "energy",
        "climate",
        "court",
        "ruling",
        "police",
        "protest",
        "city",
        "council",
        "budget",
        "health",
        "school",
        "report",
        "officials",
        "said",
        "week",
        "year",
        "agreement",
        "security",
        "trade",
        "workers",
        "union",
        "strike",
        "bank",
        "rates",
        "inflation",
        "river",
        "flood",
        "storm",
        "harvest",
        "village",
        "museum",
        "festival",
        "team",
        "season",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    let mut previous = String::new();
    for i in 0..n {
        let text = if i % 10 == 9 {
            previous.clone()
        } else {
            let mut t = format!(
                "Story number {i} about {}\n2022{:02}{:02}\nhttps://site{}.example/story/{i}\n",
                WORDS[next(WORDS.len())],
                1 + next(12),
                1 + next(28),
                i % 7
            );
            for _ in 0..8 + next(13) {
                let words: Vec<&str> = (0..20 + next(30))
                    .map(|_| WORDS[next(WORDS.len())])
                    .collect();
                t.push_str(&format!("In story {i}, {}.\n", words.join(" ")));
            }
            t
        };
        let path = dir.join(format!("d{}", i % 10)).join(format!("{i:06}.txt"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &text).unwrap();
        previous = text;
    }
}

/// A test that cannot run here says so; under CI (`CI=true`) that is a failure, not a skip.
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{why}, and CI must run this test");
    }
    eprintln!("skipping: {why}");
}

/// What "ends where a fresh ingest would" compares: every live source with the content hash of its
/// document, the lines learned per site, and the near-duplicate clusters (as sets of content hashes).
#[derive(Debug, PartialEq, Eq)]
pub struct LiveState {
    pub sources: std::collections::BTreeMap<String, String>,
    pub learned: std::collections::BTreeSet<(String, i64)>,
    pub clusters: std::collections::BTreeSet<Vec<String>>,
}

impl LiveState {
    pub fn of(db: &Path) -> LiveState {
        let conn = Connection::open(db).unwrap();
        let sources = conn
            .prepare(
                "SELECT f.path, d.content_hash FROM files f JOIN documents d ON d.id = f.document_id
                 WHERE f.status IN ('ingested', 'duplicate')",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let learned = conn
            .prepare("SELECT domain, line_hash FROM site_lines WHERE documents >= 5")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut groups: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
        let mut stmt = conn
            .prepare(
                "SELECT cluster_id, content_hash FROM documents
                 WHERE retired_run_id IS NULL AND cluster_id IS NOT NULL",
            )
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            groups
                .entry(r.get(0).unwrap())
                .or_default()
                .push(r.get(1).unwrap());
        }
        let clusters = groups
            .into_values()
            .map(|mut g| {
                g.sort();
                g
            })
            .collect();
        LiveState {
            sources,
            learned,
            clusters,
        }
    }
}

/// Asserts that the database at `history` ends where the fresh ingest at `fresh` does, and that it
/// passes `newsdb check`; `what` names the history in the failure.
pub fn assert_same_state(history: &Path, fresh: &Path, what: &str) {
    let (h, f) = (LiveState::of(history), LiveState::of(fresh));
    if h != f {
        if let Some(dir) = std::env::var_os("NEWSDB_KEEP_FAILED") {
            // Keep both databases (and the folder beside them) for a look.
            let dir = Path::new(&dir);
            std::fs::create_dir_all(dir).unwrap();
            std::fs::copy(history, dir.join("history.db")).unwrap();
            std::fs::copy(fresh, dir.join("fresh.db")).unwrap();
            let corpus = history.parent().unwrap().join("corpus");
            let _ = std::process::Command::new("cp")
                .arg("-r")
                .arg(&corpus)
                .arg(dir)
                .status();
        }
        let differ: Vec<_> = h
            .sources
            .iter()
            .filter(|(p, c)| f.sources.get(*p) != Some(*c))
            .map(|(p, _)| p.clone())
            .chain(
                f.sources
                    .keys()
                    .filter(|p| !h.sources.contains_key(*p))
                    .cloned(),
            )
            .collect();
        panic!(
            "{what}: differs from a fresh ingest: {} of {} sources on another document ({differ:?}); \
             learned lines {} vs {} fresh ({} in common); clusters equal: {}",
            differ.len(),
            f.sources.len(),
            h.learned.len(),
            f.learned.len(),
            h.learned.intersection(&f.learned).count(),
            h.clusters == f.clusters
        );
    }
    assert_intact(history);
}

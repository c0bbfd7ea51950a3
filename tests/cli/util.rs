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
        let mut cmd = Command::cargo_bin("newsdb").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("NEWSDB_DB")
            .arg("--db")
            .arg(self.db())
            .args(args);
        cmd
    }

    /// Ingests the corpus folder with `--json` and returns the summary; asserts the exit code.
    pub fn ingest(&self, expected_exit: i32) -> Value {
        let corpus = self.corpus();
        let out = self
            .cmd(&["ingest", "--json", corpus.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected_exit),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn conn(&self) -> Connection {
        Connection::open(self.db()).unwrap()
    }

    /// Runs a query returning one integer.
    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

pub fn seeds() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
}

pub fn seed(name_prefix: &str) -> Vec<u8> {
    let entry = std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(name_prefix)
        })
        .unwrap();
    std::fs::read(entry).unwrap()
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

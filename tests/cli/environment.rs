//! Errors in the environment: a full disk and a read-only filesystem give a clear message and a
//! non-zero exit, and corrupt nothing. Uses a small tmpfs, so it needs the right to mount (root, as on
//! the CI machines); elsewhere it says so and skips, and under `CI=true` it fails instead.

use crate::util::{assert_intact, generate_corpus, Env};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for one test, unmounted when dropped (even when the test fails).
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            crate::util::skip("cannot mount a tmpfs here (it needs root)");
            return None;
        }
        Some(Tmpfs {
            path: path.to_owned(),
        })
    }

    fn remount(&self, options: &str) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).output();
    }
}

#[test]
fn a_full_disk_fails_the_run_cleanly_and_the_next_run_converges() {
    let env = Env::new();
    let Some(fs) = Tmpfs::mount(&env.dir.path().join("small"), "1m") else {
        return;
    };
    generate_corpus(&env.corpus(), 600); // about 2 MB of text: more than the disk holds
    let db = fs.path.join("news.db");
    let out = env.ingest_into(&db);
    assert_eq!(out.status.code(), Some(1), "a full disk fails the run");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("full"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    fs.remount("size=64m");
    assert_intact(&db);
    let out = env.ingest_into(&db);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_intact(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let documents: i64 = conn
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(documents, 540, "600 files, every tenth a copy");
}

#[test]
fn a_read_only_filesystem_is_a_clear_error() {
    let env = Env::new();
    let Some(fs) = Tmpfs::mount(&env.dir.path().join("ro"), "16m") else {
        return;
    };
    env.write("a.txt", "A sentence to ingest.\n");
    let db = fs.path.join("news.db");
    assert!(env.ingest_into(&db).status.success());
    env.write("b.txt", "Another sentence to ingest.\n");
    fs.remount("ro");
    let out = env.ingest_into(&db);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("Read-only file system"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    fs.remount("rw");
    assert_intact(&db);
}

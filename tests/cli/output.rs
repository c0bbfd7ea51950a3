//! Output that pipes: a reader that stops early (`| head`) ends the command quietly, with exit 0.

use crate::util::Env;
use std::io::Read;
use std::process::Stdio;

#[test]
fn a_closed_pipe_ends_every_listing_quietly() {
    let env = Env::new();
    // Enough text that every listing below is far larger than a pipe's buffer (64 KiB).
    for i in 0..300 {
        let body: String = (0..40)
            .map(|j| format!("Harbour report {i} paragraph {j} tells of boats and the sea wall. "))
            .collect();
        env.write(&format!("a{i:03}.txt"), format!("Story {i}\n\n{body}\n"));
        // A near copy, so `dups` has clusters to list.
        env.write(
            &format!("b{i:03}.txt"),
            format!("Story {i}\n\n{body}\nA line was added to this copy later.\n"),
        );
    }
    env.ingest(0);
    for args in [
        &["export", "--jsonl"][..],
        &["sql", "--json", "SELECT body FROM documents"],
        &["sql", "--jsonl", "SELECT body FROM documents"],
        &["sql", "--csv", "SELECT body FROM documents"],
        &[
            "sql",
            "SELECT a.id, a.body FROM documents a, documents b LIMIT 3000",
        ],
        &["search", "--json", "-n", "300", "harbour"],
        &["dups", "--json", "--limit", "300"],
    ] {
        // Far more than a pipe holds, so the command is still writing when the reader leaves.
        let whole = env.cmd(args).output().unwrap();
        assert!(
            whole.stdout.len() > 100_000,
            "{args:?}: {}",
            whole.stdout.len()
        );
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
            .current_dir(env.corpus())
            .arg("--db")
            .arg(env.db())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is closed here, as `head -c 16` does.
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (Some(0), ""),
            "{args:?}"
        );
    }
}

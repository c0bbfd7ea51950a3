//! The README's example queries run as written against the seeds database: through `newsdb sql`,
//! through Python's `sqlite3` module, which brings its own (older, stock) SQLite, and through the stock
//! `sqlite3` shell.

use crate::util::{stdout, Env};
use std::process::Command;

fn readme_sql_blocks() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sql") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(block.trim().trim_end_matches(';').to_owned());
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn readme_queries_run_in_newsdb_sql() {
    let blocks = readme_sql_blocks();
    assert!(blocks.len() >= 5, "the README lost its example queries");
    let env = Env::seeded();
    for sql in &blocks {
        let json: serde_json::Value =
            serde_json::from_str(&stdout(&mut env.cmd(&["sql", "--json", sql]))).unwrap();
        let rows = json.as_array().unwrap();
        // Every example has rows on the seeds, except those marked as empty there.
        if !sql.contains("-- empty on the seeds") {
            assert!(!rows.is_empty(), "no rows from README query:\n{sql}");
        }
    }
}

#[test]
fn readme_queries_run_in_pythons_stock_sqlite() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not found: skipping the stock-SQLite check (.ci/run requires python3)");
        return;
    }
    let env = Env::seeded();
    let script = r#"
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
counts = [len(conn.execute(q).fetchall()) for q in json.load(sys.stdin)]
conn.execute("INSERT INTO documents_fts(documents_fts) VALUES('integrity-check')")
print(json.dumps({"sqlite": sqlite3.sqlite_version, "counts": counts}))
"#;
    let blocks = readme_sql_blocks();
    let mut child = Command::new("python3")
        .args(["-c", script, env.db().to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &blocks).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts = result["counts"].as_array().unwrap();
    assert_eq!(counts.len(), blocks.len());
    assert!(
        counts[0].as_u64().unwrap() > 0,
        "FTS query found nothing under SQLite {}",
        result["sqlite"]
    );
}

#[test]
fn readme_queries_run_in_the_sqlite3_shell() {
    let Ok(version) = Command::new("sqlite3").arg("--version").output() else {
        eprintln!("sqlite3 shell not found: skipping the sqlite3-shell check");
        return;
    };
    let env = Env::seeded();
    for sql in readme_sql_blocks() {
        // On standard input: the shell would take a leading `--` comment for an option.
        let mut child = Command::new("sqlite3")
            .args(["-readonly", "-json", "-bail", env.db().to_str().unwrap()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, format!("{sql};\n").as_bytes()).unwrap();
        drop(stdin);
        let shell = child.wait_with_output().unwrap();
        assert!(
            shell.status.success() && shell.stderr.is_empty(),
            "sqlite3 {}: {}\n{sql}",
            String::from_utf8_lossy(&version.stdout).trim(),
            String::from_utf8_lossy(&shell.stderr)
        );
        let ours: serde_json::Value =
            serde_json::from_str(&stdout(&mut env.cmd(&["sql", "--json", &sql]))).unwrap();
        // The shell prints nothing at all for no rows.
        let theirs: serde_json::Value = if shell.stdout.trim_ascii().is_empty() {
            serde_json::json!([])
        } else {
            serde_json::from_slice(&shell.stdout).unwrap()
        };
        assert_eq!(
            theirs.as_array().unwrap().len(),
            ours.as_array().unwrap().len(),
            "{sql}"
        );
    }
}

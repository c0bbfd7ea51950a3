//! `newsdb.toml` beside the database, user rules files, completions and man pages.

use crate::util::{seed_path, stdout, Env};
use serde_json::Value;

#[test]
fn newsdb_toml_gives_roots_globs_and_search_defaults() {
    let env = Env::new();
    env.write("2024/a.txt", "A story about the river flood in spring.\n");
    env.write(
        "2024/drafts/b.txt",
        "A draft about the river flood, unfinished.\n",
    );
    env.write("2023/c.txt", "An old story about the river flood.\n");
    env.write("2024/d.md", "A markdown story about the river flood.\n");
    std::fs::write(
        env.dir.path().join("newsdb.toml"),
        "roots = [\"corpus\"]\nextensions = [\"txt\", \"md\"]\ninclude = [\"2024/**\"]\n\
         exclude = [\"drafts/**\", \"**/drafts/**\"]\n[search]\nlimit = 1\n",
    )
    .unwrap();
    // `newsdb ingest` with no paths, as a cron line would run it.
    let out = stdout(&mut env.cmd(&["ingest", "--json"]));
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["new_documents"], 2, "{summary}");
    let paths = stdout(&mut env.cmd(&["sql", "SELECT path FROM files ORDER BY path", "--csv"]));
    assert!(
        paths.contains("2024/a.txt") && paths.contains("2024/d.md"),
        "{paths}"
    );
    let hits: Value =
        serde_json::from_str(&stdout(&mut env.cmd(&["search", "flood", "--json"]))).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 1, "search.limit applies");
    let hits: Value = serde_json::from_str(&stdout(
        &mut env.cmd(&["search", "flood", "--json", "-n", "5"]),
    ))
    .unwrap();
    assert_eq!(
        hits.as_array().unwrap().len(),
        2,
        "--limit wins over the file"
    );
}

#[test]
fn a_bad_config_or_nothing_to_ingest_is_a_clear_error() {
    let env = Env::new();
    let out = env.cmd(&["ingest"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to ingest"));
    std::fs::write(env.dir.path().join("newsdb.toml"), "rootz = [\"x\"]\n").unwrap();
    let out = env.cmd(&["ingest"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("newsdb.toml") && stderr.contains("rootz"),
        "{stderr}"
    );
}

/// Seed 003 ends with share and like widgets and a comment form.
fn seed_003_body(env: &Env) -> String {
    let out = stdout(&mut env.cmd(&[
        "sql",
        "SELECT d.body FROM documents d JOIN files f ON f.document_id = d.id WHERE f.path LIKE '%003_%'",
        "--json",
    ]));
    let rows: Value = serde_json::from_str(&out).unwrap();
    rows[0]["body"].as_str().unwrap().to_owned()
}

#[test]
fn user_rules_added_and_disabled_change_stored_documents_on_the_next_ingest() {
    let env = Env::new();
    std::fs::copy(seed_path("003"), env.corpus().join("003_seed.txt")).unwrap();
    env.ingest(0);
    let before = seed_003_body(&env);
    let hash_before = env.count("SELECT count(*) FROM documents");
    assert_eq!(hash_before, 1);
    assert!(!before.contains("Share this:"));
    assert!(!before.contains("Photo: handout"));
    let first_line = before.lines().next().unwrap().to_owned();

    // Disable a built-in rule and add one that removes the body's first line.
    let pattern = toml::Value::String(format!("^{}$", regex::escape(&first_line)));
    std::fs::write(
        env.dir.path().join("rules.toml"),
        format!(
            "disable = [\"photo-credit\"]\n[[rule]]\nname = \"test-first-line\"\ncategory = \"navigation\"\n\
             pattern = {pattern}\nmax_words = 500\n"
        ),
    )
    .unwrap();
    let summary = env.ingest_with(&["--rules", "rules.toml"], 0);
    assert_eq!(summary["changed"], 1, "{summary}");
    assert_eq!(summary["retired"], 1, "{summary}");
    let after = seed_003_body(&env);
    assert!(
        after.contains("Photo: handout / Agence France-Presse / Getty Images"),
        "the disabled rule no longer removes its line, inside the article"
    );
    assert!(
        !after.contains(&first_line),
        "the user rule removes its line"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM removed_lines r JOIN documents d ON d.id = r.document_id WHERE d.retired_run_id IS NULL AND r.rule = 'test-first-line'"),
        1
    );
    // The clean command shows the same with the same rules file.
    let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "clean",
        "--json",
        "--rules",
        "rules.toml",
        seed_path("003").to_str().unwrap(),
    ])))
    .unwrap();
    assert_eq!(json["body"].as_str().unwrap(), after);
    // Same rules again: nothing to re-clean.
    let summary = env.ingest_with(&["--rules", "rules.toml"], 0);
    assert_eq!(summary["unchanged"], 1, "{summary}");
    // Back to the built-in rules: back to the first document, revived.
    let summary = env.ingest(0);
    assert_eq!(summary["changed"], 1, "{summary}");
    assert_eq!(seed_003_body(&env), before);
    crate::util::assert_intact(&env.db());
}

#[test]
fn completions_and_man_pages_are_generated() {
    let env = Env::new();
    let bash = stdout(&mut env.cmd(&["completions", "bash"]));
    assert!(bash.contains("ingest") && bash.contains("--jsonl"));
    let path = env.dir.path().join("newsdb.bash");
    std::fs::write(&path, &bash).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(check.success(), "bash accepts the completion script");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(!stdout(&mut env.cmd(&["completions", shell])).is_empty());
    }
    let man = stdout(&mut env.cmd(&["man"]));
    assert!(
        man.starts_with(".ie") || man.contains(".TH newsdb"),
        "{man}"
    );
    assert!(man.contains("ingest") && man.contains("Exit codes"));
    let ingest = stdout(&mut env.cmd(&["man", "ingest"]));
    assert!(
        ingest.contains(".TH newsdb-ingest") && ingest.contains("jsonl"),
        "{ingest}"
    );
    // An unknown command is a usage error (exit 2).
    assert!(env.cmd(&["man", "nope"]).output().unwrap().status.code() == Some(2));
}

/// A file refused by one cleaner is judged again by the next: with a rule that removes every line the
/// file is refused as empty of text, and once the rule is gone it is an article, as in a fresh ingest.
#[test]
fn a_file_refused_by_an_older_cleaner_is_read_again() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Harbour plan\n\nThe council approved the harbour plan on Tuesday after a long debate.\n",
    );
    std::fs::write(
        env.dir.path().join("rules.toml"),
        "[[rule]]\nname = \"everything\"\ncategory = \"navigation\"\npattern = \".\"\nmax_words = 500\n",
    )
    .unwrap();
    let summary = env.ingest_with(&["--rules", "rules.toml"], 3);
    assert_eq!(summary["failed"], 1, "{summary}");
    // Same cleaner: not read again (and not reported again).
    let summary = env.ingest_with(&["--rules", "rules.toml"], 0);
    assert_eq!(summary["unchanged"], 1, "{summary}");
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 1, "{summary}");
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'ingested'"),
        1
    );
}

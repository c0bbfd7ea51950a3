//! Mistakes in what was asked exit 2 (usage) with one clear line, and change nothing; the README's
//! exit-code table says so.

use crate::util::Env;

#[test]
fn mistakes_in_what_was_asked_exit_2_with_one_line() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Story\n\nThe bridge on Mill Street was closed on Sunday for an inspection.\n",
    );
    env.ingest(0);
    let corpus = env.corpus();
    let corpus = corpus.to_str().unwrap();
    let (db, missing) = (env.db(), env.dir.path().join("typo/dir/news.db"));
    for (on, args, says) in [
        (&db, vec!["ingest"], "nothing to ingest"),
        (
            &db,
            vec!["ingest", "--include", "[", corpus],
            "bad glob \"[\"",
        ),
        (&db, vec!["man", "foo"], "no command named \"foo\""),
        (&db, vec!["sql", ""], "no SQL statement given"),
        (&db, vec!["sql", " ; "], "no SQL statement given"),
        (
            &db,
            vec!["search", "-n", "0", "bridge"],
            "must be at least 1",
        ),
        (&db, vec!["dups", "-n", "0"], "must be at least 1"),
        (
            &missing,
            vec!["ingest", corpus],
            "does not exist; create it first",
        ),
    ] {
        let out = env.cmd_on(on, &args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(
        !env.dir.path().join("typo").exists(),
        "no folder is made for a database in a missing one"
    );
    // The lock message's advice exists: prune takes --wait.
    env.cmd(&["prune", "--wait"]).assert().code(0);
}

#[test]
fn a_json_lines_file_taken_as_a_text_is_refused_and_an_extension_that_finds_nothing_is_noted() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Story\n\nThe bridge on Mill Street was closed on Sunday for an inspection.\n",
    );
    env.write(
        "scraped.jsonl",
        "{\"text\": \"The ferry runs again.\", \"url\": \"https://x.example/a\"}\n",
    );
    let out = env
        .cmd(&[
            "ingest",
            "--json",
            "--ext",
            "txt,jsonl,jsonl.gz",
            env.corpus().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("scraped.jsonl: JSON, not an article text"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: no file ending in .jsonl.gz"),
        "{stderr}"
    );
    assert_eq!(
        env.file_row("scraped.jsonl").reason.as_deref(),
        Some("json")
    );
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE body LIKE '%{%'"),
        0
    );
    // Without --ext (the defaults), no note for the defaults that found nothing.
    let out = env
        .cmd(&["ingest", env.corpus().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note:"));
}

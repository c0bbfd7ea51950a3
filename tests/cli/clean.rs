//! `newsdb clean FILE`: header fields and cleaned body, without a database.

use crate::util::{seed_path, seeds, stdout, Env};
use serde_json::Value;

const SEED_003: &str = "003_de57944280c0c041.txt";

#[test]
fn seed_003_loses_its_widgets_and_keeps_every_paragraph() {
    let env = Env::new();
    let path = seeds().join(SEED_003);
    let text = stdout(&mut env.cmd(&["clean", path.to_str().unwrap()]));
    for boilerplate in [
        "Share this:",
        "Like this:",
        "bloggers like this",
        "Leave a Reply",
        "Your email address will not be published",
        "Copyright ©",
        "Write to William Mauldin",
        "Join the conversation below",
    ] {
        assert!(!text.contains(boilerplate), "{boilerplate:?} survived");
    }
    let original = std::fs::read_to_string(&path).unwrap();
    let boilerplate_lines = [1, 3, 42, 57, 73, 75, 78, 80, 82, 84, 86];
    for (i, line) in original.lines().enumerate() {
        if line.trim().is_empty() || boilerplate_lines.contains(&(i + 1)) {
            continue;
        }
        assert!(
            text.contains(line.trim()),
            "article line {} lost: {line}",
            i + 1
        );
    }
    assert!(text.starts_with(
        "Title: Blinken seeks to reassure Ukraine as Russia moves troops into the region\n"
    ));
    assert!(!env.db().exists(), "clean must not touch a database");
}

#[test]
fn json_lists_every_removal_with_line_and_rule() {
    let env = Env::new();
    let path = seeds().join(SEED_003);
    let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "clean",
        "--json",
        path.to_str().unwrap(),
    ])))
    .unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        vec![
            "title",
            "published",
            "url",
            "lang",
            "encoding",
            "control_characters_removed",
            "body",
            "removed"
        ]
    );
    assert_eq!(json["encoding"], "UTF-8");
    assert_eq!(json["control_characters_removed"], 0);
    assert_eq!(
        json["published"],
        Value::Null,
        "no date in the file, none invented"
    );
    let removed = json["removed"].as_array().unwrap();
    let lines: Vec<i64> = removed
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![1, 3, 42, 57, 73, 75, 78, 80, 82, 84, 86]);
    assert_eq!(
        removed[0],
        serde_json::json!({"line": 1, "text": "Share this:", "rule": "share-widget"})
    );
    assert!(removed
        .iter()
        .all(|r| !r["rule"].as_str().unwrap().is_empty()));
}

#[test]
fn every_seed_keeps_its_article_lines() {
    // Lines a reader would call boilerplate in each seed; every other line must survive.
    let expected_removed: &[(&str, &[usize])] = &[
        ("000", &[]),
        ("001", &[5]),
        ("002", &[12, 65, 71]),
        ("003", &[1, 3, 42, 57, 73, 75, 78, 80, 82, 84, 86]),
        ("004", &[56]),
    ];
    let env = Env::new();
    for (prefix, lines) in expected_removed {
        let path = seed_path(prefix);
        let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
            "clean",
            "--json",
            path.to_str().unwrap(),
        ])))
        .unwrap();
        let got: Vec<usize> = json["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap() as usize)
            .collect();
        assert_eq!(&got, lines, "seed {prefix}");
    }
}

#[test]
fn a_rejected_file_gets_its_reason() {
    let env = Env::new();
    let path = env.write("empty.txt", "");
    let out = env
        .cmd(&["clean", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .ends_with("empty.txt: empty file\n"));
}

#[test]
fn clean_works_beside_a_database_of_an_older_schema() {
    // Such a database has learned no site lines: `clean` goes on without them, writing nothing.
    let env = Env::seeded();
    env.conn().pragma_update(None, "user_version", 3).unwrap();
    let path = seeds().join(SEED_003);
    let text = stdout(&mut env.cmd(&["clean", path.to_str().unwrap()]));
    assert!(text.contains("Blinken seeks to reassure Ukraine"), "{text}");
    assert_eq!(env.count("PRAGMA user_version"), 3);
}

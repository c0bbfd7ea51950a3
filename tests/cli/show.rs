//! `newsdb show`: from a search hit's id (or a file) to the whole article, its sources and
//! near-duplicates, and what the cleaner removed.

use crate::util::{stdout, Env};
use serde_json::Value;

const BODY: &str = "The harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall, which storms had breached twice since November.\n\nFishing crews who had moored in the next town for months brought their boats back on the morning tide, and the harbour master said the work had come in under budget.\n\nThe council plans a second phase next year, when the lighthouse steps and the slipway used by the lifeboat crew are to be rebuilt.";

#[test]
fn show_prints_the_whole_article_with_its_sources_copies_and_removed_lines() {
    let env = Env::new();
    let text = format!(
        "Harbour reopens\n20240301\nhttps://www.gazette.example/news/harbour\n\n{BODY}\n\nShare on Facebook\n"
    );
    env.write("a/harbour.txt", &text);
    env.write("b/harbour-copy.txt", &text);
    env.write(
        "c/harbour-edited.txt",
        text.replace("under budget", "under budget, to everyone's relief"),
    );
    env.write("d/bad.txt", b"\x00\x01\x02binary\xff\xfe");
    env.ingest(3);
    let id = env.count("SELECT document_id FROM files WHERE path LIKE '%a/harbour.txt'");

    let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "show",
        &id.to_string(),
        "--json",
        "--removed",
    ])))
    .unwrap();
    assert_eq!(json["title"], "Harbour reopens", "{json}");
    assert_eq!(json["published"], "2024-03-01");
    assert_eq!(json["domain"], "gazette.example");
    assert_eq!(
        json["body"].as_str().unwrap(),
        BODY,
        "the whole body, uncut"
    );
    let sources = json["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2, "{json}");
    assert!(sources[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("a/harbour.txt"));
    assert_eq!(sources[0]["status"], "ingested");
    assert_eq!(sources[1]["status"], "duplicate");
    let near = json["near_duplicates"].as_array().unwrap();
    assert_eq!(near.len(), 1, "the edited version: {json}");
    assert!(near[0]["similarity"].as_f64().unwrap() > 0.8);
    let removed = json["removed"].as_array().unwrap();
    assert!(
        removed
            .iter()
            .any(|r| r["text"] == "Share on Facebook" && r["rule"].is_string()),
        "{json}"
    );

    // For people: the fields, then the body whole (no cell is cut), then the removed lines.
    let text_out = stdout(
        env.cmd(&["show", "--path", "b/harbour-copy.txt", "--removed"])
            .current_dir(env.corpus()),
    );
    assert!(
        text_out.starts_with("Title:     Harbour reopens\n"),
        "{text_out}"
    );
    assert!(text_out.contains(BODY), "{text_out}");
    assert!(text_out.contains("Near-dups:"), "{text_out}");
    assert!(text_out.contains("Share on Facebook"), "{text_out}");

    // Without --removed no removed lines; a missing id or a rejected file is a clear error.
    let plain: Value =
        serde_json::from_str(&stdout(&mut env.cmd(&["show", &id.to_string(), "--json"]))).unwrap();
    assert!(plain.get("removed").is_none());
    let out = env.cmd(&["show", "999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no document with id 999"));
    let bad = env.corpus().join("d/bad.txt");
    let out = env
        .cmd(&["show", "--path", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the file was rejected"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

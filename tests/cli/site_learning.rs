//! Site-level learning: a line that recurs across a domain's documents, and that no built-in rule
//! names, is learned and removed, in the same `ingest` and in `clean`; other sites keep it.

use crate::util::{assert_intact, assert_same_state, stdout, Env};
use serde_json::Value;

/// A masthead line no built-in rule names; it reads like prose.
const PROMO: &str = "The Valley Times is an independent newspaper serving the valley since 1921.";

const TOPICS: &[&str] = &[
    "library", "bridge", "school", "hospital", "market", "harbour", "stadium", "museum", "airport",
];

/// The body of an article about `TOPICS[n]`, with the promo line at its tail.
fn body(n: usize) -> String {
    let topic = TOPICS[n];
    format!(
        "Councillors voted on Tuesday to close the {topic} at the end of the summer, after a long debate.\n\
         Residents said the {topic} had served the town for decades and asked for a review of the decision.\n\
         The council said it had no money left to keep the {topic} open next year.\n\
         {PROMO}\n"
    )
}

/// An article file of `site` about `TOPICS[n]`.
fn article(site: &str, n: usize) -> String {
    let topic = TOPICS[n];
    format!(
        "The {topic} will close\n20240301\nhttps://www.{site}/news/{topic}\n{}",
        body(n)
    )
}

fn bodies_with_promo(env: &Env) -> i64 {
    env.count(&format!(
        "SELECT count(*) FROM documents WHERE retired_run_id IS NULL AND body LIKE '%{PROMO}%'"
    ))
}

/// The test's database holds what a fresh ingest of its folder gives.
fn assert_same_as_fresh_ingest(env: &Env, history: &str) {
    let fresh = env.dir.path().join("fresh.db");
    assert!(env.ingest_into(&fresh).status.success());
    assert_same_state(&env.db(), &fresh, history);
}

#[test]
fn a_line_repeated_across_a_site_is_learned_and_removed() {
    let env = Env::new();
    for n in 0..6 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    env.write("other/8.txt", article("other.example", 8));

    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 7, "{summary}");
    assert_eq!(summary["sites_learned"], 1, "{summary}");
    // Learned before anything was stored: each document is stored once, already without the line.
    assert!(summary.get("follow_up").is_none(), "{summary}");
    assert_eq!(env.count("SELECT count(*) FROM documents"), 7);
    // Only the other site's document still carries the line.
    assert_eq!(bodies_with_promo(&env), 1);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM removed_lines r JOIN documents d ON d.id = r.document_id
             WHERE d.retired_run_id IS NULL AND r.rule = 'site-line' AND d.domain = 'valley.example'"
        ),
        6
    );
    assert_eq!(
        env.count("SELECT learned_lines FROM sites WHERE domain = 'valley.example'"),
        1
    );
    assert_eq!(env.count("SELECT count(*) FROM sites"), 1);

    // `clean` shows the same removal, named, for a file of that site.
    let file = env.write("preview/7.txt", article("valley.example", 7));
    let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "clean",
        "--json",
        file.to_str().unwrap(),
    ])))
    .unwrap();
    let removed = json["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1, "{json}");
    assert_eq!(removed[0]["rule"], "site-line");
    assert_eq!(removed[0]["text"], PROMO);
    std::fs::remove_dir_all(env.corpus().join("preview")).unwrap();

    // A new document of the site loses the line at once; nothing else is cleaned again.
    env.write("valley/6.txt", article("valley.example", 6));
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 1, "{summary}");
    assert_eq!(summary["unchanged"], 7, "{summary}");
    assert!(summary.get("follow_up").is_none(), "{summary}");
    assert_eq!(bodies_with_promo(&env), 1);

    // An unchanged corpus stays unchanged: the documents carry their site's version.
    let summary = env.ingest(0);
    assert_eq!(summary["unchanged"], 8, "{summary}");
    assert_intact(&env.db());
}

#[test]
fn records_of_a_json_lines_file_are_cleaned_again_in_the_same_ingest() {
    let env = Env::new();
    let records: String = (0..6)
        .map(|n| {
            let record = serde_json::json!({
                "title": format!("The {} will close", TOPICS[n]),
                "url": format!("https://valley.example/news/{n}"),
                "text": body(n),
            });
            format!("{record}\n")
        })
        .collect();
    let file = env.write("articles.jsonl", records);
    let summary: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "ingest",
        "--json",
        "--jsonl",
        file.to_str().unwrap(),
    ])))
    .unwrap();
    assert_eq!(summary["sites_learned"], 1, "{summary}");
    assert_eq!(summary["follow_up"]["changed"], 6, "{summary}");
    assert_eq!(bodies_with_promo(&env), 0);
    assert_intact(&env.db());
}

/// Issue 16 point 1: a run killed after some batches committed their documents used to lose the
/// site counts it held in memory (the files were never counted again): the next run must end with
/// what a fresh ingest learns.
#[test]
fn a_run_killed_part_way_learns_what_a_fresh_ingest_learns() {
    use std::os::unix::process::ExitStatusExt;
    let env = Env::new();
    for n in 0..8 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    let corpus = env.corpus();
    let out = env
        .cmd(&["ingest", "--quiet", corpus.to_str().unwrap()])
        .env("NEWSDB_BATCH_FILES", "2")
        .env("NEWSDB_TEST_ABORT", "batch:3")
        .output()
        .unwrap();
    assert!(out.status.signal().is_some(), "the run must die part-way");
    env.ingest(0);
    assert_eq!(bodies_with_promo(&env), 0);
    assert_same_as_fresh_ingest(&env, "killed after batch 3");
}

/// Pages added to a site that has documents already: the new pages are stored cleaned with what
/// they teach, and the documents stored before them are cleaned again in the follow-up run.
#[test]
fn pages_added_later_teach_their_site_and_its_older_documents_follow() {
    let env = Env::new();
    for n in 0..3 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    let summary = env.ingest(0);
    assert_eq!(summary["sites_learned"], 0, "{summary}");
    assert_eq!(bodies_with_promo(&env), 3);
    for n in 3..6 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 3, "{summary}");
    assert_eq!(summary["sites_learned"], 1, "{summary}");
    assert_eq!(summary["follow_up"]["changed"], 3, "{summary}");
    assert_eq!(bodies_with_promo(&env), 0);
    assert_same_as_fresh_ingest(&env, "three pages, then three more");
}

/// The learning pass reads a sample of the files first and reads the rest ahead only when the
/// sample teaches some site a line (`NEWSDB_LEARN_SAMPLE_FILES`, 2,000 by default). When the sample
/// teaches nothing, the run stores without reading ahead, and the follow-up run cleans the site's
/// documents again: the same database either way.
#[test]
fn a_sample_that_teaches_nothing_leaves_learning_to_the_follow_up() {
    let env = Env::new();
    // In folder order: two pages of another site, then six of the valley's.
    for n in 0..2 {
        env.write(&format!("a/{n}.txt"), article("other.example", 6 + n));
    }
    for n in 0..6 {
        env.write(&format!("b/{n}.txt"), article("valley.example", n));
    }
    let ingest = |sample: &str, db: &std::path::Path| -> Value {
        let out = env
            .cmd_on(db, &["ingest", "--json", env.corpus().to_str().unwrap()])
            .env("NEWSDB_LEARN_SAMPLE_FILES", sample)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let skipped = ingest("2", &env.db());
    assert_eq!(skipped["sites_learned"], 1, "{skipped}");
    assert_eq!(skipped["follow_up"]["changed"], 6, "{skipped}");
    let read_ahead = env.dir.path().join("ahead.db");
    let summary = ingest("7", &read_ahead);
    assert!(summary.get("follow_up").is_none(), "{summary}");
    assert_same_state(&env.db(), &read_ahead, "sample of 2 files against 7");
    assert_eq!(bodies_with_promo(&env), 2);
}

/// Issue 16 point 2: counts used to only grow, so a site kept what pages no longer there had taught
/// it. Deleting pages until the line is on too few of them forgets it, and the documents left get
/// their line back, as in a fresh ingest of what is left.
#[test]
fn deleting_pages_forgets_what_only_they_taught() {
    let env = Env::new();
    for n in 0..6 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    env.ingest(0);
    assert_eq!(bodies_with_promo(&env), 0);
    for n in 0..2 {
        std::fs::remove_file(env.corpus().join(format!("valley/{n}.txt"))).unwrap();
    }
    let summary = env.ingest(0);
    assert_eq!(
        summary["sites_learned"], 1,
        "the site's set changed: {summary}"
    );
    assert_eq!(summary["follow_up"]["changed"], 4, "{summary}");
    assert_eq!(
        bodies_with_promo(&env),
        4,
        "4 pages are too few to learn from"
    );
    assert_eq!(env.count("SELECT count(*) FROM sites"), 0);
    assert_same_as_fresh_ingest(&env, "two of six pages deleted");
}

/// Copies of one page (same bytes, other names) count once: a site does not learn from one page
/// saved five times.
#[test]
fn copies_of_one_page_count_once() {
    let env = Env::new();
    for copy in 0..6 {
        env.write(&format!("valley/{copy}.txt"), article("valley.example", 0));
    }
    for n in 1..4 {
        env.write(&format!("valley/n{n}.txt"), article("valley.example", n));
    }
    let summary = env.ingest(0);
    assert_eq!(summary["sites_learned"], 0, "{summary}");
    assert_eq!(env.count("SELECT count(*) FROM sites"), 0);
    assert_intact(&env.db());
}

/// Issue 16 point 3: when a site learned a line, the run that cleans its documents again moved the
/// first copy of a page to its new document but left a byte-identical copy on the old one, even in a
/// fresh ingest. Copies of the same bytes always stand for one document.
#[test]
fn byte_identical_copies_stay_on_one_document_when_their_site_learns() {
    let env = Env::new();
    for n in 0..6 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    env.write("valley/copy-of-0.txt", article("valley.example", 0));
    let summary = env.ingest(0);
    assert_eq!(summary["sites_learned"], 1, "{summary}");
    assert_eq!(
        env.count(
            "SELECT count(DISTINCT document_id) FROM files
             WHERE path LIKE '%/valley/0.txt' OR path LIKE '%/valley/copy-of-0.txt'"
        ),
        1
    );
    assert_eq!(bodies_with_promo(&env), 0);
    assert_intact(&env.db());
}

/// A document whose last file read in the follow-up run is a byte copy of one read before it (the
/// copy needs no cleaning) still takes the site's version: it used to stay stale, its files read
/// and cleaned again by every later run, and its `site_version` NULL.
#[test]
fn a_document_read_again_ends_current_when_its_last_file_is_a_copy() {
    let env = Env::new();
    for n in 0..6 {
        env.write(&format!("valley/{n}.txt"), article("valley.example", n));
    }
    // A page of the site without the learned line (cleaning it again changes nothing), in three
    // more files: a variant with other spacing (a different source of the same text), then two
    // byte copies after it in folder order.
    let first = article("valley.example", 7).replace(&format!("{PROMO}\n"), "");
    env.write("valley/7.txt", &first);
    env.write("valley/7a.txt", first.replace(" the ", "  the "));
    env.write("valley/7b.txt", &first);
    env.write("valley/7c.txt", &first);
    let summary = env.ingest(0);
    assert_eq!(summary["sites_learned"], 1, "{summary}");
    let stale = "SELECT count(*) FROM sites s JOIN documents d ON d.domain = s.domain
                 WHERE d.retired_run_id IS NULL AND d.site_version IS NOT s.version";
    assert_eq!(env.count(stale), 0);
    assert_eq!(bodies_with_promo(&env), 0);
}

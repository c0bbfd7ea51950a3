//! Site-level learning: a line that recurs across a domain's documents, and that no built-in rule
//! names, is learned and removed, in the same `ingest` and in `clean`; other sites keep it.

use crate::util::{assert_intact, stdout, Env};
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
    let follow_up = &summary["follow_up"];
    assert_eq!(follow_up["changed"], 6, "{summary}");
    assert_eq!(follow_up["sites_learned"], 0, "{summary}");
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

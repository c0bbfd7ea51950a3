//! Near-duplicates: measured precision and recall on a generated corpus, clusters kept right across
//! re-ingestion, search collapsing a story's versions, and `newsdb dups`.

#[path = "../../examples/common/stories.rs"]
mod stories;
#[path = "../../examples/common/vocab.rs"]
mod vocab;

use crate::util::{stdout, Env};
use newsdb_core::minhash::{jaccard, shingles};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

const THRESHOLD: f64 = 0.8;

/// Live documents' ids and bodies.
fn bodies(env: &Env) -> Vec<(i64, String)> {
    let conn = env.conn();
    let mut stmt = conn
        .prepare("SELECT id, body FROM documents WHERE retired_run_id IS NULL ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Live documents grouped by cluster_id, as sets of ids.
fn clusters(env: &Env) -> BTreeSet<BTreeSet<i64>> {
    let conn = env.conn();
    let mut stmt = conn
        .prepare("SELECT id, cluster_id FROM documents WHERE retired_run_id IS NULL")
        .unwrap();
    let mut by_cluster: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
    {
        let (id, cluster) = row.unwrap();
        by_cluster.entry(cluster).or_default().insert(id);
    }
    by_cluster.into_values().collect()
}

/// The cluster_id of the live document holding file `name`.
fn cluster_of(env: &Env, name: &str) -> i64 {
    env.conn()
        .query_row(
            "SELECT d.cluster_id FROM files f JOIN documents d ON d.id = f.document_id
             WHERE f.path LIKE '%/' || ?1 AND f.status IN ('ingested', 'duplicate')",
            [name],
            |r| r.get(0),
        )
        .unwrap()
}

fn document_of(env: &Env, name: &str) -> i64 {
    env.conn()
        .query_row(
            "SELECT document_id FROM files WHERE path LIKE '%/' || ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
}

/// Connected groups of `ids` joined by `pairs` (union-find).
fn components(ids: &[i64], pairs: &BTreeSet<(i64, i64)>) -> BTreeSet<BTreeSet<i64>> {
    let mut parent: HashMap<i64, i64> = ids.iter().map(|&i| (i, i)).collect();
    fn root(parent: &mut HashMap<i64, i64>, i: i64) -> i64 {
        let p = parent[&i];
        if p == i {
            return i;
        }
        let r = root(parent, p);
        parent.insert(i, r);
        r
    }
    for &(a, b) in pairs {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        parent.insert(ra, rb);
    }
    let mut groups: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for &i in ids {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().insert(i);
    }
    groups.into_values().collect()
}

/// The measurement the README quotes: every pair of documents of a generated corpus is compared
/// exactly (the truth: 5-word-shingle Jaccard similarity ≥ 0.8); newsdb's pairs come from its LSH
/// buckets. Precision and recall of its pairs, and whether any two different stories (same topic, same
/// names) ended up in one cluster.
#[test]
fn near_duplicate_precision_and_recall() {
    let env = Env::new();
    let files = stories::corpus(7, 12, 12);
    for f in &files {
        env.write(&f.name, &f.text);
    }
    env.ingest(0);
    let docs = bodies(&env);
    let shingled: Vec<(i64, Vec<u64>)> = docs.iter().map(|(id, b)| (*id, shingles(b))).collect();

    // Which story each document is a version of.
    let story_of: HashMap<i64, usize> = files
        .iter()
        .map(|f| (document_of(&env, &f.name), f.story))
        .collect();

    let mut truth = BTreeSet::new();
    let mut histogram = [0usize; 10];
    let mut max_unrelated: f64 = 0.0;
    for (i, (a, sa)) in shingled.iter().enumerate() {
        for (b, sb) in &shingled[i + 1..] {
            let s = jaccard(sa, sb);
            if story_of[a] == story_of[b] {
                histogram[((s * 10.0) as usize).min(9)] += 1;
            } else {
                max_unrelated = max_unrelated.max(s);
            }
            if s >= THRESHOLD {
                truth.insert((*a, *b));
            }
        }
    }
    let found: BTreeSet<(i64, i64)> = {
        let conn = env.conn();
        let mut stmt = conn
            .prepare("SELECT a, b FROM near_duplicates WHERE similarity >= ?1")
            .unwrap();
        stmt.query_map([THRESHOLD], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let hits = found.intersection(&truth).count();
    let precision = hits as f64 / found.len().max(1) as f64;
    let recall = hits as f64 / truth.len().max(1) as f64;

    let groups = clusters(&env);
    let merged_stories = groups
        .iter()
        .filter(|g| {
            g.iter()
                .map(|id| story_of[id])
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .count();
    let versions_together: usize = groups.iter().filter(|g| g.len() > 1).map(|g| g.len()).sum();

    println!(
        "near-duplicates at threshold {THRESHOLD}: {} files, {} documents, {} stories in 12 topics",
        files.len(),
        docs.len(),
        files.iter().map(|f| f.story).collect::<BTreeSet<_>>().len()
    );
    println!("  versions of one story, by similarity (0.0-0.1 ... 0.9-1.0): {histogram:?}");
    println!("  most similar pair of different stories: {max_unrelated:.3}");
    println!(
        "  pairs >= {THRESHOLD}: {} true, {} found, {hits} right: precision {precision:.4}, recall {recall:.4}",
        truth.len(),
        found.len()
    );
    println!(
        "  clusters: {} of 2+ documents holding {versions_together}; clusters mixing stories: {merged_stories}",
        groups.iter().filter(|g| g.len() > 1).count()
    );

    assert!(truth.len() >= 100, "too few true pairs to measure");
    assert!(precision >= 0.99, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    assert_eq!(merged_stories, 0, "unrelated stories were merged");
    // Clusters are exactly the connected groups of the true pairs.
    let ids: Vec<i64> = docs.iter().map(|(id, _)| *id).collect();
    assert_eq!(groups, components(&ids, &truth));
}

/// Paragraphs of distinct made-up words: paragraph `i` is the same text in every document.
fn paragraph(i: usize) -> String {
    let words: Vec<String> = (0..40).map(|w| format!("p{i}w{w}")).collect();
    words.join(" ") + "."
}

fn article(title: &str, date: &str, site: &str, paragraphs: impl Iterator<Item = usize>) -> String {
    let mut text = format!("{title}\n{date}\nhttps://{site}/story\n");
    for i in paragraphs {
        text.push_str(&paragraph(i));
        text.push('\n');
    }
    text
}

#[test]
fn clusters_follow_changes_deletions_and_the_threshold() {
    let env = Env::new();
    // a ~ b (0.82), b ~ c (0.82), a and c apart (0.67): b is the bridge.
    env.write("a.txt", article("A", "20240103", "a.example", 0..20));
    env.write("b.txt", article("B", "20240102", "b.example", 2..22));
    env.write("c.txt", article("C", "20240105", "c.example", 4..24));
    env.write("other.txt", article("O", "20240101", "o.example", 100..120));
    env.ingest(0);
    let b = document_of(&env, "b.txt");
    // One cluster, represented by the earliest published: b.
    assert_eq!(cluster_of(&env, "a.txt"), b);
    assert_eq!(cluster_of(&env, "c.txt"), b);
    let other = document_of(&env, "other.txt");
    assert_eq!(cluster_of(&env, "other.txt"), other);

    // The bridge changes into another story: a and c fall apart, each alone.
    env.write("b.txt", article("B", "20240102", "b.example", 200..220));
    env.ingest(0);
    let a = document_of(&env, "a.txt");
    let c = document_of(&env, "c.txt");
    assert_eq!(cluster_of(&env, "a.txt"), a);
    assert_eq!(cluster_of(&env, "c.txt"), c);
    let old_b: i64 = env.count(&format!(
        "SELECT cluster_id FROM documents WHERE id = {b} AND retired_run_id IS NOT NULL"
    ));
    assert_eq!(old_b, b, "a retired document is alone");

    // The bridge comes back (same bytes: its old document is revived) and joins them again.
    env.write("b.txt", article("B", "20240102", "b.example", 2..22));
    env.ingest(0);
    assert_eq!(document_of(&env, "b.txt"), b);
    assert_eq!(cluster_of(&env, "a.txt"), b);
    assert_eq!(cluster_of(&env, "c.txt"), b);

    // A near copy of a and b added joins; the representative (and bridge) deleted: a and d stay
    // together, represented by a (Jan 3, earlier than d), and c is alone.
    env.write(
        "d.txt",
        article("D", "20240104", "d.example", (2..21).chain(300..301)),
    );
    env.ingest(0);
    assert_eq!(cluster_of(&env, "d.txt"), b);
    std::fs::remove_file(env.corpus().join("b.txt")).unwrap();
    env.ingest(0);
    assert_eq!(cluster_of(&env, "a.txt"), a);
    assert_eq!(cluster_of(&env, "d.txt"), a);
    assert_eq!(cluster_of(&env, "c.txt"), c);

    // A stricter threshold splits every cluster; it is remembered; the old one joins them again.
    env.ingest_with(&["--near-threshold", "0.95"], 0);
    assert_eq!(clusters(&env).iter().filter(|g| g.len() > 1).count(), 0);
    env.ingest(0);
    assert_eq!(clusters(&env).iter().filter(|g| g.len() > 1).count(), 0);
    let stored: f64 = env
        .conn()
        .query_row(
            "SELECT value FROM settings WHERE key = 'near_duplicate_threshold'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0.95);
    env.ingest_with(&["--near-threshold", "0.8"], 0);
    assert_eq!(cluster_of(&env, "d.txt"), a);
    crate::util::assert_intact(&env.db());
}

#[test]
fn detection_off_leaves_documents_to_check_for_the_next_run() {
    let env = Env::new();
    env.write("a.txt", article("A", "20240101", "a.example", 0..20));
    env.write("b.txt", article("B", "20240102", "b.example", 1..21));
    env.ingest_with(&["--no-near-duplicates"], 0);
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE cluster_id IS NULL"),
        2
    );
    assert_eq!(env.count("SELECT count(*) FROM minhash_buckets"), 0);
    // Unchanged files are not re-read, yet the run checks the stored documents.
    let summary = env.ingest(0);
    assert_eq!(summary["unchanged"], 2);
    let a = document_of(&env, "a.txt");
    assert_eq!(cluster_of(&env, "b.txt"), a);
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE cluster_id IS NULL"),
        0
    );
}

#[test]
fn search_shows_each_story_once_with_its_sources_and_dups_lists_it() {
    let env = Env::new();
    // One wire story on five sites (one of them twice), each with its own intro or cut.
    env.write(
        "wire1.txt",
        article("Wire story", "20240101", "one.example", 0..20),
    );
    env.write(
        "wire2.txt",
        article("Wire story", "20240101", "two.example", 0..20),
    );
    env.write(
        "wire3.txt",
        article(
            "Local take",
            "20240102",
            "three.example",
            (50..51).chain(0..20),
        ),
    );
    env.write(
        "wire4.txt",
        article("Wire story", "20240103", "four.example", 0..19),
    );
    env.write(
        "wire5.txt",
        article("Wire", "20240103", "five.example", (1..20).chain(51..52)),
    );
    env.write(
        "other.txt",
        article("Other", "20240101", "o.example", (100..119).chain(0..1)),
    );
    env.ingest(0);

    let query = paragraph(5).split(' ').nth(3).unwrap().to_owned();
    let hits: Value =
        serde_json::from_str(&stdout(&mut env.cmd(&["search", &query, "--json"]))).unwrap();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["cluster_size"], 4);
    assert_eq!(hits[0]["source_count"], 5);
    assert_eq!(hits[0]["id"], document_of(&env, "wire1.txt"));

    let all: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "search",
        &query,
        "--json",
        "--all-copies",
    ])))
    .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 4);

    // A word of paragraph 0 is in the other story too: two hits.
    let shared = paragraph(0).split(' ').nth(3).unwrap().to_owned();
    let text = stdout(&mut env.cmd(&["search", &shared]));
    assert!(text.contains("5 sources, 4 versions"), "{text}");
    // The cluster's best match gets its snippet though its near-copies are stepped over.
    for sort in ["rank", "date"] {
        let hits: Value = serde_json::from_str(&stdout(
            &mut env.cmd(&["search", &shared, "--json", "--sort", sort]),
        ))
        .unwrap();
        let hits = hits.as_array().unwrap();
        assert_eq!(hits.len(), 2, "{hits:?}");
        for hit in hits {
            let snippet = hit["snippet"].as_str().unwrap();
            assert!(
                snippet
                    .to_lowercase()
                    .contains(&format!("**{}**", shared.to_lowercase())),
                "{sort}: {snippet}"
            );
        }
    }

    let dups: Value = serde_json::from_str(&stdout(&mut env.cmd(&["dups", "--json"]))).unwrap();
    let dups = dups.as_array().unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0]["cluster_size"], 4);
    assert_eq!(dups[0]["source_count"], 5);
    let members = dups[0]["members"].as_array().unwrap();
    assert_eq!(members[0]["id"], dups[0]["cluster_id"]);
    assert_eq!(members[0]["sources"].as_array().unwrap().len(), 2);
    assert!(members[1]["similarity"].as_f64().unwrap() >= THRESHOLD);
    let text = stdout(&mut env.cmd(&["dups"]));
    assert!(text.contains("4 documents, 5 sources"), "{text}");
}

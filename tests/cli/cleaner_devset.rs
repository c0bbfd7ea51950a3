//! The cleaner's line-level precision and recall on the labelled development set (`tests/devset`,
//! format in its README), through the real binary: `newsdb clean --json` on each document.
//!
//! Precision is the share of removed lines that are boilerplate; recall, the share of boilerplate lines
//! removed. Run with `--nocapture` to see the figures and every mistake.

use crate::util::{stdout, Env};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Floors set from the measurement (README, "Cleaning"): a change that makes the cleaner worse on
/// the set fails here.
const PRECISION_FLOOR: f64 = 0.99;
const RECALL_FLOOR: f64 = 0.95;

/// One labelled document: the file the scraper wrote, and which of its lines are boilerplate.
struct Labelled {
    name: String,
    text: String,
    /// 1-based line numbers of `-` lines and of `+` lines.
    boilerplate: HashSet<usize>,
    article: HashSet<usize>,
}

fn load(path: &Path) -> Labelled {
    let raw = std::fs::read_to_string(path).unwrap();
    let (mut text, mut boilerplate, mut article) = (String::new(), HashSet::new(), HashSet::new());
    for (i, line) in raw.lines().enumerate() {
        let (label, rest) = if line.is_empty() {
            ("", "")
        } else {
            line.split_at(line.find(' ').unwrap_or(line.len()))
        };
        match label {
            "-" => boilerplate.insert(i + 1),
            "+" => article.insert(i + 1),
            "=" | "" => true,
            other => panic!("{}:{}: unknown label {other:?}", path.display(), i + 1),
        };
        text.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        text.push('\n');
    }
    Labelled {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        text,
        boilerplate,
        article,
    }
}

#[test]
fn cleaner_precision_and_recall() {
    let env = Env::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/devset");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 45,
        "the set has the 5 seeds and at least 40 more documents"
    );

    let (mut true_pos, mut false_pos, mut false_neg) = (0usize, 0usize, 0usize);
    let mut langs = BTreeMap::new();
    let mut mistakes = Vec::new();
    for path in &paths {
        let doc = load(path);
        let file = env.write(&doc.name, &doc.text);
        let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
            "clean",
            "--json",
            file.to_str().unwrap(),
        ])))
        .unwrap();
        *langs
            .entry(json["lang"].as_str().unwrap_or("?").to_owned())
            .or_insert(0) += 1;
        let removed: HashSet<usize> = json["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_u64().unwrap() as usize)
            .collect();
        let lines: Vec<&str> = doc.text.lines().collect();
        for &line in &removed {
            if doc.boilerplate.contains(&line) {
                true_pos += 1;
            } else {
                assert!(
                    doc.article.contains(&line),
                    "{}:{line}: a header or blank line was removed",
                    doc.name
                );
                false_pos += 1;
                mistakes.push(format!(
                    "{}:{line}: article removed: {}",
                    doc.name,
                    lines[line - 1]
                ));
            }
        }
        for &line in doc.boilerplate.difference(&removed) {
            false_neg += 1;
            mistakes.push(format!(
                "{}:{line}: boilerplate kept: {}",
                doc.name,
                lines[line - 1]
            ));
        }
    }
    mistakes.sort();
    for m in &mistakes {
        println!("{m}");
    }
    let precision = true_pos as f64 / (true_pos + false_pos) as f64;
    let recall = true_pos as f64 / (true_pos + false_neg) as f64;
    println!(
        "cleaner on the development set: {} documents ({langs:?}), {} boilerplate lines, {} removed; \
         precision {precision:.3}, recall {recall:.3}",
        paths.len(),
        true_pos + false_neg,
        true_pos + false_pos
    );
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {precision:.3} < {PRECISION_FLOOR}"
    );
    assert!(
        recall >= RECALL_FLOOR,
        "recall {recall:.3} < {RECALL_FLOOR}"
    );
}

//! The in-repository regression set (`tests/devset`): line precision and recall, and the floors its
//! end-to-end test holds the cleaner to.

use newsdb_core::clean::model::LineModel;
use newsdb_core::clean::SpanWeights;
use newsdb_core::{prepare, Cleaner};
use std::path::{Path, PathBuf};

/// The in-repository regression set (`tests/devset`) and the floors its end-to-end test holds the
/// cleaner to: weights that fail it are not candidates, whatever they score on the dev set.
pub const REGRESSION_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/devset");
pub const REGRESSION_FLOORS: (f64, f64) = (0.99, 0.95);

pub fn parse_weights(spec: &str) -> SpanWeights {
    let v: Vec<f64> = spec
        .split(',')
        .map(|x| x.parse().expect("a number"))
        .collect();
    assert_eq!(v.len(), 8, "eight weights");
    SpanWeights {
        good_floor: v[0],
        good_min: v[1],
        short: v[2],
        bad: v[3],
        named: v[4],
        named_anywhere: v[5],
        gap_lines: v[6] as usize,
        gap_cap: v[7],
    }
}

/// Line precision and recall on a labelled folder in the format of `tests/devset` (the regression
/// set the end-to-end test checks), with the given weights, and every mistake.
pub fn regress(dir: &Path, spec: &str) {
    let (p, r) = regression(dir, parse_weights(spec), true);
    println!("precision {p:.3}, recall {r:.3}");
}

/// Line precision and recall of the cleaner with `weights` on the labelled folder `dir`.
pub fn regression(dir: &Path, weights: SpanWeights, show: bool) -> (f64, f64) {
    regression_of(dir, &Cleaner::builtin().with_span(weights), show)
}

/// Line precision and recall of the cleaner with the shipped span and `model` on `dir`.
pub fn regression_with(dir: &Path, model: Option<LineModel>) -> (f64, f64) {
    regression_of(dir, &Cleaner::builtin().with_model(model), false)
}

pub fn regression_of(dir: &Path, cleaner: &Cleaner, show: bool) -> (f64, f64) {
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read_to_string(&path).unwrap();
        let mut text = String::new();
        let mut labels = Vec::new();
        for line in raw.lines() {
            let (label, rest) = line.split_at(line.find(' ').unwrap_or(line.len()));
            labels.push(label.to_owned());
            text.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            text.push('\n');
        }
        let removed: std::collections::HashSet<usize> = prepare(text.as_bytes(), cleaner, false)
            .map(|p| p.removed.iter().map(|r| r.line).collect())
            .unwrap_or_default();
        for (i, label) in labels.iter().enumerate() {
            let gone = removed.contains(&(i + 1));
            match (label.as_str(), gone) {
                ("-", true) => tp += 1,
                ("-", false) => {
                    fneg += 1;
                    if show {
                        println!("{}:{}: boilerplate kept", path.display(), i + 1);
                    }
                }
                ("+", true) => {
                    fp += 1;
                    if show {
                        println!("{}:{}: article removed", path.display(), i + 1);
                    }
                }
                _ => {}
            }
        }
    }
    (
        f64::from(tp) / f64::from(tp + fp),
        f64::from(tp) / f64::from(tp + fneg),
    )
}

//! The logistic line model: examples from the train pages, Newton's method, and the choice of a
//! threshold (or none) cross-validated by site.

use crate::folds::cross_validate;
use crate::pages::{bag, body, load, prf, Page};
use crate::regression::{regression_with, REGRESSION_FLOORS, REGRESSION_SET};
use newsdb_core::clean::features::{self, COUNT};
use newsdb_core::clean::model::LineModel;
use newsdb_core::{decode, header, normalize, Cleaner};
use rayon::prelude::*;
use std::path::Path;

/// One line the model judges, with its label: article when at least half of its tokens are in the
/// page's expected text.
pub struct Example {
    page: usize,
    x: [f64; COUNT],
    article: bool,
}

pub fn examples(pages: &[Page], cleaner: &Cleaner) -> Vec<Example> {
    pages
        .par_iter()
        .enumerate()
        .flat_map_iter(|(page, p)| {
            let Ok(decoded) = decode::decode(&p.naive) else {
                return Vec::new();
            };
            let lines = normalize::lines(&decoded.text);
            let start = header::parse_structured(&lines).map_or(0, |s| s.body_start);
            let body = &lines[start..];
            cleaner
                .model_inputs(body)
                .into_iter()
                .map(|(i, x)| {
                    let b = bag(&body[i]);
                    let n: u32 = b.values().sum();
                    let hit: u32 = b
                        .iter()
                        .map(|(t, c)| (*c).min(*p.truth.get(t).unwrap_or(&0)))
                        .sum();
                    Example {
                        page,
                        x,
                        article: n > 0 && hit * 2 >= n,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Logistic regression by Newton's method with a small L2 penalty. (Matrix code reads best with
/// indices.)
#[allow(clippy::needless_range_loop)]
pub fn logistic(examples: &[&Example]) -> [f64; COUNT] {
    let mut w = [0.0; COUNT];
    let lambda = 1e-2;
    for _ in 0..25 {
        let mut grad = [0.0; COUNT];
        let mut hess = [[0.0; COUNT]; COUNT];
        for e in examples {
            let z: f64 = w.iter().zip(&e.x).map(|(w, x)| w * x).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let y = f64::from(u8::from(e.article));
            let s = (p * (1.0 - p)).max(1e-9);
            for a in 0..COUNT {
                grad[a] += (p - y) * e.x[a];
                for b in 0..COUNT {
                    hess[a][b] += s * e.x[a] * e.x[b];
                }
            }
        }
        for a in 0..COUNT {
            grad[a] += lambda * w[a];
            hess[a][a] += lambda;
        }
        let step = solve(hess, grad);
        for a in 0..COUNT {
            w[a] -= step[a];
        }
    }
    w
}

/// Solves `m x = v` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)]
pub fn solve(mut m: [[f64; COUNT]; COUNT], mut v: [f64; COUNT]) -> [f64; COUNT] {
    for col in 0..COUNT {
        let pivot = (col..COUNT)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap();
        m.swap(col, pivot);
        v.swap(col, pivot);
        for row in col + 1..COUNT {
            let f = m[row][col] / m[col][col];
            for k in col..COUNT {
                m[row][k] -= f * m[col][k];
            }
            v[row] -= f * v[col];
        }
    }
    let mut x = [0.0; COUNT];
    for row in (0..COUNT).rev() {
        let s: f64 = (row + 1..COUNT).map(|k| m[row][k] * x[k]).sum();
        x[row] = (v[row] - s) / m[row][row];
    }
    x
}

/// Thresholds the model is tried with: a line goes when its probability is below.
pub const THRESHOLDS: [f64; 5] = [0.3, 0.4, 0.5, 0.6, 0.7];

/// Mean (P, R, F1) over `which` pages with the shipped span and `model`.
pub fn score_model(pages: &[Page], which: &[usize], model: Option<LineModel>) -> (f64, f64, f64) {
    let cleaner = Cleaner::builtin().with_model(model);
    let rows: Vec<(f64, f64, f64)> = which
        .par_iter()
        .map(|&i| prf(&pages[i], &body(&pages[i], &cleaner)))
        .collect();
    let n = rows.len().max(1) as f64;
    rows.iter().fold((0.0, 0.0, 0.0), |a, r| {
        (a.0 + r.0 / n, a.1 + r.1 / n, a.2 + r.2 / n)
    })
}

/// The model fitted on `fit` pages' lines, with the threshold (or none) that scores best on those
/// pages and keeps the regression set's floors.
pub fn fit_model(pages: &[Page], examples: &[Example], fit: &[usize]) -> (Option<LineModel>, f64) {
    let in_fit: std::collections::HashSet<usize> = fit.iter().copied().collect();
    let chosen: Vec<&Example> = examples
        .iter()
        .filter(|e| in_fit.contains(&e.page))
        .collect();
    let weights = logistic(&chosen);
    let mut best = (None, score_model(pages, fit, None).2);
    for threshold in THRESHOLDS {
        let model = Some(LineModel { weights, threshold });
        let (p, r) = regression_with(Path::new(REGRESSION_SET), model);
        if p < REGRESSION_FLOORS.0 || r < REGRESSION_FLOORS.1 {
            continue;
        }
        let f = score_model(pages, fit, model).2;
        if f > best.1 {
            best = (model, f);
        }
    }
    best
}

pub fn train(dir: &Path, out: Option<&Path>) {
    let pages = load(dir, true);
    assert!(pages.iter().all(|p| p.train));
    let examples = examples(&pages, &Cleaner::builtin().with_model(None));
    let articles = examples.iter().filter(|e| e.article).count();
    println!(
        "{} train pages, {} lines judged ({articles} article), 5 folds by site",
        pages.len(),
        examples.len()
    );
    let all: Vec<usize> = (0..pages.len()).collect();
    let none = score_model(&pages, &all, None);
    println!(
        "span only, all train pages: P {:.3} R {:.3} F1 {:.3}",
        none.0, none.1, none.2
    );
    cross_validate(&pages, out, |fit| {
        let (model, in_fit) = fit_model(&pages, &examples, fit);
        let what = format!(
            "threshold {:?} (F1 {in_fit:.3} on the other folds)",
            model.map(|m| m.threshold)
        );
        (Cleaner::builtin().with_model(model), what)
    });
    let (model, in_sample) = fit_model(&pages, &examples, &all);
    println!("fitted on all train pages (in-sample F1 {in_sample:.3}):");
    match model {
        None => println!("no threshold helps: ship no model"),
        Some(m) => {
            println!("pub const SHIPPED: Option<LineModel> = Some(LineModel {{\n    weights: [");
            for (w, name) in m.weights.iter().zip(features::NAMES) {
                println!("        {w:?}, // {name}");
            }
            println!("    ],\n    threshold: {:?},\n}});", m.threshold);
        }
    }
}

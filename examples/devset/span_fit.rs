//! Fitting the article span's weights: every weight set of a grid on every train page once, then
//! the choice by mean F1.

use crate::folds::cross_validate;
use crate::pages::{body, load, prf, Page};
use crate::regression::{parse_weights, regression, REGRESSION_FLOORS, REGRESSION_SET};
use newsdb_core::clean::SpanWeights;
use newsdb_core::Cleaner;
use rayon::prelude::*;
use std::path::Path;

/// Every combination of weights tried.
pub fn grid() -> Vec<SpanWeights> {
    let mut all = vec![SpanWeights::default()];
    for good_floor in [10.0, 15.0, 20.0] {
        for named in [40.0, 80.0] {
            for named_anywhere in [2.0, 5.0, 10.0, 40.0] {
                for (gap_lines, gap_cap) in [(0, 0.0), (1, 2.0), (2, 2.0), (2, 8.0), (3, 8.0)] {
                    all.push(SpanWeights {
                        good_floor,
                        good_min: 1.0,
                        short: 0.0,
                        bad: 0.0,
                        named,
                        named_anywhere,
                        gap_lines,
                        gap_cap,
                    });
                }
            }
        }
    }
    all
}

/// (P, R, F1) of every page (columns) under every weight set of `grid` (rows), computed once.
pub fn matrix(pages: &[Page], grid: &[SpanWeights]) -> Vec<Vec<(f64, f64, f64)>> {
    grid.par_iter()
        .map(|w| {
            let cleaner = Cleaner::builtin().with_span(*w);
            pages.iter().map(|p| prf(p, &body(p, &cleaner))).collect()
        })
        .collect()
}

/// Mean (P, R, F1) of row `row` of `m` over the pages `which` selects.
pub fn mean(m: &[Vec<(f64, f64, f64)>], row: usize, which: &[usize]) -> (f64, f64, f64) {
    let (mut p, mut r, mut f) = (0.0, 0.0, 0.0);
    for &i in which {
        let (pp, rr, ff) = m[row][i];
        (p, r, f) = (p + pp, r + rr, f + ff);
    }
    let n = which.len().max(1) as f64;
    (p / n, r / n, f / n)
}

/// The row with the best mean F1 over `which`.
pub fn choose(m: &[Vec<(f64, f64, f64)>], which: &[usize]) -> usize {
    (0..m.len())
        .max_by(|&a, &b| mean(m, a, which).2.total_cmp(&mean(m, b, which).2))
        .expect("a grid")
}

pub fn fit(dir: &Path, out: Option<&Path>) {
    let pages = load(dir, true);
    assert!(pages.iter().all(|p| p.train));
    let grid: Vec<SpanWeights> = grid()
        .into_iter()
        .filter(|w| {
            let (p, r) = regression(Path::new(REGRESSION_SET), *w, false);
            p >= REGRESSION_FLOORS.0 && r >= REGRESSION_FLOORS.1
        })
        .collect();
    println!(
        "{} train pages, 5 folds by site, {} weight sets",
        pages.len(),
        grid.len()
    );
    let m = matrix(&pages, &grid);
    let all: Vec<usize> = (0..pages.len()).collect();
    let d = mean(&m, 0, &all);
    println!(
        "default weights, all train pages: P {:.3} R {:.3} F1 {:.3}",
        d.0, d.1, d.2
    );
    cross_validate(&pages, out, |fitted| {
        let row = choose(&m, fitted);
        let what = format!(
            "{:?} (F1 {:.3} on the other folds)",
            grid[row],
            mean(&m, row, fitted).2
        );
        (Cleaner::builtin().with_span(grid[row]), what)
    });
    let row = choose(&m, &all);
    println!(
        "chosen on all train pages (in-sample F1 {:.3}): {:?}",
        mean(&m, row, &all).2,
        grid[row]
    );
}

/// Mean P, R, F1 of one set of weights on the train pages (in-sample: for comparing a few
/// alternatives by hand, never quoted as a result).
pub fn weigh(dir: &Path, spec: &str) {
    let w = parse_weights(spec);
    let pages = load(dir, true);
    let m = matrix(&pages, &[w]);
    let (p, r, f) = mean(&m, 0, &(0..pages.len()).collect::<Vec<_>>());
    println!("{w:?}: train pages P {p:.4} R {r:.4} F1 {f:.4}");
}

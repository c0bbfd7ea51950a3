//! Cross-validation by site: five folds, a site's pages always in one.

use crate::pages::{body, prf, Page};
use newsdb_core::Cleaner;
use rayon::prelude::*;
use std::path::Path;

/// Five folds by site over `pages`: for each, `choose` picks a cleaner from the other four folds'
/// pages (and says what it chose), which is scored on the fold's pages, and (with `out`) writes
/// their outputs there. Prints each fold and the mean over every held-out page.
pub fn cross_validate(
    pages: &[Page],
    out: Option<&Path>,
    mut choose: impl FnMut(&[usize]) -> (Cleaner, String),
) {
    if let Some(out) = out {
        std::fs::create_dir_all(out).unwrap();
    }
    let all: Vec<usize> = (0..pages.len()).collect();
    let (mut p, mut r, mut f) = (0.0, 0.0, 0.0);
    for fold in 0..5 {
        let (held, fitted): (Vec<usize>, Vec<usize>) =
            all.iter().partition(|&&i| fold_of(&pages[i].site) == fold);
        let (cleaner, what) = choose(&fitted);
        let outputs: Vec<String> = held
            .par_iter()
            .map(|&i| body(&pages[i], &cleaner))
            .collect();
        let (mut hp, mut hr, mut hf) = (0.0, 0.0, 0.0);
        for (&i, output) in held.iter().zip(&outputs) {
            let (pp, rr, ff) = prf(&pages[i], output);
            (hp, hr, hf) = (hp + pp, hr + rr, hf + ff);
            if let Some(out) = out {
                std::fs::write(out.join(format!("{}.txt", pages[i].id)), output).unwrap();
            }
        }
        let k = held.len().max(1) as f64;
        println!(
            "fold {fold}: {} held-out pages; chose {what}; held out: P {:.3} R {:.3} F1 {:.3}",
            held.len(),
            hp / k,
            hr / k,
            hf / k
        );
        (p, r, f) = (p + hp, r + hr, f + hf);
    }
    let n = pages.len() as f64;
    println!(
        "cross-validated (held-out pages of every fold): P {:.3} R {:.3} F1 {:.3}",
        p / n,
        r / n,
        f / n
    );
}

pub fn fold_of(site: &str) -> usize {
    // FNV-1a of the site: a fixed assignment, the same on every machine.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in site.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    (h % 5) as usize
}

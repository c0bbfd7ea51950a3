//! The cleaner on the real-page development set (`../shared/devset`, read at run time; nothing of it
//! is in the repository), called as a library: no process per page.
//!
//! ```sh
//! # every page's cleaned body into OUT (score it with the set's own scorer):
//! cargo run --release --example devset -- ../shared/devset clean OUT
//! python3 ../shared/devset/score.py OUT
//!
//! # fit the article span's weights on the "train": true pages only, 5 folds by site: prints each
//! # fold's choice and its score on the held-out fold, the cross-validated mean, and the weights
//! # chosen on all the train pages (what ships in `SpanWeights::default`). With OUT, also writes the
//! # held-out outputs of every fold there (score.py OUT then gives the cross-validated figures).
//! cargo run --release --example devset -- ../shared/devset fit [OUT]
//! ```
//!
//! The token F1 here follows `score.py` (NFKC, case-folded `\w+` runs, CJK characters one token
//! each, multiset intersection) closely enough to choose between weights; quote `score.py`'s figures.
//! Pages marked `"train": false` are never read by `fit`.

use newsdb_core::clean::features::{self, COUNT};
use newsdb_core::clean::model::LineModel;
use newsdb_core::clean::SpanWeights;
use newsdb_core::{decode, header, normalize};
use newsdb_core::{prepare, Cleaner};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

struct Page {
    id: String,
    train: bool,
    /// The page's site (host of its URL), or its id when it has no URL: the unit folds keep whole.
    site: String,
    naive: Vec<u8>,
    truth: HashMap<String, u32>,
    truth_tokens: u32,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: devset DEVSET_DIR (clean OUT | fit [OUT] | train [OUT] | blame | weigh WEIGHTS | regress WEIGHTS); WEIGHTS: FLOOR,MIN,SHORT,BAD,NAMED,NAMED_ANYWHERE,GAP_LINES,GAP_CAP";
    let dir = PathBuf::from(args.first().expect(usage));
    match args.get(1).map(String::as_str) {
        Some("clean") => clean(&dir, Path::new(args.get(2).expect(usage))),
        Some("fit") => fit(&dir, args.get(2).map(Path::new)),
        Some("weigh") => weigh(&dir, args.get(2).expect(usage)),
        Some("regress") => regress(&dir, args.get(2).expect(usage)),
        Some("train") => train(&dir, args.get(2).map(Path::new)),
        Some("blame") => blame(&dir),
        _ => panic!("{usage}"),
    }
}

fn load(dir: &Path, train_only: bool) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir.join("truth"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for path in names {
        let truth: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let train = truth["train"].as_bool().unwrap_or(false);
        if train_only && !train {
            continue;
        }
        let id = truth["id"].as_str().unwrap().to_owned();
        let site = truth["url"]
            .as_str()
            .and_then(url_host)
            .unwrap_or_else(|| id.clone());
        let body = truth["article_body"].as_str().unwrap_or("");
        let truth_bag = bag(body);
        pages.push(Page {
            naive: std::fs::read(dir.join("naive").join(format!("{id}.txt"))).unwrap(),
            truth_tokens: truth_bag.values().sum(),
            truth: truth_bag,
            id,
            train,
            site,
        });
    }
    pages
}

fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?.to_lowercase();
    Some(host.trim_start_matches("www.").to_owned())
}

fn is_split_char(c: char) -> bool {
    matches!(c as u32,
        0x0e00..=0x0eff | 0x1000..=0x109f | 0x1780..=0x17ff | 0x2e80..=0x2fdf | 0x3040..=0x30ff
        | 0x3100..=0x31bf | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff)
}

/// The bag of tokens of `text`, as `score.py` counts them.
fn bag(text: &str) -> HashMap<String, u32> {
    let folded: String = text.nfkc().flat_map(char::to_lowercase).collect();
    let mut bag = HashMap::new();
    let mut token = String::new();
    let flush = |token: &mut String, bag: &mut HashMap<String, u32>| {
        if !token.is_empty() {
            *bag.entry(std::mem::take(token)).or_insert(0) += 1;
        }
    };
    for c in folded.chars() {
        if is_split_char(c) {
            flush(&mut token, &mut bag);
            *bag.entry(c.to_string()).or_insert(0) += 1;
        } else if c.is_alphanumeric() || c == '_' {
            token.push(c);
        } else {
            flush(&mut token, &mut bag);
        }
    }
    flush(&mut token, &mut bag);
    bag
}

/// Token precision, recall and F1 of `output` against the page's truth.
fn prf(page: &Page, output: &str) -> (f64, f64, f64) {
    let out = bag(output);
    let n: u32 = out.values().sum();
    if n == 0 || page.truth_tokens == 0 {
        return (0.0, 0.0, 0.0);
    }
    let tp: u32 = out
        .iter()
        .map(|(t, c)| (*c).min(*page.truth.get(t).unwrap_or(&0)))
        .sum();
    if tp == 0 {
        return (0.0, 0.0, 0.0);
    }
    let (p, r) = (
        f64::from(tp) / f64::from(n),
        f64::from(tp) / f64::from(page.truth_tokens),
    );
    (p, r, 2.0 * p * r / (p + r))
}

fn body(page: &Page, cleaner: &Cleaner) -> String {
    prepare(&page.naive, cleaner, false)
        .map(|p| p.body)
        .unwrap_or_default()
}

fn clean(dir: &Path, out: &Path) {
    let pages = load(dir, false);
    std::fs::create_dir_all(out).unwrap();
    let cleaner = Cleaner::builtin();
    for page in &pages {
        std::fs::write(out.join(format!("{}.txt", page.id)), body(page, &cleaner)).unwrap();
    }
    println!("{} pages cleaned into {}", pages.len(), out.display());
}

fn parse_weights(spec: &str) -> SpanWeights {
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

/// Mean P, R, F1 of one set of weights on the train pages (in-sample: for comparing a few
/// alternatives by hand, never quoted as a result).
fn weigh(dir: &Path, spec: &str) {
    let w = parse_weights(spec);
    let pages = load(dir, true);
    let m = matrix(&pages, &[w]);
    let (p, r, f) = mean(&m, 0, &(0..pages.len()).collect::<Vec<_>>());
    println!("{w:?}: train pages P {p:.4} R {r:.4} F1 {f:.4}");
}

/// Line precision and recall on a labelled folder in the format of `tests/devset` (the regression
/// set the end-to-end test checks), with the given weights, and every mistake.
fn regress(dir: &Path, spec: &str) {
    let (p, r) = regression(dir, parse_weights(spec), true);
    println!("precision {p:.3}, recall {r:.3}");
}

/// Line precision and recall of the cleaner with `weights` on the labelled folder `dir`.
fn regression(dir: &Path, weights: SpanWeights, show: bool) -> (f64, f64) {
    regression_of(dir, &Cleaner::builtin().with_span(weights), show)
}

/// Line precision and recall of the cleaner with the shipped span and `model` on `dir`.
fn regression_with(dir: &Path, model: Option<LineModel>) -> (f64, f64) {
    regression_of(dir, &Cleaner::builtin().with_model(model), false)
}

fn regression_of(dir: &Path, cleaner: &Cleaner, show: bool) -> (f64, f64) {
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

/// Every combination of weights tried.
fn grid() -> Vec<SpanWeights> {
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

/// The in-repository regression set (`tests/devset`) and the floors its end-to-end test holds the
/// cleaner to: weights that fail it are not candidates, whatever they score on the dev set.
const REGRESSION_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/devset");
const REGRESSION_FLOORS: (f64, f64) = (0.99, 0.95);

/// (P, R, F1) of every page (columns) under every weight set of `grid` (rows), computed once.
fn matrix(pages: &[Page], grid: &[SpanWeights]) -> Vec<Vec<(f64, f64, f64)>> {
    grid.par_iter()
        .map(|w| {
            let cleaner = Cleaner::builtin().with_span(*w);
            pages.iter().map(|p| prf(p, &body(p, &cleaner))).collect()
        })
        .collect()
}

/// Mean (P, R, F1) of row `row` of `m` over the pages `which` selects.
fn mean(m: &[Vec<(f64, f64, f64)>], row: usize, which: &[usize]) -> (f64, f64, f64) {
    let (mut p, mut r, mut f) = (0.0, 0.0, 0.0);
    for &i in which {
        let (pp, rr, ff) = m[row][i];
        (p, r, f) = (p + pp, r + rr, f + ff);
    }
    let n = which.len().max(1) as f64;
    (p / n, r / n, f / n)
}

/// The row with the best mean F1 over `which`.
fn choose(m: &[Vec<(f64, f64, f64)>], which: &[usize]) -> usize {
    (0..m.len())
        .max_by(|&a, &b| mean(m, a, which).2.total_cmp(&mean(m, b, which).2))
        .expect("a grid")
}

/// Five folds by site over `pages`: for each, `choose` picks a cleaner from the other four folds'
/// pages (and says what it chose), which is scored on the fold's pages, and (with `out`) writes
/// their outputs there. Prints each fold and the mean over every held-out page.
fn cross_validate(
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

fn fold_of(site: &str) -> usize {
    // FNV-1a of the site: a fixed assignment, the same on every machine.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in site.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
    }
    (h % 5) as usize
}

fn fit(dir: &Path, out: Option<&Path>) {
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

/// One line the model judges, with its label: article when at least half of its tokens are in the
/// page's expected text.
struct Example {
    page: usize,
    x: [f64; COUNT],
    article: bool,
}

fn examples(pages: &[Page], cleaner: &Cleaner) -> Vec<Example> {
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
fn logistic(examples: &[&Example]) -> [f64; COUNT] {
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
fn solve(mut m: [[f64; COUNT]; COUNT], mut v: [f64; COUNT]) -> [f64; COUNT] {
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
const THRESHOLDS: [f64; 5] = [0.3, 0.4, 0.5, 0.6, 0.7];

/// Mean (P, R, F1) over `which` pages with the shipped span and `model`.
fn score_model(pages: &[Page], which: &[usize], model: Option<LineModel>) -> (f64, f64, f64) {
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
fn fit_model(pages: &[Page], examples: &[Example], fit: &[usize]) -> (Option<LineModel>, f64) {
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

fn train(dir: &Path, out: Option<&Path>) {
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

/// Where the shipped cleaner goes wrong on the train pages: the expected tokens missing from the
/// output, put down to the rule of the first removed line that holds them; and the output's tokens
/// beyond the expected text, put down to where the kept line sits (inside the core or not is not
/// known here: by its position among the kept lines, first and last five, or between).
fn blame(dir: &Path) {
    let pages = load(dir, true);
    let cleaner = Cleaner::builtin();
    let mut lost: HashMap<String, u32> = HashMap::new();
    let mut extra: HashMap<&str, u32> = HashMap::new();
    for p in &pages {
        let Ok(doc) = prepare(&p.naive, &cleaner, false) else {
            continue;
        };
        let out = bag(&doc.body);
        let mut missing: HashMap<String, u32> = p
            .truth
            .iter()
            .filter_map(|(t, c)| {
                let m = c.saturating_sub(*out.get(t).unwrap_or(&0));
                (m > 0).then(|| (t.clone(), m))
            })
            .collect();
        for r in &doc.removed {
            for (t, c) in bag(&r.text) {
                if let Some(m) = missing.get_mut(&t) {
                    let take = (*m).min(c);
                    *m -= take;
                    *lost.entry(r.rule.to_string()).or_insert(0) += take;
                }
            }
        }
        let mut over: HashMap<String, u32> = out
            .iter()
            .filter_map(|(t, c)| {
                let m = c.saturating_sub(*p.truth.get(t).unwrap_or(&0));
                (m > 0).then(|| (t.clone(), m))
            })
            .collect();
        let kept: Vec<&str> = doc.body.lines().filter(|l| !l.trim().is_empty()).collect();
        for (k, line) in kept.iter().enumerate().rev() {
            let place = if k < 5 {
                "first five kept lines"
            } else if k + 5 >= kept.len() {
                "last five kept lines"
            } else {
                "between"
            };
            for (t, c) in bag(line) {
                if let Some(m) = over.get_mut(&t) {
                    let take = (*m).min(c);
                    *m -= take;
                    *extra.entry(place).or_insert(0) += take;
                }
            }
        }
    }
    let mut lost: Vec<_> = lost.into_iter().collect();
    lost.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!("expected tokens missing, by the rule that removed them:");
    for (rule, n) in lost.iter().take(15) {
        println!("  {n:>8}  {rule}");
    }
    println!("tokens kept beyond the expected text, by place: {extra:?}");
}

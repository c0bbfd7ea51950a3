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
//!
//! # which rules help on extracted text: the train pages' HTML extracted once, then cleaned with
//! # the built-in rules and without each rule that fires there (mean F1 difference per rule)
//! cargo run --release --example devset -- ../shared/devset ablate-html
//! ```
//!
//! The token F1 here follows `score.py` (NFKC, case-folded `\w+` runs, CJK characters one token
//! each, multiset intersection) closely enough to choose between weights; quote `score.py`'s figures.
//! Pages marked `"train": false` are never read by `fit`.

mod blame;
#[path = "../common/devset_html.rs"]
#[allow(dead_code)] // `ids` serves extract_alone
mod devset_html;
mod folds;
mod html_rules;
mod pages;
mod regression;
mod span_fit;
mod train;

use newsdb_core::Cleaner;
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: devset DEVSET_DIR (clean OUT | fit [OUT] | train [OUT] | blame | blame-html | ablate-html | weigh WEIGHTS | regress WEIGHTS); WEIGHTS: FLOOR,MIN,SHORT,BAD,NAMED,NAMED_ANYWHERE,GAP_LINES,GAP_CAP";
    let dir = PathBuf::from(args.first().expect(usage));
    match args.get(1).map(String::as_str) {
        Some("clean") => clean(&dir, Path::new(args.get(2).expect(usage))),
        Some("fit") => span_fit::fit(&dir, args.get(2).map(Path::new)),
        Some("weigh") => span_fit::weigh(&dir, args.get(2).expect(usage)),
        Some("regress") => regression::regress(&dir, args.get(2).expect(usage)),
        Some("train") => train::train(&dir, args.get(2).map(Path::new)),
        Some("blame") => blame::blame(&dir, false),
        Some("blame-html") => blame::blame(&dir, true),
        Some("ablate-html") => html_rules::ablate(&dir),
        _ => panic!("{usage}"),
    }
}

fn clean(dir: &Path, out: &Path) {
    let pages = pages::load(dir, false);
    std::fs::create_dir_all(out).unwrap();
    let cleaner = Cleaner::builtin();
    for page in &pages {
        std::fs::write(
            out.join(format!("{}.txt", page.id)),
            pages::body(page, &cleaner),
        )
        .unwrap();
    }
    println!("{} pages cleaned into {}", pages.len(), out.display());
}

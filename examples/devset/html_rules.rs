//! Which of the cleaner's rules help on extracted article text: the train pages' HTML, extracted
//! once, then cleaned by the built-in cleaner and by each variant without one rule that fires there.

use crate::pages::{load, prf, Page};
use newsdb_core::clean::Source;
use newsdb_core::{extract, header, Cleaner};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// One page's extraction: what the cleaner is given.
pub struct Extracted {
    pub page: usize,
    pub lines: Vec<String>,
    pub title: Option<String>,
    pub domain: Option<String>,
    pub source: Source,
}

pub fn extract_pages(dir: &Path, pages: &[Page]) -> Vec<Extracted> {
    (0..pages.len())
        .into_par_iter()
        .filter_map(|i| {
            let bytes = crate::devset_html::page(dir, &pages[i].id)?;
            let decoded = newsdb_core::decode::decode(&bytes).ok()?;
            let page = extract::extract(&decoded.text).ok()?;
            Some(Extracted {
                page: i,
                domain: page.header.url.as_deref().and_then(header::domain),
                title: page.header.title.clone(),
                source: if page.extractor == extract::article::WHOLE_PAGE {
                    Source::Dump
                } else {
                    Source::Extracted
                },
                lines: page.lines,
            })
        })
        .collect()
}

/// The kept lines, as `prepare` assembles them (its later stages change no token), and the rules
/// of the removed lines.
pub fn body(e: &Extracted, cleaner: &Cleaner) -> (String, Vec<String>) {
    let mut cleaned = cleaner.clean_from(e.source, &e.lines, 1, e.domain.as_deref());
    if let Some(title) = &e.title {
        cleaned.drop_repeated_headline(&e.lines, 1, title);
    }
    let body: Vec<&str> = e
        .lines
        .iter()
        .zip(&cleaned.keep)
        .filter(|(_, k)| **k)
        .map(|(l, _)| l.as_str())
        .collect();
    let rules = cleaned.removed.iter().map(|r| r.rule.to_string()).collect();
    (body.join("\n"), rules)
}

pub fn mean_f1(pages: &[Page], extracted: &[Extracted], which: &[usize], cleaner: &Cleaner) -> f64 {
    let sum: f64 = which
        .par_iter()
        .map(|&k| prf(&pages[extracted[k].page], &body(&extracted[k], cleaner).0).2)
        .sum();
    sum / which.len().max(1) as f64
}

pub fn ablate(dir: &Path) {
    let pages = load(dir, true);
    let extracted = extract_pages(dir, &pages);
    let all: Vec<usize> = (0..extracted.len()).collect();
    let base = Cleaner::builtin();
    let mut fired: HashMap<String, usize> = HashMap::new();
    for e in &extracted {
        for r in body(e, &base).1 {
            *fired.entry(r).or_insert(0) += 1;
        }
    }
    let alone: f64 = extracted
        .iter()
        .map(|e| prf(&pages[e.page], &e.lines.join("\n")).2)
        .sum::<f64>()
        / extracted.len() as f64;
    let base_f1 = mean_f1(&pages, &extracted, &all, &base);
    println!(
        "{} train pages with HTML; extraction alone F1 {alone:.4}; with the cleaner {base_f1:.4}",
        extracted.len(),
    );
    let mut fired: Vec<_> = fired.into_iter().collect();
    fired.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (rule, n) in fired {
        let rules: Vec<_> = base
            .rules()
            .iter()
            .filter(|r| r.name != rule)
            .cloned()
            .collect();
        if rules.len() == base.rules().len() {
            println!("{n:>6} {rule:<28} (the engine's, not a rule)");
            continue;
        }
        let without = Cleaner::new(rules).unwrap();
        let f = mean_f1(&pages, &extracted, &all, &without);
        println!("{n:>6} {rule:<28} without it: {:+.4}", f - base_f1);
    }
}

//! Where the shipped cleaner goes wrong on the train pages.

use crate::pages::{bag, load};
use newsdb_core::{prepare_named, Cleaner, Named};
use std::collections::HashMap;
use std::path::Path;

/// Where the shipped cleaner goes wrong on the train pages: the expected tokens missing from the
/// output, put down to the rule of the first removed line that holds them; and the output's tokens
/// beyond the expected text, put down to where the kept line sits (inside the core or not is not
/// known here: by its position among the kept lines, first and last five, or between).
///
/// With `html`, the pages that have their HTML, from it (extraction, then the cleaner).
pub fn blame(dir: &Path, html: bool) {
    let pages = load(dir, true);
    let cleaner = Cleaner::builtin();
    let mut lost: HashMap<String, u32> = HashMap::new();
    let mut extra: HashMap<&str, u32> = HashMap::new();
    for p in &pages {
        let bytes = if html {
            match crate::devset_html::page(dir, &p.id) {
                Some(bytes) => bytes,
                None => continue,
            }
        } else {
            p.naive.clone()
        };
        let named = if html { Named::Page } else { Named::Other };
        let Ok(doc) = prepare_named(&bytes, named, &cleaner, false) else {
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

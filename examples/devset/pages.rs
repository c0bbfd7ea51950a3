//! The dev set's pages, and the token precision, recall and F1 of an output against a page's
//! expected text, as `score.py` counts them.

use newsdb_core::{prepare, Cleaner};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

pub struct Page {
    pub id: String,
    pub train: bool,
    /// The page's site (host of its URL), or its id when it has no URL: the unit folds keep whole.
    pub site: String,
    pub naive: Vec<u8>,
    pub truth: HashMap<String, u32>,
    pub truth_tokens: u32,
}

pub fn load(dir: &Path, train_only: bool) -> Vec<Page> {
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

pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?.to_lowercase();
    Some(host.trim_start_matches("www.").to_owned())
}

pub fn is_split_char(c: char) -> bool {
    matches!(c as u32,
        0x0e00..=0x0eff | 0x1000..=0x109f | 0x1780..=0x17ff | 0x2e80..=0x2fdf | 0x3040..=0x30ff
        | 0x3100..=0x31bf | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff)
}

/// The bag of tokens of `text`, as `score.py` counts them.
pub fn bag(text: &str) -> HashMap<String, u32> {
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
pub fn prf(page: &Page, output: &str) -> (f64, f64, f64) {
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

pub fn body(page: &Page, cleaner: &Cleaner) -> String {
    prepare(&page.naive, cleaner, false)
        .map(|p| p.body)
        .unwrap_or_default()
}

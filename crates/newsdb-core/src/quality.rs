//! Stage: cleaned body → document-level quality signals, stored as columns for users to filter on.
//!
//! The signals are those corpus pipelines use to drop pages (Gopher's rules, C4's): they are measured
//! and stored, never used to delete. A journalist's corpus has short briefs and tables that such rules
//! would throw away; the user decides in SQL.

use crate::clean::lang;
use std::hash::Hasher;

/// Signals of one cleaned body (see `migrations/0004_quality_and_sites.sql` for their meaning).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quality {
    pub stopword_ratio: Option<f64>,
    pub alpha_ratio: f64,
    pub repetition: f64,
    pub boilerplate_ratio: f64,
}

/// Measures `body`, in language `lang`; `removed_chars` of the source's `source_chars` non-blank
/// characters were removed by the cleaner. Also gives the body's whitespace-separated words (the
/// document's `word_count`), counted in the same pass over it.
pub fn measure(
    body: &str,
    lang: Option<whatlang::Lang>,
    removed_chars: usize,
    source_chars: usize,
) -> (Quality, usize) {
    let stopwords = lang.and_then(lang::stopwords);
    let unspaced = lang.is_some_and(|l| {
        matches!(
            l,
            whatlang::Lang::Cmn | whatlang::Lang::Jpn | whatlang::Lang::Tha | whatlang::Lang::Khm
        )
    });
    let (mut tokens, mut words, mut alpha, mut stop) = (0usize, 0usize, 0usize, 0usize);
    let mut lower = String::new();
    // Hashes of the word 3-grams, sorted at the end to count repeats: cheaper than a hash set.
    let mut grams: Vec<u64> = Vec::with_capacity(body.len() / 6);
    let mut last = [0u64; 2];
    for token in body.split_whitespace() {
        tokens += 1;
        // The token's letters and digits, lower-cased, in one pass (ASCII without case tables).
        lower.clear();
        let mut has_alpha = false;
        if token.is_ascii() {
            for b in token.bytes().filter(u8::is_ascii_alphanumeric) {
                has_alpha |= b.is_ascii_alphabetic();
                lower.push(char::from(b.to_ascii_lowercase()));
            }
        } else {
            for c in token.chars().filter(|c| c.is_alphanumeric()) {
                has_alpha |= c.is_alphabetic();
                lower.extend(c.to_lowercase());
            }
        }
        if lower.is_empty() {
            continue;
        }
        words += 1;
        alpha += usize::from(has_alpha);
        if let Some(list) = stopwords {
            stop += usize::from(list.contains(lower.as_str()));
        }
        let h = fnv1a(lower.as_bytes());
        if words >= 3 {
            grams.push(last[0].rotate_left(42) ^ last[1].rotate_left(21) ^ h);
        }
        last = [last[1], h];
    }
    grams.sort_unstable();
    // Each 3-gram equal to the one before it in sorted order occurred earlier in the text.
    let repeated = grams.windows(2).filter(|w| w[0] == w[1]).count();
    let ratio = |n: usize, d: usize| {
        if d == 0 {
            0.0
        } else {
            round(n as f64 / d as f64)
        }
    };
    let quality = Quality {
        stopword_ratio: stopwords.filter(|_| !unspaced).map(|_| ratio(stop, words)),
        alpha_ratio: ratio(alpha, words),
        repetition: ratio(repeated, grams.len()),
        boilerplate_ratio: ratio(removed_chars, source_chars),
    };
    (quality, tokens)
}

/// Four decimals: enough to filter on, short to read.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = fnv::FnvHasher::default();
    h.write(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatlang::Lang;

    #[test]
    fn prose_and_spam_differ() {
        let prose =
            "The council voted on Tuesday to close the library, which has stood in the town \
                     for almost a century, and to move its books to the leisure centre.";
        let (q, words) = measure(prose, Some(Lang::Eng), 50, 200);
        assert_eq!(words, prose.split_whitespace().count());
        assert!(q.stopword_ratio.unwrap() > 0.3, "{q:?}");
        assert_eq!(q.alpha_ratio, 1.0);
        assert_eq!(q.repetition, 0.0);
        assert_eq!(q.boilerplate_ratio, 0.25);

        let spam = "buy cheap pills now buy cheap pills now buy cheap pills now 2024 2025";
        let (q, _) = measure(spam, Some(Lang::Eng), 0, 10);
        assert!(q.repetition >= 0.5, "{q:?}");
        assert!(q.alpha_ratio < 1.0);
        assert_eq!(
            measure("文章", Some(Lang::Cmn), 0, 2).0.stopword_ratio,
            None
        );
        // Words without a letter or digit count as words of the body, not in the ratios.
        assert_eq!(measure("a — b … 2024", Some(Lang::Eng), 0, 2).1, 5);
    }
}

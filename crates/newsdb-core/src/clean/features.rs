//! Measurement for the line model: numbers that describe a line and its neighbourhood inside the
//! article's core. Only measurement: what to do with them is [`super::model`]'s decision.

use super::classify::{Class, Core, Line};

/// How many numbers describe a line.
pub const COUNT: usize = 16;

/// What each number is, in order (the trainer prints weights with these names).
pub const NAMES: [&str; COUNT] = [
    "bias",
    "ln_size",
    "sentence_end",
    "good",
    "short",
    "prev_good",
    "next_good",
    "ln_prev_size",
    "ln_next_size",
    "position_in_core",
    "ln_edge_distance",
    "digit_share",
    "starts_upper",
    "title_case_share",
    "separators",
    "good_share_around",
];

/// The numbers of line `i` of `lines` (texts `texts`), inside `core`.
pub fn of(i: usize, lines: &[Line], texts: &[String], core: &Core) -> [f64; COUNT] {
    let line = &lines[i];
    let text = texts[i].as_str();
    let good = |l: &Line| !l.blank && !l.named && l.features.class() == Class::Good;
    let prev = (0..i).rev().find(|&j| !lines[j].blank);
    let next = (i + 1..lines.len()).find(|&j| !lines[j].blank);
    let size = |j: Option<usize>| j.map_or(0.0, |j| (lines[j].features.size() as f64).ln_1p());
    let span = (core.end - core.start + 1) as f64;
    let window = i.saturating_sub(3)..(i + 4).min(lines.len());
    let around: Vec<&Line> = lines[window].iter().filter(|l| !l.blank).collect();
    let (mut chars, mut digits) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        chars += 1;
        digits += usize::from(c.is_numeric());
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    [
        1.0,
        (line.features.size() as f64).ln_1p(),
        f64::from(u8::from(line.features.sentence_end)),
        f64::from(u8::from(line.features.class() == Class::Good)),
        f64::from(u8::from(line.features.class() == Class::Short)),
        f64::from(u8::from(prev.is_some_and(|j| good(&lines[j])))),
        f64::from(u8::from(next.is_some_and(|j| good(&lines[j])))),
        size(prev),
        size(next),
        (i.saturating_sub(core.start)) as f64 / span,
        (i.saturating_sub(core.start).min(core.end.saturating_sub(i)) as f64).ln_1p(),
        digits as f64 / chars.max(1) as f64,
        f64::from(u8::from(
            text.chars().next().is_some_and(char::is_uppercase),
        )),
        capitalised as f64 / words.len().max(1) as f64,
        f64::from(u8::from(text.contains(['|', '·', '•', '»', '›']))),
        around.iter().filter(|l| good(l)).count() as f64 / around.len().max(1) as f64,
    ]
}

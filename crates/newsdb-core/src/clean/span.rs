//! The article's span: the run of lines that is most article-like as a whole.
//!
//! Each line adds to or takes from the span by what it looks like ([`Class`]): a paragraph of prose
//! adds its size beyond a floor (so a one-sentence teaser adds little and a 60-word paragraph much);
//! a short line (a heading, a caption) takes a little; a bad line (a menu item, a date, a tag list)
//! and a line a rule names take more. The span is the contiguous run of lines with the largest sum
//! (Kadane's algorithm): one prose-like line among menus far from the article no longer stretches
//! the article over everything between, as a first-to-last-good-line core did, because the menus in
//! between cost more than the stray line brings.

use super::classify::{Class, Line};

/// What each kind of line adds to or takes from a span. Fitted on the dev set's trainable pages
/// (`examples/devset`, cross-validated by site); see the README's cleaning section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanWeights {
    /// A good line adds its size (words, or characters in scripts without spaces) minus this, and at
    /// least `good_min` (the lines of a hard-wrapped paragraph share the paragraph's).
    pub good_floor: f64,
    pub good_min: f64,
    /// A short line takes this.
    pub short: f64,
    /// A bad line takes this.
    pub bad: f64,
    /// A line a rule names takes this; `named_anywhere` if the rule fires anywhere.
    pub named: f64,
    pub named_anywhere: f64,
    /// A gap of at most this many non-blank lines between two good lines (a caption and its credit,
    /// an "Advertisement", a mid-article link) takes at most `gap_cap` in all: a short break inside
    /// the article is not where it ends.
    pub gap_lines: usize,
    pub gap_cap: f64,
}

impl Default for SpanWeights {
    fn default() -> Self {
        // Chosen by `examples/devset` (`fit`) on all 1,058 trainable pages (cross-validated by site:
        // README, Cleaning), among the weights that keep the regression set's floors.
        SpanWeights {
            good_floor: 10.0,
            good_min: 1.0,
            short: 0.0,
            bad: 0.0,
            named: 80.0,
            named_anywhere: 40.0,
            gap_lines: 3,
            gap_cap: 8.0,
        }
    }
}

impl SpanWeights {
    /// A stable text of the weights, part of the cleaner's version.
    pub fn fingerprint(&self) -> String {
        format!(
            "span:{}/{}/{}/{}/{}/{}/{}/{}",
            self.good_floor,
            self.good_min,
            self.short,
            self.bad,
            self.named,
            self.named_anywhere,
            self.gap_lines,
            self.gap_cap
        )
    }

    fn score(&self, line: &Line) -> f64 {
        if line.blank || line.by_site {
            return 0.0;
        }
        if line.named {
            return -if line.anywhere {
                self.named_anywhere
            } else {
                self.named
            };
        }
        match line.features.class() {
            Class::Good => {
                // A hard-wrapped paragraph weighs as one, shared among its lines.
                let (size, lines) = line.features.paragraph_size();
                (size as f64 - self.good_floor).max(self.good_min) / lines as f64
            }
            Class::Short => -self.short,
            Class::Bad => -self.bad,
        }
    }
}

/// The first and last line (inclusive) of the run with the largest total score; `None` when no line
/// adds anything. Ties keep the earliest, longest run.
pub fn best(lines: &[Line], weights: &SpanWeights) -> Option<(usize, usize)> {
    let mut scores: Vec<f64> = lines.iter().map(|l| weights.score(l)).collect();
    cap_short_gaps(lines, &mut scores, weights);
    let mut best: Option<(f64, usize, usize)> = None;
    let (mut sum, mut start) = (0.0, 0);
    for (i, &s) in scores.iter().enumerate() {
        if sum <= 0.0 {
            if s <= 0.0 {
                continue;
            }
            sum = 0.0;
            start = i;
        }
        sum += s;
        if s > 0.0 && best.is_none_or(|(b, _, _)| sum > b) {
            best = Some((sum, start, i));
        }
    }
    best.map(|(_, start, end)| (start, end))
}

/// Scales down what a short gap between two good lines takes (see [`SpanWeights::gap_lines`]).
fn cap_short_gaps(lines: &[Line], scores: &mut [f64], weights: &SpanWeights) {
    if weights.gap_lines == 0 {
        return;
    }
    let mut last_good: Option<usize> = None;
    for i in 0..scores.len() {
        if scores[i] <= 0.0 {
            continue;
        }
        if let Some(prev) = last_good.filter(|&p| p + 1 < i) {
            let gap = prev + 1..i;
            let lines_in_gap = lines[gap.clone()].iter().filter(|l| !l.blank).count();
            let taken: f64 = -scores[gap.clone()].iter().sum::<f64>();
            if lines_in_gap <= weights.gap_lines && taken > weights.gap_cap {
                let scale = weights.gap_cap / taken;
                for s in &mut scores[gap] {
                    *s *= scale;
                }
            }
        }
        last_good = Some(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::classify::Features;
    use crate::clean::lang;
    use whatlang::Lang;

    fn line(text: &str) -> Line {
        Line {
            features: Features::of(text, lang::stopwords(Lang::Eng)),
            named: false,
            ends_article: false,
            anywhere: false,
            by_site: false,
            blank: text.is_empty(),
        }
    }

    fn named(text: &str, anywhere: bool) -> Line {
        Line {
            named: true,
            anywhere,
            ..line(text)
        }
    }

    const PARA: &str = "The council said on Tuesday that the library would close at the end of the \
        summer, after a vote in which nine members backed the plan and six opposed it, and that its \
        books would move to a smaller lending point inside the leisure centre.";
    const TEASER: &str = "Read how a small town saved its cinema from closure after a long and \
        bitter campaign that lasted for years.";

    #[test]
    fn a_stray_prose_line_beyond_menus_is_not_article() {
        let mut lines = vec![line(PARA), line(""), line(PARA)];
        for menu in ["Home", "News", "Sport", "More stories"] {
            lines.push(named(menu, false));
        }
        lines.push(line(TEASER));
        assert_eq!(best(&lines, &SpanWeights::default()), Some((0, 2)));
    }

    #[test]
    fn an_advertisement_inside_the_article_does_not_cut_it() {
        let lines = vec![line(PARA), named("Advertisement", true), line(PARA)];
        assert_eq!(best(&lines, &SpanWeights::default()), Some((0, 2)));
    }

    #[test]
    fn weights_of_zero_span_from_the_first_good_line_to_the_last() {
        let zero = SpanWeights {
            good_floor: 0.0,
            good_min: 1.0,
            short: 0.0,
            bad: 0.0,
            named: 0.0,
            named_anywhere: 0.0,
            gap_lines: 0,
            gap_cap: 0.0,
        };
        let lines = vec![
            line("Menu"),
            line(PARA),
            named("Share this", true),
            line("Home"),
            line(TEASER),
            line("Footer"),
        ];
        assert_eq!(best(&lines, &zero), Some((1, 4)));
        assert_eq!(best(&[line("Menu"), line("")], &zero), None);
    }
}

//! The classifier for lines no rule names, in the spirit of jusText, and the article core.
//!
//! A naive text dump of a page is one dense run of article paragraphs with menus, section lists,
//! dates, bylines, teasers and footers around it. Each line gets a class from three features:
//!
//! - **words** (for Chinese, Japanese, Thai and the like, written without spaces: characters);
//! - **stopword ratio**: the share of its words that are function words of the document's language
//!   ([`super::lang`]). Prose has many ("the", "und", "les", "się"), menus and tag lists have none;
//! - **sentence punctuation** at the end (`. ! ? …` and `。！？`, before closing quotes).
//!
//! | class | spaced script, language with a stopword list | without a list | without spaces |
//! |---|---|---|---|
//! | good  | ≥ 8 words, sentence end, stopwords ≥ 5%; or ≥ 15 words, stopwords ≥ 25% | ≥ 8 words, sentence end | ≥ 20 characters, sentence end |
//! | bad   | not good, no sentence end, stopwords < 15% | not good, no sentence end, < 5 words | no sentence end, < 12 characters |
//! | short | everything else: headings, one-line quotes, captions | | |
//!
//! The **core** of the article runs from its first good line to its last one, cut short by a rule
//! that ends articles ("Related articles", "12 Comments") once at least half of the good words are
//! behind it. Inside the core every line stays unless a rule that may fire anywhere names it: headings,
//! short quotes and captions between paragraphs are article. Outside it, a line stays only as the
//! article's headline (the longest line of three words or more that no rule names, among the twelve
//! above the core) or as a short closing sentence right after the core; everything else there is
//! boilerplate.
//!
//! A paragraph hard-wrapped over several lines is measured as one ([`Features::classed_as`], used by
//! the engine): its fragments would otherwise be short lines, and those above the first good line lost.

use super::lang::Stopwords;
use super::span::{self, SpanWeights};
use crate::normalize::is_unspaced_script;

/// Stopword ratio a good line needs when it ends a sentence, and when it is long but does not.
const GOOD_STOPWORDS: f64 = 0.05;
const GOOD_LONG_STOPWORDS: f64 = 0.25;
/// Below this stopword ratio, a line that does not end a sentence is bad.
const BAD_STOPWORDS: f64 = 0.15;
const GOOD_WORDS: usize = 8;
const GOOD_LONG_WORDS: usize = 15;
/// Without a stopword list, a line of fewer words that does not end a sentence is bad.
const BAD_WORDS: usize = 5;
const GOOD_UNSPACED_CHARS: usize = 20;
const BAD_UNSPACED_CHARS: usize = 12;
/// The headline is looked for among this many lines above the core.
const HEADLINE_REACH: usize = 12;
/// A headline has at least this many words (characters in scripts without spaces).
const HEADLINE_WORDS: usize = 3;
const HEADLINE_UNSPACED_CHARS: usize = 6;

/// What a line looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A paragraph of prose.
    Good,
    /// Neither: a heading, a one-line quote, a caption, a title.
    Short,
    /// A menu item, a section name, a date, a tag list.
    Bad,
}

/// The features of one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    pub words: usize,
    /// Ends with sentence punctuation.
    pub sentence_end: bool,
    /// Written mostly in a script without spaces between words.
    pub unspaced: bool,
    /// Characters other than spaces.
    pub chars: usize,
    class: Class,
    /// For a line of a hard-wrapped paragraph: the paragraph's size and how many lines it spans.
    paragraph: Option<(usize, usize)>,
}

impl Features {
    /// Measures `line`; `stopwords` is the list of the document's language, if it has one.
    pub fn of(line: &str, stopwords: Option<&Stopwords>) -> Features {
        let Counts {
            words,
            parts,
            letters,
            unspaced_letters,
            chars,
        } = Counts::of(line);
        let sentence_end = ends_sentence(line);
        let unspaced = unspaced_letters * 2 > letters;
        // The stopword ratio only decides against a threshold: stopwords are counted until the
        // count that decides (for prose, the first few words), not over the whole line.
        let at_least = |ratio: f64| ((ratio * parts as f64).ceil() as usize).max(1);
        let class = if is_data(line) {
            Class::Bad
        } else if unspaced {
            if chars >= GOOD_UNSPACED_CHARS && sentence_end {
                Class::Good
            } else if !sentence_end && chars < BAD_UNSPACED_CHARS {
                Class::Bad
            } else {
                Class::Short
            }
        } else if let Some(list) = stopwords {
            if sentence_end {
                // Good by the long rule (≥ 25%) is good by this one too.
                let enough = at_least(GOOD_STOPWORDS);
                if words >= GOOD_WORDS && count_stopwords(line, list, enough) >= enough {
                    Class::Good
                } else {
                    Class::Short
                }
            } else if words >= GOOD_LONG_WORDS {
                let (good, short) = (at_least(GOOD_LONG_STOPWORDS), at_least(BAD_STOPWORDS));
                match count_stopwords(line, list, good) {
                    n if n >= good => Class::Good,
                    n if n >= short => Class::Short,
                    _ => Class::Bad,
                }
            } else {
                let short = at_least(BAD_STOPWORDS);
                if count_stopwords(line, list, short) >= short {
                    Class::Short
                } else {
                    Class::Bad
                }
            }
        } else if words >= GOOD_WORDS && sentence_end {
            Class::Good
        } else if !sentence_end && words < BAD_WORDS {
            Class::Bad
        } else {
            Class::Short
        };
        Features::from_parts(words, chars, sentence_end, unspaced, class)
    }

    pub fn class(&self) -> Class {
        self.class
    }

    /// The features of a line of these counts and class, on its own: as [`Features::of`] makes
    /// them, and as [`super::memo`] gives back the ones it kept.
    pub(super) fn from_parts(
        words: usize,
        chars: usize,
        sentence_end: bool,
        unspaced: bool,
        class: Class,
    ) -> Features {
        Features {
            words,
            sentence_end,
            unspaced,
            chars,
            class,
            paragraph: None,
        }
    }

    /// Whether these are the features of a line on its own, as [`Features::of`] gives them (not
    /// [`Features::classed_as`] a paragraph).
    pub(super) fn is_of_one_line(&self) -> bool {
        self.paragraph.is_none()
    }

    /// These features, with the class and sentence end of the paragraph of `lines` lines the line
    /// belongs to.
    pub fn classed_as(&self, paragraph: &Features, lines: usize) -> Features {
        Features {
            class: paragraph.class,
            sentence_end: paragraph.sentence_end,
            paragraph: Some((paragraph.size(), lines)),
            ..*self
        }
    }

    /// The size of the paragraph the line belongs to (its own, unless hard-wrapped), and the number
    /// of lines that share it.
    pub(crate) fn paragraph_size(&self) -> (usize, usize) {
        self.paragraph.unwrap_or((self.size(), 1))
    }

    /// Length in words, or in characters for scripts without spaces.
    pub(crate) fn size(&self) -> usize {
        if self.unspaced {
            self.chars
        } else {
            self.words
        }
    }

    /// Long enough to be a headline.
    fn headline_sized(&self) -> bool {
        let min = if self.unspaced {
            HEADLINE_UNSPACED_CHARS
        } else {
            HEADLINE_WORDS
        };
        self.size() >= min
    }
}

/// What [`Features::of`] counts in a line, in one pass over its characters (this runs on every line
/// of every document).
#[derive(Debug, Default, PartialEq)]
struct Counts {
    /// Whitespace-separated tokens with a letter or digit in them.
    words: usize,
    /// Runs of letters and digits ("l'agriculture" is two): what stopword ratios are counted over.
    parts: usize,
    letters: usize,
    /// Letters of scripts written without spaces (Chinese, Japanese, Thai, ...).
    unspaced_letters: usize,
    /// Characters other than whitespace.
    chars: usize,
}

impl Counts {
    fn of(line: &str) -> Counts {
        let mut n = Counts::default();
        let (mut token_has_alnum, mut in_part) = (false, false);
        for c in line.chars() {
            if c.is_whitespace() {
                n.words += usize::from(token_has_alnum);
                (token_has_alnum, in_part) = (false, false);
                continue;
            }
            n.chars += 1;
            let alphabetic = c.is_alphabetic();
            if alphabetic {
                n.letters += 1;
                n.unspaced_letters += usize::from(is_unspaced_script(c));
            }
            let alphanumeric = alphabetic || c.is_numeric();
            n.parts += usize::from(alphanumeric && !in_part);
            token_has_alnum |= alphanumeric;
            in_part = alphanumeric;
        }
        n.words += usize::from(token_has_alnum);
        n
    }
}

/// Stopwords among the words of `line`, counted up to `enough`. What is looked up is each part of a
/// word, lower-cased: "l'agriculture" is "l" and "agriculture", "don't" is "don" and "t".
///
/// The parts of the whitespace-separated words are the runs of letters and digits, so one pass over
/// the characters finds them and lower-cases them as it goes: this runs on most lines of every page,
/// twice per run, and splitting twice then lower-casing each part was a tenth of the workers' time.
fn count_stopwords(line: &str, list: &Stopwords, enough: usize) -> usize {
    let mut part = String::new();
    let mut stop = 0;
    for c in line.chars().chain([' ']) {
        if c.is_alphanumeric() {
            if c.is_ascii() {
                part.push(c.to_ascii_lowercase());
            } else {
                part.extend(c.to_lowercase());
            }
            continue;
        }
        if part.is_empty() {
            continue;
        }
        stop += usize::from(list.contains(part.as_str()));
        if stop >= enough {
            break;
        }
        part.clear();
    }
    stop
}

/// Script data a naive scraper dumps with the text: a JSON object or array on one line (page state,
/// tracking and product configuration), never article prose however many words it holds.
pub(crate) fn is_data(line: &str) -> bool {
    let line = line.trim();
    (line.starts_with('{') && line.ends_with('}') || line.starts_with('[') && line.ends_with(']'))
        && line.contains("\":")
}

fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '”' | '“' | '’' | '»' | '«' | ')' | ']' | '」' | '』' | '*'
            )
    });
    trimmed.ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

/// What the classifier knows of one line of a document.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub features: Features,
    /// A rule names the line (whether or not it may fire where the line is).
    pub named: bool,
    /// The rule that names it ends articles.
    pub ends_article: bool,
    /// What names it is a rule that fires anywhere (an "Advertisement", a share widget).
    pub anywhere: bool,
    /// What names it is a line the site repeats (learned), not a rule: it weighs nothing in the
    /// article's span, since a site's slogan may sit inside an article as well as around it.
    pub by_site: bool,
    pub blank: bool,
}

/// Where the article sits among a document's lines (indexes into them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Core {
    /// First and last good line of the article.
    pub start: usize,
    pub end: usize,
    /// The line that ends the article, if a rule found one: it and everything after are boilerplate.
    pub cut: Option<usize>,
    /// The headline above the core, if any.
    pub headline: Option<usize>,
}

impl Core {
    /// Finds the core: the best span of lines ([`span::best`] with `weights`), cut short by a rule
    /// that ends articles; `None` when the document has no good line (then only rules remove lines).
    pub fn find(lines: &[Line], weights: &SpanWeights) -> Option<Core> {
        let good = |l: &Line| !l.blank && !l.named && l.features.class() == Class::Good;
        let (start, span_end) = span::best(lines, weights)?;
        let total: usize = lines[start..=span_end]
            .iter()
            .filter(|l| good(l))
            .map(|l| l.features.words)
            .sum();
        let mut behind = 0;
        let mut cut = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            if good(line) {
                behind += if i <= span_end {
                    line.features.words
                } else {
                    0
                };
            } else if line.ends_article && behind * 2 >= total {
                cut = Some(i);
                break;
            }
        }
        // A cut shortens the span. One found after it stretches the span up to it only over a short
        // break (an "Advertisement" and a closing paragraph before "Related"), never over a comment
        // thread or a list of stories.
        let limit = match cut {
            Some(cut) if cut > span_end => {
                let between = lines[span_end + 1..cut].iter().filter(|l| !l.blank).count();
                if between <= weights.gap_lines {
                    cut
                } else {
                    span_end + 1
                }
            }
            Some(cut) => cut,
            None => span_end + 1,
        };
        let end = lines[..limit]
            .iter()
            .rposition(good)
            .expect("the start is a good line before the cut");
        // The longest candidate: bylines, dates and site names above the title are shorter than it.
        let headline = lines[..start]
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, l)| !l.blank)
            .take(HEADLINE_REACH)
            .filter(|(_, l)| !l.named && l.features.headline_sized())
            .max_by_key(|(i, l)| (l.features.size(), *i))
            .map(|(i, _)| i);
        Some(Core {
            start,
            end,
            cut,
            headline,
        })
    }

    /// Whether line `i` is inside the article's core.
    pub fn contains(&self, i: usize) -> bool {
        (self.start..=self.end).contains(&i)
    }

    /// Whether line `i`, outside the core, still belongs to the article: the headline, or a short
    /// sentence that follows the core with only blank lines between.
    pub fn keeps_outside(&self, lines: &[Line], i: usize) -> bool {
        if Some(i) == self.headline {
            return true;
        }
        if i <= self.end || self.cut.is_some_and(|cut| i >= cut) {
            return false;
        }
        lines[self.end + 1..=i].iter().all(|l| {
            l.blank || (!l.named && l.features.sentence_end && l.features.class() == Class::Short)
        })
    }

    /// Whether line `i` comes after the line that ends the article.
    pub fn is_past_end(&self, i: usize) -> bool {
        self.cut.is_some_and(|cut| i > cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::lang;
    use whatlang::Lang;

    fn class(line: &str) -> Class {
        Features::of(line, lang::stopwords(Lang::Eng)).class()
    }

    /// The parts of a word the stopword list knows: "l'agriculture" is "l" and "agriculture".
    fn word_parts(token: &str) -> impl Iterator<Item = &str> {
        token
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
    }

    #[test]
    fn stopwords_are_counted_in_the_parts_of_words_lower_cased() {
        let by_definition = |line: &str, list: &Stopwords, enough: usize| {
            let mut stop = 0;
            for part in line.split_whitespace().flat_map(word_parts) {
                let lower: String = part.chars().flat_map(char::to_lowercase).collect();
                stop += usize::from(list.contains(lower.as_str()));
                if stop >= enough {
                    break;
                }
            }
            stop
        };
        for lang in [Lang::Eng, Lang::Deu, Lang::Fra, Lang::Tur] {
            let list = lang::stopwords(lang).expect("a list");
            for line in [
                "",
                "The council met on Tuesday, and THE mayor said it was over.",
                "l'agriculture d’abord: c'est la fin, n'est-ce pas?",
                "Über die Straße und für DIE Kinder — 12,5 % mehr.",
                "İstanbul'da bir ve BİR gün",
                "tab\tseparated\u{00A0}words  and\u{2003}of\u{2003}the",
                "東京で12日 the 会議",
            ] {
                for enough in [1, 2, 3, 100] {
                    assert_eq!(
                        count_stopwords(line, list, enough),
                        by_definition(line, list, enough),
                        "{lang:?} {line:?} {enough}"
                    );
                }
            }
        }
    }

    #[test]
    fn one_pass_counts_follow_their_definitions() {
        for line in [
            "",
            "  ",
            "Plain words, and punctuation.",
            "l'agriculture d’abord: 12,5 % — \"quoted\" (x) ...",
            "— · | »",
            "東京で12日、会議が開かれた。 Tokyo",
            "tab\tseparated\u{00A0}words  and\u{2003}em-space",
            "Zürich ist schön; Łódź też.",
        ] {
            let mut want = Counts::default();
            for token in line.split_whitespace() {
                if token.chars().any(char::is_alphanumeric) {
                    want.words += 1;
                    want.parts += word_parts(token).count();
                }
            }
            for c in line.chars().filter(|c| !c.is_whitespace()) {
                want.chars += 1;
                if c.is_alphabetic() {
                    want.letters += 1;
                    want.unspaced_letters += usize::from(is_unspaced_script(c));
                }
            }
            assert_eq!(Counts::of(line), want, "{line:?}");
        }
    }

    #[test]
    fn classes_follow_the_features() {
        assert_eq!(
            class("Councillors in Eastgate voted by nine to six on Tuesday night to close the library."),
            Class::Good
        );
        assert_eq!(class("What happens to the books?"), Class::Short);
        assert_eq!(class("\"I was against it. I was wrong.\""), Class::Short);
        assert_eq!(
            class("Council votes to close Eastgate library after 94 years"),
            Class::Short
        );
        assert_eq!(class("Premier League"), Class::Bad);
        assert_eq!(class("Published 14 March 2023, 18:42 GMT"), Class::Bad);
        let unspaced = |l: &str| Features::of(l, None).class();
        assert_eq!(
            unspaced("市政府日前公布计划，将在未来三年内新建二十座社区公园，让市民步行十五分钟就能到达一处绿地。"),
            Class::Good
        );
        assert_eq!(unspaced("相关新闻"), Class::Bad);
    }

    #[test]
    fn a_json_line_is_bad_however_long() {
        let json = r#"{"layoutMobile":2,"buttonText":"Buy now","productTitle":{"text":"The best scooter of the year, tested by our team on every kind of road."}}"#;
        assert_eq!(class(json), Class::Bad);
        assert_ne!(
            class("[1, 2, 3] are the numbers the minister gave on Tuesday."),
            Class::Bad
        );
    }

    fn line(text: &str, named: bool, ends_article: bool) -> Line {
        Line {
            anywhere: false,
            by_site: false,
            features: Features::of(text, lang::stopwords(Lang::Eng)),
            named,
            ends_article,
            blank: text.is_empty(),
        }
    }

    #[test]
    fn the_core_is_cut_by_an_article_end_only_late() {
        let para =
            "The council said it had followed the law and that the consultation had many replies.";
        let lines = vec![
            line("Menu", true, false),
            line("12 Comments", true, true),
            line("Council votes to close Eastgate library", false, false),
            line(para, false, false),
            line("A heading", false, false),
            line(para, false, false),
            line("That is all.", false, false),
            line("Related", true, true),
            line(para, false, false),
        ];
        let core = Core::find(&lines, &SpanWeights::default()).unwrap();
        assert_eq!(
            (core.start, core.end, core.cut, core.headline),
            (3, 5, Some(7), Some(2))
        );
        assert!(core.keeps_outside(&lines, 6));
        assert!(core.is_past_end(8));
    }

    /// A rule that ends the article far below the span (a "Related" heading under a comment thread)
    /// does not stretch the span down to it over the lines the span left out.
    #[test]
    fn a_late_cut_does_not_stretch_the_core() {
        let para =
            "The council said it had followed the law and that the consultation had many replies.";
        let comment =
            "I have lived here for thirty years and I think the council is right about this.";
        let mut lines = vec![line(para, false, false); 4];
        lines.push(line("Leave a reply", true, false));
        lines.extend((0..6).flat_map(|_| {
            [
                line("Anonymous", false, false),
                line("March 3, 2023 at 6:46 am", false, false),
                line("Menu", true, false),
                line(comment, false, false),
            ]
        }));
        lines.push(line("Related", true, true));
        let core = Core::find(&lines, &SpanWeights::default()).unwrap();
        assert_eq!(
            (core.start, core.end, core.cut),
            (0, 3, Some(lines.len() - 1))
        );
    }
}

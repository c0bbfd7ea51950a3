//! What the cleaner read of a page, kept so the same lines can be cleaned again without reading them
//! again.
//!
//! A run over files cleans most pages twice: its learning pass cleans each page without the learned
//! site lines, to foresee what its site learns, and the storing cleans it again with them. The costly
//! part of cleaning, the language detection and the rule set's search over every line, depends on
//! the lines alone, not on what a site learned: a [`Memo`] carries it from the first cleaning of a
//! page to the second. On the 20k-file real-text bench corpus the two were about a fifth of all the
//! run's CPU time, half of it in the second cleaning.
//!
//! Kept small, because a run holds one per page between its two passes: the language and the lines
//! a rule names (most lines none), in about two bytes each. And what the page teaches its site (the
//! lines it offers, by their place, and its key): those come from the page as cleaned without its
//! site's learned lines, which the storing would otherwise clean a second time for every page its
//! site's lines are found on.
//!
//! The lines' features (words, characters, sentence end, class: [`Features`]) are a part apart,
//! [`Memo::measures`], about three bytes a line: more than a run should hold in memory for every page
//! (a 100k-file run would hold about 50 MB), so the caller keeps them where it can (`newsdb` writes
//! them to the temporary file it keeps saved pages' readings in) or drops them, and they are measured
//! again. Measuring them was about 15% of the storing's cleaning on the real-text bench corpus.

use super::classify::{Class, Features};
use whatlang::Lang;

/// The reading of one page's lines by one rule table: their language and the first rule that names
/// each line. Only valid for the same lines and a cleaner with the same rules (the one that made it,
/// or one made from it with [`super::Cleaner::with_sites`]); a memo for another number of lines is
/// ignored.
///
/// Held as bytes ([`Memo::as_bytes`]), so that many can be kept end to end in one buffer: the
/// language (its place in [`Lang::all`] plus one, 0 for none), the number of lines, the number of
/// lines a rule names, then each of them, in line order, as how many lines after the previous named
/// line (or the first line) it is and the rule's index in the table; then, once the page was
/// cleaned with a site in view (the cleaner adds what the page teaches its site), its page key (8
/// bytes, little-endian), the number of its candidate lines and each one's place, as a gap from the
/// previous one; numbers in LEB128.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    /// The language, the rules and the lesson, as above.
    reading: Box<[u8]>,
    /// The features of the lines that are not blank, in line order ([`Memo::with_measures`]).
    measures: Option<Box<[u8]>>,
}

impl Memo {
    /// The memo of a reading: `rules` has one entry per line.
    pub(super) fn new(lang: Option<Lang>, rules: &[Option<usize>]) -> Memo {
        let lang = lang.and_then(|l| Lang::all().iter().position(|&a| a == l));
        let lang = lang.map_or(0, |i| {
            u8::try_from(i + 1).expect("whatlang has fewer than 255 languages")
        });
        let mut bytes = vec![lang];
        put(&mut bytes, rules.len());
        put(&mut bytes, rules.iter().flatten().count());
        let mut next = 0;
        for (line, rule) in rules.iter().enumerate() {
            if let Some(rule) = rule {
                put(&mut bytes, line - next);
                put(&mut bytes, *rule);
                next = line + 1;
            }
        }
        Memo {
            reading: bytes.into_boxed_slice(),
            measures: None,
        }
    }

    /// This memo with the features `features` of `lines` (one per line, each as [`Features::of`]
    /// gives it). Held as the number of lines that are not blank, then for each of them a byte of
    /// flags (the class's place in [`CLASSES`], sentence end 4, unspaced 8), its words and its
    /// characters, numbers in LEB128. Blank lines all measure the same and are left out.
    pub(super) fn with_measures(self, lines: &[String], features: &[Features]) -> Memo {
        debug_assert_eq!(lines.len(), features.len());
        let mut bytes = Vec::with_capacity(4 * lines.len());
        put(&mut bytes, lines.iter().filter(|l| !l.is_empty()).count());
        for (_, f) in lines.iter().zip(features).filter(|(l, _)| !l.is_empty()) {
            debug_assert!(f.is_of_one_line());
            let class = CLASSES
                .iter()
                .position(|&c| c == f.class())
                .expect("every class");
            let flags = class as u8 | u8::from(f.sentence_end) << 2 | u8::from(f.unspaced) << 3;
            bytes.push(flags);
            put(&mut bytes, f.words);
            put(&mut bytes, f.chars);
        }
        Memo {
            measures: Some(bytes.into_boxed_slice()),
            ..self
        }
    }

    /// The features of `lines` this memo holds ([`Memo::with_measures`]), `blank` for each blank
    /// line; `None` when it holds none, or none for lines like these.
    pub(super) fn recall_measures(
        &self,
        lines: &[String],
        blank: Features,
    ) -> Option<Vec<Features>> {
        let mut bytes: &[u8] = self.measures.as_deref()?;
        if take(&mut bytes)? != lines.iter().filter(|l| !l.is_empty()).count() {
            return None;
        }
        let mut features = Vec::with_capacity(lines.len());
        for line in lines {
            if line.is_empty() {
                features.push(blank);
                continue;
            }
            let (&flags, rest) = bytes.split_first()?;
            bytes = rest;
            let class = *CLASSES.get(usize::from(flags & 3))?;
            let words = take(&mut bytes)?;
            let chars = take(&mut bytes)?;
            let (sentence_end, unspaced) = (flags & 4 != 0, flags & 8 != 0);
            features.push(Features::from_parts(
                words,
                chars,
                sentence_end,
                unspaced,
                class,
            ));
        }
        bytes.is_empty().then_some(features)
    }

    /// The lines' features as bytes, to keep apart from the rest ([`Memo::with_measures_bytes`]).
    pub fn measures(&self) -> Option<&[u8]> {
        self.measures.as_deref()
    }

    /// This memo with the lines' features kept as bytes ([`Memo::measures`]). Bytes that are not
    /// features of these lines are not used: the lines are measured again.
    pub fn with_measures_bytes(self, bytes: &[u8]) -> Memo {
        Memo {
            measures: Some(bytes.into()),
            ..self
        }
    }

    /// This memo with what the page teaches its site, as cleaned without its site's lines: its page
    /// key and its candidate lines' places, ascending. Any lesson it held is replaced.
    pub(super) fn with_lesson(self, page: i64, candidates: &[usize]) -> Memo {
        let Some(end) = self.rules_end() else {
            return self;
        };
        let mut bytes = self.reading[..end].to_vec();
        bytes.extend_from_slice(&page.to_le_bytes());
        put(&mut bytes, candidates.len());
        let mut next = 0;
        for &line in candidates {
            debug_assert!(line >= next, "candidates in line order");
            put(&mut bytes, line - next);
            next = line + 1;
        }
        Memo {
            reading: bytes.into_boxed_slice(),
            ..self
        }
    }

    /// What [`Memo::with_lesson`] added: the page key and the candidate lines' places. `None`
    /// when the memo holds none (or is not a memo). Valid for the lines [`Memo::recall`] accepts.
    pub(super) fn recall_lesson(&self) -> Option<(i64, Vec<usize>)> {
        let mut bytes = self.reading.get(self.rules_end()?..)?;
        let (page, rest) = bytes.split_first_chunk::<8>()?;
        bytes = rest;
        let count = take(&mut bytes)?;
        let mut candidates = Vec::with_capacity(count.min(bytes.len()));
        let mut next = 0;
        for _ in 0..count {
            let line = next + take(&mut bytes)?;
            candidates.push(line);
            next = line + 1;
        }
        Some((i64::from_le_bytes(*page), candidates))
    }

    /// Where the rules' part of the bytes ends (`None` if they are not a memo).
    fn rules_end(&self) -> Option<usize> {
        let mut bytes = self.reading.get(1..)?;
        take(&mut bytes)?;
        for _ in 0..2 * take(&mut bytes)? {
            take(&mut bytes)?;
        }
        Some(self.reading.len() - bytes.len())
    }

    /// The memo as bytes, to keep with others: all of it but the lines' features
    /// ([`Memo::measures`]).
    pub fn as_bytes(&self) -> &[u8] {
        &self.reading
    }

    /// A memo kept as bytes ([`Memo::as_bytes`]), without the lines' features. Bytes that are not
    /// one read as no memo: the page is read again.
    pub fn from_bytes(bytes: &[u8]) -> Memo {
        Memo {
            reading: bytes.into(),
            measures: None,
        }
    }

    /// The language and the rule per line this memo holds for `lines` lines of a table of `rules`
    /// rules; `None` if it was made for another number of lines, names a rule the table lacks, or
    /// is not a memo.
    pub(super) fn recall(
        &self,
        lines: usize,
        rules: usize,
    ) -> Option<(Option<Lang>, Vec<Option<usize>>)> {
        let (&lang, mut bytes) = self.reading.split_first()?;
        let lang = match lang {
            0 => None,
            i => Some(*Lang::all().get(usize::from(i) - 1)?),
        };
        if take(&mut bytes)? != lines {
            return None;
        }
        let named = take(&mut bytes)?;
        let mut per_line = vec![None; lines];
        let mut next = 0;
        for _ in 0..named {
            let line = next + take(&mut bytes)?;
            let rule = take(&mut bytes)?;
            if rule >= rules {
                return None;
            }
            *per_line.get_mut(line)? = Some(rule);
            next = line + 1;
        }
        Some((lang, per_line))
    }
}

/// The classes by their place in a memo's flags.
const CLASSES: [Class; 3] = [Class::Good, Class::Short, Class::Bad];

/// Appends `n` as LEB128: seven bits a byte, low bits first, the high bit set on all but the last.
fn put(bytes: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        bytes.push((n as u8) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
}

/// Takes a LEB128 number off the front of `bytes` (`None` if they end inside it or it overflows).
fn take(bytes: &mut &[u8]) -> Option<usize> {
    let (mut n, mut shift) = (0usize, 0u32);
    loop {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some(n);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_gives_back_what_it_was_made_of() {
        let rules = [None, Some(3), None, None, Some(0)];
        let memo = Memo::new(Some(Lang::Deu), &rules);
        assert_eq!(memo.recall(5, 4), Some((Some(Lang::Deu), rules.to_vec())));
        // The language, the numbers of lines and of named lines, and two bytes a named line where
        // numbers are small.
        assert_eq!(memo.as_bytes().len(), 7);
        let kept = Memo::from_bytes(memo.as_bytes());
        assert_eq!(kept.recall(5, 4), memo.recall(5, 4));
    }

    #[test]
    fn large_gaps_and_rule_indexes_survive() {
        let mut rules = vec![None; 70_000];
        rules[0] = Some(0);
        rules[1] = Some(300);
        rules[69_999] = Some(128);
        let memo = Memo::new(None, &rules);
        assert_eq!(memo.recall(70_000, 301), Some((None, rules)));
    }

    #[test]
    fn a_memo_for_other_lines_or_another_table_is_not_used() {
        let memo = Memo::new(None, &[Some(7), None]);
        assert_eq!(memo.recall(3, 8), None);
        assert_eq!(memo.recall(2, 7), None);
        assert_eq!(Memo::from_bytes(&[]).recall(0, 8), None);
        assert_eq!(Memo::from_bytes(&[0, 2, 0x80]).recall(2, 8), None);
        assert_eq!(Memo::from_bytes(&[0, 2, 1, 0]).recall(2, 8), None);
        assert_eq!(Memo::from_bytes(&[250, 0]).recall(0, 8), None);
    }

    #[test]
    fn every_language_survives() {
        for &lang in Lang::all() {
            let memo = Memo::new(Some(lang), &[None]);
            assert_eq!(memo.recall(1, 1), Some((Some(lang), vec![None])));
        }
    }

    /// Lines of every kind the features tell apart: prose, a menu item, a heading, a long line,
    /// a line in a script without spaces, blank lines.
    fn measured_lines() -> (Vec<String>, Vec<Features>, Features) {
        let stopwords = super::super::lang::stopwords(Lang::Eng);
        let lines: Vec<String> = [
            "Home",
            "",
            "The council voted on Tuesday to close the old bridge to cars from next spring.",
            "Council votes to close the bridge",
            "",
            &"word ".repeat(5_000),
            "市议会周二投票决定从明年春天起禁止汽车通行这座老桥。",
            "",
        ]
        .map(String::from)
        .to_vec();
        let features = lines.iter().map(|l| Features::of(l, stopwords)).collect();
        (lines, features, Features::of("", stopwords))
    }

    #[test]
    fn the_lines_features_come_back_as_measured() {
        let (lines, features, blank) = measured_lines();
        for class in CLASSES {
            assert!(
                features.iter().any(|f| f.class() == class),
                "{class:?}: {features:?}"
            );
        }
        assert!(features.iter().any(|f| f.unspaced) && features.iter().any(|f| f.sentence_end));

        let memo = Memo::new(Some(Lang::Eng), &vec![None; lines.len()]);
        assert_eq!(memo.recall_measures(&lines, blank), None);
        let with = memo.clone().with_measures(&lines, &features);
        assert_eq!(with.recall_measures(&lines, blank), Some(features.clone()));
        // A few bytes a line that is not blank.
        assert!(
            with.measures().unwrap().len() <= 4 * 5 + 1,
            "{:?}",
            with.measures()
        );
        // The reading is as it was, and a lesson keeps the features.
        assert_eq!(with.recall(lines.len(), 1), memo.recall(lines.len(), 1));
        let taught = with.clone().with_lesson(3, &[0]);
        assert_eq!(
            taught.recall_measures(&lines, blank),
            Some(features.clone())
        );
        // Kept apart as bytes, as the learning pass keeps them, and joined again.
        let kept = Memo::from_bytes(with.as_bytes());
        assert_eq!(kept.measures(), None);
        let joined = kept.with_measures_bytes(with.measures().unwrap());
        assert_eq!(joined, with);
        assert_eq!(Memo::from_bytes(with.as_bytes()), memo);
    }

    #[test]
    fn features_for_other_lines_are_not_used() {
        let (lines, features, blank) = measured_lines();
        let with = Memo::new(None, &vec![None; lines.len()]).with_measures(&lines, &features);
        // Another number of lines that are not blank.
        assert_eq!(with.recall_measures(&lines[..3], blank), None);
        let mut more = lines.clone();
        more.push("More".into());
        assert_eq!(with.recall_measures(&more, blank), None);
        // Bytes cut short, or with bytes left over, or not features at all.
        let bytes = with.measures().unwrap();
        for bad in [
            &bytes[..bytes.len() - 1],
            &[bytes, &[0]].concat(),
            &[5, 3, 0, 0],
        ] {
            let memo = Memo::from_bytes(with.as_bytes()).with_measures_bytes(bad);
            assert_eq!(memo.recall_measures(&lines, blank), None, "{bad:?}");
        }
    }

    #[test]
    fn a_lesson_rides_along_and_leaves_the_reading_as_it_was() {
        let rules = [None, Some(3), None, None, Some(0), None, None];
        let memo = Memo::new(Some(Lang::Eng), &rules);
        assert_eq!(memo.recall_lesson(), None);
        let with = memo.clone().with_lesson(-42, &[0, 2, 3, 200]);
        assert_eq!(with.recall(7, 4), memo.recall(7, 4));
        assert_eq!(with.recall_lesson(), Some((-42, vec![0, 2, 3, 200])));
        // Kept as bytes and taken back, as the learning pass keeps memos.
        let kept = Memo::from_bytes(with.as_bytes());
        assert_eq!(kept.recall_lesson(), Some((-42, vec![0, 2, 3, 200])));
        // Another lesson replaces it; none at all is a lesson too.
        let again = with.with_lesson(7, &[]);
        assert_eq!(again.recall_lesson(), Some((7, vec![])));
        assert_eq!(again.recall(7, 4), memo.recall(7, 4));
        // Cut short: no lesson.
        let bytes = memo.clone().with_lesson(1, &[5]);
        let cut = Memo::from_bytes(&bytes.as_bytes()[..bytes.as_bytes().len() - 1]);
        assert_eq!(cut.recall_lesson(), None);
    }
}

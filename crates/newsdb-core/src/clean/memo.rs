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
//! a rule names (most lines none), in about two bytes each, not the per-line features, which take
//! more memory than they cost to measure again. And what the page teaches its site (the lines it
//! offers, by their place, and its key): those come from the page as cleaned without its site's
//! learned lines, which the storing would otherwise clean a second time for every page its site's
//! lines are found on.

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
pub struct Memo(Box<[u8]>);

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
        Memo(bytes.into_boxed_slice())
    }

    /// This memo with what the page teaches its site, as cleaned without its site's lines: its page
    /// key and its candidate lines' places, ascending. Any lesson it held is replaced.
    pub(super) fn with_lesson(self, page: i64, candidates: &[usize]) -> Memo {
        let Some(end) = self.rules_end() else {
            return self;
        };
        let mut bytes = self.0[..end].to_vec();
        bytes.extend_from_slice(&page.to_le_bytes());
        put(&mut bytes, candidates.len());
        let mut next = 0;
        for &line in candidates {
            debug_assert!(line >= next, "candidates in line order");
            put(&mut bytes, line - next);
            next = line + 1;
        }
        Memo(bytes.into_boxed_slice())
    }

    /// What [`Memo::with_lesson`] added: the page key and the candidate lines' places. `None`
    /// when the memo holds none (or is not a memo). Valid for the lines [`Memo::recall`] accepts.
    pub(super) fn recall_lesson(&self) -> Option<(i64, Vec<usize>)> {
        let mut bytes = self.0.get(self.rules_end()?..)?;
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
        let mut bytes = self.0.get(1..)?;
        take(&mut bytes)?;
        for _ in 0..2 * take(&mut bytes)? {
            take(&mut bytes)?;
        }
        Some(self.0.len() - bytes.len())
    }

    /// The memo as bytes, to keep with others.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A memo kept as bytes ([`Memo::as_bytes`]). Bytes that are not one read as no memo: the page
    /// is read again.
    pub fn from_bytes(bytes: &[u8]) -> Memo {
        Memo(bytes.into())
    }

    /// The language and the rule per line this memo holds for `lines` lines of a table of `rules`
    /// rules; `None` if it was made for another number of lines, names a rule the table lacks, or
    /// is not a memo.
    pub(super) fn recall(
        &self,
        lines: usize,
        rules: usize,
    ) -> Option<(Option<Lang>, Vec<Option<usize>>)> {
        let (&lang, mut bytes) = self.0.split_first()?;
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

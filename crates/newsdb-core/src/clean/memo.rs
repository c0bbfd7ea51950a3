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
//! more memory than they cost to measure again.

use whatlang::Lang;

/// The reading of one page's lines by one rule table: their language and the first rule that names
/// each line. Only valid for the same lines and a cleaner with the same rules (the one that made it,
/// or one made from it with [`super::Cleaner::with_sites`]); a memo for another number of lines is
/// ignored.
///
/// Held as bytes ([`Memo::as_bytes`]), so that many can be kept end to end in one buffer: the
/// language (its place in [`Lang::all`] plus one, 0 for none), the number of lines, then each line
/// a rule names, in line order, as how many lines after the previous named line (or the first line)
/// it is and the rule's index in the table; numbers in LEB128.
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
        let mut per_line = vec![None; lines];
        let mut next = 0;
        while !bytes.is_empty() {
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
        // The language, the number of lines, and two bytes a named line where numbers are small.
        assert_eq!(memo.as_bytes().len(), 6);
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
        assert_eq!(Memo::from_bytes(&[250, 0]).recall(0, 8), None);
    }

    #[test]
    fn every_language_survives() {
        for &lang in Lang::all() {
            let memo = Memo::new(Some(lang), &[None]);
            assert_eq!(memo.recall(1, 1), Some((Some(lang), vec![None])));
        }
    }
}

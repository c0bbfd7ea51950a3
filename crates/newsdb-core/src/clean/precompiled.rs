//! The built-in rules as DFAs compiled at build time (`build.rs`), one per rule.
//!
//! Compiling the rule table's Unicode, case-insensitive patterns takes about 100 ms, most of a
//! `newsdb clean FILE` process. These DFAs cost nothing to load (the bytes are in the binary and are
//! read in place), at about 15 µs a line to match, against about 1 µs for the compiled set once it
//! is warm: [`super::matcher`] uses them for a process's first lines and compiles the set only when
//! there are more to clean.

use super::rule::Rule;
use regex_automata::dfa::{sparse, Automaton};
use regex_automata::{Anchored, Input};
use std::sync::OnceLock;

/// Where one rule's DFA sits in [`DFAS`], and what it was made from.
struct CompiledRule {
    start: usize,
    end: usize,
    /// Every branch of the pattern starts with `^`: searched anchored at the line's start.
    anchored: bool,
    /// The rule's pattern (without the `(?i)` the build adds), to check a table against.
    pattern: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/builtin_dfa.rs"));

/// The DFAs, one after another, in [`BUILTIN_DFAS`]'s order and the target's byte order.
static DFAS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/builtin.dfa"));

/// The built-in rules' DFAs, ready to search.
pub(super) struct Precompiled {
    dfas: Vec<(bool, sparse::DFA<&'static [u8]>)>,
}

impl std::fmt::Debug for Precompiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Precompiled({} rules)", self.dfas.len())
    }
}

impl Precompiled {
    /// The DFAs for `rules` if they are the built-in table (same patterns, same order); `None` for
    /// a table with a rules file's changes, which the compiled set alone serves.
    pub(super) fn for_rules(rules: &[Rule]) -> Option<&'static Precompiled> {
        let builtin = rules.len() == BUILTIN_DFAS.len()
            && rules
                .iter()
                .zip(BUILTIN_DFAS)
                .all(|(rule, compiled)| rule.pattern == compiled.pattern);
        builtin.then(Precompiled::builtin)
    }

    fn builtin() -> &'static Precompiled {
        static BUILTIN: OnceLock<Precompiled> = OnceLock::new();
        BUILTIN.get_or_init(|| Precompiled {
            dfas: BUILTIN_DFAS
                .iter()
                .map(|c| {
                    // SAFETY: build.rs wrote these bytes with `to_bytes_*_endian` for this
                    // target's byte order, with the regex-automata the lock file pins for both the
                    // build and the library; `from_bytes_unchecked` skips only the check of every
                    // transition, which `precompiled_dfas_pass_the_full_check` below runs.
                    let (dfa, _) =
                        unsafe { sparse::DFA::from_bytes_unchecked(&DFAS[c.start..c.end]) }
                            .expect("build.rs writes DFAs for this target");
                    (c.anchored, dfa)
                })
                .collect(),
        })
    }

    /// Whether rule `i` (in table order) matches somewhere in `line`.
    pub(super) fn is_match(&self, i: usize, line: &str) -> bool {
        let (anchored, dfa) = &self.dfas[i];
        let input = Input::new(line)
            .anchored(if *anchored {
                Anchored::Yes
            } else {
                Anchored::No
            })
            .earliest(true);
        dfa.try_search_fwd(&input)
            .expect("the built-in patterns have no look-around a DFA gives up on")
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::builtin::BUILTIN;

    #[test]
    fn precompiled_dfas_pass_the_full_check() {
        for c in BUILTIN_DFAS {
            sparse::DFA::from_bytes(&DFAS[c.start..c.end])
                .unwrap_or_else(|e| panic!("the DFA of {:?} is damaged: {e}", c.pattern));
        }
    }

    #[test]
    fn the_built_in_table_has_its_dfas_and_a_changed_one_has_none() {
        assert!(Precompiled::for_rules(BUILTIN).is_some());
        let mut changed = BUILTIN.to_vec();
        changed[0].pattern = "^something else$".into();
        assert!(Precompiled::for_rules(&changed).is_none());
        assert!(Precompiled::for_rules(&BUILTIN[1..]).is_none());
    }
}

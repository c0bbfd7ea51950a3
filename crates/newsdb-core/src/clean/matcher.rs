//! Which rules name a line: the built-in rules' precompiled DFAs ([`super::precompiled`]) for a
//! process's first lines, then the rule table compiled into one set.
//!
//! The compiled set is the fast way to match many lines, but compiling it takes about 100 ms: more
//! than a `newsdb clean FILE` process needs for the rest of its work. The precompiled DFAs need no
//! start-up but run about 15 times slower per line. So a matcher starts with them and compiles the
//! set once [`SET_AFTER_LINES`] lines have been matched, where the DFAs' extra cost reaches the
//! set's start-up. Both give the same answer for every line (tested here, and on the dev set's pages
//! in `tests/`): which one ran never shows in what is stored. A table changed by a rules file has no
//! precompiled DFAs and compiles the set on its first line.

use super::precompiled::Precompiled;
use super::rule::Rule;
use regex::{RegexSet, RegexSetBuilder};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Lazy-DFA cache of the rule set, per thread. Measured (`examples/clean_speed`, 20k files): 2 MiB
/// runs at 58k lines/s, 4 MiB and more at 93k; the Unicode, case-insensitive set needs a few MiB of
/// states, and too small a cache makes the regex crate fall back to its slowest engine. With 52 rules
/// in 11 languages, on the dev set's 2,949 real page dumps side by side: 8 MiB ran at 115-175k lines/s
/// (the cache thrashing), 32 MiB at 510-550k, where 40 rules with 8 MiB ran at 290-340k. The cache
/// grows only as far as the text needs (one thread's peak memory rose by 28 MB there).
const DFA_BYTES: usize = 32 << 20;
/// Limit of the compiled set: the built-in rules take a few MiB; user rules get room to spare, so a
/// rules file that parses always compiles.
const COMPILED_BYTES: usize = 256 << 20;

/// Lines matched with the precompiled DFAs before the set is compiled. On the dev set's page dumps
/// the DFAs take about 15 µs a line more than the warm set, and compiling the set about 100 ms:
/// they cost the same at about 6,000 lines. A little below that, so a long run never pays much more
/// than the set's start-up for having started without it.
const SET_AFTER_LINES: usize = 4096;

/// Matches lines against a rule table. Shared by the threads that clean (`&RuleMatcher` is `Sync`).
#[derive(Debug)]
pub(super) struct RuleMatcher {
    /// The table's patterns as the set compiles them (case-insensitive).
    patterns: Vec<String>,
    precompiled: Option<&'static Precompiled>,
    set: OnceLock<RegexSet>,
    /// Lines matched so far without the set.
    lines: AtomicUsize,
}

impl RuleMatcher {
    /// A matcher for `rules`. Nothing is compiled yet; the caller checks that the patterns parse
    /// before the first line is matched.
    pub(super) fn new(rules: &[Rule]) -> RuleMatcher {
        RuleMatcher {
            patterns: rules.iter().map(|r| format!("(?i){}", r.pattern)).collect(),
            precompiled: Precompiled::for_rules(rules),
            set: OnceLock::new(),
            lines: AtomicUsize::new(0),
        }
    }

    /// Whether the table is the built-in one, compiled at build time.
    pub(super) fn is_precompiled(&self) -> bool {
        self.precompiled.is_some()
    }

    /// The first rule, in table order, that matches `line` and that `accept` takes (the caller's
    /// evidence guard), by its index in the table.
    pub(super) fn first(&self, line: &str, mut accept: impl FnMut(usize) -> bool) -> Option<usize> {
        let set = match (self.set.get(), self.precompiled) {
            (Some(set), _) => set,
            (None, Some(precompiled))
                if self.lines.fetch_add(1, Ordering::Relaxed) < SET_AFTER_LINES =>
            {
                return (0..self.patterns.len())
                    .find(|&i| precompiled.is_match(i, line) && accept(i));
            }
            (None, _) => self.set(),
        };
        let matches = set.matches(line);
        if !matches.matched_any() {
            return None; // nearly every line
        }
        matches.iter().find(|&i| accept(i))
    }

    /// The compiled set, compiled on first use.
    fn set(&self) -> &RegexSet {
        self.set.get_or_init(|| {
            RegexSetBuilder::new(&self.patterns)
                .dfa_size_limit(DFA_BYTES)
                .size_limit(COMPILED_BYTES)
                .build()
                .expect("patterns are checked when the cleaner is made, and fit in the size limit")
        })
    }

    /// Rule indexes matching `line`, by the precompiled DFAs and by the set: the same, always.
    #[cfg(test)]
    pub(super) fn both_ways(&self, line: &str) -> (Vec<usize>, Vec<usize>) {
        let precompiled = self.precompiled.expect("the built-in table");
        (
            (0..self.patterns.len())
                .filter(|&i| precompiled.is_match(i, line))
                .collect(),
            self.set().matches(line).iter().collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::builtin::BUILTIN;

    /// Lines of every kind the rules meet: each rule's examples (in builtin.rs), the seeds, and
    /// non-ASCII edge cases. The dev set's pages get the same check in `tests/devset_real.rs`.
    #[test]
    fn precompiled_dfas_and_the_set_agree() {
        let matcher = RuleMatcher::new(BUILTIN);
        let mut lines: Vec<String> = crate::clean::builtin::example_lines()
            .map(String::from)
            .collect();
        for seed in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds")).unwrap()
        {
            let text = std::fs::read_to_string(seed.unwrap().path()).unwrap();
            lines.extend(text.lines().map(String::from));
        }
        lines.extend(
            [
                "",
                " ",
                "ÄDVERTISEMENT",
                "Реклама",
                "广告",
                "© 2024 Ünïcödé GmbH",
                "İstanbul 12.03.2024",
            ]
            .map(String::from),
        );
        let mut matched = 0;
        for line in &lines {
            let (precompiled, set) = matcher.both_ways(line);
            assert_eq!(precompiled, set, "{line:?}");
            matched += usize::from(!set.is_empty());
        }
        assert!(
            matched > 50,
            "only {matched} of {} lines named",
            lines.len()
        );
    }

    #[test]
    fn the_set_takes_over_after_its_lines() {
        let matcher = RuleMatcher::new(BUILTIN);
        for _ in 0..SET_AFTER_LINES {
            assert_eq!(matcher.first("Advertisement", |_| true), Some(0));
        }
        assert!(matcher.set.get().is_none());
        assert_eq!(matcher.first("Advertisement", |_| true), Some(0));
        assert!(matcher.set.get().is_some());
    }

    /// The same on real pages: every line of every fourth of the dev set's page dumps
    /// (`../shared/devset/naive`, beside the repository; all of them agree too, but take minutes
    /// in a debug build), collapsed as the normalizer collapses it. Skips without the dev set,
    /// and fails under CI (`CI=true`), which must run it.
    #[test]
    fn precompiled_dfas_and_the_set_agree_on_the_dev_set_pages() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/devset/naive");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            let why = format!("{} is missing", dir.display());
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true" || v == "1"),
                "{why}, and CI must run this test"
            );
            eprintln!("skipping: {why}");
            return;
        };
        let matcher = RuleMatcher::new(BUILTIN);
        let (mut lines, mut named) = (0, 0);
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths.iter().step_by(4) {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            for line in text.lines() {
                let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
                let (precompiled, set) = matcher.both_ways(&line);
                assert_eq!(precompiled, set, "{line:?}");
                lines += 1;
                named += usize::from(!set.is_empty());
            }
        }
        assert!(
            lines > 100_000 && named > 10_000,
            "{named} of {lines} lines named"
        );
    }
}

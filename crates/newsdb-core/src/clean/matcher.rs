//! Which rules name a line: the built-in rules' precompiled DFAs ([`super::precompiled`]) for a
//! process's first lines, then the rule table compiled into two sets.
//!
//! Two sets, because most rules are anchored at the line's start (every branch begins with `^`) and
//! a few are not (`(^|\W)all rights reserved`). In one set, the few made the whole set search every
//! line to its end, through states mixing all the rules; a set of anchored rules alone is searched
//! anchored (the regex crate drops the unanchored prefix when every pattern has `^`), so it stops at
//! the first byte no rule can continue with, a few bytes into most lines.
//!
//! The compiled set is the fast way to match many lines, but compiling it takes about 100 ms: more
//! than a `newsdb clean FILE` process needs for the rest of its work. The precompiled DFAs need no
//! start-up but run about 15 times slower per line. So a matcher starts with them and compiles the
//! set once [`SET_AFTER_LINES`] lines have been matched, where the DFAs' extra cost reaches the
//! set's start-up. Both give the same answer for every line (tested here, on the rules' examples,
//! the seeds and the dev set's pages): which one ran never shows in what is stored. A table changed
//! by a rules file has no precompiled DFAs and compiles the set on its first line.
//!
//! Whichever runs, a short line is searched once per thread: the answer is remembered
//! ([`REMEMBERED_LINE_BYTES`], [`REMEMBERED_LINES`]), since pages of one site repeat their menus and
//! footers line for line.

use super::precompiled::Precompiled;
use super::rule::Rule;
use regex::{RegexSet, RegexSetBuilder};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use thread_local::ThreadLocal;

/// Lazy-DFA cache limit of each of the two sets, per thread. Measured when the rules were one set
/// (`examples/clean_speed`, 20k files): 2 MiB ran at 58k lines/s, 4 MiB and more at 93k; the
/// Unicode, case-insensitive set needs a few MiB of states, and too small a cache makes the regex
/// crate fall back to its slowest engine. With 52 rules in 11 languages, on the dev set's 2,949 real
/// page dumps side by side: 8 MiB ran at 115-175k lines/s (the cache thrashing), 32 MiB at
/// 510-550k, where 40 rules with 8 MiB ran at 290-340k. The cache grows only as far as the text
/// needs (one thread's peak memory rose by 28 MB there).
const DFA_BYTES: usize = 32 << 20;
/// Limit of the compiled set: the built-in rules take a few MiB; user rules get room to spare, so a
/// rules file that parses always compiles.
const COMPILED_BYTES: usize = 256 << 20;

/// Lines matched with the precompiled DFAs before the set is compiled. On the dev set's page dumps
/// the DFAs take about 15 µs a line more than the warm set, and compiling the set about 100 ms:
/// they cost the same at about 6,000 lines. A little below that, so a long run never pays much more
/// than the set's start-up for having started without it.
const SET_AFTER_LINES: usize = 4096;

/// Lines up to this many bytes are remembered with the rule that names them, by each thread, so a
/// line met again is not searched again ([`RuleMatcher::first`]). Pages of one site repeat their
/// menus, footers and banners; on the 20k-file real-text bench corpus, 2.9 of its 3.2 million
/// non-blank lines are this short, and 193 thousand of them are distinct.
const REMEMBERED_LINE_BYTES: usize = 96;
/// Lines a thread remembers before it forgets them all and starts again: at most about 25 MB a
/// thread (a run's learning pass drops its matcher, and with it this, when it ends). Measured at
/// 100k real files: peak RSS 4-6 MB higher than without, where 32,768 lines saved nothing at 20k.
const REMEMBERED_LINES: usize = 1 << 18;

/// Matches lines against a rule table. Shared by the threads that clean (`&RuleMatcher` is `Sync`).
#[derive(Debug)]
pub(super) struct RuleMatcher {
    /// The table's patterns as the sets compile them (case-insensitive).
    patterns: Vec<String>,
    /// Each rule's evidence guard ([`Rule::max_words`]).
    max_words: Vec<usize>,
    precompiled: Option<&'static Precompiled>,
    sets: OnceLock<Sets>,
    /// Lines matched so far without the set.
    lines: AtomicUsize,
    /// Per thread, the short lines it matched and the answer for each.
    remembered: Remembered,
}

/// What each thread remembers ([`RuleMatcher::first`]); shown by `Debug` as how many lines this
/// thread holds, not the lines (a cleaner printed for a log would otherwise print them all).
#[derive(Default)]
struct Remembered(ThreadLocal<RefCell<Answers>>);

/// Lines, and the rule that names each.
type Answers = HashMap<Box<str>, Option<usize>, foldhash::fast::RandomState>;

impl std::fmt::Debug for Remembered {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let here = self
            .0
            .get()
            .and_then(|lines| lines.try_borrow().ok())
            .map_or(0, |lines| lines.len());
        write!(f, "Remembered({here} lines on this thread)")
    }
}

impl RuleMatcher {
    /// A matcher for `rules`. Nothing is compiled yet; the caller checks that the patterns parse
    /// before the first line is matched.
    pub(super) fn new(rules: &[Rule]) -> RuleMatcher {
        RuleMatcher {
            patterns: rules.iter().map(|r| format!("(?i){}", r.pattern)).collect(),
            max_words: rules.iter().map(|r| r.max_words).collect(),
            precompiled: Precompiled::for_rules(rules),
            sets: OnceLock::new(),
            lines: AtomicUsize::new(0),
            remembered: Remembered::default(),
        }
    }

    /// Whether the table is the built-in one, compiled at build time.
    pub(super) fn is_precompiled(&self) -> bool {
        self.precompiled.is_some()
    }

    /// The first rule, in table order, that matches `line` and allows its number of words (its
    /// evidence guard, [`Rule::max_words`]), by its index in the table. The answer depends on the
    /// line alone, so a short line's is remembered by the thread that searched it.
    pub(super) fn first(&self, line: &str) -> Option<usize> {
        if line.len() > REMEMBERED_LINE_BYTES {
            return self.search(line);
        }
        let remembered = self.remembered.0.get_or_default();
        if let Some(&answer) = remembered.borrow().get(line) {
            return answer;
        }
        let answer = self.search(line);
        let mut remembered = remembered.borrow_mut();
        if remembered.len() >= REMEMBERED_LINES {
            remembered.clear();
        }
        remembered.insert(line.into(), answer);
        answer
    }

    /// [`RuleMatcher::first`], searched.
    fn search(&self, line: &str) -> Option<usize> {
        let mut words = None; // counted only for a line some rule matches: few lines
        let mut allows = |i: usize| {
            *words.get_or_insert_with(|| line.split_whitespace().count()) <= self.max_words[i]
        };
        let sets = match (self.sets.get(), self.precompiled) {
            (Some(sets), _) => sets,
            (None, Some(precompiled))
                if self.lines.fetch_add(1, Ordering::Relaxed) < SET_AFTER_LINES =>
            {
                return (0..self.patterns.len())
                    .find(|&i| precompiled.is_match(i, line) && allows(i));
            }
            (None, _) => self.sets(),
        };
        sets.matches(line).into_iter().find(|&i| allows(i))
    }

    /// The compiled sets, compiled on first use.
    fn sets(&self) -> &Sets {
        self.sets.get_or_init(|| Sets::new(&self.patterns))
    }

    /// Rule indexes matching `line`, by the precompiled DFAs and by the sets: the same, always.
    #[cfg(test)]
    pub(super) fn both_ways(&self, line: &str) -> (Vec<usize>, Vec<usize>) {
        let precompiled = self.precompiled.expect("the built-in table");
        (
            (0..self.patterns.len())
                .filter(|&i| precompiled.is_match(i, line))
                .collect(),
            self.sets().matches(line),
        )
    }
}

/// The table's rules in two compiled sets: those anchored at the line's start, and the others.
#[derive(Debug)]
struct Sets {
    anchored: Part,
    unanchored: Part,
}

/// One of the two sets, with the table index of each of its patterns.
#[derive(Debug)]
struct Part {
    set: RegexSet,
    rules: Vec<usize>,
}

impl Sets {
    fn new(patterns: &[String]) -> Sets {
        let (anchored, unanchored): (Vec<usize>, Vec<usize>) =
            (0..patterns.len()).partition(|&i| is_anchored(&patterns[i]));
        Sets {
            anchored: Part::new(patterns, anchored),
            unanchored: Part::new(patterns, unanchored),
        }
    }

    /// The table indexes of the rules matching `line`, in table order.
    fn matches(&self, line: &str) -> Vec<usize> {
        let mut hits = self.anchored.matches(line);
        let others = self.unanchored.matches(line);
        if !others.is_empty() {
            hits.extend(others);
            hits.sort_unstable();
        }
        hits
    }
}

impl Part {
    fn new(patterns: &[String], rules: Vec<usize>) -> Part {
        let set = RegexSetBuilder::new(rules.iter().map(|&i| &patterns[i]))
            .dfa_size_limit(DFA_BYTES)
            .size_limit(COMPILED_BYTES)
            .build()
            .expect("patterns are checked when the cleaner is made, and fit in the size limit");
        Part { set, rules }
    }

    fn matches(&self, line: &str) -> Vec<usize> {
        // Nearly every line matches no rule. Asking that first spares them the overlapping search,
        // which reads every line to its end; `is_match` stops at the first match. Only the few
        // lines some rule matches are searched for all of them.
        if !self.set.is_match(line) {
            return Vec::new();
        }
        self.set
            .matches(line)
            .iter()
            .map(|i| self.rules[i])
            .collect()
    }
}

/// Whether every match of `pattern` starts at the start of the line (`^` on every branch, as the
/// regex crate parses it: no multi-line mode). A pattern that does not parse here counts as not
/// anchored, which is always correct, only slower.
fn is_anchored(pattern: &str) -> bool {
    regex_syntax::parse(pattern).is_ok_and(|hir| {
        hir.properties()
            .look_set_prefix()
            .contains(regex_syntax::hir::Look::Start)
    })
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
    fn rules_split_by_anchoring_still_answer_in_table_order() {
        assert!(is_anchored("(?i)^share this$"));
        assert!(is_anchored("(?i)^share|^like"));
        assert!(!is_anchored("(?i)(^|\\W)all rights reserved"));
        assert!(!is_anchored("(?i)^share|like"));
        let patterns = [
            "(?i)(^|\\W)reserved",
            "(?i)^all",
            "(?i)rights",
            "(?i)^none$",
        ]
        .map(String::from);
        let sets = Sets::new(&patterns);
        assert_eq!(sets.anchored.rules, vec![1, 3]);
        assert_eq!(sets.matches("All rights reserved"), vec![0, 1, 2]);
        assert_eq!(sets.matches("Some rights"), vec![2]);
        assert_eq!(sets.matches("None"), vec![3]);
        assert!(sets.matches("nothing at all").is_empty());
    }

    #[test]
    fn the_set_takes_over_after_its_lines() {
        let matcher = RuleMatcher::new(BUILTIN);
        for _ in 0..SET_AFTER_LINES {
            assert_eq!(matcher.search("Advertisement"), Some(0));
        }
        assert!(matcher.sets.get().is_none());
        assert_eq!(matcher.search("Advertisement"), Some(0));
        assert!(matcher.sets.get().is_some());
    }

    /// A short line's answer is remembered, and is what a search gives, guard included; a long
    /// line is searched every time.
    #[test]
    fn a_line_met_again_is_answered_as_searched() {
        let matcher = RuleMatcher::new(BUILTIN);
        let long = format!("Advertisement{}", " word".repeat(20));
        let mut lines: Vec<String> = crate::clean::builtin::example_lines()
            .map(String::from)
            .collect();
        // Named by a rule only within its guard (ad-marker: 6 words).
        lines.extend(
            ["Advertisement", "Advertisement advertisement advertisement"].map(String::from),
        );
        lines.push(long.clone());
        let mut short: Vec<&str> = lines
            .iter()
            .map(String::as_str)
            .filter(|l| l.len() <= REMEMBERED_LINE_BYTES)
            .collect();
        short.sort_unstable();
        short.dedup();
        for round in 0..2 {
            for line in &lines {
                assert_eq!(
                    matcher.first(line),
                    matcher.search(line),
                    "{line:?}, round {round}"
                );
            }
        }
        let remembered = matcher
            .remembered
            .0
            .get()
            .expect("this thread matched")
            .borrow();
        assert_eq!(remembered.len(), short.len());
        assert!(!remembered.contains_key(long.as_str()));
        assert_eq!(remembered.get("Advertisement"), Some(&Some(0)));
    }

    #[test]
    fn a_thread_forgets_what_it_remembered_past_its_limit() {
        let rule = Rule {
            name: "ad".into(),
            category: super::super::rule::Category::Advertisement,
            scope: super::super::rule::Scope::Anywhere,
            ends_article: false,
            pattern: "^ad$".into(),
            max_words: 1,
        };
        let matcher = RuleMatcher::new(&[rule]);
        for i in 0..=REMEMBERED_LINES {
            assert_eq!(matcher.first(&format!("line {i}")), None);
        }
        let remembered = || matcher.remembered.0.get().unwrap().borrow().len();
        // Full at the limit, forgotten all at once by the line after it.
        assert_eq!(remembered(), 1);
        assert_eq!(matcher.first("AD"), Some(0));
        assert_eq!(remembered(), 2);
        assert!(format!("{matcher:?}").contains("Remembered(2 lines on this thread)"));
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

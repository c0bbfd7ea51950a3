//! Compiles the rule table once and applies it to a document's lines.

use super::builtin::BUILTIN;
use super::rule::Rule;
use crate::normalize::canonical;
use regex::RegexSet;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashSet;

/// Name recorded for a line removed because it already appeared earlier in the document.
pub const REPEATED_LINE_RULE: &str = "repeated-line";

/// Bumped when the engine's behaviour, or what ingest derives from a cleaned body, changes in a way the
/// rule table does not show: documents cleaned by an older version are re-cleaned by the next ingest.
/// 2: documents get a `lang`.
const ENGINE_REVISION: u32 = 2;

/// A line removed by the cleaner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    /// 1-based line number in the source file.
    pub line: usize,
    pub text: String,
    pub rule: Cow<'static, str>,
}

/// The cleaner's verdict on a run of lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// One entry per input line: `true` to keep it. Blank lines are always kept (they separate
    /// paragraphs; the body assembly collapses them).
    pub keep: Vec<bool>,
    pub removed: Vec<Removal>,
}

/// The compiled rule set. Build it once and share it (`&Cleaner` is `Sync`) across worker threads.
#[derive(Debug)]
pub struct Cleaner {
    rules: Vec<Rule>,
    set: RegexSet,
    version: String,
}

impl Cleaner {
    /// The cleaner with the built-in rules.
    pub fn builtin() -> Cleaner {
        Cleaner::new(BUILTIN.to_vec()).expect("built-in rules compile")
    }

    pub fn new(rules: Vec<Rule>) -> Result<Cleaner, regex::Error> {
        let set = RegexSet::new(rules.iter().map(|r| format!("(?i){}", r.pattern)))?;
        let mut hasher = Sha256::new();
        hasher.update(ENGINE_REVISION.to_le_bytes());
        for r in &rules {
            hasher.update(format!(
                "{}\0{:?}\0{}\0{}\n",
                r.name, r.category, r.pattern, r.max_words
            ));
        }
        let version = hex::encode(&hasher.finalize()[..6]);
        Ok(Cleaner {
            rules,
            set,
            version,
        })
    }

    /// Identifies the rule set; stored in `documents.cleaner_version` and `runs.cleaner_version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The first rule (in table order) that removes `line` on its own, if any.
    pub fn rule_for(&self, line: &str) -> Option<&str> {
        self.matching_rule(line).map(|r| &*r.name)
    }

    fn matching_rule(&self, line: &str) -> Option<&Rule> {
        let matches = self.set.matches(line);
        if !matches.matched_any() {
            return None; // nearly every line: no need to count its words
        }
        let words = line.split_whitespace().count();
        matches
            .iter()
            .map(|i| &self.rules[i])
            .find(|r| words <= r.max_words)
    }

    /// The rules in force, in table order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Decides which of `lines` to keep. `first_line` is the 1-based file line number of `lines[0]`.
    ///
    /// A line is removed when a rule names it, or when the same line (compared in canonical form,
    /// ignoring trailing punctuation, so a caption printed once with and once without its full stop
    /// counts) was already kept earlier: the first occurrence stays.
    pub fn clean(&self, lines: &[String], first_line: usize) -> Cleaned {
        let mut seen = HashSet::new();
        let mut cleaned = Cleaned {
            keep: Vec::with_capacity(lines.len()),
            removed: Vec::new(),
        };
        for (i, line) in lines.iter().enumerate() {
            let rule = if line.is_empty() {
                None
            } else if let Some(rule) = self.matching_rule(line) {
                Some(rule.name.clone())
            } else if !seen.insert(repeat_key(line)) {
                Some(Cow::Borrowed(REPEATED_LINE_RULE))
            } else {
                None
            };
            cleaned.keep.push(rule.is_none());
            if let Some(rule) = rule {
                cleaned.removed.push(Removal {
                    line: first_line + i,
                    text: line.clone(),
                    rule,
                });
            }
        }
        cleaned
    }
}

fn repeat_key(line: &str) -> String {
    canonical(line)
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn repeated_caption_is_kept_once() {
        let c = Cleaner::builtin();
        let input =
            lines("A caption here.\nBody sentence one.\nA caption here\nBody sentence two.");
        let cleaned = c.clean(&input, 1);
        assert_eq!(cleaned.keep, vec![true, true, false, true]);
        assert_eq!(cleaned.removed[0].line, 3);
        assert_eq!(cleaned.removed[0].rule, REPEATED_LINE_RULE);
    }

    #[test]
    fn blank_lines_are_never_repeats() {
        let c = Cleaner::builtin();
        let cleaned = c.clean(&lines("a.\n\nb.\n\nc."), 1);
        assert!(cleaned.keep.iter().all(|k| *k));
    }

    #[test]
    fn version_follows_the_rule_set() {
        let all = Cleaner::builtin();
        let fewer = Cleaner::new(BUILTIN[1..].to_vec()).unwrap();
        assert_ne!(all.version(), fewer.version());
        assert_eq!(all.version(), Cleaner::builtin().version());
    }
}

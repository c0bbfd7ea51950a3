//! Compiles the rule table once and applies it to a document's lines.

use super::builtin::BUILTIN;
use super::classify::{Core, Features, Line};
use super::lang;
use super::rule::{Rule, Scope};
use crate::normalize::canonical;
use regex::RegexSet;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashSet;

/// Name recorded for a line removed because it already appeared earlier in the document.
pub const REPEATED_LINE_RULE: &str = "repeated-line";
/// Name recorded for a line outside the article's core that is neither its headline nor a closing
/// sentence: menus, section names, dates, teasers above or below the article.
pub const OUTSIDE_ARTICLE_RULE: &str = "outside-article";
/// Name recorded for a line after the line that ends the article ("Related", "12 Comments"): comment
/// threads and lists of other articles, full sentences included.
pub const PAST_ARTICLE_END_RULE: &str = "past-article-end";

/// Bumped when the engine's behaviour, or what ingest derives from a cleaned body, changes in a way the
/// rule table does not show: documents cleaned by an older version are re-cleaned by the next ingest.
/// 2: documents get a `lang`. 3: the classifier and position-aware rules.
const ENGINE_REVISION: u32 = 3;

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
    /// The document's language, when it could be told.
    pub lang: Option<whatlang::Lang>,
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
                "{}\0{:?}\0{:?}\0{}\0{}\0{}\n",
                r.name, r.category, r.scope, r.ends_article, r.pattern, r.max_words
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
    /// In order: rules name lines; the classifier ([`classify`]) finds the article's core; a rule
    /// removes its line when it may fire there ([`Scope`]); lines outside the core that are not the
    /// headline or a closing sentence go; last, a line that repeats one kept earlier (compared in
    /// canonical form, ignoring trailing punctuation, so a caption printed once with and once without
    /// its full stop counts) goes, and the first occurrence stays.
    pub fn clean(&self, lines: &[String], first_line: usize) -> Cleaned {
        let lang = lang::detect(lines);
        let stopwords = lang.and_then(lang::stopwords);
        let named: Vec<Option<&Rule>> = lines
            .iter()
            .map(|l| {
                if l.is_empty() {
                    None
                } else {
                    self.matching_rule(l)
                }
            })
            .collect();
        let classified: Vec<Line> = lines
            .iter()
            .zip(&named)
            .map(|(l, rule)| Line {
                features: Features::of(l, stopwords),
                named: rule.is_some(),
                ends_article: rule.is_some_and(|r| r.ends_article),
                blank: l.is_empty(),
            })
            .collect();
        let core = Core::find(&classified);

        let mut verdicts: Vec<Option<Cow<'static, str>>> = (0..lines.len())
            .map(|i| {
                if lines[i].is_empty() {
                    return None;
                }
                let inside = core.is_none_or(|c| c.contains(i));
                if let Some(rule) = named[i] {
                    let fires = rule.scope == Scope::Anywhere || core.is_none() || !inside;
                    return fires.then(|| rule.name.clone());
                }
                let core = core?;
                if inside || core.keeps_outside(&classified, i) {
                    None
                } else if core.is_past_end(i) {
                    Some(Cow::Borrowed(PAST_ARTICLE_END_RULE))
                } else {
                    Some(Cow::Borrowed(OUTSIDE_ARTICLE_RULE))
                }
            })
            .collect();

        let mut seen = HashSet::new();
        for (line, verdict) in lines.iter().zip(verdicts.iter_mut()) {
            if verdict.is_none() && !line.is_empty() && !seen.insert(repeat_key(line)) {
                *verdict = Some(Cow::Borrowed(REPEATED_LINE_RULE));
            }
        }

        let mut cleaned = Cleaned {
            keep: Vec::with_capacity(lines.len()),
            removed: Vec::new(),
            lang,
        };
        for (i, (line, verdict)) in lines.iter().zip(verdicts).enumerate() {
            cleaned.keep.push(verdict.is_none());
            if let Some(rule) = verdict {
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

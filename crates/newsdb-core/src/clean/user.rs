//! A user's rules file (TOML): extra patterns, and built-in rules switched off by name.
//!
//! ```toml
//! disable = ["photo-credit"]          # built-in rule names, as `newsdb clean --json` reports them
//!
//! [[rule]]
//! name = "example-promo"              # recorded with every line it removes
//! category = "newsletter"             # one of the categories of `Category`, kebab-case
//! pattern = '^Get the Example Daily\b' # regular expression, matched case-insensitively per line
//! max_words = 12                      # optional: only lines of at most this many words (default 30)
//! scope = "edge"                      # optional: "anywhere" (default), or only outside the article's core
//! ends_article = false                # optional: true if everything after it (late in a page) is not article
//! ```
//!
//! The rules change the cleaner's version, so the next ingest re-cleans every stored document.

use super::builtin::BUILTIN;
use super::engine::{
    Cleaner, OUTSIDE_ARTICLE_RULE, PAST_ARTICLE_END_RULE, REPEATED_HEADLINE_RULE,
    REPEATED_LINE_RULE,
};
use super::rule::{Category, Rule, Scope};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a set of rules cannot make a cleaner. Each renders as one line; a caller printing the source
/// chain gets the file, the rule and what is wrong with it.
#[derive(Debug, Error)]
pub enum RulesError {
    #[error("{}: cannot read the rules file", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: bad rules file", path.display())]
    InFile {
        path: PathBuf,
        source: Box<RulesError>,
    },
    #[error(transparent)]
    Syntax(#[from] toml::de::Error),
    #[error("disable: there is no built-in rule named {0:?}")]
    UnknownBuiltin(String),
    #[error("rule {0:?}: that name is already taken")]
    NameTaken(String),
    #[error("rule {name:?}: bad pattern")]
    BadPattern { name: String, source: regex::Error },
}

/// Evidence guard of a user rule that does not set `max_words`.
const DEFAULT_MAX_WORDS: usize = 30;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    rule: Vec<UserRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserRule {
    name: String,
    category: Category,
    pattern: String,
    max_words: Option<usize>,
    scope: Option<Scope>,
    ends_article: Option<bool>,
}

impl Cleaner {
    /// The built-in rules, changed by the rules file at `path`. Errors name the file and the rule.
    pub fn with_rules_file(path: &Path) -> Result<Cleaner, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: path.to_owned(),
            source,
        })?;
        Cleaner::with_rules_toml(&text).map_err(|e| RulesError::InFile {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }

    /// The built-in rules, changed by a rules file's text.
    pub fn with_rules_toml(text: &str) -> Result<Cleaner, RulesError> {
        let file: RulesFile = toml::from_str(text)?;
        let builtin_names: HashSet<&str> = BUILTIN.iter().map(|r| &*r.name).collect();
        for name in &file.disable {
            if !builtin_names.contains(name.as_str()) {
                return Err(RulesError::UnknownBuiltin(name.clone()));
            }
        }
        let mut rules: Vec<Rule> = BUILTIN
            .iter()
            .filter(|r| !file.disable.iter().any(|d| *d == r.name))
            .cloned()
            .collect();
        let mut names: HashSet<String> = builtin_names.iter().map(|n| n.to_string()).collect();
        for reserved in [
            REPEATED_LINE_RULE,
            REPEATED_HEADLINE_RULE,
            super::model::LINE_MODEL_RULE,
            super::engine::SCRIPT_DATA_RULE,
            OUTSIDE_ARTICLE_RULE,
            PAST_ARTICLE_END_RULE,
        ] {
            names.insert(reserved.to_owned());
        }
        for user in file.rule {
            if !names.insert(user.name.clone()) {
                return Err(RulesError::NameTaken(user.name));
            }
            if let Err(source) = regex::Regex::new(&user.pattern) {
                return Err(RulesError::BadPattern {
                    name: user.name,
                    source,
                });
            }
            rules.push(Rule {
                name: Cow::Owned(user.name),
                category: user.category,
                scope: user.scope.unwrap_or(Scope::Anywhere),
                ends_article: user.ends_article.unwrap_or(false),
                pattern: Cow::Owned(user.pattern),
                max_words: user.max_words.unwrap_or(DEFAULT_MAX_WORDS),
            });
        }
        Cleaner::new(rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_added_and_disabled() {
        let c = Cleaner::with_rules_toml(
            "disable = [\"share-widget\"]\n\
             [[rule]]\nname = \"promo\"\ncategory = \"newsletter\"\npattern = '^Get the Daily\\b'\n",
        )
        .unwrap();
        assert_eq!(c.rule_for("Get the Daily, free"), Some("promo"));
        assert_eq!(c.rule_for("Share this:"), None);
        assert_ne!(c.version(), Cleaner::builtin().version());
    }

    #[test]
    fn user_rules_may_fire_at_the_edges_only_and_end_articles() {
        let c = Cleaner::with_rules_toml(
            "[[rule]]\nname = \"our-picks\"\ncategory = \"navigation\"\n\
             pattern = '^Our picks this week$'\nscope = \"edge\"\nends_article = true\n",
        )
        .unwrap();
        let rule = c.rules().last().unwrap();
        assert_eq!((rule.scope, rule.ends_article), (Scope::Edge, true));
        assert_eq!(c.rule_for("Our picks this week"), Some("our-picks"));
        let err = format!(
            "{:#}",
            Cleaner::with_rules_toml(
                "[[rule]]\nname = \"x\"\ncategory = \"share\"\npattern = \"x\"\nscope = \"middle\"\n"
            )
            .unwrap_err()
        );
        assert!(err.contains("middle"), "{err}");
    }

    #[test]
    fn mistakes_are_named() {
        let err = |toml: &str| format!("{:#}", Cleaner::with_rules_toml(toml).unwrap_err());
        assert!(err("disable = [\"no-such\"]").contains("no-such"));
        assert!(
            err("[[rule]]\nname = \"x\"\ncategory = \"share\"\npattern = \"(\"")
                .contains("rule \"x\"")
        );
        assert!(
            err("[[rule]]\nname = \"share-widget\"\ncategory = \"share\"\npattern = \"x\"")
                .contains("taken")
        );
        assert!(
            err("[[rule]]\nname = \"x\"\ncategory = \"nope\"\npattern = \"x\"").contains("nope")
        );
        assert!(err("colour = 1").contains("colour"));
    }
}

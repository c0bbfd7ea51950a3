//! The built-in rule table, sorted by name (a test checks it).
//!
//! Every rule is anchored to the start of the line or carries a low `max_words`: boilerplate lines are
//! short and formulaic, article sentences that talk about cookies, sharing or copyright are not.
//! Changing this table changes [`super::Cleaner::version`], which is recorded with every document.

use super::rule::{Category, Rule};
use std::borrow::Cow;

pub const BUILTIN: &[Rule] = &[
    Rule {
        name: Cow::Borrowed("all-rights-reserved"),
        category: Category::Copyright,
        pattern: Cow::Borrowed(r"\ball rights reserved\b"),
        max_words: 25,
    },
    Rule {
        name: Cow::Borrowed("byline-contributed"),
        category: Category::Byline,
        pattern: Cow::Borrowed(r"\bcontributed (reporting )?to this (report|story|article)\.?$"),
        max_words: 60,
    },
    Rule {
        name: Cow::Borrowed("byline-write-to"),
        category: Category::Byline,
        pattern: Cow::Borrowed(r"^write to \S.*\bat\b"),
        max_words: 30,
    },
    Rule {
        name: Cow::Borrowed("comment-count"),
        category: Category::Comments,
        pattern: Cow::Borrowed(r"^(\d+ )?comments?( \(\d+\))?:?$"),
        max_words: 3,
    },
    Rule {
        name: Cow::Borrowed("comment-form"),
        category: Category::Comments,
        pattern: Cow::Borrowed(
            r"^(leave a (reply|comment)|post a comment|add a comment|cancel reply|submit comment|post comment)[.:]?$",
        ),
        max_words: 4,
    },
    Rule {
        name: Cow::Borrowed("comment-form-notice"),
        category: Category::Comments,
        pattern: Cow::Borrowed(
            r"^(your email address will not be published|required fields are marked)\b",
        ),
        max_words: 25,
    },
    Rule {
        name: Cow::Borrowed("conversation-prompt"),
        category: Category::Comments,
        pattern: Cow::Borrowed(r"\bjoin the (conversation|discussion) below\.?$"),
        max_words: 40,
    },
    Rule {
        name: Cow::Borrowed("cookie-banner"),
        category: Category::Consent,
        pattern: Cow::Borrowed(r"^(this|our) (web ?site|site) uses cookies\b|^we use cookies\b"),
        max_words: 80,
    },
    Rule {
        name: Cow::Borrowed("cookie-buttons"),
        category: Category::Consent,
        pattern: Cow::Borrowed(
            r"^(accept|accept all|accept cookies|reject all|manage cookies|cookie (settings|policy|preferences))$",
        ),
        max_words: 3,
    },
    Rule {
        name: Cow::Borrowed("copyright-line"),
        category: Category::Copyright,
        pattern: Cow::Borrowed(r"^(copyright|©|\(c\))\s*(©|\(c\))?\s*\d{4}\b"),
        max_words: 40,
    },
    Rule {
        name: Cow::Borrowed("like-widget"),
        category: Category::Share,
        pattern: Cow::Borrowed(r"^(like this|like|be the first to like this|loading\.\.\.)[.:]?$"),
        max_words: 6,
    },
    Rule {
        name: Cow::Borrowed("likes-count"),
        category: Category::Share,
        pattern: Cow::Borrowed(r"^(%d|\d+) bloggers? likes? this[.:]?$"),
        max_words: 5,
    },
    Rule {
        name: Cow::Borrowed("photo-credit"),
        category: Category::Credit,
        pattern: Cow::Borrowed(r"^(photo|photograph|image|picture|video)s?( credit)?\s*:\s*\S"),
        max_words: 10,
    },
    Rule {
        name: Cow::Borrowed("share-widget"),
        category: Category::Share,
        pattern: Cow::Borrowed(
            r"^(share|share this( article| story)?|share on (facebook|twitter|x|linkedin|whatsapp|email)|tweet|email|print)[.:]?$|^click to (share|email|print)\b",
        ),
        max_words: 12,
    },
];

#[cfg(test)]
mod tests {
    use super::super::{Cleaner, REPEATED_LINE_RULE};
    use super::*;

    #[test]
    fn names_are_sorted_and_unique() {
        for pair in BUILTIN.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must sort before {}",
                pair[0].name,
                pair[1].name
            );
        }
        assert!(BUILTIN.iter().all(|r| r.name != REPEATED_LINE_RULE));
    }

    /// (rule, a line it must remove, a line no rule may remove).
    const EXAMPLES: &[(&str, &str, &str)] = &[
        ("all-rights-reserved", "© The Times. All rights reserved.",
         "The publisher said all rights reserved by the estate would be sold at auction next year, ending a long dispute over the letters and the rights to publish them in any form."),
        ("byline-contributed", "Robert Burns in Washington and Yuras Karmanau in Kyiv contributed to this report.",
         "Reporters from three papers contributed to the investigation."),
        ("byline-write-to", "Write to William Mauldin at and Ann M. Simmons at",
         "Write to your representative, the campaign urged."),
        ("comment-count", "12 Comments", "Comments from the minister drew criticism."),
        ("comment-form", "Post a Comment", "Readers may post a comment on the ministry's website until Friday."),
        ("comment-form-notice", "Your email address will not be published. Required fields are marked *",
         "The agency said your email address will not be published in the registry."),
        ("conversation-prompt", "What do you think? Join the conversation below.",
         "Protesters were invited to join the conversation at the town hall."),
        ("cookie-banner", "This website uses cookies to improve your experience. Accept Read More",
         "The regulator found that the website uses cookies to track visitors without consent."),
        ("cookie-buttons", "Accept all", "Accept the offer, the union told its members."),
        ("copyright-line", "Copyright © 2022 Dow Jones & Company, Inc.",
         "Copyright law in 2022 was changed to cover news snippets."),
        ("like-widget", "Like this:", "Like this year's talks, the meeting ended without agreement."),
        ("likes-count", "%d bloggers like this:", "Two bloggers liked this idea."),
        ("photo-credit", "Photo: handout / Agence France-Presse / Getty Images",
         "Photos of the convoy were shared widely on social media, officials said."),
        ("share-widget", "Share this:", "Share prices fell sharply on Tuesday."),
    ];

    #[test]
    fn every_rule_has_a_removal_and_a_keep_example() {
        let cleaner = Cleaner::builtin();
        for rule in BUILTIN {
            let (_, remove, keep) = EXAMPLES
                .iter()
                .find(|(name, _, _)| *name == rule.name)
                .unwrap_or_else(|| panic!("rule {} has no example", rule.name));
            assert_eq!(cleaner.rule_for(remove), Some(&*rule.name), "{remove:?}");
            assert_eq!(cleaner.rule_for(keep), None, "{keep:?}");
        }
    }
}

//! Stage: normalized lines → kept lines + an audit of every removal.
//!
//! Boilerplate is what a scraper dumps beside the article: share and like widgets, comment forms,
//! cookie banners, copyright footers, contact lines, lines printed twice. Rules are data
//! ([`builtin::BUILTIN`]): each has a name and a category, and every line removed is reported with the
//! rule that removed it, so users can audit (`newsdb clean --json`, table `removed_lines`) and tune.
//! The cleaner never edits inside a line: a line is kept whole or removed whole, so no article sentence
//! is ever cut in half.

pub mod builtin;
pub mod classify;
mod engine;
pub mod features;
pub mod lang;
mod matcher;
pub mod memo;
pub mod model;
mod precompiled;
mod rule;
pub mod site;
pub mod span;
mod user;

pub use engine::{
    Cleaned, Cleaner, Removal, Source, OUTSIDE_ARTICLE_RULE, PAST_ARTICLE_END_RULE,
    REPEATED_HEADLINE_RULE, REPEATED_LINE_RULE, SCRIPT_DATA_RULE,
};
pub use memo::Memo;
pub use rule::{Category, Rule, Scope};
pub use span::SpanWeights;
pub use user::RulesError;

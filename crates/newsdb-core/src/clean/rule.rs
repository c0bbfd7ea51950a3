//! What a cleaning rule is: a named, categorised pattern over one line.

use std::borrow::Cow;

/// What kind of boilerplate a rule removes. Stored with every removal (through the rule name) and
/// used to report which kinds of boilerplate a corpus carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Cookie and consent banners.
    Consent,
    /// Share, like and follow widgets.
    Share,
    /// Comment counts, comment and reply forms, "join the conversation" prompts.
    Comments,
    /// "Write to ... at", "... contributed to this report".
    Byline,
    /// Copyright and legal footers.
    Copyright,
    /// Photo and video credits.
    Credit,
    /// Newsletter sign-ups, subscription and paywall prompts.
    Newsletter,
    /// Menus, section lists, "read more" and related-article links.
    Navigation,
    /// Advertisement markers.
    Advertisement,
    /// "Download our app", "your browser is out of date".
    AppPrompt,
    /// Dates, times and reading times printed above or below the article.
    Dateline,
    /// A line that already appeared earlier in the same document.
    Repeat,
}

/// Where in a document a rule may fire.
///
/// Boilerplate sits in runs at the head and the tail of a page, around the article. A pattern that is
/// unmistakable wherever it appears ("Share this:", "Advertisement", a cookie-banner sentence) fires
/// anywhere; a weaker one (a bare "Facebook", "By Jane Doe", a date alone on its line) needs the
/// stronger evidence of its position and only fires outside the article's core (see
/// [`super::classify`]), so a heading or a short line inside the article is never taken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Anywhere,
    Edge,
}

/// One cleaning rule: built in ([`super::builtin::BUILTIN`]) or from a user's rules file.
///
/// `pattern` is a regular expression matched case-insensitively against the whole normalized line
/// (anchor it with `^`/`$` where it must match the whole line). `max_words` is the evidence guard: the
/// rule only fires on lines of at most that many words, so an article paragraph that happens to quote a
/// widget's wording is never removed. A rule that `ends_article` marks the start of what follows an
/// article ("Related articles", "12 Comments", "Leave a Reply"): once most of the article is behind,
/// everything after it is boilerplate, even full sentences (comments, teasers of other articles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: Cow<'static, str>,
    pub category: Category,
    pub scope: Scope,
    pub ends_article: bool,
    pub pattern: Cow<'static, str>,
    pub max_words: usize,
}

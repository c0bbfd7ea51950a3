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
    /// A line that already appeared earlier in the same document.
    Repeat,
}

/// One cleaning rule: built in ([`super::builtin::BUILTIN`]) or from a user's rules file.
///
/// `pattern` is a regular expression matched case-insensitively against the whole normalized line
/// (anchor it with `^`/`$` where it must match the whole line). `max_words` is the evidence guard: the
/// rule only fires on lines of at most that many words, so an article paragraph that happens to quote a
/// widget's wording is never removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: Cow<'static, str>,
    pub category: Category,
    pub pattern: Cow<'static, str>,
    pub max_words: usize,
}

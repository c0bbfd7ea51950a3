//! What a cleaning rule is: a named, categorised pattern over one line.

/// What kind of boilerplate a rule removes. Stored with every removal (through the rule name) and
/// used to report which kinds of boilerplate a corpus carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
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
    /// A line that already appeared earlier in the same document.
    Repeat,
}

/// One built-in cleaning rule.
///
/// `pattern` is a regular expression matched case-insensitively against the whole normalized line
/// (anchor it with `^`/`$` where it must match the whole line). `max_words` is the evidence guard: the
/// rule only fires on lines of at most that many words, so an article paragraph that happens to quote a
/// widget's wording is never removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub category: Category,
    pub pattern: &'static str,
    pub max_words: usize,
}

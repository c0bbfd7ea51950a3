//! Which documents a listing takes, beside what it lists them for: by date, site and language.
//! `newsdb search` and `newsdb export` share it, so the flags mean the same in both.

/// The documents to keep; every field empty keeps all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Published on or after this day (YYYY-MM-DD).
    pub since: Option<String>,
    /// Published on or before this day (YYYY-MM-DD).
    pub until: Option<String>,
    /// Of these sites: a domain, or any of its subdomains. Empty: every site.
    pub domains: Vec<String>,
    /// In this language (ISO 639-3, as `documents.lang` holds it).
    pub lang: Option<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }

    /// The values of the four parameters of [`crate::filter_sql!`], in its order.
    pub fn params(&self) -> (Option<&str>, Option<&str>, Option<String>, Option<&str>) {
        let domains = (!self.domains.is_empty()).then(|| {
            let bare: Vec<String> = self
                .domains
                .iter()
                .map(|d| d.trim().trim_start_matches("www.").to_lowercase())
                .collect();
            serde_json::to_string(&bare).expect("strings serialize")
        });
        (
            self.since.as_deref(),
            self.until.as_deref(),
            domains,
            self.lang.as_deref(),
        )
    }
}

/// The SQL condition of [`Filters`] over the documents row `d`, its four values bound at the
/// parameter numbers given (as string literals): `filter_sql!("8", "9", "10", "11")` reads
/// `?8` since, `?9` until, `?10` the sites as a JSON array, `?11` the language; a NULL value keeps
/// every document. A macro so that `concat!` builds `const` SQL with it.
#[macro_export]
macro_rules! filter_sql {
    ($since:literal, $until:literal, $domains:literal, $lang:literal) => {
        concat!(
            " AND (?",
            $since,
            " IS NULL OR d.published >= ?",
            $since,
            ")",
            " AND (?",
            $until,
            " IS NULL OR d.published <= ?",
            $until,
            ")",
            " AND (?",
            $domains,
            " IS NULL OR EXISTS (SELECT 1 FROM json_each(?",
            $domains,
            ") s",
            " WHERE d.domain = s.value OR d.domain LIKE '%.' || s.value))",
            " AND (?",
            $lang,
            " IS NULL OR d.lang = ?",
            $lang,
            ")"
        )
    };
}

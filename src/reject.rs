//! Why a source was rejected: it could not be read whole ([`ReadError`]), or its content makes no
//! document ([`newsdb_core::Rejection`]).
//!
//! A rejected file is data, not a run error: the pipeline records it in `files` with status `error`, the
//! stable short [`Rejection::code`] in `files.reason` (scripts match on it) and the one-line
//! [`Rejection`] message in `files.detail`, prints `path: message` on stderr, and goes on.

use crate::read::ReadError;
use thiserror::Error;

/// A reason not to ingest one source. Every variant renders as one line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Rejection {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Content(#[from] newsdb_core::Rejection),
    /// A prepared record's own rejection (`newsdb prepare` refused the source), carried over.
    #[error("{reason}")]
    Carried { code: &'static str, reason: String },
    /// A line of `ingest --prepared`'s input that is not a record newsdb can store.
    #[error("not a prepared record (newsdb prepare prints them): {0}")]
    NotPrepared(String),
    /// A prepared record made by another cleaner: storing it would mix two cleanings in one
    /// database.
    #[error("prepared by cleaner {prepared}, but this newsdb cleans with {current}: run `newsdb prepare` of this newsdb again")]
    CleanerVersion { prepared: String, current: String },
}

/// Every code [`Rejection::code`] gives, so a carried rejection keeps its code.
const CODES: &[&str] = &[
    "empty",
    "binary",
    "not-utf8",
    "no-text",
    "bad-record",
    "bad-html",
    "json",
    "too-large",
    "unreadable",
    "vanished",
    "changed-while-read",
    "cleaner-version",
];

impl Rejection {
    /// The stable short code stored in `files.reason`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Read(e) => e.code(),
            Rejection::Content(r) => r.code(),
            Rejection::Carried { code, .. } => code,
            Rejection::CleanerVersion { .. } => "cleaner-version",
            Rejection::NotPrepared(_) => "bad-record",
        }
    }

    /// A rejection a prepared record carries: its code (one of newsdb's, else `bad-record`) and
    /// message.
    pub fn carried(code: &str, reason: String) -> Rejection {
        let code = CODES.iter().find(|&&c| c == code).unwrap_or(&"bad-record");
        Rejection::Carried { code, reason }
    }

    /// Whether the same bytes would be rejected again. Such a rejection is not retried while the
    /// file's size and mtime stay the same; the others are retried on every run: fixing a file's
    /// permissions does not change its mtime, and a file caught mid-write will be complete later.
    pub fn depends_only_on_content(code: &str) -> bool {
        !matches!(code, "unreadable" | "vanished" | "changed-while-read")
    }

    /// A passing state of the file rather than a verdict on its content: a file already stored keeps
    /// its document until a run reads it whole. An emptied file counts as one: a scraper truncates a
    /// file before writing it again, and retiring the article then would let `prune` delete it.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Rejection::Read(ReadError::Vanished | ReadError::ChangedWhileRead)
                | Rejection::Content(newsdb_core::Rejection::Empty)
                | Rejection::Carried {
                    code: "vanished" | "changed-while-read" | "empty",
                    ..
                }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_pass_through() {
        let read = Rejection::from(ReadError::Vanished);
        assert_eq!(read.code(), "vanished");
        assert!(read.is_transient());
        assert!(!Rejection::depends_only_on_content(read.code()));
        let content = Rejection::from(newsdb_core::Rejection::Empty);
        assert_eq!(content.code(), "empty");
        assert_eq!(content.to_string(), "empty file");
        assert!(content.is_transient(), "an emptied file keeps its document");
        assert!(!Rejection::from(newsdb_core::Rejection::Binary { offset: 0 }).is_transient());
        assert!(Rejection::depends_only_on_content(content.code()));
    }
}

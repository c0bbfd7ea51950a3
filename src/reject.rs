//! Why a file was rejected.
//!
//! A rejected file is data, not a run error: the pipeline records it in `files` with status `error`, the
//! stable short [`Rejection::code`] in `files.reason` (scripts match on it) and the one-line
//! [`Rejection`] message in `files.detail`, prints `path: message` on stderr, and goes on.

use thiserror::Error;

/// A reason not to ingest one file. Every variant renders as one line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Rejection {
    #[error("empty file")]
    Empty,
    #[error("binary file (NUL byte at offset {offset})")]
    Binary { offset: usize },
    #[error("not UTF-8 (invalid byte at offset {offset}) and not text in a legacy encoding{why}")]
    NotUtf8 { offset: usize, why: String },
    #[error("file too large ({size} bytes; the limit is {limit} bytes)")]
    TooLarge { size: u64, limit: u64 },
    #[error("cannot read: {0}")]
    Unreadable(String),
    #[error("the file disappeared before it could be read")]
    Vanished,
    #[error("the file changed while it was being read; the next run will pick it up")]
    ChangedWhileRead,
    #[error("no article text left after removing boilerplate ({removed} lines removed)")]
    NoText { removed: usize },
    /// A JSON Lines record that is not an article object (the line number is in the source's path).
    #[error("not an article record: {0}")]
    BadRecord(String),
}

impl Rejection {
    /// The stable short code stored in `files.reason`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Empty => "empty",
            Rejection::Binary { .. } => "binary",
            Rejection::NotUtf8 { .. } => "not-utf8",
            Rejection::TooLarge { .. } => "too-large",
            Rejection::Unreadable(_) => "unreadable",
            Rejection::Vanished => "vanished",
            Rejection::ChangedWhileRead => "changed-while-read",
            Rejection::NoText { .. } => "no-text",
            Rejection::BadRecord(_) => "bad-record",
        }
    }

    /// Whether the same bytes would be rejected again. Such a rejection is not retried while the
    /// file's size and mtime stay the same; the others are retried on every run: fixing a file's
    /// permissions does not change its mtime, and a file caught mid-write will be complete later.
    pub fn depends_only_on_content(code: &str) -> bool {
        !matches!(code, "unreadable" | "vanished" | "changed-while-read")
    }

    /// A passing state of the file rather than a verdict on its content: a file already stored keeps
    /// its document until a run reads it whole.
    pub fn is_transient(&self) -> bool {
        matches!(self, Rejection::Vanished | Rejection::ChangedWhileRead)
    }
}

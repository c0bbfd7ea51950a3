//! Why the per-document stage refuses a source's content.
//!
//! A rejection is data, not an error of the run: newsdb records it in `files` with status `error`,
//! the stable short [`Rejection::code`] in `files.reason` (scripts match on it) and the one-line
//! message in `files.detail`, and goes on. Reasons that come from reading a file (it vanished, it
//! changed, it is too large) are not the content's fault and belong to the caller that read it.

use thiserror::Error;

/// A reason not to make a document of some bytes. Every variant renders as one line. The same bytes
/// always get the same rejection.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Rejection {
    #[error("empty file")]
    Empty,
    #[error("binary file (binary data at byte {offset})")]
    Binary { offset: usize },
    #[error("not UTF-8 (invalid byte at offset {offset}) and not text in a legacy encoding{why}")]
    NotUtf8 { offset: usize, why: String },
    #[error("no article text left after removing boilerplate ({removed} lines removed)")]
    NoText { removed: usize },
    /// A JSON Lines record that is not an article object (the line number is in the source's path).
    #[error("not an article record: {0}")]
    BadRecord(String),
    /// An HTML page that cannot be taken apart in bounded time and memory.
    #[error("{0}")]
    BadHtml(String),
    /// A file of JSON (a JSON Lines file taken in with `--ext jsonl`): its records are articles, the
    /// file is not one.
    #[error("JSON, not an article text: ingest JSON Lines with `newsdb ingest --jsonl FILE`")]
    Json,
}

impl Rejection {
    /// The stable short code stored in `files.reason`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Empty => "empty",
            Rejection::Binary { .. } => "binary",
            Rejection::NotUtf8 { .. } => "not-utf8",
            Rejection::NoText { .. } => "no-text",
            Rejection::BadRecord(_) => "bad-record",
            Rejection::BadHtml(_) => "bad-html",
            Rejection::Json => "json",
        }
    }
}

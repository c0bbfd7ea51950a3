//! The schema's vocabulary in one place: the status of a file, the form of a timestamp, and the
//! document columns that come from cleaning. SQL elsewhere names statuses through [`live_statuses!`](crate::live_statuses) and
//! [`FileStatus`], so a new status or a new cleaner column is one edit here.

use newsdb_core::Prepared;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// What a `files` row says about its path (`files.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The primary file of its document: the live file with the smallest path.
    Ingested,
    /// Another live file of a document.
    Duplicate,
    /// Rejected; `reason` and `detail` say why.
    Error,
    /// Gone from its scanned root (or its JSON Lines file).
    Deleted,
}

/// SQL for the statuses of a live file, one that stands for its document:
/// `concat!("... status IN ", live_statuses!())`. A macro so that `concat!` can build `const` SQL
/// with it (the command-line crate too: `newsdb::live_statuses!()`).
#[macro_export]
macro_rules! live_statuses {
    () => {
        "('ingested', 'duplicate')"
    };
}

impl FileStatus {
    pub const ALL: [FileStatus; 4] = [
        FileStatus::Ingested,
        FileStatus::Duplicate,
        FileStatus::Error,
        FileStatus::Deleted,
    ];

    /// The text `files.status` holds.
    pub const fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ingested => "ingested",
            FileStatus::Duplicate => "duplicate",
            FileStatus::Error => "error",
            FileStatus::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<FileStatus> {
        FileStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the file stands for a document (as opposed to an error or a deletion).
    pub const fn is_live(self) -> bool {
        matches!(self, FileStatus::Ingested | FileStatus::Duplicate)
    }
}

impl ToSql for FileStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for FileStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        FileStatus::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown file status {text:?}").into()))
    }
}

/// Current time as ISO 8601 UTC with milliseconds, the form every timestamp column holds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Columns a document takes from its cleaning beside the body: written when it is stored, replaced
/// when a newer cleaner cleans the same body again. A new cleaner column is an entry here and its
/// value in [`cleaned_values`] (and a migration).
pub const CLEANED_COLUMNS: [&str; 5] = [
    "lang",
    "stopword_ratio",
    "alpha_ratio",
    "repetition",
    "boilerplate_ratio",
];

/// The values of [`CLEANED_COLUMNS`] for `doc`, in that order.
pub fn cleaned_values(doc: &Prepared) -> [&dyn ToSql; CLEANED_COLUMNS.len()] {
    [
        &doc.lang,
        &doc.quality.stopword_ratio,
        &doc.quality.alpha_ratio,
        &doc.quality.repetition,
        &doc.quality.boilerplate_ratio,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;

    #[test]
    fn statuses_round_trip_through_their_text() {
        for status in FileStatus::ALL {
            assert_eq!(FileStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(FileStatus::parse("ingest"), None);
    }

    #[test]
    fn the_live_sql_names_exactly_the_live_statuses() {
        let conn = in_memory();
        for status in FileStatus::ALL {
            let live: bool = conn
                .query_row(concat!("SELECT ?1 IN ", live_statuses!()), [status], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(live, status.is_live(), "{status:?}");
        }
    }

    #[test]
    fn every_cleaned_column_exists() {
        let conn = in_memory();
        for column in CLEANED_COLUMNS {
            conn.prepare(&format!("SELECT {column} FROM documents"))
                .unwrap_or_else(|e| panic!("{column}: {e}"));
        }
    }

    #[test]
    fn timestamps_are_iso_8601_utc() {
        let t = now();
        assert!(t.ends_with('Z') && t.len() == 24, "{t}");
    }
}

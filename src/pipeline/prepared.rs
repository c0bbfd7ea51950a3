//! The prepared-records source (`ingest --prepared`): lines `newsdb prepare` printed → records for
//! the writer, without cleaning again.
//!
//! A record keeps what `prepare` decided, with three exceptions: one made by another cleaner version
//! is refused (two cleanings must not mix in one database); one whose bytes are stored already is
//! linked like any known bytes; and one of a site this database has learned lines for is prepared
//! again from the source it carries (`raw` or `raw_base64`), since `prepare` ran without the
//! database and could not remove them. So loading prepared records gives what `ingest` of the same
//! sources gives, follow-up run included.

use super::Stages;
use crate::read::Stat;
use crate::record::{Outcome, Record};
use crate::reject::Rejection;
use crate::store::known::KnownBytes;
use base64::Engine as _;
use newsdb_core::hash::sha256_hex;
use newsdb_core::{Named, Prepared, PreparedRecord};
use std::path::{Path, PathBuf};

/// A line `newsdb prepare` printed → its record for the writer (a [`super::jsonl::LineStage`]).
pub fn load_line(
    prefix: &str,
    n: u64,
    bytes: &[u8],
    mtime_ns: i64,
    stages: Stages,
    known_bytes: &KnownBytes,
) -> Record {
    let record: PreparedRecord = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            // Not a prepared record: named by its line in the prepared file.
            let raw_hash = sha256_hex(bytes);
            return Record {
                path: PathBuf::from(newsdb_core::jsonl::record_path(prefix, n, &raw_hash)),
                line: Some(n),
                stat: Stat {
                    size: bytes.len() as u64,
                    mtime_ns,
                },
                outcome: Outcome::Rejected {
                    raw_hash: Some(raw_hash),
                    rejection: Rejection::NotPrepared(e.to_string()),
                },
            };
        }
    };
    let stat = Stat {
        size: record.raw_size,
        mtime_ns,
    };
    let (path, line) = (PathBuf::from(&record.path), record.line);
    let outcome = outcome(record, stages, known_bytes);
    Record {
        path,
        line,
        stat,
        outcome,
    }
}

fn outcome(mut record: PreparedRecord, stages: Stages, known_bytes: &KnownBytes) -> Outcome {
    let raw_hash = std::mem::take(&mut record.raw_hash);
    let rejected = |rejection: Rejection| Outcome::Rejected {
        raw_hash: Some(raw_hash.clone()),
        rejection,
    };
    if let Some(r) = &record.rejected {
        return rejected(Rejection::carried(&r.code, r.reason.clone()));
    }
    let current = stages.cleaner.version();
    if record.cleaner_version != current {
        return rejected(Rejection::CleanerVersion {
            prepared: record.cleaner_version.clone(),
            current: current.to_owned(),
        });
    }
    if let Some(&document_id) = known_bytes.get(&raw_hash) {
        return Outcome::KnownBytes {
            raw_hash,
            document_id: Some(document_id),
        };
    }
    let Some(document) = record.document.take() else {
        return rejected(Rejection::NotPrepared(
            "neither a document nor a rejection".into(),
        ));
    };
    let learned = document
        .domain
        .as_deref()
        .is_some_and(|d| stages.cleaner.has_site_lines(d));
    let prepared = match learned.then(|| again(&record, stages)).flatten() {
        Some(again) => again.map_err(Rejection::from),
        None => document.into_prepared().map_err(Rejection::NotPrepared),
    };
    match prepared {
        Ok(mut doc) => {
            if !stages.sign {
                // As ingest does without near-duplicate detection: left "to check".
                doc.band_keys = None;
            }
            Outcome::prepared(raw_hash, doc)
        }
        Err(rejection) => rejected(rejection),
    }
}

/// The record's source prepared again by this run's cleaner (with the database's learned site
/// lines); `None` when the record does not carry its source.
fn again(
    record: &PreparedRecord,
    stages: Stages,
) -> Option<Result<Prepared, newsdb_core::Rejection>> {
    if let Some(raw) = &record.raw {
        let line = record.line.unwrap_or(0);
        return Some(newsdb_core::jsonl::prepare_line(
            raw.as_bytes(),
            line,
            stages.cleaner,
            stages.sign,
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(record.raw_base64.as_deref()?)
        .ok()?;
    Some(newsdb_core::prepare_named(
        &bytes,
        Named::of(Path::new(&record.path)),
        stages.cleaner,
        stages.sign,
    ))
}

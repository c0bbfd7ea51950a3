//! `newsdb prepare`'s stream: JSON Lines of raw articles (or whole files) in → prepared records out,
//! in input order, on every core, in constant memory. No database: the records are what the
//! per-document stage makes of each line with the cleaner it is given, and
//! `newsdb ingest --prepared` stores them later, elsewhere.

use super::driver::{self, Sink};
use super::jsonl;
use anyhow::{Context, Result};
use newsdb_core::record::{prepare_input_line, PreparedRecord, Rejected};
use newsdb_core::Cleaner;
use rayon::prelude::*;
use std::path::Path;

/// Prepares every non-blank line of `input` (standard input when `None`; gzip and zstd are
/// unpacked) into `sink`, `chunk_lines` lines at a time. A JSON Lines record is named `FILE#LINE`,
/// or `-#HASH` from standard input, as `ingest --jsonl` names it.
pub fn stream(
    input: Option<&Path>,
    cleaner: &Cleaner,
    chunk_lines: usize,
    sink: &mut dyn Sink<PreparedRecord>,
) -> Result<()> {
    let prefix = match input {
        Some(path) => {
            let stored = std::fs::canonicalize(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            crate::store::paths::stored(&stored).into_owned()
        }
        None => super::STDIN.to_owned(),
    };
    let opened = jsonl::open(input)?;
    let chunks = jsonl::chunks(opened.reader, opened.name, chunk_lines.max(1));
    driver::drive(
        chunks,
        |chunk| {
            chunk
                .into_par_iter()
                .map(|(n, line)| match line {
                    jsonl::Line::Bytes(bytes) => {
                        prepare_input_line(&bytes, &prefix, n, cleaner, true)
                    }
                    jsonl::Line::TooLarge { size, raw_hash } => {
                        too_large(&prefix, n, size, raw_hash, cleaner)
                    }
                })
                .collect()
        },
        sink,
    )
}

/// The record of a line longer than a file may be: rejected as ingest rejects it, never held whole.
fn too_large(
    prefix: &str,
    line: u64,
    size: u64,
    raw_hash: String,
    cleaner: &Cleaner,
) -> PreparedRecord {
    let rejection = crate::reject::Rejection::from(crate::read::ReadError::TooLarge {
        size,
        limit: crate::read::MAX_FILE_BYTES,
    });
    PreparedRecord {
        path: newsdb_core::jsonl::record_path(prefix, line, &raw_hash),
        line: Some(line),
        raw_hash,
        raw_size: size,
        cleaner_version: cleaner.version().to_owned(),
        rejected: Some(Rejected {
            code: rejection.code().to_owned(),
            reason: rejection.to_string(),
        }),
        document: None,
        raw: None,
        raw_base64: None,
    }
}

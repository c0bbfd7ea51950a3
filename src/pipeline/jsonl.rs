//! The JSON Lines source: a file (or standard input) → chunks of lines → (workers) parse, prepare →
//! records. A line with the bytes of a stored record is not parsed and cleaned again. Blank lines are
//! skipped.

use super::{Stages, STDIN};
use crate::read::Stat;
use crate::record::{Outcome, Record};
use anyhow::{Context, Result};
use newsdb_core::hash::sha256_hex;
use newsdb_core::Rejection;
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::BufRead;
use std::path::PathBuf;

/// The non-blank lines of `reader`, numbered from 1, `chunk_lines` at a time. `source` names the
/// input in errors.
pub fn chunks(
    reader: Box<dyn BufRead + Send>,
    source: String,
    chunk_lines: usize,
) -> impl Iterator<Item = Result<Vec<(u64, Vec<u8>)>>> + Send {
    let mut lines = reader.split(b'\n').enumerate();
    std::iter::from_fn(move || {
        let mut chunk = Vec::with_capacity(chunk_lines);
        for (i, line) in lines.by_ref() {
            let line = match line.with_context(|| format!("{source}: reading line {}", i + 1)) {
                Ok(line) => line,
                Err(e) => return Some(Err(e)),
            };
            if !line.trim_ascii().is_empty() {
                chunk.push((i as u64 + 1, line));
            }
            if chunk.len() == chunk_lines {
                break;
            }
        }
        (!chunk.is_empty()).then_some(Ok(chunk))
    })
}

/// The per-record stages over one chunk of lines, in parallel.
pub fn process_chunk(
    chunk: Vec<(u64, Vec<u8>)>,
    prefix: &str,
    mtime_ns: i64,
    stages: Stages,
    known_bytes: &HashSet<String>,
) -> Vec<Record> {
    chunk
        .into_par_iter()
        .map(|(n, bytes)| process_line(prefix, n, &bytes, mtime_ns, stages, known_bytes))
        .collect()
}

/// The per-record stages of a JSON Lines line, on a worker thread.
fn process_line(
    prefix: &str,
    line: u64,
    bytes: &[u8],
    mtime_ns: i64,
    stages: Stages,
    known_bytes: &HashSet<String>,
) -> Record {
    let raw_hash = sha256_hex(bytes);
    let path = if prefix == STDIN {
        format!("{STDIN}#{}", &raw_hash[..16])
    } else {
        format!("{prefix}#{line}")
    };
    let outcome = if known_bytes.contains(&raw_hash) {
        Outcome::KnownBytes { raw_hash }
    } else {
        let parsed = newsdb_core::jsonl::parse(bytes).map_err(|rejection| match rejection {
            Rejection::BadRecord(why) => Rejection::BadRecord(format!("line {line}: {why}")),
            other => other,
        });
        stages.outcome(
            raw_hash,
            parsed.and_then(|a| {
                newsdb_core::prepare_fields(&a.text, a.header, stages.cleaner, stages.sign)
            }),
        )
    };
    Record {
        path: PathBuf::from(path),
        line: Some(line),
        stat: Stat {
            size: bytes.len() as u64,
            mtime_ns,
        },
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_skipped_and_lines_keep_their_numbers() {
        let input = b"{\"a\":1}\n\n  \n{\"b\":2}\n{\"c\":3}".to_vec();
        let chunks: Vec<Vec<(u64, Vec<u8>)>> =
            chunks(Box::new(std::io::Cursor::new(input)), "x".into(), 2)
                .collect::<Result<_>>()
                .unwrap();
        let numbers: Vec<Vec<u64>> = chunks
            .iter()
            .map(|c| c.iter().map(|(n, _)| *n).collect())
            .collect();
        assert_eq!(numbers, vec![vec![1, 4], vec![5]]);
    }
}

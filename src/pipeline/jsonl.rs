//! The JSON Lines source: a file (or standard input) → chunks of lines → (workers) parse, prepare →
//! records. A line with the bytes of a stored record is not parsed and cleaned again. Blank lines are
//! skipped.

use super::Stages;
use crate::read::{ReadError, Stat, MAX_FILE_BYTES};
use crate::record::{Outcome, Record};
use crate::store::known::KnownBytes;
use anyhow::{Context, Result};
use newsdb_core::hash::sha256_hex;
use newsdb_core::jsonl::record_path;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One line of the input: its bytes, or, when it is longer than a file may be
/// ([`MAX_FILE_BYTES`]), its size and SHA-256 (the line itself is never held in memory whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Bytes(Vec<u8>),
    TooLarge { size: u64, raw_hash: String },
}

/// The lines of a JSON Lines stream, unpacked when it is gzip or zstd (told by their magic bytes,
/// whatever the file's name: `scraped.jsonl.gz`, `dump.jsonl.zst`, or piped).
pub fn decompressed<R: BufRead + Send + 'static>(
    mut reader: R,
) -> std::io::Result<Box<dyn BufRead + Send>> {
    const GZIP: &[u8] = &[0x1f, 0x8b];
    const ZSTD: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
    let head = reader.fill_buf()?;
    if head.starts_with(GZIP) {
        // Multi-member: `cat a.gz b.gz` and pigz's output are one stream.
        let gz = flate2::bufread::MultiGzDecoder::new(reader);
        return Ok(Box::new(std::io::BufReader::new(gz)));
    }
    if head.starts_with(ZSTD) {
        let zst = ruzstd::decoding::StreamingDecoder::new(reader)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
        return Ok(Box::new(std::io::BufReader::new(zst)));
    }
    Ok(Box::new(reader))
}

/// A JSON Lines input, open (and unpacked when compressed).
pub struct Opened {
    pub reader: Box<dyn BufRead + Send>,
    /// The file's mtime (0 for standard input): its records' `files.mtime_ns`.
    pub mtime_ns: i64,
    /// How errors name it: the path as given, or `-`.
    pub name: String,
}

/// Opens `path`, or standard input when `None`.
pub fn open(path: Option<&Path>) -> Result<Opened> {
    match path {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            let mtime_ns = file.metadata().map(|m| Stat::of(&m).mtime_ns).unwrap_or(0);
            let reader = decompressed(std::io::BufReader::new(file))
                .with_context(|| format!("{}: cannot read", path.display()))?;
            Ok(Opened {
                reader,
                mtime_ns,
                name: path.display().to_string(),
            })
        }
        None => {
            let stdin = std::io::BufReader::new(std::io::stdin());
            let reader = decompressed(stdin).context("standard input: cannot read")?;
            Ok(Opened {
                reader,
                mtime_ns: 0,
                name: newsdb_core::jsonl::STDIN.to_owned(),
            })
        }
    }
}

/// Reads one line (without its `\n`) holding at most `limit` bytes of it; `None` at the end.
fn read_line(reader: &mut dyn BufRead, limit: u64) -> std::io::Result<Option<Line>> {
    let (mut bytes, mut size, mut any) = (Vec::new(), 0u64, false);
    let mut hasher: Option<Sha256> = None;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let content = &available[..newline.unwrap_or(available.len())];
        size += content.len() as u64;
        match &mut hasher {
            Some(h) => h.update(content),
            None if size > limit => {
                let mut h = Sha256::new();
                h.update(&bytes);
                h.update(content);
                bytes = Vec::new();
                hasher = Some(h);
            }
            None => bytes.extend_from_slice(content),
        }
        let used = newline.map_or(available.len(), |i| i + 1);
        reader.consume(used);
        if newline.is_some() {
            break;
        }
    }
    Ok(any.then(|| match hasher {
        Some(h) => Line::TooLarge {
            size,
            raw_hash: hex::encode(h.finalize()),
        },
        None => Line::Bytes(bytes),
    }))
}

/// The non-blank lines of `reader`, numbered from 1, `chunk_lines` at a time. `source` names the
/// input in errors. A line longer than a file may be is not held whole (see [`Line`]).
pub fn chunks(
    mut reader: Box<dyn BufRead + Send>,
    source: String,
    chunk_lines: usize,
) -> impl Iterator<Item = Result<Vec<(u64, Line)>>> + Send {
    let mut number = 0u64;
    std::iter::from_fn(move || {
        let mut chunk = Vec::with_capacity(chunk_lines);
        loop {
            number += 1;
            let line = match read_line(&mut reader, MAX_FILE_BYTES)
                .with_context(|| format!("{source}: reading line {number}"))
            {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(e) => return Some(Err(e)),
            };
            if !matches!(&line, Line::Bytes(b) if b.trim_ascii().is_empty()) {
                chunk.push((number, line));
            }
            if chunk.len() == chunk_lines {
                break;
            }
        }
        (!chunk.is_empty()).then_some(Ok(chunk))
    })
}

/// How one line of a JSON Lines input becomes a record, on a worker thread: an article parsed and
/// cleaned ([`process_line`]), or a record `newsdb prepare` printed ([`super::prepared::load_line`]).
/// Arguments: the input's prefix, the line's number, its bytes, the input's mtime, the stages and
/// the bytes already stored.
pub type LineStage = fn(&str, u64, &[u8], i64, Stages, &KnownBytes) -> Record;

/// `stage` over one chunk of lines, in parallel; a line too long to hold is rejected as such.
pub fn process_chunk(
    chunk: Vec<(u64, Line)>,
    prefix: &str,
    mtime_ns: i64,
    stages: Stages,
    known_bytes: &KnownBytes,
    stage: LineStage,
) -> Vec<Record> {
    chunk
        .into_par_iter()
        .map(|(n, line)| match line {
            Line::Bytes(bytes) => stage(prefix, n, &bytes, mtime_ns, stages, known_bytes),
            Line::TooLarge { size, raw_hash } => too_large(prefix, n, size, raw_hash, mtime_ns),
        })
        .collect()
}

/// The record of line `n`, longer than a file may be: rejected, never held whole.
fn too_large(prefix: &str, n: u64, size: u64, raw_hash: String, mtime_ns: i64) -> Record {
    Record {
        path: PathBuf::from(record_path(prefix, n, &raw_hash)),
        line: Some(n),
        stat: Stat { size, mtime_ns },
        outcome: Outcome::Rejected {
            raw_hash: Some(raw_hash),
            rejection: ReadError::TooLarge {
                size,
                limit: MAX_FILE_BYTES,
            }
            .into(),
        },
    }
}

/// The per-record stages of a JSON Lines article, on a worker thread.
pub fn process_line(
    prefix: &str,
    line: u64,
    bytes: &[u8],
    mtime_ns: i64,
    stages: Stages,
    known_bytes: &KnownBytes,
) -> Record {
    let raw_hash = sha256_hex(bytes);
    let path = record_path(prefix, line, &raw_hash);
    let outcome = if let Some(&document_id) = known_bytes.get(&raw_hash) {
        Outcome::KnownBytes {
            raw_hash,
            document_id: Some(document_id),
        }
    } else {
        stages.outcome(
            raw_hash,
            newsdb_core::jsonl::prepare_line(bytes, line, stages.cleaner, stages.sign),
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
    fn a_line_longer_than_the_limit_is_sized_and_hashed_not_held() {
        let long = "x".repeat(100);
        let input = format!("{{\"a\":1}}\n{long}\n{{\"b\":2}}");
        let mut reader = std::io::BufReader::with_capacity(8, std::io::Cursor::new(input));
        let mut lines = Vec::new();
        while let Some(line) = read_line(&mut reader, 50).unwrap() {
            lines.push(line);
        }
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], Line::Bytes(b"{\"a\":1}".to_vec()));
        assert_eq!(
            lines[1],
            Line::TooLarge {
                size: 100,
                raw_hash: sha256_hex(long.as_bytes())
            }
        );
        assert_eq!(lines[2], Line::Bytes(b"{\"b\":2}".to_vec()));
    }

    #[test]
    fn blank_lines_are_skipped_and_lines_keep_their_numbers() {
        let input = b"{\"a\":1}\n\n  \n{\"b\":2}\n{\"c\":3}".to_vec();
        let chunks: Vec<Vec<(u64, Line)>> =
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

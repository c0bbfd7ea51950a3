//! One ingest run: discover → (parallel) read, prepare → (one thread) write.
//!
//! Workers run the per-file stages with rayon on every core, a chunk of files at a time, and hand each
//! finished chunk, in path order, to the writer over a bounded channel: back-pressure keeps memory flat
//! whatever the corpus size, and path order keeps runs reproducible (the same file always wins the
//! `ingested` status among copies). The writer, on the calling thread, owns the connection. If it fails,
//! it drops the receiver, the workers stop at their next send, and the writer's error is reported.

use crate::clean::Cleaner;
use crate::discover::{self, Candidate};
use crate::prepare::prepare;
use crate::read::read;
use crate::record::{Outcome, Record, RunCounts};
use crate::reject::Rejection;
use crate::store::writer::{KnownFile, Writer};
use anyhow::Result;
use rayon::prelude::*;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Files handed to the writer at once, and committed in one transaction.
const CHUNK_FILES: usize = 512;
/// Chunks that may wait in the channel: bounds memory to about this many chunks of prepared text.
const CHANNEL_CHUNKS: usize = 2;

/// What to ingest and how.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Files and folders to ingest.
    pub roots: Vec<PathBuf>,
    /// Extensions (without the dot, case-insensitive) of the files to take from folders.
    pub extensions: Vec<String>,
    /// Re-read and re-hash every file, even those whose size and mtime are unchanged.
    pub verify: bool,
}

/// Something the caller may want to show while the run goes on.
#[derive(Debug)]
pub enum Event<'a> {
    /// The walk is done: this many files will be handled.
    Discovered { files: u64 },
    /// This many more files were written.
    Written { files: u64 },
    /// A file was rejected; the run goes on.
    Rejected {
        path: &'a Path,
        rejection: &'a Rejection,
    },
}

/// The outcome of a completed run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    #[serde(flatten)]
    pub counts: RunCounts,
}

/// Runs one ingest over `options.roots` into the database behind `conn`.
///
/// A file that cannot be ingested is recorded and reported through `on_event`, and the run goes on;
/// only a failure of the run itself (a root that does not exist, a database error) returns `Err`, after
/// marking the run failed when it had started.
pub fn ingest(
    conn: Connection,
    cleaner: &Cleaner,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<RunSummary> {
    let roots = discover::resolve_roots(&options.roots)?;
    let mut writer = Writer::start(conn, &roots, cleaner.version())?;
    match run(&mut writer, &roots, cleaner, options, on_event) {
        Ok(()) => {
            let run_id = writer.run_id();
            let counts = writer.finish(&roots)?;
            Ok(RunSummary { run_id, counts })
        }
        Err(err) => {
            // The error being reported matters more than a failure to record it.
            let _ = writer.fail(&format!("{err:#}"));
            Err(err)
        }
    }
}

fn run(
    writer: &mut Writer,
    roots: &[PathBuf],
    cleaner: &Cleaner,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    let known = writer.known_files()?;
    let known_bytes = writer.known_raw_hashes(cleaner.version())?;
    let found = discover::discover(roots, &options.extensions);
    writer.set_discovered(found.files.iter().map(|c| c.path.as_path()));
    on_event(Event::Discovered {
        files: (found.files.len() + found.unlisted.len()) as u64,
    });

    let unlisted: Vec<Record> = found
        .unlisted
        .into_iter()
        .map(|u| Record {
            path: u.path,
            stat: Default::default(),
            outcome: Outcome::Rejected {
                raw_hash: None,
                rejection: Rejection::Unreadable(u.message),
            },
        })
        .collect();
    write_and_report(writer, &unlisted, on_event)?;

    let (unchanged, to_read): (Vec<Candidate>, Vec<Candidate>) = found
        .files
        .into_iter()
        .partition(|c| !options.verify && is_unchanged(&known, c));
    drop(known);
    for chunk in unchanged.chunks(CHUNK_FILES * 8) {
        let records: Vec<Record> = chunk
            .iter()
            .map(|c| Record {
                path: c.path.clone(),
                stat: c.stat,
                outcome: Outcome::Unchanged,
            })
            .collect();
        writer.write_batch(&records)?;
        on_event(Event::Written {
            files: records.len() as u64,
        });
    }

    let known_bytes = &known_bytes;
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(CHANNEL_CHUNKS);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for chunk in to_read.chunks(CHUNK_FILES) {
                let records: Vec<Record> = chunk
                    .par_iter()
                    .map(|c| process(c, cleaner, known_bytes))
                    .collect();
                if tx.send(records).is_err() {
                    break; // the writer stopped; its error is what gets reported
                }
            }
        });
        let result = rx
            .iter()
            .try_for_each(|records| write_and_report(writer, &records, on_event));
        drop(rx);
        result
    })
}

/// Whether a file can be skipped unread: same size and mtime as stored, and stored in a state that the
/// same bytes would reproduce.
fn is_unchanged(known: &HashMap<PathBuf, KnownFile>, c: &Candidate) -> bool {
    known.get(&c.path).is_some_and(|k| {
        k.stat == c.stat
            && match k.status.as_str() {
                "ingested" | "duplicate" => true,
                "error" => k
                    .reason
                    .as_deref()
                    .is_some_and(Rejection::depends_only_on_content),
                _ => false,
            }
    })
}

/// The per-file stages, on a worker thread. Bytes already stored (a rename, a restore, a copy) are
/// not decoded and cleaned again.
fn process(c: &Candidate, cleaner: &Cleaner, known_bytes: &HashSet<String>) -> Record {
    let outcome = match read(&c.path, c.stat) {
        Err(rejection) => Outcome::Rejected {
            raw_hash: None,
            rejection,
        },
        Ok(file) if known_bytes.contains(&file.raw_hash) => Outcome::KnownBytes {
            raw_hash: file.raw_hash,
        },
        Ok(file) => match prepare(&file.bytes, cleaner) {
            Ok(doc) => Outcome::Prepared {
                raw_hash: file.raw_hash,
                doc: Box::new(doc),
            },
            Err(rejection) => Outcome::Rejected {
                raw_hash: Some(file.raw_hash),
                rejection,
            },
        },
    };
    Record {
        path: c.path.clone(),
        stat: c.stat,
        outcome,
    }
}

fn write_and_report(
    writer: &mut Writer,
    records: &[Record],
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    writer.write_batch(records)?;
    on_event(Event::Written {
        files: records.len() as u64,
    });
    for r in records {
        if let Outcome::Rejected { rejection, .. } = &r.outcome {
            on_event(Event::Rejected {
                path: &r.path,
                rejection,
            });
        }
    }
    Ok(())
}

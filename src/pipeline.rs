//! One ingest run: discover → (parallel) read, prepare → (one thread) write.
//!
//! Workers run the per-file stages with rayon on every core, a chunk of files at a time, and hand each
//! finished chunk, in path order, to the writer over a bounded channel: back-pressure keeps memory flat
//! whatever the corpus size, and path order keeps runs reproducible (the same file always wins the
//! `ingested` status among copies). The writer, on the calling thread, owns the connection. If it fails,
//! it drops the receiver, the workers stop at their next send, and the writer's error is reported.

use crate::clean::Cleaner;
use crate::discover::{self, Candidate, Filter};
use crate::jsonl;
use crate::prepare::{prepare, prepare_fields, Prepared};
use crate::read::{read, sha256_hex, FileBytes, Stat};
use crate::record::{Outcome, Record, RunCounts, Scope};
use crate::reject::Rejection;
use crate::store::writer::{KnownFiles, NearDuplicates, Writer};
use crate::tuning;
use anyhow::{Context, Result};
use rayon::prelude::*;
use rusqlite::Connection;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Chunks that may wait in the channel: bounds memory to about this many chunks of prepared text.
const CHANNEL_CHUNKS: usize = 2;

/// How much less the scheduler favours a worker thread than the writer (nice values, on Linux).
const WORKER_NICENESS: i32 = 5;

/// The pool of worker threads for the per-file stages, one per core, each a little less favoured by
/// the scheduler than the writer. The writer is the pipeline's narrowest stage (FTS5 indexing happens
/// there and nowhere else): with as many busy threads as cores and equal shares, it got about three
/// quarters of a core while the workers filled the channel and then waited on it.
fn workers() -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("newsdb-worker-{i}"))
        .start_handler(|_| lower_this_thread_priority())
        .build()
        .context("starting the worker threads")
}

#[cfg(target_os = "linux")]
fn lower_this_thread_priority() {
    // SAFETY: getpriority and setpriority read and write no memory of ours. On Linux, PRIO_PROCESS
    // with id 0 is the calling thread only. Relative to the process's own niceness (cron may run it
    // niced); if it fails, the thread keeps the writer's priority.
    unsafe {
        let nice = libc::getpriority(libc::PRIO_PROCESS, 0);
        libc::setpriority(libc::PRIO_PROCESS, 0, (nice + WORKER_NICENESS).min(19));
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread_priority() {}

/// What to ingest and how.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub input: Input,
    /// Re-read and re-hash every file, even those whose size and mtime are unchanged.
    pub verify: bool,
    pub near_duplicates: NearDuplicates,
}

/// Where the articles come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// Files and folders; folders are walked for the files `filter` takes.
    Files { roots: Vec<PathBuf>, filter: Filter },
    /// One JSON Lines file, one article per line; `None` reads standard input.
    Jsonl(Option<PathBuf>),
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
    /// The run that cleaned again the documents of sites whose learned lines changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<Box<RunSummary>>,
}

/// Runs one ingest of `options.input` into the database behind `conn`.
///
/// A file (or record) that cannot be ingested is recorded and reported through `on_event`, and the run
/// goes on; only a failure of the run itself (a root that does not exist, a database error) returns
/// `Err`, after marking the run failed when it had started.
///
/// When the run learns new boilerplate lines for some sites ([`crate::clean::site`]), a second run
/// follows at once and cleans those sites' documents again (it reads only their files), so the
/// database is consistent when `ingest` returns. Records from standard input cannot be read twice:
/// the next run cleans them again.
pub fn ingest(
    conn: Connection,
    cleaner: &Cleaner,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<RunSummary> {
    let (mut summary, conn) = run(conn, cleaner, options, on_event)?;
    if summary.counts.sites_learned > 0 && !matches!(options.input, Input::Jsonl(None)) {
        let (follow_up, _) = run(conn, cleaner, options, on_event)?;
        summary.follow_up = Some(Box::new(follow_up));
    }
    Ok(summary)
}

/// One run, recorded in `runs`.
fn run(
    conn: Connection,
    cleaner: &Cleaner,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<(RunSummary, Connection)> {
    let scopes = match &options.input {
        Input::Files { roots, .. } => discover::resolve_roots(roots)?
            .into_iter()
            .map(Scope::Files)
            .collect(),
        Input::Jsonl(Some(path)) => {
            let path = std::fs::canonicalize(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            vec![Scope::Lines(path.to_string_lossy().into_owned())]
        }
        Input::Jsonl(None) => vec![Scope::Lines(STDIN.to_owned())],
    };
    let mut writer = Writer::start(conn, &scopes, cleaner.version(), options.near_duplicates)?;
    let cleaner = &cleaner.with_sites(writer.site_lines().context("loading learned site lines")?);
    let sign = options.near_duplicates.enabled;
    let result = match &options.input {
        Input::Files { filter, .. } => {
            let roots: Vec<PathBuf> = scopes
                .iter()
                .filter_map(|s| match s {
                    Scope::Files(root) => Some(root.clone()),
                    Scope::Lines(_) => None,
                })
                .collect();
            run_files(
                &mut writer,
                &roots,
                filter,
                Stages { cleaner, sign },
                options.verify,
                on_event,
            )
        }
        Input::Jsonl(path) => {
            let prefix = scopes[0].label();
            run_jsonl(
                &mut writer,
                path.as_deref(),
                &prefix,
                Stages { cleaner, sign },
                on_event,
            )
        }
    };
    match result {
        Ok(()) => {
            let run_id = writer.run_id();
            let (counts, conn) = writer.finish(&scopes)?;
            let summary = RunSummary {
                run_id,
                counts,
                follow_up: None,
            };
            Ok((summary, conn))
        }
        Err(err) => {
            // The error being reported matters more than a failure to record it.
            let _ = writer.fail(&format!("{err:#}"));
            Err(err)
        }
    }
}

/// What the per-file stages do, beside reading.
#[derive(Clone, Copy)]
struct Stages<'a> {
    cleaner: &'a Cleaner,
    /// Compute the near-duplicate band keys of bodies.
    sign: bool,
}

impl Stages<'_> {
    /// The outcome for a source whose text was cleaned (or rejected).
    fn outcome(self, raw_hash: String, prepared: Result<Prepared, Rejection>) -> Outcome {
        match prepared {
            Ok(doc) => Outcome::Prepared {
                raw_hash,
                doc: Box::new(doc),
            },
            Err(rejection) => Outcome::Rejected {
                raw_hash: Some(raw_hash),
                rejection,
            },
        }
    }
}

/// How standard input is named in `runs.roots` and in its records' paths (`-#12`).
pub const STDIN: &str = "-";

fn run_files(
    writer: &mut Writer,
    roots: &[PathBuf],
    filter: &Filter,
    stages: Stages,
    verify: bool,
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    // The walk (file system) and the load of what the database knows (SQLite) take about as long
    // as each other on an unchanged corpus: side by side, on two threads.
    let (found, known, stale) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| discover::discover(roots, filter));
        let known = writer.known_files();
        let stale = writer.stale_documents();
        (walk.join().expect("the walk does not panic"), known, stale)
    });
    let (known, stale) = (known?, stale?);
    writer.set_discovered(found.files.iter().map(|c| c.path.as_path()));
    on_event(Event::Discovered {
        files: (found.files.len() + found.unlisted.len()) as u64,
    });

    let unlisted: Vec<Record> = found
        .unlisted
        .into_iter()
        .map(|u| Record {
            path: u.path,
            line: None,
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
        .partition(|c| !verify && is_unchanged(&known, c, &stale));
    drop(known);
    // Only a run with files to read needs the stored raw hashes (a re-run over an unchanged corpus
    // skips loading them).
    let known_bytes = if to_read.is_empty() {
        HashSet::new()
    } else {
        writer.known_raw_hashes(&stale)?
    };
    writer.count_unchanged(unchanged.len() as u64);
    on_event(Event::Written {
        files: unchanged.len() as u64,
    });
    drop(unchanged);

    let known_bytes = &known_bytes;
    let workers = workers()?;
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(CHANNEL_CHUNKS);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            workers.install(|| {
                let mut seen = SeenBytes::default();
                for chunk in to_read.chunks(tuning::batch_files()) {
                    let records = process_chunk(chunk, stages, known_bytes, &mut seen);
                    if tx.send(records).is_err() {
                        break; // the writer stopped; its error is what gets reported
                    }
                }
            })
        });
        let result = rx
            .iter()
            .try_for_each(|records| write_and_report(writer, &records, on_event));
        drop(rx);
        result
    })
}

/// Reads a JSON Lines file (or standard input) a chunk of lines at a time; workers parse and clean
/// the records in parallel, the writer stores them as they come. A line with the bytes of a stored
/// record is not parsed and cleaned again. Blank lines are skipped.
fn run_jsonl(
    writer: &mut Writer,
    path: Option<&Path>,
    prefix: &str,
    stages: Stages,
    on_event: &mut dyn FnMut(Event),
) -> Result<()> {
    let stale = writer.stale_documents()?;
    let known_bytes = writer.known_raw_hashes(&stale)?;
    let workers = workers()?;
    let (reader, mtime_ns): (Box<dyn BufRead + Send>, i64) = match path {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            let mtime = file.metadata().map(|m| Stat::of(&m).mtime_ns).unwrap_or(0);
            (Box::new(std::io::BufReader::new(file)), mtime)
        }
        None => (Box::new(std::io::BufReader::new(std::io::stdin())), 0),
    };
    let source = path.map_or_else(|| STDIN.to_owned(), |p| p.display().to_string());
    let known_bytes = &known_bytes;
    let (tx, rx) = crossbeam_channel::bounded::<Vec<Record>>(CHANNEL_CHUNKS);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || -> Result<()> {
            let mut lines = reader.split(b'\n').enumerate();
            let chunk_files = tuning::batch_files();
            loop {
                let mut chunk = Vec::with_capacity(chunk_files);
                for (i, line) in lines.by_ref() {
                    let line = line.with_context(|| format!("{source}: reading line {}", i + 1))?;
                    if !line.trim_ascii().is_empty() {
                        chunk.push((i as u64 + 1, line));
                    }
                    if chunk.len() == chunk_files {
                        break;
                    }
                }
                if chunk.is_empty() {
                    return Ok(());
                }
                let records: Vec<Record> = workers.install(|| {
                    chunk
                        .into_par_iter()
                        .map(|(n, bytes)| {
                            process_line(prefix, n, &bytes, mtime_ns, stages, known_bytes)
                        })
                        .collect()
                });
                if tx.send(records).is_err() {
                    return Ok(()); // the writer stopped; its error is what gets reported
                }
            }
        });
        let result = rx
            .iter()
            .try_for_each(|records| write_and_report(writer, &records, on_event));
        drop(rx);
        result?;
        reading
            .join()
            .expect("the JSON Lines reader does not panic")
    })
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
    let outcome = if known_bytes.contains(&raw_hash) {
        Outcome::KnownBytes { raw_hash }
    } else {
        let parsed = jsonl::parse(bytes).map_err(|rejection| match rejection {
            Rejection::BadRecord(why) => Rejection::BadRecord(format!("line {line}: {why}")),
            other => other,
        });
        stages.outcome(
            raw_hash,
            parsed.and_then(|a| prepare_fields(&a.text, a.header, stages.cleaner, stages.sign)),
        )
    };
    Record {
        path: PathBuf::from(format!("{prefix}#{line}")),
        line: Some(line),
        stat: Stat {
            size: bytes.len() as u64,
            mtime_ns,
        },
        outcome,
    }
}

/// Whether a file can be skipped unread: same size and mtime as stored, and stored in a state that the
/// same bytes would reproduce with the current cleaner (its document is not `stale`).
fn is_unchanged(known: &KnownFiles, c: &Candidate, stale: &HashSet<i64>) -> bool {
    known
        .get(c.path.to_string_lossy().as_ref())
        .is_some_and(|k| {
            k.stat == c.stat
                && match k.status.as_str() {
                    "ingested" | "duplicate" => {
                        k.document_id.is_some_and(|id| !stale.contains(&id))
                    }
                    "error" => k
                        .reason
                        .as_deref()
                        .is_some_and(Rejection::depends_only_on_content),
                    _ => false,
                }
        })
}

/// What became of the bytes met earlier in this run, by the first 128 bits of their SHA-256. A later
/// byte-identical copy (an article saved twice, a mirror folder) is not decoded and cleaned again: the
/// writer stores records in path order, so the first copy is stored before its copies, which then
/// link to its document (or get its rejection) as bytes known to the database do.
#[derive(Default)]
struct SeenBytes {
    stored: HashSet<u128>,
    rejected: HashMap<u128, Rejection>,
}

impl SeenBytes {
    fn key(raw_hash: &str) -> Option<u128> {
        u128::from_str_radix(raw_hash.get(..32)?, 16).ok()
    }

    /// The outcome of a copy of bytes seen earlier in the run.
    fn outcome(&self, raw_hash: &str) -> Option<Outcome> {
        let key = Self::key(raw_hash)?;
        if self.stored.contains(&key) {
            Some(Outcome::KnownBytes {
                raw_hash: raw_hash.to_owned(),
            })
        } else {
            self.rejected.get(&key).map(|r| Outcome::Rejected {
                raw_hash: Some(raw_hash.to_owned()),
                rejection: r.clone(),
            })
        }
    }

    fn remember(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::KnownBytes { raw_hash } | Outcome::Prepared { raw_hash, .. } => {
                self.stored.extend(Self::key(raw_hash));
            }
            Outcome::Rejected {
                raw_hash: Some(raw_hash),
                rejection,
            } => {
                if let Some(key) = Self::key(raw_hash) {
                    self.rejected.insert(key, rejection.clone());
                }
            }
            Outcome::Rejected { raw_hash: None, .. } => {}
        }
    }
}

/// The outcome of a byte-identical copy of a file whose outcome is `first`.
fn copy_outcome(first: &Outcome) -> Outcome {
    match first {
        Outcome::KnownBytes { raw_hash } | Outcome::Prepared { raw_hash, .. } => {
            Outcome::KnownBytes {
                raw_hash: raw_hash.clone(),
            }
        }
        Outcome::Rejected {
            raw_hash,
            rejection,
        } => Outcome::Rejected {
            raw_hash: raw_hash.clone(),
            rejection: rejection.clone(),
        },
    }
}

/// What to do with one file of a chunk once it is read.
enum Plan {
    /// Run the per-file stages over what was read (or report why it could not be).
    Process(Result<FileBytes, Rejection>),
    /// Its bytes were met earlier in the run: this is their outcome.
    Decided(Outcome),
    /// A copy of the file at this index of the chunk, met earlier in path order.
    CopyOf(usize),
}

/// The per-file stages over one chunk, in parallel: read and hash every file, then decode and clean
/// each distinct content once. Bytes already stored (a rename, a restore, a copy) or met earlier in
/// the run are not decoded and cleaned again.
fn process_chunk(
    chunk: &[Candidate],
    stages: Stages,
    known_bytes: &HashSet<String>,
    seen: &mut SeenBytes,
) -> Vec<Record> {
    let read: Vec<Result<FileBytes, Rejection>> =
        chunk.par_iter().map(|c| read(&c.path, c.stat)).collect();
    let mut first_in_chunk: HashMap<String, usize> = HashMap::new();
    let plans: Vec<Plan> = read
        .into_iter()
        .enumerate()
        .map(|(i, read)| {
            let Ok(file) = &read else {
                return Plan::Process(read);
            };
            if let Some(outcome) = seen.outcome(&file.raw_hash) {
                return Plan::Decided(outcome);
            }
            match first_in_chunk.entry(file.raw_hash.clone()) {
                Entry::Occupied(first) => Plan::CopyOf(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(i);
                    Plan::Process(read)
                }
            }
        })
        .collect();
    let copies: Vec<Option<usize>> = plans
        .iter()
        .map(|p| match p {
            Plan::CopyOf(first) => Some(*first),
            _ => None,
        })
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = plans
        .into_par_iter()
        .map(|plan| match plan {
            Plan::Process(Err(rejection)) => Some(Outcome::Rejected {
                raw_hash: None,
                rejection,
            }),
            Plan::Process(Ok(file)) if known_bytes.contains(&file.raw_hash) => {
                Some(Outcome::KnownBytes {
                    raw_hash: file.raw_hash,
                })
            }
            Plan::Process(Ok(file)) => Some(stages.outcome(
                file.raw_hash,
                prepare(&file.bytes, stages.cleaner, stages.sign),
            )),
            Plan::Decided(outcome) => Some(outcome),
            Plan::CopyOf(_) => None,
        })
        .collect();
    // In path order: a copy takes the outcome of its first, which comes before it.
    for (i, copy_of) in copies.into_iter().enumerate() {
        match copy_of {
            Some(first) => {
                let first = outcomes[first].as_ref().expect("a first copy is decided");
                outcomes[i] = Some(copy_outcome(first));
            }
            None => seen.remember(outcomes[i].as_ref().expect("decided")),
        }
    }
    chunk
        .iter()
        .zip(outcomes)
        .map(|(c, outcome)| Record {
            path: c.path.clone(),
            line: None,
            stat: c.stat,
            outcome: outcome.expect("every outcome is decided"),
        })
        .collect()
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

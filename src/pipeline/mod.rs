//! One ingest run: discover → (parallel) read, prepare → (one thread) write.
//!
//! The sources (`files.rs`, `jsonl.rs`) cut the input into chunks; the [`driver`] maps each chunk
//! on the worker pool with the per-document stage ([`newsdb_core::prepare()`]) and hands the
//! records, in order, to a [`Sink`]: here the database writer ([`crate::store::Writer`]), which owns
//! the connection on the calling thread. `skip.rs` decides what needs no reading or cleaning. Before
//! a run over files stores anything, `learn.rs` reads the files it will clean to foresee what their
//! sites learn, so each document is stored once.

pub mod driver;
mod files;
pub mod interrupt;
mod jsonl;
mod learn;
pub mod prepare;
mod prepared;
mod skip;

pub use driver::Sink;

use crate::discover::{self, Filter, Listed, Listing};
use crate::read;
use crate::record::{Outcome, Record, RunCounts, RunScope};
use crate::reject::Rejection;
use crate::scratch::Scratch;
use crate::store::known::{self, KnownBytes};
use crate::store::sites::NewPages;
use crate::store::{paths, RunConfig, Writer};
use anyhow::{Context, Result};
use newsdb_core::clean::site::SiteLines;
use newsdb_core::{Cleaner, Prepared};
use rusqlite::Connection;
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// What to ingest and how.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub input: Input,
    /// Re-read and re-hash every file, even those whose size and mtime are unchanged.
    pub verify: bool,
    pub near_duplicates: NearDuplicates,
    /// Sources handed to the writer at once ([`crate::tuning::Tuning::batch_files`]).
    pub batch_files: usize,
    /// Batches committed in one transaction ([`crate::tuning::Tuning::commit_batches`]).
    pub commit_batches: usize,
    /// Files the learning pass reads before it decides whether to read the rest ahead
    /// ([`crate::tuning::Tuning::learn_sample_files`]).
    pub learn_sample_files: usize,
    /// A deterministic crash, for the tests that check a killed run leaves a sound database.
    pub fail_point: Option<FailPoint>,
    /// Mark files deleted even when a root is empty or more than half of its live files are gone
    /// (see [`RefusedDeletion`]).
    pub allow_mass_delete: bool,
}

impl IngestOptions {
    fn with_fail_point(&self, fail_point: Option<FailPoint>) -> IngestOptions {
        IngestOptions {
            fail_point,
            ..self.clone()
        }
    }
}

/// A root whose vanished files a run did not mark deleted: the root is empty, or more than half of
/// its live files are gone, or it cannot be opened at all. An unmounted share or a scraper that
/// cleared its folder looks like that, and marking them deleted would retire their articles (and
/// `prune` would then delete them for good). Everything found under the root is still ingested, and
/// the other roots are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusedDeletion {
    pub root: String,
    /// Live files the database has under the root, and how many of them are gone.
    pub live: u64,
    pub vanished: u64,
    /// Why the root could not be opened, when it could not: it was skipped whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

impl std::fmt::Display for RefusedDeletion {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if let Some(why) = &self.missing {
            return write!(
                f,
                "{}: cannot open ({why}); skipped, its {} live files are kept",
                self.root, self.live
            );
        }
        write!(
            f,
            "{}: refused to mark deleted {} of its {} live files ({}); pass --allow-mass-delete if they are really gone",
            self.root,
            self.vanished,
            self.live,
            if self.vanished == self.live {
                "the root is empty: an unmounted share?"
            } else {
                "more than half vanished at once"
            }
        )
    }
}

/// How this run handles near-duplicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearDuplicates {
    /// Sign new documents and maintain clusters. Off, new documents are stored "to check" and the
    /// next run with detection on checks them.
    pub enabled: bool,
    /// Similarity at or above which two documents share a cluster; `None` keeps the stored one.
    pub threshold: Option<f64>,
}

impl Default for NearDuplicates {
    fn default() -> Self {
        NearDuplicates {
            enabled: true,
            threshold: None,
        }
    }
}

/// Where a run aborts the process, as `kill -9` would (no destructor runs, no transaction is rolled
/// back by us), or sends itself SIGTERM: the command-line tool sets it from `NEWSDB_TEST_ABORT`,
/// which only tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// After this many batches were committed.
    AfterBatches(u64),
    /// After the last batch, before the run's end is written.
    BeforeFinish,
    /// SIGTERM to itself after this many batches were committed (see [`interrupt`]).
    SignalAfterBatches(u64),
    /// In the follow-up run that cleans sites' documents again, after this many batches.
    FollowUpAfterBatches(u64),
    /// SIGTERM to itself when the run's end first asks whether to stop (before the near-duplicate
    /// checks).
    SignalAtEnd,
}

impl FailPoint {
    /// `batch:N`, `finish`, `signal:N`, `signal:end` or `follow-up:N`.
    pub fn parse(text: &str) -> Option<FailPoint> {
        match text.split_once(':') {
            Some(("batch", n)) => n.parse().ok().map(FailPoint::AfterBatches),
            Some(("signal", "end")) => Some(FailPoint::SignalAtEnd),
            Some(("signal", n)) => n.parse().ok().map(FailPoint::SignalAfterBatches),
            Some(("follow-up", n)) => n.parse().ok().map(FailPoint::FollowUpAfterBatches),
            None if text == "finish" => Some(FailPoint::BeforeFinish),
            _ => None,
        }
    }
}

/// Where the articles come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// Files and folders; folders are walked for the files `filter` takes.
    Files { roots: Vec<PathBuf>, filter: Filter },
    /// One JSON Lines file, one article per line; `None` reads standard input.
    Jsonl(Option<PathBuf>),
    /// Records `newsdb prepare` printed, from these files (shards of one job) in order; `None` is
    /// standard input.
    Prepared(Vec<Option<PathBuf>>),
}

/// Something the caller may want to show while the run goes on.
#[derive(Debug)]
pub enum Event<'a> {
    /// The walk is done: this many files will be handled.
    Discovered {
        files: u64,
        /// The extensions asked for that no file found has.
        unmatched_extensions: &'a [String],
    },
    /// Before storing, this many files will be read to learn what they teach their sites (see
    /// `learn.rs`): the run handles that many more.
    Learning { files: u64 },
    /// This many more files were read to learn from.
    Learned { files: u64 },
    /// This many more files were written.
    Written { files: u64 },
    /// A file was rejected; the run goes on.
    Rejected {
        path: &'a Path,
        rejection: &'a Rejection,
    },
    /// A file was stored, but something in it was not understood (a date it cannot read); the note
    /// is also in its `files.detail`.
    Noted { path: &'a Path, note: &'a str },
}

/// The outcome of a completed run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub run_id: i64,
    #[serde(flatten)]
    pub counts: RunCounts,
    /// Roots whose vanished files this run did not mark deleted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_deletions: Vec<RefusedDeletion>,
    /// The run that cleaned again the documents of sites whose learned lines changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<Box<RunSummary>>,
    /// The run cleaned with the site lines its learning pass foresaw (`learn.rs`).
    #[serde(skip)]
    pub learned_ahead: bool,
}

/// How standard input is named in `runs.roots` and in its records' paths
/// ([`newsdb_core::jsonl::record_path`]).
pub use newsdb_core::jsonl::STDIN;

/// Runs one ingest of `options.input` into the database behind `conn`.
///
/// A file (or record) that cannot be ingested is recorded and reported through `on_event`, and the run
/// goes on; only a failure of the run itself (a root that does not exist, a database error) returns
/// `Err`, after marking the run failed when it had started.
///
/// A run over files first learns what the files it will clean teach their sites
/// ([`newsdb_core::clean::site`], `learn.rs`), and cleans them with the lines their sites will have
/// learned. When that leaves documents cleaned with other lines than their sites end up with (a run
/// over JSON Lines, which is read once; files gone in the same run), a second run follows at once and
/// cleans those documents again (it reads only their files), so the database is consistent when
/// `ingest` returns. Records from standard input cannot be read twice: the next run cleans them
/// again.
pub fn ingest(
    conn: &mut Connection,
    cleaner: &Cleaner,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<RunSummary> {
    let (first, follow_up) = match options.fail_point {
        Some(FailPoint::FollowUpAfterBatches(n)) => (None, Some(FailPoint::AfterBatches(n))),
        point => (point, point),
    };
    let mut summary = run(conn, cleaner, &options.with_fail_point(first), on_event)?;
    // Standard input cannot be read twice.
    let rereadable = match &options.input {
        Input::Files { .. } => true,
        Input::Jsonl(path) => path.is_some(),
        Input::Prepared(paths) => paths.iter().all(Option::is_some),
    };
    // A run over files learns before it stores (`learn.rs`): its documents are stale only where it
    // could not foresee what its sites would learn, or unlearn.
    if (summary.counts.sites_learned > 0 || summary.learned_ahead)
        && rereadable
        && known::live_stale_documents(conn, cleaner.version())?
    {
        let options = options.with_fail_point(follow_up);
        let follow_up = run(conn, cleaner, &options, on_event)?;
        summary.follow_up = Some(Box::new(follow_up));
    }
    Ok(summary)
}

/// One run, recorded in `runs`.
fn run(
    conn: &mut Connection,
    cleaner: &Cleaner,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event),
) -> Result<RunSummary> {
    let mut missing_roots = Vec::new();
    let scopes = match &options.input {
        Input::Files { roots, .. } => {
            let roots = discover::resolve_roots(roots)?;
            missing_roots = roots.missing;
            roots.found.into_iter().map(RunScope::Files).collect()
        }
        Input::Jsonl(Some(path)) => {
            let path = std::fs::canonicalize(path)
                .with_context(|| format!("{}: cannot open", path.display()))?;
            vec![RunScope::Lines(paths::stored(&path).into_owned())]
        }
        Input::Jsonl(None) => vec![RunScope::Stdin],
        Input::Prepared(inputs) => inputs
            .iter()
            .map(|input| match input {
                Some(path) => {
                    let path = std::fs::canonicalize(path)
                        .with_context(|| format!("{}: cannot open", path.display()))?;
                    Ok(RunScope::Prepared(paths::stored(&path).into_owned()))
                }
                None => Ok(RunScope::Prepared(STDIN.to_owned())),
            })
            .collect::<Result<_>>()?,
    };
    let config = RunConfig {
        cleaner_version: cleaner.version(),
        near_duplicates: options.near_duplicates.enabled,
        threshold: options.near_duplicates.threshold,
    };
    let mut writer = Writer::start(conn, &scopes, config)?;
    // Without the learned site lines yet: loaded where something is to be cleaned
    // ([`Stages::with_site_lines`]), so a re-run over an unchanged folder never reads them.
    let stages = Stages {
        cleaner,
        sign: options.near_duplicates.enabled,
    };
    let mut sink = WriterSink {
        writer: &mut writer,
        on_event,
        batch_files: options.batch_files.max(1),
        commit_batches: options.commit_batches.max(1) as u64,
        held: Vec::new(),
        batches: 0,
        fail_point: options.fail_point,
        learned_ahead: false,
    };
    let result = match &options.input {
        Input::Files { filter, .. } => {
            let roots: Vec<PathBuf> = scopes
                .iter()
                .filter_map(|s| match s {
                    RunScope::Files(root) => Some(root.clone()),
                    RunScope::Lines(_) | RunScope::Stdin | RunScope::Prepared(_) => None,
                })
                .collect();
            run_files(&mut sink, &roots, &missing_roots, filter, stages, options)
        }
        Input::Jsonl(path) => {
            let prefix = scopes[0].label();
            run_jsonl(
                &mut sink,
                path.as_deref(),
                &prefix,
                stages,
                options,
                jsonl::process_line,
            )
            .map(|()| Vec::new())
        }
        Input::Prepared(inputs) => inputs
            .iter()
            .zip(&scopes)
            .try_for_each(|(input, scope)| {
                let prefix = scope.label();
                run_jsonl(
                    &mut sink,
                    input.as_deref(),
                    &prefix,
                    stages,
                    options,
                    prepared::load_line,
                )
            })
            .map(|()| Vec::new()),
    };
    let learned_ahead = sink.learned_ahead;
    if options.fail_point == Some(FailPoint::BeforeFinish) && result.is_ok() {
        std::process::abort();
    }
    // A signal during the walk or the last batch stops the run before its end is written.
    let result = result.and_then(|refused| {
        interrupt::check()?;
        Ok(refused)
    });
    match result {
        Ok(refused) => {
            let run_id = writer.run_id();
            // Sources under a refused root are not looked for at the end.
            let deletable: Vec<RunScope> = scopes
                .into_iter()
                .filter(|s| !refused.iter().any(|r| s.label() == r.root))
                .collect();
            let warning = (!refused.is_empty()).then(|| {
                refused
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            let stop = || {
                if options.fail_point == Some(FailPoint::SignalAtEnd) {
                    interrupt::raise(libc::SIGTERM);
                }
                interrupt::check().map_err(anyhow::Error::from)
            };
            crate::release::release_free_memory();
            let counts =
                writer.finish(&deletable, &discover::is_gone, warning.as_deref(), &stop)?;
            Ok(RunSummary {
                run_id,
                counts,
                refused_deletions: refused,
                follow_up: None,
                learned_ahead,
            })
        }
        Err(err) => {
            // The error being reported matters more than a failure to record it.
            let _ = match err.downcast_ref::<interrupt::Interrupted>() {
                Some(_) => writer.interrupt(&format!("{err:#}")),
                None => writer.fail(&format!("{err:#}")),
            };
            Err(err)
        }
    }
}

/// What the per-document stage does, beside reading.
#[derive(Clone, Copy)]
pub(crate) struct Stages<'a> {
    cleaner: &'a Cleaner,
    /// Compute the near-duplicate band keys of bodies.
    sign: bool,
}

impl<'a> Stages<'a> {
    /// These stages, cleaning with the learned site lines in the database (`cleaner` holds them):
    /// every source cleaned in a run is cleaned with them.
    fn with_site_lines(
        self,
        writer: &Writer,
        cleaner: &'a mut Option<Cleaner>,
    ) -> Result<Stages<'a>> {
        let lines = writer.site_lines().context("loading learned site lines")?;
        Ok(self.with_sites(lines, cleaner))
    }

    /// These stages, cleaning with `lines` (`cleaner` holds them).
    fn with_sites(self, lines: SiteLines, cleaner: &'a mut Option<Cleaner>) -> Stages<'a> {
        Stages {
            cleaner: cleaner.insert(self.cleaner.with_sites(lines)),
            ..self
        }
    }

    /// The outcome for a source whose text was cleaned (or rejected).
    fn outcome(
        self,
        raw_hash: String,
        prepared: Result<Prepared, newsdb_core::Rejection>,
    ) -> Outcome {
        match prepared {
            Ok(doc) => Outcome::prepared(raw_hash, doc),
            Err(rejection) => Outcome::Rejected {
                raw_hash: Some(raw_hash),
                rejection: rejection.into(),
            },
        }
    }
}

/// The database writer as a sink: records are written in batches of `batch_files`, whatever the size
/// of the chunks they come in, and committed `commit_batches` batches at a time, or sooner when no
/// chunk is ready; the caller hears of what was written and rejected.
struct WriterSink<'w, 'c, 'e> {
    writer: &'w mut Writer<'c>,
    on_event: &'e mut dyn FnMut(Event),
    batch_files: usize,
    commit_batches: u64,
    /// Records put but not written yet: fewer than a batch.
    held: Vec<Record>,
    /// Batches written so far.
    batches: u64,
    fail_point: Option<FailPoint>,
    /// Records were cleaned with the site lines a learning pass foresaw.
    learned_ahead: bool,
}

impl Sink for WriterSink<'_, '_, '_> {
    fn put(&mut self, records: Vec<Record>) -> Result<()> {
        self.held.extend(records);
        while self.held.len() >= self.batch_files {
            let rest = self.held.split_off(self.batch_files);
            let batch = std::mem::replace(&mut self.held, rest);
            self.write(batch)?;
        }
        Ok(())
    }

    /// The workers have nothing ready (a slow input, or the end of a pass): what is written is
    /// committed now rather than after `commit_batches`, so readers see it.
    fn idle(&mut self) -> Result<()> {
        self.writer.commit()
    }

    fn finish(&mut self) -> Result<()> {
        let rest = std::mem::take(&mut self.held);
        self.write(rest)?;
        self.writer.commit()
    }
}

impl WriterSink<'_, '_, '_> {
    /// Writes one batch, and commits when it completes `commit_batches`.
    fn write(&mut self, records: Vec<Record>) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        self.writer.write_batch(&records)?;
        self.batches += 1;
        if self.batches.is_multiple_of(self.commit_batches) {
            self.writer.commit()?;
        }
        if self.fail_point == Some(FailPoint::AfterBatches(self.batches)) {
            std::process::abort();
        }
        if self.fail_point == Some(FailPoint::SignalAfterBatches(self.batches)) {
            interrupt::raise(libc::SIGTERM);
        }
        (self.on_event)(Event::Written {
            files: records.len() as u64,
        });
        for r in &records {
            match &r.outcome {
                Outcome::Rejected { rejection, .. } => (self.on_event)(Event::Rejected {
                    path: &r.path,
                    rejection,
                }),
                Outcome::Prepared { doc, .. } => {
                    if let Some(note) = &doc.note {
                        (self.on_event)(Event::Noted {
                            path: &r.path,
                            note,
                        })
                    }
                }
                Outcome::KnownBytes { .. } => {}
            }
        }
        // Between batches: what is written is committed and stays, the rest waits for the next run.
        if let Err(stop) = interrupt::check() {
            self.writer.commit()?;
            return Err(stop.into());
        }
        Ok(())
    }
}

/// Ingests the files under `roots`; returns the roots whose vanished files must not be marked
/// deleted (see [`RefusedDeletion`]).
fn run_files(
    sink: &mut WriterSink,
    roots: &[PathBuf],
    missing_roots: &[(PathBuf, String)],
    filter: &Filter,
    stages: Stages,
    options: &IngestOptions,
) -> Result<Vec<RefusedDeletion>> {
    // The walk (file system) and the load of what the database knows (SQLite) take about as long
    // as each other on an unchanged corpus: side by side, on two threads.
    let writer = &*sink.writer;
    let (found, known, stale) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| discover::discover(roots, filter));
        let known = writer.known_files();
        let stale = writer.stale_documents();
        (walk.join().expect("the walk does not panic"), known, stale)
    });
    let (known, stale) = (known?, stale?);
    let rejections_current = writer.rejections_are_current()?;
    // Paths the walk could not list (an unreadable folder) were found too: their error rows stay.
    // What the database knew that the walk did not find: the only files the run's end may mark
    // deleted, worked out here from what is loaded anyway (one lookup per known file).
    let unseen = sink.writer.set_walked(
        found
            .files
            .iter()
            .map(|c| paths::stored(&c.path))
            .chain(found.unlisted.iter().map(|u| paths::stored(&u.path))),
        &known,
    );
    let mut refused = if options.allow_mass_delete {
        Vec::new()
    } else {
        mass_disappearances(roots, &known, unseen)
    };
    // A root that cannot be opened is not in the run's scope: nothing under it is looked for.
    refused.extend(missing_roots.iter().map(|(root, why)| {
        let root = paths::stored(root).into_owned();
        let live = live_under(&known, &root).count() as u64;
        RefusedDeletion {
            root,
            live,
            vanished: live,
            missing: Some(why.clone()),
        }
    }));
    let unmatched = discover::unmatched_extensions(
        &filter.extensions,
        found.files.iter().map(|f| f.path.as_path()),
    );
    (sink.on_event)(Event::Discovered {
        files: (found.files.len() + found.unlisted.len()) as u64,
        unmatched_extensions: &unmatched,
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
                rejection: crate::read::ReadError::Unreadable(u.message).into(),
            },
        })
        .collect();
    sink.put(unlisted)?;

    let (unchanged, to_read): (Vec<Listed>, Vec<Listed>) = found.files.into_iter().partition(|c| {
        !options.verify && skip::is_unchanged(&known, c, &stale, rejections_current)
    });
    drop(known);
    let to_read = Listing::new(to_read, sink.writer.folder().as_deref());
    // Only a run with files to read needs the stored raw hashes (a re-run over an unchanged corpus
    // skips loading them).
    let known_bytes = if to_read.is_empty() {
        Default::default()
    } else {
        sink.writer.known_raw_hashes(&stale)?
    };
    let mut with_sites = None;
    let mut memos = learn::Memos::default();
    let mut seen = skip::SeenBytes::default();
    let stages = if to_read.is_empty() {
        stages
    } else {
        let learned = learn(sink, &to_read, stages.cleaner, &known_bytes, options)?;
        // The learning pass's rule caches and remembered lines are freed: give them back before the
        // storing allocates its own.
        crate::release::release_free_memory();
        sink.learned_ahead = learned.whole;
        memos = learned.memos;
        if let Some(repeated) = learned.repeated {
            seen = skip::SeenBytes::only(repeated);
        }
        stages.with_sites(learned.lines, &mut with_sites)
    };
    sink.writer.count_unchanged(unchanged.len() as u64);
    (sink.on_event)(Event::Written {
        files: unchanged.len() as u64,
    });
    drop(unchanged);

    let chunk_files = options
        .batch_files
        .div_ceil(files::STORING_CHUNKS_PER_BATCH);
    read::ahead::chunks_read_ahead(&to_read, 0..to_read.len(), chunk_files, |chunks| {
        driver::drive_buffered(
            chunks,
            |(first, chunk)| {
                files::process_chunk(first, &chunk, stages, &known_bytes, &mut seen, &mut memos)
            },
            sink,
            files::STORING_CHUNKS_PER_BATCH - 1,
        )
    })?;
    Ok(refused)
}

/// What the learning pass over the files a run is about to store found (see `learn.rs`).
struct Learned {
    /// The learned lines per site to clean the files with.
    lines: SiteLines,
    /// Whether those are foreseen from all of the files (`false`: the lines learned so far, which a
    /// sample of the files would not change).
    whole: bool,
    /// What the pass read of the pages it cleaned, for the storing.
    memos: learn::Memos,
    /// When the pass read every file: the bytes it met more than once (see
    /// [`skip::SeenBytes::only`]).
    repeated: Option<HashSet<u128>>,
}

/// The learning pass over the files a run is about to store (see `learn.rs`).
///
/// The pass costs a second cleaning of every file. Where sites learn, it saves storing most
/// documents twice (half of a fresh ingest of real news pages); where they learn nothing (few pages
/// per site, or pages without repeated lines), it would be pure cost. So the first
/// `options.learn_sample_files` are read first, and the rest only if they teach some site a line:
/// a site that learns from the whole folder mostly shows it in a sample. Where the sample misses it,
/// the follow-up run cleans the site's documents again, as without the pass.
fn learn(
    sink: &mut WriterSink,
    to_read: &Listing,
    cleaner: &Cleaner,
    known_bytes: &KnownBytes,
    options: &IngestOptions,
) -> Result<Learned> {
    // Dropped at the end of the pass, and with it the rule set's search caches, which the storing
    // barely uses (it recalls what this pass read): the ingest of 20k real-text files peaked at
    // 127 MB instead of 184, of 100k at 153 instead of 204.
    let cleaner = &cleaner.with_own_matcher();
    let sample = 0..to_read.len().min(options.learn_sample_files.max(1));
    let rest = sample.end..to_read.len();
    let folder = sink.writer.folder();
    let scratch = folder.as_deref().and_then(Scratch::new_in);
    let mut learned = learn::LearnSink {
        pages: NewPages::in_scratch(scratch.unwrap_or_else(Scratch::in_memory)),
        memos: learn::Memos::spilling_in(folder.as_deref()),
        on_event: &mut *sink.on_event,
    };
    let (mut seen, mut repeated) = (HashSet::new(), HashSet::new());
    let mut learn_from = |part: Range<usize>, learned: &mut learn::LearnSink| {
        (learned.on_event)(Event::Learning {
            files: part.len() as u64,
        });
        read::ahead::chunks_read_ahead(to_read, part, options.batch_files, |chunks| {
            driver::drive(
                chunks,
                |(first, chunk)| {
                    learn::learn_chunk(
                        first,
                        &chunk,
                        cleaner,
                        known_bytes,
                        &mut seen,
                        &mut repeated,
                    )
                },
                learned,
            )
        })
    };
    learn_from(sample, &mut learned)?;
    let prediction = sink.writer.predicted_site_lines(&learned.pages);
    let prediction = prediction.context("loading learned site lines")?;
    if rest.is_empty() || !prediction.changes {
        let whole = rest.is_empty();
        return Ok(Learned {
            lines: prediction.lines,
            whole,
            memos: learned.memos,
            repeated: whole.then_some(repeated),
        });
    }
    // The sample's worker threads are gone, and what they freed stays with their malloc arenas
    // unless given back: the rest's threads (and the read-ahead thread) do not always take those
    // arenas over, and 20k saved pages then peaked at 295-316 MB instead of 221-239. (Without a
    // rest, the caller gives it back after the pass.)
    crate::release::release_free_memory();
    learn_from(rest, &mut learned)?;
    let prediction = sink.writer.predicted_site_lines(&learned.pages);
    Ok(Learned {
        lines: prediction.context("loading learned site lines")?.lines,
        whole: true,
        memos: learned.memos,
        repeated: Some(repeated),
    })
}

/// The roots that are empty, or whose live files are more than half gone, going by what the
/// database knows and the known files the walk did not find (`unseen`).
fn mass_disappearances(
    roots: &[PathBuf],
    known: &crate::store::known::KnownFiles,
    unseen: &[String],
) -> Vec<RefusedDeletion> {
    roots
        .iter()
        .filter_map(|root| {
            let root = paths::stored(root);
            let live = live_under(known, &root).count() as u64;
            let vanished = unseen
                .iter()
                .filter(|p| {
                    paths::is_under(p, &root)
                        && known.get(*p).is_some_and(|k| k.status.is_live())
                        && discover::is_gone(&paths::from_stored(p))
                })
                .count() as u64;
            (vanished > 0 && vanished * 2 > live).then(|| RefusedDeletion {
                root: root.into_owned(),
                live,
                vanished,
                missing: None,
            })
        })
        .collect()
}

/// The live files the database knows at `root` or below it.
fn live_under<'k>(
    known: &'k crate::store::known::KnownFiles,
    root: &'k str,
) -> impl Iterator<Item = &'k String> {
    known
        .iter()
        .filter(move |(path, k)| k.status.is_live() && paths::is_under(path, root))
        .map(|(path, _)| path)
}

/// Reads a JSON Lines file (or standard input) a chunk of lines at a time; workers parse and clean
/// the records in parallel (or take them as prepared), the writer stores them as they come.
fn run_jsonl(
    sink: &mut WriterSink,
    path: Option<&Path>,
    prefix: &str,
    stages: Stages,
    options: &IngestOptions,
    stage: jsonl::LineStage,
) -> Result<()> {
    let stale = sink.writer.stale_documents()?;
    let known_bytes = sink.writer.known_raw_hashes(&stale)?;
    let mut with_sites = None;
    let stages = stages.with_site_lines(sink.writer, &mut with_sites)?;
    let input = jsonl::open(path)?;
    let chunks = jsonl::chunks(input.reader, input.name, options.batch_files.max(1));
    driver::drive(
        chunks,
        |chunk| jsonl::process_chunk(chunk, prefix, input.mtime_ns, stages, &known_bytes, stage),
        sink,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_points_parse() {
        assert_eq!(
            FailPoint::parse("batch:3"),
            Some(FailPoint::AfterBatches(3))
        );
        assert_eq!(FailPoint::parse("finish"), Some(FailPoint::BeforeFinish));
        assert_eq!(
            FailPoint::parse("signal:2"),
            Some(FailPoint::SignalAfterBatches(2))
        );
        assert_eq!(FailPoint::parse("signal:end"), Some(FailPoint::SignalAtEnd));
        assert_eq!(FailPoint::parse("batch:x"), None);
        assert_eq!(FailPoint::parse("later"), None);
    }
}

//! `newsdb ingest PATH...`

use super::Status;
use crate::cli::IngestArgs;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use newsdb::clean::Cleaner;
use newsdb::pipeline::{self, Event, IngestOptions};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

pub fn run(db: &Path, args: &IngestArgs) -> Result<Status> {
    let started = Instant::now();
    // Held until the run is recorded; the OS releases it if the process dies.
    let _lock = match super::lock_writer(db, args.wait)? {
        Ok(lock) => lock,
        Err(status) => return Ok(status),
    };
    let conn = super::open_read_write(db)?;
    let cleaner = Cleaner::builtin();
    let options = IngestOptions {
        roots: args.paths.clone(),
        extensions: args
            .extensions
            .iter()
            .map(|e| e.trim_start_matches('.').to_owned())
            .collect(),
        verify: args.verify,
    };
    let progress = progress_bar(args.quiet || args.json);
    let mut report = |event: Event| match event {
        Event::Discovered { files } => progress.set_length(files),
        Event::Written { files } => progress.inc(files),
        Event::Rejected { path, rejection } => {
            progress.suspend(|| eprintln!("{}: {rejection}", path.display()))
        }
    };
    let result = pipeline::ingest(conn, &cleaner, &options, &mut report);
    progress.finish_and_clear();
    let summary = result?;
    let elapsed = started.elapsed().as_secs_f64();

    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["status"] = "completed".into();
        value["elapsed_seconds"] = ((elapsed * 1000.0).round() / 1000.0).into();
        value["database"] = db.display().to_string().into();
        writeln!(out, "{value}")?;
    } else if !args.quiet {
        let c = &summary.counts;
        writeln!(
            out,
            "run {} completed in {elapsed:.2} s, database {}",
            summary.run_id,
            db.display()
        )?;
        for (label, n) in [
            ("files seen", c.files_seen),
            ("new documents", c.new_documents),
            ("duplicates", c.duplicates),
            ("unchanged", c.unchanged),
            ("changed", c.changed),
            ("renamed", c.renamed),
            ("failed", c.failed),
            ("deleted", c.deleted),
            ("retired", c.retired),
        ] {
            writeln!(out, "  {label:<14} {n:>8}")?;
        }
        if c.failed > 0 {
            writeln!(
                out,
                "see why: newsdb sql \"SELECT path, reason, detail FROM files WHERE status = 'error'\""
            )?;
        }
    }
    Ok(if summary.counts.failed > 0 {
        Status::FilesFailed
    } else {
        Status::Success
    })
}

/// A bar with files/s and ETA on stderr, drawn only when stderr is a terminal (indicatif hides it
/// otherwise, so cron mail stays clean) and the user did not ask for quiet or JSON output.
fn progress_bar(hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {rate}  ETA {eta}")
            .expect("valid progress template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} files/s", state.per_sec());
                },
            ),
    );
    bar
}

//! `newsdb ingest PATH...`

use super::Status;
use crate::cli::IngestArgs;
use anyhow::{Context, Result};
use newsdb::clean::Cleaner;
use newsdb::pipeline::{self, Event, IngestOptions};
use newsdb::store;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

pub fn run(db: &Path, args: &IngestArgs) -> Result<Status> {
    let started = Instant::now();
    let conn = store::open_read_write(db).with_context(|| format!("opening {}", db.display()))?;
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
    let mut report = |event: Event| match event {
        Event::Rejected { path, rejection } => eprintln!("{}: {rejection}", path.display()),
    };
    let summary = pipeline::ingest(conn, &cleaner, &options, &mut report)?;
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
            ("failed", c.failed),
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

//! `newsdb ingest PATH...`

use super::Status;
use crate::cli::IngestArgs;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use newsdb::config::Config;
use newsdb::discover::Filter;
use newsdb::pipeline::{self, Event, FailPoint, IngestOptions, Input, NearDuplicates};
use newsdb::tuning::Tuning;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// What `ingest` takes from folders unless told otherwise: text dumps and saved pages.
pub const DEFAULT_EXTENSIONS: &[&str] = &["txt", "html", "htm"];

pub fn run(db: &Path, config: &Config, tuning: &Tuning, args: &IngestArgs) -> Result<Status> {
    let started = Instant::now();
    let input = input(config, args)?;
    let cleaner = super::cleaner(args.rules.as_deref(), config)?;
    // Held until the run is recorded; the OS releases it if the process dies.
    let _lock = match super::lock_writer(db, args.wait)? {
        Ok(lock) => lock,
        Err(status) => return Ok(status),
    };
    let mut conn = super::open_read_write(db, tuning)?;
    let options = IngestOptions {
        input,
        verify: args.verify,
        near_duplicates: NearDuplicates {
            enabled: !args.no_near_duplicates,
            threshold: args.near_threshold,
        },
        batch_files: tuning.batch_files,
        commit_batches: tuning.commit_batches,
        learn_sample_files: tuning.learn_sample_files,
        allow_mass_delete: args.allow_mass_delete || config.allow_mass_delete,
        // Only the tests that kill runs at chosen points set it.
        fail_point: std::env::var("NEWSDB_TEST_ABORT")
            .ok()
            .as_deref()
            .and_then(FailPoint::parse),
    };
    let progress = progress_bar(args.quiet || args.json);
    let extensions_chosen =
        !args.quiet && (!args.extensions.is_empty() || config.extensions.is_some());
    let noted = std::cell::Cell::new(false);
    let mut report = |event: Event| match event {
        Event::Discovered {
            files,
            unmatched_extensions,
        } => {
            // A follow-up run (site learning) starts the bar again.
            progress.set_position(0);
            progress.set_length(files);
            // Extensions the user chose that found nothing: a typo, or `--ext jsonl` for what
            // `--jsonl FILE` reads.
            if extensions_chosen && !unmatched_extensions.is_empty() && !noted.replace(true) {
                let list: Vec<String> = unmatched_extensions
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect();
                progress.suspend(|| {
                    eprintln!(
                        "newsdb: note: no file ending in {} under the roots (--ext, or `extensions` in {})",
                        list.join(", "),
                        newsdb::config::CONFIG_FILE
                    )
                });
            }
        }
        // The learning pass reads the files it will store once more: the bar counts both.
        Event::Learning { files } => progress.inc_length(files),
        Event::Learned { files } | Event::Written { files } => progress.inc(files),
        Event::Rejected { path, rejection } => {
            progress.suspend(|| eprintln!("{}: {rejection}", path.display()))
        }
        Event::Noted { path, note } if !args.quiet => {
            progress.suspend(|| eprintln!("{}: warning: {note}", path.display()))
        }
        Event::Noted { .. } => {}
    };
    // From here a signal stops the run between batches and records it (see pipeline::interrupt).
    pipeline::interrupt::install();
    let result = pipeline::ingest(&mut conn, &cleaner, &options, &mut report);
    progress.finish_and_clear();
    let summary = result?;
    let elapsed = started.elapsed().as_secs_f64();

    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["status"] = "completed".into();
        value["elapsed_seconds"] = ((elapsed * 1000.0).round() / 1000.0).into();
        value["database"] = db.display().to_string().into();
        writeln!(out, "{value:#}")?;
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
        if c.sites_learned > 0 {
            writeln!(out, "  {:<14} {:>8}", "sites learned", c.sites_learned)?;
        }
        if let Some(f) = &summary.follow_up {
            writeln!(
                out,
                "run {} cleaned again the documents of those sites: {} changed, {} unchanged",
                f.run_id, f.counts.changed, f.counts.unchanged
            )?;
        }
        if c.failed > 0 {
            writeln!(
                out,
                "see why: newsdb sql \"SELECT path, reason, detail FROM files WHERE status = 'error'\""
            )?;
        }
    }
    let mut refused: Vec<_> = std::iter::successors(Some(&summary), |s| s.follow_up.as_deref())
        .flat_map(|s| &s.refused_deletions)
        .collect();
    // The follow-up run refuses what the first did: say it once.
    let mut seen = std::collections::HashSet::new();
    refused.retain(|r| seen.insert(&r.root));
    for r in &refused {
        eprintln!("newsdb: {r}");
    }
    Ok(if !refused.is_empty() {
        Status::DeletionsRefused
    } else if summary.counts.failed > 0 {
        Status::FilesFailed
    } else {
        Status::Success
    })
}

/// What to ingest: the command line's paths, `--jsonl` or `--prepared`, else newsdb.toml's roots; flags win over
/// the file, and the file's include/exclude globs add to the flags'.
fn input(config: &Config, args: &IngestArgs) -> Result<Input> {
    if let Some(path) = &args.jsonl {
        let path = (path.as_os_str() != "-").then(|| path.clone());
        return Ok(Input::Jsonl(path));
    }
    if !args.prepared.is_empty() {
        let paths = args.prepared.iter();
        return Ok(Input::Prepared(
            paths
                .map(|p| (p.as_os_str() != "-").then(|| p.clone()))
                .collect(),
        ));
    }
    let roots = if args.paths.is_empty() {
        config.roots.clone()
    } else {
        args.paths.clone()
    };
    if roots.is_empty() {
        return Err(newsdb::usage::UsageError(format!(
            "nothing to ingest: name files or folders (newsdb ingest PATH...), pass --jsonl FILE, or \
             list `roots` in {} beside the database",
            newsdb::config::CONFIG_FILE
        ))
        .into());
    }
    let extensions: Vec<String> = if !args.extensions.is_empty() {
        args.extensions.clone()
    } else {
        config
            .extensions
            .clone()
            .unwrap_or_else(|| DEFAULT_EXTENSIONS.iter().map(|e| (*e).to_owned()).collect())
    };
    let extensions: Vec<String> = extensions
        .iter()
        .map(|e| e.trim_start_matches('.').to_owned())
        .collect();
    let include = [config.include.as_slice(), &args.include].concat();
    let exclude = [config.exclude.as_slice(), &args.exclude].concat();
    let filter = Filter::extensions(&extensions).with_globs(&include, &exclude)?;
    Ok(Input::Files { roots, filter })
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

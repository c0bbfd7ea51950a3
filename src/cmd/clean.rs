//! `newsdb clean FILE`: what ingest would store for one file: cleaned by the built-in rules, the rules
//! file, and the lines learned for the file's site in the database (when the database exists). It
//! never writes to a database.

use super::Status;
use crate::cli::CleanArgs;
use anyhow::{Context, Result};
use newsdb::config::Config;
use newsdb::store::OpenError;
use newsdb_core::prepare::{prepare_named, Named};
use newsdb_core::record::CleanReport;
use std::io::Write;
use std::path::Path;

pub fn run(db: &Path, config: &Config, args: &CleanArgs) -> Result<Status> {
    let mut cleaner = super::cleaner(args.rules.as_deref(), config)?;
    // A database written before site learning (schema 3 and older) has learned nothing.
    match newsdb::store::open_read_only(db) {
        Ok(conn) => cleaner = cleaner.with_sites(newsdb::store::sites::load(&conn)?),
        Err(OpenError::Missing | OpenError::SchemaTooOld { .. }) => {}
        Err(err) => return Err(err).with_context(|| format!("opening {}", db.display())),
    }
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("{}: cannot read", args.file.display()))?;
    let doc = match prepare_named(&bytes, Named::of(&args.file), &cleaner, false) {
        Ok(doc) => doc,
        Err(rejection) => {
            eprintln!("{}: {rejection}", args.file.display());
            return Ok(Status::FilesFailed);
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = CleanReport::of(&doc);
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        return Ok(Status::Success);
    }
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    writeln!(out, "Title: {}", field(&doc.header.title))?;
    writeln!(out, "Published: {}", field(&doc.header.published))?;
    writeln!(out, "URL: {}", field(&doc.header.url))?;
    writeln!(out)?;
    writeln!(out, "{}", doc.body)?;
    if !doc.removed.is_empty() {
        let n = doc.removed.len();
        let lines = if n == 1 { "line" } else { "lines" };
        eprintln!("{n} {lines} removed as boilerplate; --json lists them with their rules");
    }
    Ok(Status::Success)
}

//! `newsdb clean FILE`: what ingest would store for one file: cleaned by the built-in rules, the rules
//! file, and the lines learned for the file's site in the database (when the database exists). It
//! never writes to a database.

use super::Status;
use crate::cli::CleanArgs;
use anyhow::{Context, Result};
use newsdb::config::Config;
use newsdb::store::OpenError;
use newsdb_core::clean::Removal;
use newsdb_core::prepare::{prepare_named, Named};
use std::io::Write;
use std::path::Path;

#[derive(serde::Serialize)]
struct CleanOutput<'a> {
    title: Option<&'a str>,
    published: Option<&'a str>,
    url: Option<&'a str>,
    lang: Option<&'a str>,
    encoding: &'a str,
    /// The HTML extractor that found the article (`whole-page`: none did); absent for text.
    #[serde(skip_serializing_if = "Option::is_none")]
    extractor: Option<&'a str>,
    /// Stray control characters (NUL, BEL, ...) dropped from the text before cleaning.
    control_characters_removed: usize,
    body: &'a str,
    removed: &'a [Removal],
}

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
        let value = CleanOutput {
            title: doc.header.title.as_deref(),
            published: doc.header.published.as_deref(),
            url: doc.header.url.as_deref(),
            lang: doc.lang,
            encoding: doc.encoding,
            extractor: doc.extractor,
            control_characters_removed: doc.controls_removed,
            body: &doc.body,
            removed: &doc.removed,
        };
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
        eprintln!(
            "{} lines removed as boilerplate; --json lists them with their rules",
            doc.removed.len()
        );
    }
    Ok(Status::Success)
}

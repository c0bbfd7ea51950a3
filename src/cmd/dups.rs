//! `newsdb dups`: clusters of near-duplicate documents, largest first.

use super::{open_read_only, Status};
use crate::cli::output;
use crate::cli::DupsArgs;
use anyhow::Result;
use newsdb::store::queries;
use std::io::Write;
use std::path::Path;

pub fn run(db: &Path, args: &DupsArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let clusters = queries::clusters(&conn, args.limit)?;
    let mut out = std::io::stdout().lock();
    if let Some(format) = args.output.format() {
        output::items(&mut out, format, &clusters)?;
        return Ok(Status::Success);
    }
    if clusters.is_empty() {
        eprintln!("no near-duplicates");
    }
    for c in &clusters {
        writeln!(
            out,
            "cluster {}: {} documents, {} sources: {}",
            c.cluster_id,
            c.cluster_size,
            c.source_count,
            c.title.as_deref().unwrap_or("(untitled)")
        )?;
        for m in &c.members {
            let similarity = match m.similarity {
                _ if m.id == c.cluster_id => "representative".to_owned(),
                Some(s) => format!("similarity {s:.2}"),
                None => "via another member".to_owned(),
            };
            writeln!(
                out,
                "  [{}] {} {} ({similarity})",
                m.id,
                m.published.as_deref().unwrap_or("(no date)"),
                m.domain.as_deref().unwrap_or("(no domain)")
            )?;
            for path in &m.sources {
                writeln!(out, "      {path}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(Status::Success)
}

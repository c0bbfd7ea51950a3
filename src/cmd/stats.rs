//! `newsdb stats`

use super::{open_read_only, Status};
use crate::cli::StatsArgs;
use anyhow::Result;
use newsdb::store::queries;
use std::io::Write;
use std::path::Path;

pub fn run(db: &Path, args: &StatsArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let s = queries::stats(&conn, db)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&s)?)?;
        return Ok(Status::Success);
    }
    writeln!(
        out,
        "database    {} ({}, schema version {})",
        db.display(),
        indicatif::HumanBytes(s.size_bytes),
        s.schema_version
    )?;
    writeln!(
        out,
        "documents   {} ({} live, {} retired: `newsdb prune` deletes those)",
        s.documents,
        s.documents - s.retired,
        s.retired
    )?;
    writeln!(
        out,
        "files       {} (ingested {}, duplicate {}, error {}, deleted {})",
        s.files, s.ingested, s.duplicates, s.failures, s.deleted
    )?;
    writeln!(out, "duplicates  {}", s.duplicates)?;
    writeln!(
        out,
        "near-dups   {} clusters of {} documents (see `newsdb dups`)",
        s.clusters, s.clustered_documents
    )?;
    writeln!(out, "failures    {}", s.failures)?;
    match (s.last_run_id, &s.last_run_status, &s.last_run_started_at) {
        (Some(id), Some(status), Some(at)) => writeln!(
            out,
            "runs        {} (last: run {id}, {status}, started {at})",
            s.runs
        )?,
        _ => writeln!(out, "runs        0")?,
    }
    Ok(Status::Success)
}

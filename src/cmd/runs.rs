//! `newsdb runs`: the run log, newest first.

use super::{open_read_only, Status};
use crate::cli::output::{self, Rows};
use crate::cli::RunsArgs;
use anyhow::Result;
use std::path::Path;

const RUNS_SQL: &str = "
    SELECT id, started_at, finished_at, status, files_seen, new_documents, duplicates, unchanged,
           changed, renamed, failed, deleted, retired, sites_learned, roots, error
    FROM runs ORDER BY id DESC LIMIT ?1";

pub fn run(db: &Path, args: &RunsArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let mut stmt = conn.prepare(RUNS_SQL)?;
    let rows = Rows::query(&mut stmt, [args.limit as i64])?;
    let mut out = std::io::stdout().lock();
    output::rows(&mut out, args.output.format(), &rows)?;
    Ok(Status::Success)
}

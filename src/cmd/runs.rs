//! `newsdb runs`: the run log, newest first.

use super::{open_read_only, Status};
use crate::cli::output::{self, Rows};
use crate::cli::RunsArgs;
use anyhow::Result;
use newsdb::store::queries;
use std::path::Path;

pub fn run(db: &Path, args: &RunsArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let mut stmt = conn.prepare(queries::RUNS_SQL)?;
    let rows = Rows::query(&mut stmt, [args.limit as i64])?;
    let mut out = std::io::stdout().lock();
    output::rows(&mut out, args.output.format(), &rows)?;
    Ok(Status::Success)
}

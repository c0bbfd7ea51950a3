//! `newsdb sql "SELECT ..."`: one statement, on a read-only connection.

use super::{open_read_only, Status};
use crate::cli::output::{self, Rows};
use crate::cli::SqlArgs;
use anyhow::{bail, Context, Result};
use std::path::Path;

pub fn run(db: &Path, args: &SqlArgs) -> Result<Status> {
    if args.query.trim().trim_matches(';').trim().is_empty() {
        return Err(newsdb::usage::UsageError(
            "no SQL statement given: newsdb sql 'SELECT title FROM documents LIMIT 5'".into(),
        )
        .into());
    }
    let conn = open_read_only(db)?;
    let mut stmt = conn.prepare(&args.query).context("preparing the query")?;
    // The connection is read-only already; this refuses a writing statement before it runs, with a
    // message that says why.
    if !stmt.readonly() {
        bail!("newsdb sql only runs read-only statements; this one would write to the database");
    }
    let rows = Rows::query(&mut stmt, [])?;
    let mut out = std::io::stdout().lock();
    output::rows(&mut out, args.output.format(), &rows)?;
    Ok(Status::Success)
}

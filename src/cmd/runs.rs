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
    let mut rows = Rows::query(&mut stmt, [args.limit as i64])?;
    // `runs.roots` holds a JSON array as text: printed as the array it is, not a string of JSON.
    if let Some(i) = rows.columns.iter().position(|c| c == "roots") {
        for row in &mut rows.rows {
            if let serde_json::Value::String(text) = &row[i] {
                if let Ok(array @ serde_json::Value::Array(_)) = serde_json::from_str(text) {
                    row[i] = array;
                }
            }
        }
    }
    let mut out = std::io::stdout().lock();
    output::rows(&mut out, args.output.format(), &rows)?;
    Ok(Status::Success)
}

//! `newsdb prune`: delete retired documents for good.

use super::Status;
use crate::cli::PruneArgs;
use anyhow::{Context, Result};
use newsdb::store;
use newsdb::tuning::Tuning;
use std::io::Write;
use std::path::Path;

pub fn run(db: &Path, tuning: &Tuning, args: &PruneArgs) -> Result<Status> {
    if !db.exists() {
        return Err(store::OpenError::Missing).with_context(|| format!("opening {}", db.display()));
    }
    let _lock = match super::lock_writer(db, args.wait)? {
        Ok(lock) => lock,
        Err(status) => return Ok(status),
    };
    let mut conn = super::open_read_write(db, tuning)?;
    let pruned = store::prune::prune_retired(&mut conn)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{:#}",
            serde_json::json!({ "pruned_documents": pruned })
        )?;
    } else {
        writeln!(out, "pruned {pruned} retired documents")?;
    }
    Ok(Status::Success)
}

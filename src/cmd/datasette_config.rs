//! `newsdb datasette-config`: the shipped Datasette metadata (`datasette/metadata.json`: facets, the
//! ranked search query, canned queries) keyed by this database's name, which Datasette takes from
//! the file name: the shipped file works only for a file called `newsdb.db`.

use super::Status;
use anyhow::{Context, Result};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// The shipped metadata, for a database named `newsdb`.
const SHIPPED: &str = include_str!("../../datasette/metadata.json");

pub fn run(db: &Path) -> Result<Status> {
    // Datasette names a database after its file, without the extension.
    let name = db
        .file_stem()
        .and_then(|s| s.to_str())
        .with_context(|| format!("{}: no file name Datasette could use", db.display()))?;
    let mut metadata: Value = serde_json::from_str(SHIPPED).expect("the shipped metadata is JSON");
    let databases = metadata["databases"]
        .as_object_mut()
        .expect("the shipped metadata has databases");
    let ours = databases
        .remove("newsdb")
        .expect("the shipped metadata describes `newsdb`");
    databases.insert(name.to_owned(), ours);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &metadata)?;
    writeln!(out)?;
    Ok(Status::Success)
}

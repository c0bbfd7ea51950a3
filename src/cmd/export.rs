//! `newsdb export --jsonl` / `--csv`: every document with its sources, one JSON object (or CSV
//! record) per line, streamed.

use super::{open_read_only, Status};
use crate::cli::output::CsvStream;
use crate::cli::ExportArgs;
use anyhow::{Context, Result};
use newsdb::store::queries;
use std::io::{BufWriter, Write};
use std::path::Path;

pub fn run(db: &Path, args: &ExportArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(out);
    let filters = args.filters.filters();
    if args.csv {
        let mut csv = CsvStream::new(&mut out);
        queries::export(&conn, args.include_retired, &filters, |doc| csv.write(&doc))?;
        csv.finish()?;
    } else {
        queries::export(&conn, args.include_retired, &filters, |doc| {
            serde_json::to_writer(&mut out, &doc)?;
            out.write_all(b"\n")?;
            Ok(())
        })?;
    }
    out.flush()?;
    Ok(Status::Success)
}

//! `newsdb export --jsonl`: every document with its sources, one JSON object per line, streamed.

use super::{open_read_only, Status};
use crate::cli::ExportArgs;
use anyhow::{Context, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

/// One document as exported; `newsdb ingest --jsonl` reads this shape back.
#[derive(serde::Serialize)]
struct Exported {
    id: i64,
    content_hash: String,
    title: Option<String>,
    published: Option<String>,
    url: Option<String>,
    domain: Option<String>,
    lang: Option<String>,
    word_count: i64,
    body: String,
    /// Paths of the live files (or JSON Lines records) that hold the document, primary first.
    sources: Vec<String>,
}

const EXPORT_SQL: &str = concat!(
    "SELECT d.id, d.content_hash, d.title, d.published, d.url, d.domain, d.lang, d.word_count, d.body,
            (SELECT json_group_array(path) FROM (
                 SELECT f.path FROM files f
                 WHERE f.document_id = d.id AND f.status IN ",
    newsdb::live_statuses!(),
    "
                 ORDER BY f.status = 'duplicate', f.path))
     FROM documents d
     WHERE d.retired_run_id IS NULL OR ?1
     ORDER BY d.id"
);

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
    let mut stmt = conn.prepare(EXPORT_SQL)?;
    let mut rows = stmt.query([args.include_retired])?;
    while let Some(r) = rows.next()? {
        let sources: String = r.get(9)?;
        let doc = Exported {
            id: r.get(0)?,
            content_hash: r.get(1)?,
            title: r.get(2)?,
            published: r.get(3)?,
            url: r.get(4)?,
            domain: r.get(5)?,
            lang: r.get(6)?,
            word_count: r.get(7)?,
            body: r.get(8)?,
            sources: serde_json::from_str(&sources)?,
        };
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Status::Success)
}

//! `newsdb show ID` / `newsdb show --path FILE`: one article in full, where a search hit leads.

use super::{open_read_only, Status};
use crate::cli::ShowArgs;
use anyhow::{Context, Result};
use newsdb::store::article::{self, Article, Which};
use newsdb::store::paths;
use std::io::Write;
use std::path::Path;

pub fn run(db: &Path, args: &ShowArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let which = match (&args.id, &args.path) {
        (Some(id), _) => Which::Id(*id),
        (None, Some(path)) => {
            // Stored paths are absolute and resolved; a file gone from the disk is looked up as
            // given, made absolute.
            let full = std::fs::canonicalize(path).or_else(|_| std::path::absolute(path));
            let full = full.with_context(|| format!("{}: cannot resolve", path.display()))?;
            Which::Path(paths::stored(&full).into_owned())
        }
        (None, None) => unreachable!("clap requires an id or --path"),
    };
    let Some(article) = article::article(&conn, &which, args.removed)? else {
        anyhow::bail!(match which {
            Which::Id(id) => format!("no document with id {id} (`newsdb search` gives ids)"),
            Which::Path(path) => {
                let file: Option<(String, Option<String>)> = conn
                    .query_row(
                        "SELECT status, detail FROM files WHERE path = ?1",
                        [&path],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .ok();
                match file {
                    Some((status, detail)) => format!(
                        "{path}: no document: the file {}{}",
                        match status.as_str() {
                            "error" => "was rejected",
                            "deleted" => "is gone from the disk",
                            _ => "holds none",
                        },
                        detail.map_or(String::new(), |d| format!(": {d}"))
                    ),
                    None => format!("{path}: not in the database (never ingested)"),
                }
            }
        });
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &article)?;
        writeln!(out)?;
    } else {
        print(&mut out, &article)?;
    }
    Ok(Status::Success)
}

/// The article for people: its fields, sources and near-duplicates, then the body.
fn print(out: &mut impl Write, a: &Article) -> std::io::Result<()> {
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    writeln!(out, "Title:     {}", field(&a.title))?;
    writeln!(out, "Published: {}", field(&a.published))?;
    writeln!(out, "URL:       {}", field(&a.url))?;
    writeln!(out, "Site:      {}", field(&a.domain))?;
    writeln!(out, "Language:  {}", field(&a.lang))?;
    writeln!(
        out,
        "Document:  {} ({} words{})",
        a.id,
        a.word_count,
        if a.retired { ", retired" } else { "" }
    )?;
    for (i, s) in a.sources.iter().enumerate() {
        let label = if i == 0 { "Sources:  " } else { "          " };
        writeln!(out, "{label} {}", s.path)?;
    }
    for (i, n) in a.near_duplicates.iter().enumerate() {
        let label = if i == 0 { "Near-dups:" } else { "          " };
        let similarity = n
            .similarity
            .map_or(String::new(), |s| format!(", similarity {s:.2}"));
        writeln!(
            out,
            "{label} [{}] {} ({}, {}{similarity})",
            n.id,
            field(&n.title),
            field(&n.published),
            field(&n.domain)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", a.body)?;
    if let Some(removed) = &a.removed {
        writeln!(out)?;
        writeln!(out, "Removed lines ({}):", removed.len())?;
        for r in removed {
            writeln!(out, "  {:>5}  {:<22} {}", r.line, r.rule, r.text)?;
        }
    }
    Ok(())
}

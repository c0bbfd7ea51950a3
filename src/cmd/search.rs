//! `newsdb search QUERY`

use super::{open_read_only, Status};
use crate::cli::output;
use crate::cli::{SearchArgs, SortBy};
use anyhow::Result;
use newsdb::config::Config;
use newsdb::search::{self, SearchError, SearchOptions};
use std::io::{IsTerminal, Write};
use std::path::Path;

/// Hits shown when neither `--limit` nor newsdb.toml says.
const DEFAULT_LIMIT: usize = 20;

pub fn run(db: &Path, config: &Config, args: &SearchArgs) -> Result<Status> {
    let conn = open_read_only(db)?;
    let options = SearchOptions {
        limit: args.limit.or(config.search.limit).unwrap_or(DEFAULT_LIMIT),
        literal: args.literal,
        include_retired: args.include_retired,
        all_copies: args.all_copies,
        by_date: args.sort == SortBy::Date,
        filters: args.filters.filters(),
    };
    let hits = match search::search(&conn, &args.query, &options) {
        Ok(hits) => hits,
        Err(err @ (SearchError::Malformed { .. } | SearchError::Empty)) => {
            eprintln!("newsdb: {err}");
            return Ok(Status::Usage);
        }
        Err(SearchError::Sqlite(err)) => return Err(err.into()),
    };
    let mut out = std::io::stdout().lock();
    // Matches in bold on a terminal; `**` in files and pipes (and with NO_COLOR set).
    let bold = out.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if let Some(format) = args.output.format() {
        output::items(&mut out, format, &hits)?;
        return Ok(Status::Success);
    }
    if hits.is_empty() {
        eprintln!("no documents match {:?}", args.query);
    }
    for (i, hit) in hits.iter().enumerate() {
        let title = hit.title.as_deref().unwrap_or("(untitled)");
        let date = hit
            .published
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        writeln!(out, "{}. [{}] {title}{date}", i + 1, hit.id)?;
        if let Some(url) = &hit.url {
            writeln!(out, "   {url}")?;
        }
        match (hit.source_count, hit.cluster_size) {
            (1, 1) => {}
            (n, 1) => writeln!(out, "   {n} sources")?,
            (n, versions) if args.all_copies => writeln!(
                out,
                "   {n} sources; near-duplicate of cluster {} ({versions} versions)",
                hit.cluster_id
            )?,
            (n, versions) => writeln!(out, "   {n} sources, {versions} versions")?,
        }
        let snippet = hit.snippet.replace('\n', " ");
        if bold {
            writeln!(out, "   {}", in_bold(&snippet))?;
        } else {
            writeln!(out, "   {snippet}")?;
        }
        writeln!(out)?;
    }
    Ok(Status::Success)
}

/// A snippet with its `**`-marked matches in bold (ANSI), for a terminal.
fn in_bold(snippet: &str) -> String {
    let (start, end) = (search::HIGHLIGHT_START, search::HIGHLIGHT_END);
    let mut out = String::with_capacity(snippet.len() + 16);
    let mut rest = snippet;
    while let Some(at) = rest.find(start) {
        let after = &rest[at + start.len()..];
        let Some(close) = after.find(end) else { break };
        out.push_str(&rest[..at]);
        out.push_str("\x1b[1m");
        out.push_str(&after[..close]);
        out.push_str("\x1b[0m");
        rest = &after[close + end.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_are_bold_on_a_terminal() {
        assert_eq!(
            super::in_bold("a **b** c **d**"),
            "a \x1b[1mb\x1b[0m c \x1b[1md\x1b[0m"
        );
        assert_eq!(super::in_bold("no ** close"), "no ** close");
    }
}

//! Search in scripts written without spaces (Chinese, Japanese, Thai; Korean too): the words of the
//! query are looked up in the trigram index `documents_cjk` (three characters or more) and with
//! `LIKE` (shorter ones, which no trigram holds), every word required. FTS5 syntax does not apply
//! here: the words are taken as typed.

use super::{
    cluster_hit, Hit, SearchError, SearchOptions, CLUSTER_SQL, HIGHLIGHT_END, HIGHLIGHT_START,
};
use crate::filter_sql;
use crate::store::unspaced::is_unspaced;
use rusqlite::types::ToSql;
use rusqlite::{params_from_iter, Connection};

/// Characters of context on each side of a match in a snippet made here (for short words only).
const SNIPPET_CHARS: usize = 30;

/// Whether `query` is for this search: it holds a character of those scripts.
pub fn applies(query: &str) -> bool {
    query.chars().any(is_unspaced)
}

pub fn run(
    conn: &Connection,
    query: &str,
    options: &SearchOptions,
) -> Result<Vec<Hit>, SearchError> {
    let words: Vec<&str> = query
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Err(SearchError::Empty);
    }
    let (long, short): (Vec<&str>, Vec<&str>) = words.iter().partition(|w| w.chars().count() >= 3);
    let (since, until, domains, lang) = options.filters.params();
    let mut values: Vec<Box<dyn ToSql>> = vec![
        Box::new(since.map(str::to_owned)),
        Box::new(until.map(str::to_owned)),
        Box::new(domains),
        Box::new(lang.map(str::to_owned)),
        Box::new(options.include_retired),
        Box::new(options.by_date),
    ];
    let mut sql = String::from("SELECT d.id, coalesce(d.cluster_id, d.id), ");
    if long.is_empty() {
        sql.push_str("NULL, 0.0 FROM documents d WHERE 1");
    } else {
        let phrase = long
            .iter()
            .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND ");
        values.push(Box::new(phrase));
        values.push(Box::new(HIGHLIGHT_START));
        values.push(Box::new(HIGHLIGHT_END));
        sql.push_str(
            "snippet(documents_cjk, -1, ?8, ?9, '…', 24), documents_cjk.rank
             FROM documents_cjk JOIN documents d ON d.id = documents_cjk.rowid
             WHERE documents_cjk MATCH ?7",
        );
    }
    for word in &short {
        values.push(Box::new(format!("%{}%", escape_like(word))));
        sql.push_str(&format!(
            " AND coalesce(d.title, '') || ' ' || d.body LIKE ?{} ESCAPE '\\'",
            values.len()
        ));
    }
    sql.push_str(" AND (?5 OR d.retired_run_id IS NULL)");
    sql.push_str(filter_sql!("1", "2", "3", "4"));
    sql.push_str(
        " ORDER BY CASE WHEN ?6 THEN d.published IS NULL END, CASE WHEN ?6 THEN d.published END DESC,
                   4, d.id",
    );

    // (matched document, cluster, snippet, rank), best first; one per cluster unless all copies.
    let mut best: Vec<(i64, i64, Option<String>, f64)> = Vec::new();
    {
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(values.iter()))?;
        let mut seen = std::collections::HashSet::new();
        while best.len() < options.limit {
            let Some(row) = rows.next()? else { break };
            let cluster: i64 = row.get(1)?;
            if options.all_copies || seen.insert(cluster) {
                best.push((row.get(0)?, cluster, row.get(2)?, row.get(3)?));
            }
        }
    }
    let mut cluster_stmt = conn.prepare_cached(CLUSTER_SQL)?;
    let mut body_stmt = conn.prepare_cached("SELECT body FROM documents WHERE id = ?1")?;
    best.into_iter()
        .map(|(matched_id, cluster, snippet, rank)| {
            let snippet = match snippet {
                Some(s) => s,
                None => {
                    let body: String = body_stmt.query_row([matched_id], |r| r.get(0))?;
                    snippet_around(&body, short.first().copied().unwrap_or(""))
                }
            };
            Ok(cluster_hit(
                &mut cluster_stmt,
                options,
                matched_id,
                cluster,
                snippet,
                rank,
            )?)
        })
        .collect()
}

/// `word` for a LIKE pattern: its `%`, `_` and `\` taken literally.
fn escape_like(word: &str) -> String {
    word.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The text around the first occurrence of `word` in `body`, the word marked as FTS5's snippets
/// mark it.
fn snippet_around(body: &str, word: &str) -> String {
    let Some(at) = body.find(word).filter(|_| !word.is_empty()) else {
        return body.chars().take(2 * SNIPPET_CHARS).collect();
    };
    let before: String = body[..at]
        .chars()
        .rev()
        .take(SNIPPET_CHARS)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = body[at + word.len()..]
        .chars()
        .take(SNIPPET_CHARS)
        .collect();
    let lead = if before.len() < at { "…" } else { "" };
    let tail = if at + word.len() + after.len() < body.len() {
        "…"
    } else {
        ""
    };
    format!("{lead}{before}{HIGHLIGHT_START}{word}{HIGHLIGHT_END}{after}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_marks_the_word_with_context() {
        assert_eq!(
            snippet_around("今天天气很好。", "天气"),
            "今天**天气**很好。"
        );
        assert_eq!(escape_like("50%_\\"), "50\\%\\_\\\\");
    }
}

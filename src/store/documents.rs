//! Rows of the `documents` table as a run writes them: a new document with its cleaning audit, the
//! gaps of a stored one filled from a later copy, and index entries.
//!
//! The columns that come from cleaning are named once, in [`schema::CLEANED_COLUMNS`]; the insert and
//! the fill-in are built from that list.

use crate::store::schema::{self, CLEANED_COLUMNS};
use anyhow::Result;
use newsdb_core::{Prepared, Removal};
use rusqlite::types::ToSql;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Where a new document's row comes from beside `doc`.
pub struct NewDocument<'a> {
    pub id: i64,
    /// Its cluster: itself when alone, `None` when it must be checked at the end of the run.
    pub cluster_id: Option<i64>,
    pub run_id: i64,
    pub cleaner_version: &'a str,
}

/// ?1-?12 are the fixed columns (the run's id twice), then the cleaned ones in order.
static INSERT_DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let marks: Vec<String> = (0..CLEANED_COLUMNS.len())
        .map(|i| format!("?{}", 13 + i))
        .collect();
    format!(
        "INSERT INTO documents (id, content_hash, title, published, url, domain, body, word_count,
                                cleaner_version, first_run_id, last_run_id, cluster_id, site_version, {})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, {})",
        CLEANED_COLUMNS.join(", "),
        marks.join(", ")
    )
});

/// A later copy may carry header fields the first one lacked: fill the gaps, touching the row only if
/// there is a gap to fill. A document re-cleaned by a newer cleaner into the same body takes the new
/// cleaner version and what it derives (the cleaned columns). The title is filled by
/// [`FILL_IN_TITLE`]: a statement naming it fires the trigger that rewrites the index entry.
/// ?1 id, ?2 published, ?3 url, ?4 domain, ?5 cleaner version, ?6 site version, then the cleaned
/// columns in order.
static FILL_IN_DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let cleaned: Vec<String> = CLEANED_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "{c} = CASE WHEN ?7 AND cleaner_version IS NOT ?5 THEN ?{} ELSE {c} END",
                8 + i
            )
        })
        .collect();
    format!(
        "UPDATE documents SET
             published = coalesce(published, ?2),
             url = coalesce(url, ?3), domain = coalesce(domain, ?4),
             {},
             cleaner_version = CASE WHEN ?7 THEN ?5 ELSE cleaner_version END,
             site_version = CASE WHEN ?7 AND domain IS ?4 THEN ?6 ELSE site_version END
         WHERE id = ?1
           AND ((published IS NULL AND ?2 IS NOT NULL) OR (url IS NULL AND ?3 IS NOT NULL)
                OR (?7 AND (cleaner_version IS NOT ?5 OR (domain IS ?4 AND site_version IS NOT ?6))))",
        cleaned.join(",\n             ")
    )
});
const FILL_IN_TITLE: &str = "UPDATE documents SET title = ?2 WHERE id = ?1 AND title IS NULL";
const INSERT_FTS: &str = "INSERT INTO documents_fts (rowid, title, body) VALUES (?1, ?2, ?3)";
const INSERT_CJK: &str = "INSERT INTO documents_cjk (rowid, title, body) VALUES (?1, ?2, ?3)";
const INSERT_REMOVED: &str =
    "INSERT INTO document_removed_lines (document_id, rule, lines) VALUES (?1, ?2, ?3)";
const SELECT_BY_CONTENT_HASH: &str = "SELECT id FROM documents WHERE content_hash = ?1";

/// The stored document whose cleaned body has `content_hash`.
pub fn by_content_hash(conn: &Connection, content_hash: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(SELECT_BY_CONTENT_HASH)?
        .query_row([content_hash], |r| r.get(0))
        .optional()?)
}

/// Stores `doc` as a new document and its cleaning audit, the lines it removed (`removed`; `doc`'s
/// own are not read). Its index entry is added apart ([`index`]), with the rest of its batch's.
pub fn insert(
    conn: &Connection,
    new: &NewDocument,
    doc: &Prepared,
    removed: &RemovedLines,
) -> Result<()> {
    let word_count = doc.word_count as i64;
    let fixed: [&dyn ToSql; 12] = [
        &new.id,
        &doc.content_hash,
        &doc.header.title,
        &doc.header.published,
        &doc.header.url,
        &doc.domain,
        &doc.body,
        &word_count,
        &new.cleaner_version,
        &new.run_id,
        &new.cluster_id,
        &doc.site_version,
    ];
    let values = fixed.into_iter().chain(schema::cleaned_values(doc));
    conn.prepare_cached(&INSERT_DOCUMENT)?
        .execute(params_from_iter(values))?;
    let mut insert_removed = conn.prepare_cached(INSERT_REMOVED)?;
    for (rule, lines) in &removed.0 {
        insert_removed.execute(params![new.id, rule, lines])?;
    }
    Ok(())
}

/// A document's removed lines as `document_removed_lines` holds them: for each rule, a JSON array of
/// `[line, text]` arrays, by line. A row per document and rule instead of a row per line: see
/// `migrations/0009_removed_lines_per_document.sql`.
///
/// Made by the workers, beside the cleaning, rather than by the writer: at 20k real-text files the
/// writer spent 4.8% of its time making them (`perf`), and it is the pipeline's narrowest stage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemovedLines(Vec<(Cow<'static, str>, String)>);

impl RemovedLines {
    /// The rows of the lines `doc` removed, taken out of it (they travel to the writer as rows, not
    /// twice).
    pub fn take(doc: &mut Prepared) -> RemovedLines {
        RemovedLines::of(std::mem::take(&mut doc.removed))
    }

    fn of(removed: Vec<Removal>) -> RemovedLines {
        let mut by_rule: BTreeMap<Cow<'static, str>, Vec<(usize, String)>> = BTreeMap::new();
        for r in removed {
            by_rule.entry(r.rule).or_default().push((r.line, r.text));
        }
        let rows = by_rule
            .into_iter()
            .map(|(rule, mut lines)| {
                lines.sort_unstable_by_key(|&(line, _)| line);
                let json = serde_json::to_string(&lines).expect("numbers and strings serialize");
                (rule, json)
            })
            .collect();
        RemovedLines(rows)
    }
}

/// Fills the gaps of stored document `id` from a later copy `doc` cleaned by `cleaner_version` (see
/// `FILL_IN_DOCUMENT`); the title apart, with [`fill_in_title`]. With `upgrade`, the document takes
/// `doc`'s cleaning and versions: the caller knows no other file of it still waits to be cleaned
/// again (a document marked current too early would keep files cleaned the old way: a run killed
/// while it cleaned a site's documents again left them so).
pub fn fill_in(
    conn: &Connection,
    id: i64,
    doc: &Prepared,
    cleaner_version: &str,
    upgrade: bool,
) -> Result<()> {
    let fixed: [&dyn ToSql; 7] = [
        &id,
        &doc.header.published,
        &doc.header.url,
        &doc.domain,
        &cleaner_version,
        &doc.site_version,
        &upgrade,
    ];
    let values = fixed.into_iter().chain(schema::cleaned_values(doc));
    conn.prepare_cached(&FILL_IN_DOCUMENT)?
        .execute(params_from_iter(values))?;
    Ok(())
}

/// Gives document `id` the title `title` if it has none. The title is indexed: the update's trigger
/// rewrites the document's index entry, which must be there first.
pub fn fill_in_title(conn: &Connection, id: i64, title: &str) -> Result<()> {
    conn.prepare_cached(FILL_IN_TITLE)?
        .execute(params![id, title])?;
    Ok(())
}

/// Adds the index entries of document `id`: the full-text index, and for a text in a script written
/// without spaces, the trigram index ([`super::unspaced`]).
pub fn index(conn: &Connection, id: i64, doc: &Prepared) -> Result<()> {
    conn.prepare_cached(INSERT_FTS)?
        .execute(params![id, doc.header.title, doc.body])?;
    if super::unspaced::indexed(doc.header.title.as_deref(), &doc.body) {
        conn.prepare_cached(INSERT_CJK)?
            .execute(params![id, doc.header.title, doc.body])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;
    use newsdb_core::Cleaner;

    fn prepared(text: &str) -> Prepared {
        newsdb_core::prepare(text.as_bytes(), &Cleaner::builtin(), false).unwrap()
    }

    /// The rows of what `doc` removed, `doc` left as it is (the tests read its removals after).
    fn removed(doc: &Prepared) -> RemovedLines {
        RemovedLines::of(doc.removed.clone())
    }

    fn with_run() -> Connection {
        let conn = in_memory();
        conn.execute(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v1')",
            [],
        )
        .unwrap();
        conn
    }

    fn new(id: i64, cleaner_version: &str) -> NewDocument<'_> {
        NewDocument {
            id,
            cluster_id: Some(id),
            run_id: 1,
            cleaner_version,
        }
    }

    #[test]
    fn a_new_document_is_stored_with_its_audit_and_found_by_its_hash_and_words() {
        let conn = with_run();
        let doc = prepared("Headline\n\nShare this:\nThe minister spoke in Kyiv on Tuesday.\n");
        insert(&conn, &new(3, "v1"), &doc, &removed(&doc)).unwrap();
        index(&conn, 3, &doc).unwrap();
        assert_eq!(by_content_hash(&conn, &doc.content_hash).unwrap(), Some(3));
        let (lang, cluster, words): (Option<String>, i64, i64) = conn
            .query_row(
                "SELECT lang, cluster_id, word_count FROM documents WHERE id = 3",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (lang, cluster, words),
            (doc.lang.map(str::to_owned), 3, doc.word_count as i64)
        );
        let removed: String = conn
            .query_row(
                "SELECT rule FROM removed_lines WHERE document_id = 3",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(removed, doc.removed[0].rule);
        let hit: i64 = conn
            .query_row(
                "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'Kyiv'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hit, 3);
    }

    #[test]
    fn the_removed_lines_are_stored_a_row_per_rule_and_read_back_line_by_line_through_the_view() {
        let conn = with_run();
        let doc = prepared(
            "Home | World | Sport | Contact\n\
             Share this:\n\
             The minister spoke in Kyiv on Tuesday about the grain corridor and the ports.\n\
             He said the talks would go on next week, and that \"quotes\" and \\ survive.\n\
             Share this:\n\
             Privacy policy | Terms of use | Cookies\n",
        );
        assert!(doc.removed.len() >= 3, "{:?}", doc.removed);
        insert(&conn, &new(3, "v1"), &doc, &removed(&doc)).unwrap();

        let mut expected: Vec<(i64, String, String)> = doc
            .removed
            .iter()
            .map(|r| (r.line as i64, r.rule.to_string(), r.text.clone()))
            .collect();
        expected.sort();
        let stored: Vec<(i64, String, String)> = conn
            .prepare(
                "SELECT line, rule, text FROM removed_lines WHERE document_id = 3 ORDER BY line",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(stored, expected);

        let mut rules: Vec<String> = expected.iter().map(|(_, rule, _)| rule.clone()).collect();
        rules.dedup();
        rules.sort();
        rules.dedup();
        let rows: Vec<String> = conn
            .prepare("SELECT rule FROM document_removed_lines WHERE document_id = 3 ORDER BY rule")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, rules, "one row per rule");
    }

    #[test]
    fn removed_lines_taken_out_of_a_document_are_its_rows_by_rule_and_line() {
        let mut doc = prepared(
            "Headline\n\nShare this:\nThe minister spoke in Kyiv on Tuesday.\nShare this:\n",
        );
        let removals = doc.removed.clone();
        assert!(removals.len() >= 2, "{removals:?}");
        let rows = RemovedLines::take(&mut doc);
        assert!(doc.removed.is_empty(), "taken, not copied");
        let mut from_rows: Vec<(usize, String, String)> = Vec::new();
        for (rule, json) in &rows.0 {
            let lines: Vec<(usize, String)> = serde_json::from_str(json).unwrap();
            assert!(lines.windows(2).all(|w| w[0].0 < w[1].0), "by line: {json}");
            from_rows.extend(lines.into_iter().map(|(l, t)| (l, rule.to_string(), t)));
        }
        let rules: Vec<&str> = rows.0.iter().map(|(rule, _)| rule.as_ref()).collect();
        assert!(
            rules.windows(2).all(|w| w[0] < w[1]),
            "a row per rule: {rules:?}"
        );
        from_rows.sort();
        let mut expected: Vec<(usize, String, String)> = removals
            .into_iter()
            .map(|r| (r.line, r.rule.into_owned(), r.text))
            .collect();
        expected.sort();
        assert_eq!(from_rows, expected);
    }

    #[test]
    fn a_document_with_nothing_removed_has_no_audit_row() {
        let conn = with_run();
        let doc = prepared("The minister spoke in Kyiv on Tuesday about the grain corridor.\n");
        assert!(doc.removed.is_empty(), "{:?}", doc.removed);
        insert(&conn, &new(4, "v1"), &doc, &removed(&doc)).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM document_removed_lines", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[test]
    fn a_later_copy_fills_gaps_and_a_newer_cleaner_replaces_the_cleaned_columns() {
        let conn = with_run();
        let bare = prepared("The minister spoke in Kyiv on Tuesday.\n");
        insert(&conn, &new(1, "v1"), &bare, &removed(&bare)).unwrap();
        index(&conn, 1, &bare).unwrap();
        conn.execute("UPDATE documents SET lang = 'xxx' WHERE id = 1", [])
            .unwrap();

        let fuller = prepared(
            "Title\n20220112\nhttps://www.example.com/x\nThe minister spoke in Kyiv on Tuesday.\n",
        );
        fill_in(&conn, 1, &fuller, "v1", true).unwrap();
        fill_in_title(&conn, 1, "Title").unwrap();
        type Row = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let row = |conn: &Connection| -> Row {
            conn.query_row(
                "SELECT published, domain, title, lang FROM documents WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap()
        };
        let (published, domain, title, lang) = row(&conn);
        assert_eq!(published.as_deref(), Some("2022-01-12"));
        assert_eq!(domain.as_deref(), Some("example.com"));
        assert_eq!(title.as_deref(), Some("Title"));
        assert_eq!(
            lang.as_deref(),
            Some("xxx"),
            "the same cleaner leaves the cleaned columns alone"
        );

        fill_in(&conn, 1, &fuller, "v2", true).unwrap();
        let (_, _, _, lang) = row(&conn);
        assert_eq!(
            lang.as_deref(),
            fuller.lang,
            "a newer cleaner replaces them"
        );
        let check: rusqlite::Result<()> = conn
            .execute_batch("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')");
        check.unwrap();
    }
}

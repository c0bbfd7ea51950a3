//! Numbered SQL migrations from `migrations/`, embedded in the binary and applied in order.
//!
//! The schema version lives in `PRAGMA user_version`. Each migration and its version bump commit in one
//! transaction, so a crash leaves the database at one version or the next, never between.

use super::open::OpenError;
use rusqlite::Connection;

/// (version, file name, SQL). A test checks that every file in `migrations/` is listed, in order.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_init.sql",
        include_str!("../../migrations/0001_init.sql"),
    ),
    (
        2,
        "0002_lang_jsonl_sightings.sql",
        include_str!("../../migrations/0002_lang_jsonl_sightings.sql"),
    ),
    (
        3,
        "0003_near_duplicates.sql",
        include_str!("../../migrations/0003_near_duplicates.sql"),
    ),
    (
        4,
        "0004_quality_and_sites.sql",
        include_str!("../../migrations/0004_quality_and_sites.sql"),
    ),
    (
        5,
        "0005_run_warnings.sql",
        include_str!("../../migrations/0005_run_warnings.sql"),
    ),
    (
        6,
        "0006_site_learning_from_live_pages.sql",
        include_str!("../../migrations/0006_site_learning_from_live_pages.sql"),
    ),
    (
        7,
        "0007_file_format.sql",
        include_str!("../../migrations/0007_file_format.sql"),
    ),
    (
        8,
        "0008_unspaced_scripts_index.sql",
        include_str!("../../migrations/0008_unspaced_scripts_index.sql"),
    ),
    (
        9,
        "0009_removed_lines_per_document.sql",
        include_str!("../../migrations/0009_removed_lines_per_document.sql"),
    ),
    (
        10,
        "0010_site_line_texts_apart.sql",
        include_str!("../../migrations/0010_site_line_texts_apart.sql"),
    ),
    (
        11,
        "0011_site_sources_in_arrival_order.sql",
        include_str!("../../migrations/0011_site_sources_in_arrival_order.sql"),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The database's schema version (0 for a new, empty database).
pub fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Refuses a database written by a newer newsdb.
pub fn check_not_newer(conn: &Connection) -> Result<i64, OpenError> {
    let db = version(conn)?;
    if db > SCHEMA_VERSION {
        return Err(OpenError::SchemaTooNew {
            db,
            binary: SCHEMA_VERSION,
        });
    }
    Ok(db)
}

/// Applies every migration the database has not seen yet.
pub fn migrate(conn: &mut Connection) -> Result<(), OpenError> {
    let current = check_not_newer(conn)?;
    for &(version, _, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database as a binary of schema `version` left it: the migrations up to it, applied.
    fn database_at(version: i64) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for &(v, _, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v <= version) {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", v).unwrap();
        }
        conn
    }

    /// What SQLite plans for `select` (the detail column of `EXPLAIN QUERY PLAN`'s first row): the
    /// index a query uses.
    fn query_plan(conn: &Connection, select: &str) -> String {
        conn.query_row(&format!("EXPLAIN QUERY PLAN {select}"), [], |r| r.get(3))
            .unwrap()
    }

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|(_, name, _)| name.to_string())
            .collect();
        assert_eq!(files, listed);
        for (i, (version, name, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i as i64 + 1);
            assert!(name.starts_with(&format!("{version:04}_")));
        }
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_version_1_database_keeps_its_rows() {
        let mut conn = database_at(1);
        conn.execute_batch(
            "INSERT INTO runs (started_at, roots, cleaner_version) VALUES ('t', '[]', 'v1');
             INSERT INTO documents (content_hash, body, word_count, cleaner_version)
             VALUES ('h', 'body', 1, 'v1');
             INSERT INTO files (path, status, document_id) VALUES ('/a.txt', 'ingested', 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (lang, line): (Option<String>, Option<i64>) = conn
            .query_row(
                "SELECT d.lang, f.line FROM documents d JOIN files f ON f.document_id = d.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((lang, line), (None, None));
        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_version_8_audit_reads_the_same_through_the_removed_lines_view() {
        let mut conn = database_at(8);
        conn.execute_batch(
            "INSERT INTO runs (started_at, roots, cleaner_version) VALUES ('t', '[]', 'v1');
             INSERT INTO documents (id, content_hash, body, word_count, cleaner_version)
             VALUES (1, 'h1', 'body', 1, 'v1'), (2, 'h2', 'body two', 2, 'v1'), (3, 'h3', 'b', 1, 'v1');
             INSERT INTO documents_fts (rowid, title, body) SELECT id, title, body FROM documents;
             INSERT INTO removed_lines (document_id, line, rule, text) VALUES
               (1, 7, 'outside-article', 'Home | News'),
               (1, 2, 'outside-article', 'Menu \"quoted\" \\ line'),
               (1, 9, 'share-widget', 'Share this:'),
               (2, 1, 'date-line', '12 March 2024, 10:15'),
               (2, 30, 'outside-article', 'Über uns · Impressum');",
        )
        .unwrap();
        let rows = |conn: &Connection| -> Vec<(i64, i64, String, String)> {
            conn.prepare(
                "SELECT document_id, line, rule, text FROM removed_lines ORDER BY document_id, line",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
        };
        let before = rows(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(rows(&conn), before);
        let (stored, lines): (i64, String) = conn
            .query_row(
                "SELECT count(*), (SELECT lines FROM document_removed_lines
                                   WHERE document_id = 1 AND rule = 'outside-article')
                 FROM document_removed_lines",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(stored, 4, "a row per document and rule");
        assert_eq!(
            lines,
            r#"[[2,"Menu \"quoted\" \\ line"],[7,"Home | News"]]"#
        );
        let plan = query_plan(
            &conn,
            "SELECT text FROM removed_lines WHERE rule = 'share-widget'",
        );
        assert!(plan.contains("document_removed_lines_rule"), "{plan}");
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute("DELETE FROM documents WHERE id = 1", [])
            .unwrap();
        assert_eq!(rows(&conn).len(), 2, "the audit goes with its document");
    }

    #[test]
    fn a_version_9_database_reads_its_site_lines_the_same_through_the_view() {
        let mut conn = database_at(9);
        conn.execute_batch(
            "INSERT INTO runs (started_at, roots, cleaner_version) VALUES ('t', '[]', 'v1');
             INSERT INTO site_lines (domain, line_hash, documents, text, first_run_id) VALUES
               ('b.example', -5, 3, 'Sign up for our newsletter', 1),
               ('a.example', 9, 0, 'Home | News | Sport', NULL),
               ('a.example', -2, 12, '© 2024 A Example \"Ltd\"', 1);",
        )
        .unwrap();
        let rows = |conn: &Connection| -> Vec<(String, i64, i64, String, Option<i64>)> {
            conn.prepare(
                "SELECT domain, line_hash, documents, text, first_run_id FROM site_lines
                 ORDER BY domain, line_hash",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
        };
        let before = rows(&conn);
        migrate(&mut conn).unwrap();
        assert_eq!(rows(&conn), before);
        let texts: i64 = conn
            .query_row("SELECT count(*) FROM site_line_texts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(texts, 3, "a text per line");
        let plan = query_plan(
            &conn,
            "SELECT text FROM site_lines WHERE domain = 'a.example'",
        );
        assert!(plan.contains("PRIMARY KEY"), "{plan}");
    }

    #[test]
    fn a_version_10_database_keeps_its_site_sources_and_pages_and_their_keys() {
        let mut conn = database_at(10);
        conn.execute_batch(
            "INSERT INTO site_sources (raw_hash, domain, page_key, lines) VALUES
               ('ff01', 'a.example', 7, x'0100000000000000'),
               ('0a02', 'a.example', -3, x''),
               ('7c03', 'b.example', 7, x'0200000000000000');
             INSERT INTO site_pages (domain, page_key, lines) VALUES
               ('b.example', 7, x'0200000000000000'),
               ('a.example', 7, x'0100000000000000');",
        )
        .unwrap();
        let rows = |conn: &Connection, select: &str| -> Vec<(String, i64, Vec<u8>)> {
            conn.prepare(select)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let sources =
            "SELECT raw_hash || domain, page_key, lines FROM site_sources ORDER BY raw_hash";
        let pages = "SELECT domain, page_key, lines FROM site_pages ORDER BY domain, page_key";
        let before = (rows(&conn, sources), rows(&conn, pages));
        migrate(&mut conn).unwrap();
        assert_eq!((rows(&conn, sources), rows(&conn, pages)), before);
        // The keys still hold: a source's bytes and a page are one row each, replaced in place of
        // the old one by the writer's upserts.
        conn.execute_batch(
            "INSERT OR REPLACE INTO site_sources (raw_hash, domain, page_key, lines)
             VALUES ('ff01', 'c.example', 1, x'');
             INSERT OR REPLACE INTO site_pages (domain, page_key, lines)
             VALUES ('a.example', 7, x'');",
        )
        .unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM site_sources"), 3);
        assert_eq!(count("SELECT count(*) FROM site_pages"), 2);
        assert_eq!(
            count("SELECT count(*) FROM site_sources WHERE raw_hash = 'ff01' AND domain = 'c.example'"),
            1
        );
        let plan = query_plan(
            &conn,
            "SELECT lines FROM site_sources WHERE raw_hash = 'ff01'",
        );
        assert!(plan.contains("sqlite_autoindex_site_sources"), "{plan}");
        let plan = query_plan(
            &conn,
            "SELECT lines FROM site_sources INDEXED BY site_sources_page
             WHERE domain = 'a.example' AND page_key = 7",
        );
        assert!(plan.contains("site_sources_page"), "{plan}");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, OpenError::SchemaTooNew { .. }), "{err}");
    }
}

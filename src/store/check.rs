//! `newsdb check`: is this database sound? SQLite's own integrity check, the FTS5 index's, and the
//! invariants newsdb keeps between runs. `--repair` rebuilds what can be rebuilt from the rows
//! themselves (the full-text index, which file is a document's primary, retired and revived
//! documents, site learning recounted from the live files); what needs the files again (a live file without a
//! document, copies of the same bytes on two documents) is reported with the command that fixes it.

use crate::live_statuses;
use anyhow::{Context, Result};
use rusqlite::Connection;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Stable name of the check.
    pub check: &'static str,
    /// How many rows break it (0: it passes).
    pub problems: u64,
    /// What breaks it, or how to fix it, when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// `check --repair` fixes it.
    pub repairable: bool,
}

/// A check that counts the rows that break an invariant.
struct Invariant {
    check: &'static str,
    count_sql: &'static str,
    /// Fixes it from the rows (run by `--repair`); `None`: `fix` says what to do.
    repair_sql: Option<&'static str>,
    fix: &'static str,
    /// Settled at a run's end: while the newest run did not finish (killed, interrupted, failed),
    /// the next ingest settles it, and it is not a fault.
    at_run_end: bool,
}

const INVARIANTS: &[Invariant] = &[
    Invariant {
        check: "live-files-have-documents",
        count_sql: concat!(
            "SELECT count(*) FROM files WHERE status IN ",
            live_statuses!(),
            " AND (document_id IS NULL OR document_id NOT IN (SELECT id FROM documents))"
        ),
        repair_sql: None,
        at_run_end: false,
        fix: "run `newsdb ingest --verify` over the roots to read those files again",
    },
    Invariant {
        check: "copies-share-a-document",
        count_sql: concat!(
            "SELECT count(*) FROM (SELECT raw_hash FROM files WHERE status IN ",
            live_statuses!(),
            " AND raw_hash IS NOT NULL GROUP BY raw_hash HAVING count(DISTINCT document_id) > 1)"
        ),
        repair_sql: None,
        at_run_end: false,
        fix: "byte-identical live files sit on different documents; `newsdb ingest --verify` reads them again",
    },
    Invariant {
        check: "live-documents-have-live-files",
        count_sql: concat!(
            "SELECT count(*) FROM documents d WHERE d.retired_run_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM files f WHERE f.document_id = d.id AND f.status IN ",
            live_statuses!(),
            ")"
        ),
        repair_sql: Some(concat!(
            "UPDATE documents SET retired_run_id = (SELECT max(id) FROM runs)
             WHERE retired_run_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM files f WHERE f.document_id = documents.id AND f.status IN ",
            live_statuses!(),
            ")"
        )),
        at_run_end: true,
        fix: "retired",
    },
    Invariant {
        check: "documents-with-live-files-are-live",
        count_sql: concat!(
            "SELECT count(*) FROM documents d WHERE d.retired_run_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM files f WHERE f.document_id = d.id AND f.status IN ",
            live_statuses!(),
            ")"
        ),
        repair_sql: Some(concat!(
            "UPDATE documents SET retired_run_id = NULL
             WHERE retired_run_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM files f WHERE f.document_id = documents.id AND f.status IN ",
            live_statuses!(),
            ")"
        )),
        at_run_end: true,
        fix: "revived",
    },
    Invariant {
        check: "one-primary-file-per-document",
        count_sql: concat!(
            "SELECT count(*) FROM (SELECT document_id FROM files WHERE status IN ",
            live_statuses!(),
            " AND document_id IS NOT NULL GROUP BY document_id
               HAVING sum(status = 'ingested') <> 1)"
        ),
        repair_sql: Some(super::lifecycle::CHOOSE_ALL_PRIMARIES),
        at_run_end: true,
        fix: "the first path of each document made its primary",
    },
    Invariant {
        check: "clusters-point-at-live-documents",
        count_sql: "SELECT count(*) FROM documents d
             WHERE d.retired_run_id IS NULL AND d.cluster_id IS NOT NULL
               AND d.cluster_id NOT IN (SELECT id FROM documents WHERE retired_run_id IS NULL)",
        repair_sql: Some(
            "UPDATE documents SET cluster_id = NULL
             WHERE retired_run_id IS NULL AND cluster_id IS NOT NULL
               AND cluster_id NOT IN (SELECT id FROM documents WHERE retired_run_id IS NULL)",
        ),
        at_run_end: true,
        fix: "marked to be clustered again by the next ingest",
    },
];

/// Runs every check; a passing one has `problems == 0`.
pub fn check(conn: &Connection) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let messages: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let broken = messages != ["ok"];
    findings.push(Finding {
        check: "sqlite-integrity",
        problems: if broken { messages.len() as u64 } else { 0 },
        detail: broken.then(|| messages.join("; ")),
        repairable: false,
    });
    // rank = 1: also compare the index with its content table, `documents`.
    let fts = conn.execute(
        "INSERT INTO documents_fts(documents_fts, rank) VALUES ('integrity-check', 1)",
        [],
    );
    findings.push(Finding {
        check: "fts-index-matches-documents",
        problems: u64::from(fts.is_err()),
        detail: fts.err().map(|e| e.to_string()),
        repairable: true,
    });
    // The trigram index holds only the documents in scripts written without spaces, so it is
    // compared with them by count, and checked inside by FTS5 (without rank: not every row of
    // `documents` is in it).
    let cjk = conn
        .execute(
            "INSERT INTO documents_cjk(documents_cjk) VALUES ('integrity-check')",
            [],
        )
        .map_err(|e| e.to_string())
        .and_then(|_| {
            let counts = format!(
                "SELECT (SELECT count(*) FROM documents_cjk_docsize),
                        (SELECT count(*) FROM documents WHERE {})",
                super::unspaced::SQL_CONDITION
            );
            let (indexed, expected): (i64, i64) = conn
                .query_row(&counts, [], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| e.to_string())?;
            if indexed == expected {
                Ok(())
            } else {
                Err(format!(
                    "{indexed} documents indexed, {expected} hold Chinese, Japanese, Korean or Thai"
                ))
            }
        });
    findings.push(Finding {
        check: "cjk-index-matches-documents",
        problems: u64::from(cjk.is_err()),
        detail: cjk.err(),
        repairable: true,
    });
    let unfinished: bool = conn.query_row(
        "SELECT coalesce((SELECT status <> 'completed' FROM runs ORDER BY id DESC LIMIT 1), 0)",
        [],
        |r| r.get(0),
    )?;
    for inv in INVARIANTS {
        if inv.at_run_end && unfinished {
            findings.push(Finding {
                check: inv.check,
                problems: 0,
                detail: Some(
                    "not checked: the newest run did not finish; the next ingest settles it".into(),
                ),
                repairable: false,
            });
            continue;
        }
        let problems: i64 = conn
            .query_row(inv.count_sql, [], |r| r.get(0))
            .with_context(|| format!("checking {}", inv.check))?;
        findings.push(Finding {
            check: inv.check,
            problems: problems as u64,
            detail: (problems > 0 && inv.repair_sql.is_none()).then(|| inv.fix.to_owned()),
            repairable: inv.repair_sql.is_some(),
        });
    }
    let sites = super::sites::audit(conn).context("recounting site learning")?;
    findings.push(Finding {
        check: "site-learning-matches-live-pages",
        problems: sites.problems(),
        detail: (sites.problems() > 0).then(|| {
            format!(
                "{} pages, {} line counts and {} learned sets differ from what the live files imply",
                sites.pages, sites.lines, sites.sites
            )
        }),
        repairable: true,
    });
    Ok(findings)
}

/// Repairs what [`check`] found and can be rebuilt from the rows, in one transaction; returns what
/// it did, one line per repair.
pub fn repair(conn: &mut Connection, findings: &[Finding]) -> Result<Vec<String>> {
    let failing = |name: &str| {
        findings
            .iter()
            .any(|f| f.check == name && f.problems > 0 && f.repairable)
    };
    let tx = conn.transaction()?;
    let mut done = Vec::new();
    if failing("fts-index-matches-documents") {
        tx.execute(
            "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
            [],
        )
        .context("rebuilding the full-text index")?;
        done.push("fts-index-matches-documents: the full-text index rebuilt from documents".into());
    }
    if failing("cjk-index-matches-documents") {
        tx.execute_batch(&format!(
            "INSERT INTO documents_cjk(documents_cjk) VALUES ('delete-all');
             INSERT INTO documents_cjk (rowid, title, body)
             SELECT id, title, body FROM documents WHERE {};",
            super::unspaced::SQL_CONDITION
        ))
        .context("rebuilding the trigram index")?;
        done.push(
            "cjk-index-matches-documents: the trigram index rebuilt from the documents in those scripts"
                .into(),
        );
    }
    for inv in INVARIANTS {
        if let (true, Some(sql)) = (failing(inv.check), inv.repair_sql) {
            let changed = tx
                .execute(sql, [])
                .with_context(|| format!("repairing {}", inv.check))?;
            done.push(format!("{}: {changed} rows {}", inv.check, inv.fix));
        }
    }
    if failing("site-learning-matches-live-pages") {
        let run_id: Option<i64> = tx.query_row("SELECT max(id) FROM runs", [], |r| r.get(0))?;
        let changed = super::sites::rebuild(&tx, run_id).context("recounting site learning")?;
        done.push(format!(
            "site-learning-matches-live-pages: recounted from the live files; {changed} sites' learned \
             lines changed (the next ingest cleans their documents again)"
        ));
    }
    tx.commit()?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;

    fn problems(conn: &Connection) -> Vec<(&'static str, u64)> {
        check(conn)
            .unwrap()
            .into_iter()
            .filter(|f| f.problems > 0)
            .map(|f| (f.check, f.problems))
            .collect()
    }

    #[test]
    fn a_sound_database_passes_and_broken_invariants_are_found_and_repaired() {
        let mut conn = in_memory();
        conn.execute_batch(
            "INSERT INTO runs (id, started_at, status, roots, cleaner_version)
             VALUES (1, 't', 'completed', '[]', 'v');
             INSERT INTO documents (id, content_hash, body, word_count, cleaner_version, cluster_id)
             VALUES (1, 'h1', 'One body.', 2, 'v', 1), (2, 'h2', 'Two body.', 2, 'v', 2);
             INSERT INTO documents_fts (rowid, title, body) VALUES (1, NULL, 'One body.'), (2, NULL, 'Two body.');
             INSERT INTO files (path, raw_hash, document_id, status)
             VALUES ('/a', 'r1', 1, 'ingested'), ('/b', 'r1', 1, 'duplicate'), ('/c', 'r2', 2, 'ingested');",
        )
        .unwrap();
        assert_eq!(problems(&conn), vec![]);

        // Document 2 loses its file without being retired; document 1 gets two primaries; a live
        // file has no document.
        conn.execute_batch(
            "UPDATE files SET status = 'deleted' WHERE path = '/c';
             UPDATE files SET status = 'ingested' WHERE path = '/b';
             INSERT INTO files (path, raw_hash, document_id, status) VALUES ('/d', 'r9', NULL, 'ingested');",
        )
        .unwrap();
        let found = check(&conn).unwrap();
        assert_eq!(
            problems(&conn),
            vec![
                ("live-files-have-documents", 1),
                ("live-documents-have-live-files", 1),
                ("one-primary-file-per-document", 1),
            ]
        );
        let done = repair(&mut conn, &found).unwrap();
        assert_eq!(done.len(), 2, "{done:?}");
        assert_eq!(
            problems(&conn),
            vec![("live-files-have-documents", 1)],
            "what needs the files again is left, and said"
        );
    }
}

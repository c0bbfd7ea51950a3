//! A run's row in `runs`: its start (runs that died before it become `interrupted`), and its end,
//! `completed`, `failed` or `interrupted` (by a signal), with its counts.

use crate::record::{RunCounts, RunScope};
use crate::store::clusters;
use crate::store::schema::now;
use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Completed,
    Failed,
    /// Stopped by a signal between batches.
    Interrupted,
}

impl RunStatus {
    fn as_str(self) -> &'static str {
        match self {
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

/// A started run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Started {
    pub run_id: i64,
    /// The run before it did not complete: its batches may have moved files off documents it never
    /// got to retire, so this run's end looks at every document.
    pub after_unfinished: bool,
}

/// Records the start of a run over `scopes` with the cleaner `cleaner_version`. Runs still marked
/// `running` died before finishing (the caller holds the writer lock, so none is alive): they become
/// `interrupted`, and the documents they stored are checked for near-duplicates again.
pub fn start(conn: &Connection, scopes: &[RunScope], cleaner_version: &str) -> Result<Started> {
    let previous: Option<String> = conn
        .query_row(
            "SELECT status FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    // Runs that died, and the last run if it failed or was stopped: its own end may not have had
    // room to mark its documents (a full disk).
    let died: Vec<i64> = conn
        .prepare(
            "SELECT id FROM runs WHERE status = 'running'
             UNION SELECT id FROM (SELECT id, status FROM runs ORDER BY id DESC LIMIT 1)
                   WHERE status IN ('failed', 'interrupted')",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for run in died {
        clusters::recheck_run(conn, run).context("marking documents of an interrupted run")?;
    }
    conn.execute(
        "UPDATE runs SET status = 'interrupted' WHERE status = 'running'",
        [],
    )
    .context("marking interrupted runs")?;
    let roots_json =
        serde_json::to_string(&scopes.iter().map(RunScope::label).collect::<Vec<_>>())?;
    conn.execute(
        "INSERT INTO runs (started_at, roots, cleaner_version) VALUES (?1, ?2, ?3)",
        params![now(), roots_json, cleaner_version],
    )
    .context("recording the start of the run")?;
    Ok(Started {
        run_id: conn.last_insert_rowid(),
        after_unfinished: previous.is_some_and(|status| status != "completed"),
    })
}

/// How a run ended, beside its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending<'a> {
    pub status: RunStatus,
    /// For a failure, why.
    pub error: Option<&'a str>,
    /// What the run left undone on purpose, and why.
    pub warning: Option<&'a str>,
}

/// Records the end of run `run_id`: its status, its counts, and what `ending` says.
pub fn end(conn: &Connection, run_id: i64, counts: &RunCounts, ending: Ending) -> Result<()> {
    let c = counts;
    conn.execute(
        "UPDATE runs SET finished_at = ?2, status = ?3, error = ?4, files_seen = ?5, new_documents = ?6,
             duplicates = ?7, unchanged = ?8, changed = ?9, renamed = ?10, failed = ?11, deleted = ?12,
             retired = ?13, sites_learned = ?14, warning = ?15
         WHERE id = ?1",
        params![
            run_id,
            now(),
            ending.status.as_str(),
            ending.error,
            c.files_seen as i64,
            c.new_documents as i64,
            c.duplicates as i64,
            c.unchanged as i64,
            c.changed as i64,
            c.renamed as i64,
            c.failed as i64,
            c.deleted as i64,
            c.retired as i64,
            c.sites_learned as i64,
            ending.warning
        ],
    )?;
    Ok(())
}

/// The id the next new document gets.
pub fn next_document_id(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM documents", [], |r| {
            r.get(0)
        })?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;
    use std::path::PathBuf;

    #[test]
    fn a_run_that_died_is_marked_interrupted_by_the_next() {
        let conn = in_memory();
        let scopes = [
            RunScope::Files(PathBuf::from("/r")),
            RunScope::Lines("-".into()),
        ];
        let first = start(&conn, &scopes, "v").unwrap();
        assert!(!first.after_unfinished);
        let second = start(&conn, &scopes, "v").unwrap();
        assert!(second.after_unfinished);
        let (status, roots): (String, String) = conn
            .query_row(
                "SELECT status, roots FROM runs WHERE id = ?1",
                [first.run_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(status, "interrupted");
        assert_eq!(roots, r#"["/r","-"]"#);

        let counts = RunCounts {
            files_seen: 3,
            failed: 1,
            ..RunCounts::default()
        };
        let ending = Ending {
            status: RunStatus::Completed,
            error: None,
            warning: Some("refused to mark deleted"),
        };
        end(&conn, second.run_id, &counts, ending).unwrap();
        let (status, seen, failed): (String, i64, i64) = conn
            .query_row(
                "SELECT status, files_seen, failed FROM runs WHERE id = ?1",
                [second.run_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), seen, failed), ("completed", 3, 1));
        assert!(!start(&conn, &scopes, "v").unwrap().after_unfinished);
    }

    #[test]
    fn a_failed_run_keeps_its_error() {
        let conn = in_memory();
        let run = start(&conn, &[], "v").unwrap().run_id;
        let ending = Ending {
            status: RunStatus::Failed,
            error: Some("disk full"),
            warning: None,
        };
        end(&conn, run, &RunCounts::default(), ending).unwrap();
        let error: String = conn
            .query_row("SELECT error FROM runs WHERE status = 'failed'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(error, "disk full");
        assert_eq!(next_document_id(&conn).unwrap(), 1);
    }
}

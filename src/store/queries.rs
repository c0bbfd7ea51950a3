//! Queries behind the read-only commands that are not plain user SQL.

use anyhow::Result;
use rusqlite::Connection;
use std::path::Path;

/// What `newsdb stats` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    pub documents: i64,
    pub files: i64,
    /// Files by status.
    pub ingested: i64,
    pub duplicates: i64,
    pub failures: i64,
    pub deleted: i64,
    pub runs: i64,
    pub last_run_id: Option<i64>,
    pub last_run_status: Option<String>,
    pub last_run_started_at: Option<String>,
    /// Database file plus its write-ahead log, in bytes.
    pub size_bytes: u64,
    pub schema_version: i64,
}

pub fn stats(conn: &Connection, db_path: &Path) -> Result<Stats> {
    let count = |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |r| r.get(0)) };
    let (last_run_id, last_run_status, last_run_started_at) = conn
        .query_row(
            "SELECT id, status, started_at FROM runs ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((Some(r.get(0)?), Some(r.get(1)?), Some(r.get(2)?))),
        )
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok((None, None, None)),
            e => Err(e),
        })?;
    let file_size = |suffix: &str| {
        let mut p = db_path.as_os_str().to_owned();
        p.push(suffix);
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
    };
    Ok(Stats {
        documents: count("SELECT count(*) FROM documents")?,
        files: count("SELECT count(*) FROM files")?,
        ingested: count("SELECT count(*) FROM files WHERE status = 'ingested'")?,
        duplicates: count("SELECT count(*) FROM files WHERE status = 'duplicate'")?,
        failures: count("SELECT count(*) FROM files WHERE status = 'error'")?,
        deleted: count("SELECT count(*) FROM files WHERE status = 'deleted'")?,
        runs: count("SELECT count(*) FROM runs")?,
        last_run_id,
        last_run_status,
        last_run_started_at,
        size_bytes: file_size("") + file_size("-wal"),
        schema_version: count("PRAGMA user_version")?,
    })
}

//! Queries behind the read-only commands that are not plain user SQL.

use crate::live_statuses;
use crate::store::schema::FileStatus;
use anyhow::Result;
use rusqlite::Connection;
use std::path::Path;

/// What `newsdb stats` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    /// Every document, retired ones included.
    pub documents: i64,
    /// Documents no live file holds any more (`newsdb prune` deletes them).
    pub retired: i64,
    pub files: i64,
    /// Files by status.
    pub ingested: i64,
    pub duplicates: i64,
    pub failures: i64,
    pub deleted: i64,
    /// Clusters of two or more near-duplicate documents, and the documents in them.
    pub clusters: i64,
    pub clustered_documents: i64,
    pub runs: i64,
    pub last_run_id: Option<i64>,
    pub last_run_status: Option<String>,
    pub last_run_started_at: Option<String>,
    /// Database file plus its write-ahead log, in bytes.
    pub size_bytes: u64,
    pub schema_version: i64,
}

const CLUSTERS_SQL: &str =
    "SELECT count(*) FROM (SELECT 1 FROM documents WHERE cluster_id IS NOT NULL
                            GROUP BY cluster_id HAVING count(*) > 1)";
const CLUSTERED_SQL: &str = "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM documents
                             WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING n > 1)";

pub fn stats(conn: &Connection, db_path: &Path) -> Result<Stats> {
    let count = |sql: &str| -> rusqlite::Result<i64> { conn.query_row(sql, [], |r| r.get(0)) };
    let files_with = |status: FileStatus| -> rusqlite::Result<i64> {
        conn.query_row(
            "SELECT count(*) FROM files WHERE status = ?1",
            [status],
            |r| r.get(0),
        )
    };
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
        retired: count("SELECT count(*) FROM documents WHERE retired_run_id IS NOT NULL")?,
        files: count("SELECT count(*) FROM files")?,
        ingested: files_with(FileStatus::Ingested)?,
        duplicates: files_with(FileStatus::Duplicate)?,
        failures: files_with(FileStatus::Error)?,
        deleted: files_with(FileStatus::Deleted)?,
        clusters: count(CLUSTERS_SQL)?,
        clustered_documents: count(CLUSTERED_SQL)?,
        runs: count("SELECT count(*) FROM runs")?,
        last_run_id,
        last_run_status,
        last_run_started_at,
        size_bytes: file_size("") + file_size("-wal"),
        schema_version: count("PRAGMA user_version")?,
    })
}

/// A cluster of near-duplicate documents, as `newsdb dups` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cluster {
    /// The representative document's id (`documents.cluster_id` of every member).
    pub cluster_id: i64,
    /// The representative's title.
    pub title: Option<String>,
    /// Documents in the cluster (`cluster_size`, as in `search`).
    pub cluster_size: i64,
    /// Live files of all its documents (`sources`, in its members, lists their paths).
    pub source_count: i64,
    /// The representative first, then by date and id.
    pub members: Vec<ClusterMember>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ClusterMember {
    pub id: i64,
    pub title: Option<String>,
    pub published: Option<String>,
    pub domain: Option<String>,
    pub url: Option<String>,
    pub word_count: i64,
    /// Jaccard similarity to the representative; `None` for the representative itself, and for a
    /// member joined to the cluster through another member only.
    pub similarity: Option<f64>,
    /// Paths of its live files, its primary file first.
    pub sources: Vec<String>,
}

/// Clusters of two or more documents, largest first (then by representative id). Retired documents
/// are always alone, so every member listed is live.
pub fn clusters(conn: &Connection, limit: usize) -> Result<Vec<Cluster>> {
    let heads: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT cluster_id, count(*) AS n FROM documents
             WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING n > 1
             ORDER BY n DESC, cluster_id LIMIT ?1",
        )?
        .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut members_stmt = conn.prepare(
        "SELECT d.id, d.title, d.published, d.domain, d.url, d.word_count,
                (SELECT similarity FROM near_duplicates p
                 WHERE p.a = min(d.id, ?1) AND p.b = max(d.id, ?1))
         FROM documents d WHERE d.cluster_id = ?1
         ORDER BY d.id <> ?1, d.published IS NULL, d.published, d.id",
    )?;
    let mut sources_stmt = conn.prepare(concat!(
        "SELECT path FROM files WHERE document_id = ?1 AND status IN ",
        live_statuses!(),
        " ORDER BY status <> 'ingested', path"
    ))?;
    let mut clusters = Vec::with_capacity(heads.len());
    for (cluster_id, documents) in heads {
        let mut members: Vec<ClusterMember> = members_stmt
            .query_map([cluster_id], |r| {
                Ok(ClusterMember {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    published: r.get(2)?,
                    domain: r.get(3)?,
                    url: r.get(4)?,
                    word_count: r.get(5)?,
                    similarity: r.get(6)?,
                    sources: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        for m in &mut members {
            m.sources = sources_stmt
                .query_map([m.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
        }
        clusters.push(Cluster {
            cluster_id,
            title: members.first().and_then(|m| m.title.clone()),
            cluster_size: documents,
            source_count: members.iter().map(|m| m.sources.len() as i64).sum(),
            members,
        });
    }
    Ok(clusters)
}

/// One document as `newsdb export` writes it; `newsdb ingest --jsonl` reads this shape back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exported {
    pub id: i64,
    pub content_hash: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub domain: Option<String>,
    pub lang: Option<String>,
    pub word_count: i64,
    pub body: String,
    /// Paths of the live files (or JSON Lines records) that hold the document, primary first.
    pub sources: Vec<String>,
}

const EXPORT_SQL: &str = concat!(
    "SELECT d.id, d.content_hash, d.title, d.published, d.url, d.domain, d.lang, d.word_count, d.body,
            (SELECT json_group_array(path) FROM (
                 SELECT f.path FROM files f
                 WHERE f.document_id = d.id AND f.status IN ",
    live_statuses!(),
    "
                 ORDER BY f.status = 'duplicate', f.path))
     FROM documents d
     WHERE (d.retired_run_id IS NULL OR ?1)",
    crate::filter_sql!("2", "3", "4", "5"),
    "
     ORDER BY d.id"
);

/// Hands every document that passes `filters` (and, with `include_retired`, every retired one) to
/// `each`, in id order, one at a time: an export of any size streams.
pub fn export(
    conn: &Connection,
    include_retired: bool,
    filters: &crate::filter::Filters,
    mut each: impl FnMut(Exported) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(EXPORT_SQL)?;
    let (since, until, domains, lang) = filters.params();
    let mut rows = stmt.query(rusqlite::params![
        include_retired,
        since,
        until,
        domains,
        lang
    ])?;
    while let Some(r) = rows.next()? {
        let sources: String = r.get(9)?;
        each(Exported {
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
        })?;
    }
    Ok(())
}

/// The run log, newest first, at most ?1 runs (`newsdb runs`).
pub const RUNS_SQL: &str = "
    SELECT id, started_at, finished_at, status, files_seen, new_documents, duplicates, unchanged,
           changed, renamed, failed, deleted, retired, sites_learned, roots, error, warning
    FROM runs ORDER BY id DESC LIMIT ?1";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;

    fn fixture() -> Connection {
        let conn = in_memory();
        conn.execute_batch(
            "INSERT INTO runs (id, started_at, roots, cleaner_version, status)
             VALUES (1, '2026-01-01T00:00:00.000Z', '[]', 'v', 'completed');
             INSERT INTO documents (id, content_hash, title, body, word_count, cleaner_version, cluster_id)
             VALUES (1, 'h1', 'Story', 'One.', 1, 'v', 1), (2, 'h2', 'Story again', 'One!', 1, 'v', 1),
                    (3, 'h3', 'Other', 'Two.', 1, 'v', 3);
             INSERT INTO near_duplicates (a, b, similarity, run_id) VALUES (1, 2, 0.9, 1);
             INSERT INTO files (path, document_id, status) VALUES
                 ('/b', 1, 'duplicate'), ('/a', 1, 'ingested'), ('/c', 2, 'ingested'),
                 ('/d', 3, 'ingested'), ('/e', NULL, 'error'), ('/f', NULL, 'deleted');",
        )
        .unwrap();
        conn
    }

    #[test]
    fn stats_count_files_by_status_and_clusters_of_two_or_more() {
        let s = stats(&fixture(), Path::new("/nowhere.db")).unwrap();
        assert_eq!((s.documents, s.files), (3, 6));
        assert_eq!(
            (s.ingested, s.duplicates, s.failures, s.deleted),
            (3, 1, 1, 1)
        );
        assert_eq!((s.clusters, s.clustered_documents), (1, 2));
        assert_eq!(s.last_run_status.as_deref(), Some("completed"));
    }

    #[test]
    fn export_gives_live_documents_with_their_sources_primary_first() {
        let conn = fixture();
        let mut ids = Vec::new();
        export(&conn, false, &crate::filter::Filters::default(), |doc| {
            if doc.id == 1 {
                assert_eq!(doc.sources, vec!["/a".to_owned(), "/b".to_owned()]);
            }
            ids.push(doc.id);
            Ok(())
        })
        .unwrap();
        assert_eq!(ids, vec![1, 2, 3]);
    }

    #[test]
    fn a_cluster_lists_its_members_with_their_sources_primary_first() {
        let clusters = clusters(&fixture(), 10).unwrap();
        assert_eq!(clusters.len(), 1);
        let c = &clusters[0];
        assert_eq!((c.cluster_id, c.cluster_size), (1, 2));
        let first = c.members.iter().find(|m| m.id == 1).unwrap();
        assert_eq!(first.sources, vec!["/a".to_owned(), "/b".to_owned()]);
    }
}

//! One document in full, as `newsdb show` prints it: its fields, where it comes from, its
//! near-duplicates, the cleaned body, and (when asked) the lines the cleaner removed.

use crate::live_statuses;
use anyhow::Result;
use rusqlite::{Connection, OptionalExtension};

/// Which document to show.
#[derive(Debug, Clone)]
pub enum Which {
    Id(i64),
    /// A file's absolute path, as `files.path` holds it: its document.
    Path(String),
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Article {
    pub id: i64,
    pub content_hash: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub domain: Option<String>,
    pub lang: Option<String>,
    pub word_count: i64,
    /// No live file holds it any more (`newsdb prune` deletes it).
    pub retired: bool,
    /// Its live files (or JSON Lines records), primary first.
    pub sources: Vec<Source>,
    /// The other documents of its near-duplicate cluster (empty when it has none).
    pub near_duplicates: Vec<Near>,
    pub body: String,
    /// The lines the cleaner removed, in file order; only when asked for (`--removed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<Vec<Removed>>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Source {
    pub path: String,
    /// `ingested` (the primary) or `duplicate` (a copy).
    pub status: String,
    /// `text` or `html` (NULL for files read before schema 7).
    pub format: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Near {
    pub id: i64,
    pub title: Option<String>,
    pub published: Option<String>,
    pub domain: Option<String>,
    /// Jaccard similarity to this document, when the two were compared directly.
    pub similarity: Option<f64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Removed {
    /// 1-based line number in the source file.
    pub line: i64,
    pub rule: String,
    pub text: String,
}

/// The document `which` names, or `None` when there is none (no such id, or no such file, or a
/// file that holds no document: rejected or deleted).
pub fn article(conn: &Connection, which: &Which, with_removed: bool) -> Result<Option<Article>> {
    let id: Option<i64> = match which {
        Which::Id(id) => Some(*id),
        Which::Path(path) => conn
            .query_row(
                "SELECT document_id FROM files WHERE path = ?1",
                [path],
                |r| r.get(0),
            )
            .optional()?
            .flatten(),
    };
    let Some(id) = id else { return Ok(None) };
    let row = conn
        .query_row(
            "SELECT id, content_hash, title, published, url, domain, lang, word_count,
                    retired_run_id IS NOT NULL, cluster_id, body
             FROM documents WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    Article {
                        id: r.get(0)?,
                        content_hash: r.get(1)?,
                        title: r.get(2)?,
                        published: r.get(3)?,
                        url: r.get(4)?,
                        domain: r.get(5)?,
                        lang: r.get(6)?,
                        word_count: r.get(7)?,
                        retired: r.get(8)?,
                        sources: Vec::new(),
                        near_duplicates: Vec::new(),
                        body: r.get(10)?,
                        removed: None,
                    },
                    r.get::<_, Option<i64>>(9)?,
                ))
            },
        )
        .optional()?;
    let Some((mut article, cluster)) = row else {
        return Ok(None);
    };
    article.sources = conn
        .prepare(concat!(
            "SELECT path, status, format FROM files WHERE document_id = ?1 AND status IN ",
            live_statuses!(),
            " ORDER BY status <> 'ingested', path"
        ))?
        .query_map([id], |r| {
            Ok(Source {
                path: r.get(0)?,
                status: r.get(1)?,
                format: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if let Some(cluster) = cluster {
        article.near_duplicates = conn
            .prepare(
                "SELECT d.id, d.title, d.published, d.domain,
                        (SELECT similarity FROM near_duplicates p
                         WHERE p.a = min(d.id, ?1) AND p.b = max(d.id, ?1))
                 FROM documents d WHERE d.cluster_id = ?2 AND d.id <> ?1
                 ORDER BY d.published IS NULL, d.published, d.id",
            )?
            .query_map([id, cluster], |r| {
                Ok(Near {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    published: r.get(2)?,
                    domain: r.get(3)?,
                    similarity: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    if with_removed {
        article.removed = Some(
            conn.prepare(
                "SELECT line, rule, text FROM removed_lines WHERE document_id = ?1 ORDER BY line",
            )?
            .query_map([id], |r| {
                Ok(Removed {
                    line: r.get(0)?,
                    rule: r.get(1)?,
                    text: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?,
        );
    }
    Ok(Some(article))
}

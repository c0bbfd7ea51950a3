//! Site-level learning in the database: counting a run's candidate lines per domain, deciding what
//! is learned, and loading the learned lines for the cleaner ([`newsdb_core::clean::site`]).

use anyhow::Result;
use newsdb_core::clean::site::{self, Candidate, Site, SiteLines};
use rusqlite::{params, Connection};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Documents per (domain, line hash) counted in one run, and the line's text.
pub type SiteCounts = HashMap<(String, i64), (i64, String)>;

/// The boilerplate lines learned per site so far.
pub fn load(conn: &Connection) -> Result<SiteLines> {
    let mut stmt = conn.prepare(
        "SELECT s.domain, s.version, l.line_hash FROM sites s
             JOIN site_lines l ON l.domain = s.domain AND l.documents >= ?1
             ORDER BY s.domain",
    )?;
    let mut rows = stmt.query([site::MIN_DOCUMENTS])?;
    let mut sites: HashMap<String, (String, HashSet<i64>)> = HashMap::new();
    while let Some(r) = rows.next()? {
        let entry = sites
            .entry(r.get(0)?)
            .or_insert_with(|| (String::new(), HashSet::new()));
        entry.0 = r.get(1)?;
        entry.1.insert(r.get(2)?);
    }
    Ok(SiteLines::new(
        sites
            .into_iter()
            .map(|(domain, (version, lines))| {
                // Documents record the stored version: keep it whatever computed it.
                let mut site = Site::new(lines);
                site.version = version;
                (domain, site)
            })
            .collect(),
    ))
}

/// Counts held in memory before they are written: bounds the writer's memory on large runs.
pub const FLUSH_COUNTS: usize = 100_000;

/// A run's site learning: the candidate lines counted but not written yet, and the domains whose
/// learned lines the run changed.
#[derive(Debug, Default)]
pub struct SiteTally {
    counts: SiteCounts,
    changed: BTreeSet<String>,
}

impl SiteTally {
    /// Counts the candidate lines of one new document of `domain`. A site's lines are counted once per
    /// document, from the file that brought it.
    pub fn count(&mut self, domain: &str, candidates: &[Candidate]) {
        for c in candidates {
            let entry = self
                .counts
                .entry((domain.to_owned(), c.hash))
                .or_insert_with(|| (0, c.text.clone()));
            entry.0 += 1;
        }
    }

    /// Writes the counts held once there are [`FLUSH_COUNTS`] of them.
    pub fn write_if_full(&mut self, conn: &Connection, run_id: i64) -> Result<()> {
        if self.counts.len() >= FLUSH_COUNTS {
            self.write(conn, run_id)?;
        }
        Ok(())
    }

    /// Writes the counts held (see [`learn`]).
    pub fn write(&mut self, conn: &Connection, run_id: i64) -> Result<()> {
        learn(conn, run_id, &mut self.counts, &mut self.changed)
    }

    /// Domains whose learned lines changed in this run.
    pub fn changed(&self) -> usize {
        self.changed.len()
    }
}

/// Adds `counts` to the stored ones and empties it. A domain with a line that reached
/// [`site::MIN_DOCUMENTS`] has a new learned set: its `sites` row gets the new version in the same
/// transaction, which makes its documents stale (the run that follows cleans them again). The domains
/// that changed are added to `changed`.
fn learn(
    conn: &Connection,
    run_id: i64,
    counts: &mut SiteCounts,
    changed: &mut BTreeSet<String>,
) -> Result<()> {
    let mut rows: Vec<_> = counts.drain().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0)); // in key order: each insert lands next to the last
    let mut crossed: BTreeSet<String> = BTreeSet::new();
    let mut upsert = conn.prepare_cached(
        "INSERT INTO site_lines (domain, line_hash, documents, text, first_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (domain, line_hash) DO UPDATE SET documents = documents + excluded.documents
         RETURNING documents",
    )?;
    for ((domain, hash), (added, text)) in rows {
        let total: i64 =
            upsert.query_row(params![domain, hash, added, text, run_id], |r| r.get(0))?;
        if total >= site::MIN_DOCUMENTS && total - added < site::MIN_DOCUMENTS {
            crossed.insert(domain);
        }
    }
    let mut learned = conn
        .prepare_cached("SELECT line_hash FROM site_lines WHERE domain = ?1 AND documents >= ?2")?;
    let mut update = conn.prepare_cached(
        "INSERT INTO sites (domain, learned_lines, version, updated_run_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (domain) DO UPDATE SET learned_lines = excluded.learned_lines,
             version = excluded.version, updated_run_id = excluded.updated_run_id",
    )?;
    for domain in crossed {
        let lines: HashSet<i64> = learned
            .query_map(params![domain, site::MIN_DOCUMENTS], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let site = Site::new(lines);
        update.execute(params![domain, site.len() as i64, site.version, run_id])?;
        changed.insert(domain);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open::in_memory;

    fn candidate(text: &str) -> Candidate {
        Candidate {
            hash: site::line_hash(text),
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_line_in_enough_documents_of_a_site_is_learned_across_writes() {
        let conn = in_memory();
        conn.execute(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v')",
            [],
        )
        .unwrap();
        let mut tally = SiteTally::default();
        let line = [candidate("The Example Times, your daily paper")];
        for _ in 0..site::MIN_DOCUMENTS - 1 {
            tally.count("example.com", &line);
        }
        tally.count("other.org", &line);
        tally.write(&conn, 1).unwrap();
        assert_eq!(tally.changed(), 0, "one document short of learning");
        assert!(load(&conn).unwrap().get("example.com").is_none());

        tally.count("example.com", &line);
        tally.write(&conn, 1).unwrap();
        assert_eq!(tally.changed(), 1);
        let learned = load(&conn).unwrap();
        let site = learned.get("example.com").expect("learned");
        assert!(site.contains("The Example Times, your daily paper"));
        assert!(learned.get("other.org").is_none());
    }
}

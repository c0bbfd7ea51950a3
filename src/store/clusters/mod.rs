//! Near-duplicate clusters, kept in the database and maintained incrementally by the writer.
//!
//! Storing a new document costs one statement: look its 16 band keys up in `minhash_buckets` (and in
//! the buckets of this run not written yet, see [`Buckets`]). A document with no candidate is alone (`cluster_id = id`) and nothing more is done; one
//! with candidates is stored with `cluster_id` NULL, "to check". At the end of the run, in the run's
//! last transaction, every document to check (these, and those stored before near-duplicate detection
//! existed or while it was off) is compared with its candidates by exact Jaccard similarity, the pairs
//! at or above 0.5 go into `near_duplicates`, and the clusters touched by the run are recomputed: those
//! of checked documents, and of documents retired or revived. Because the marker lives in the row, a
//! run that dies before its end leaves the documents to check marked, and the next run checks them.
//!
//! A cluster is a connected group of live documents joined by pairs at or above the threshold; its
//! representative, whose id every member holds in `cluster_id`, is the earliest published, then the
//! longest, then the first stored.

mod compare;

use anyhow::Result;
use newsdb_core::minhash::{BandKeys, BANDS};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

/// The clustering threshold when none was ever chosen.
pub const DEFAULT_THRESHOLD: f64 = 0.8;
/// Pairs are stored down to this similarity, so a lower threshold chosen later needs no re-scan. The
/// LSH curve (see [`newsdb_core::minhash`]) finds 64% of the pairs at 0.5 and 99.98% at 0.8:
/// thresholds below about 0.7 miss pairs.
pub const PAIR_FLOOR: f64 = 0.5;
const THRESHOLD_KEY: &str = "near_duplicate_threshold";

static SELECT_CANDIDATES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT DISTINCT document_id FROM minhash_buckets WHERE band_key IN ({})",
        parameters(BANDS)
    )
});
/// Band keys looked up by one statement of [`documents_under`].
const LOOK_UP_KEYS: usize = 256;
static SELECT_KEYS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT band_key, document_id FROM minhash_buckets WHERE band_key IN ({})",
        parameters(LOOK_UP_KEYS)
    )
});

/// Files one bucket row; a row filed already is left as it is.
const INSERT_BUCKET: &str =
    "INSERT OR IGNORE INTO minhash_buckets (band_key, document_id) VALUES (?1, ?2)";

/// Calls `each` with every (band key, document) row filed under `keys` (sorted, without repeats),
/// looked up [`LOOK_UP_KEYS`] at a time and in key order: one by one, each key sent the look-up to
/// a random page of the bucket index, read again and again once the index outgrew the page cache.
fn documents_under(conn: &Connection, keys: &[i64], mut each: impl FnMut(i64, i64)) -> Result<()> {
    let mut select = conn.prepare_cached(&SELECT_KEYS)?;
    for chunk in keys.chunks(LOOK_UP_KEYS) {
        // The last chunk is padded with its last key: one statement for every chunk.
        let last = chunk.last().expect("chunks are not empty");
        let padded = chunk
            .iter()
            .chain(std::iter::repeat(last))
            .take(LOOK_UP_KEYS);
        let mut rows = select.query(params_from_iter(padded))?;
        while let Some(row) = rows.next()? {
            each(row.get(0)?, row.get(1)?);
        }
    }
    Ok(())
}

/// `?1, ?2, ..., ?n`: the parameters of an `IN` list.
fn parameters(n: usize) -> String {
    let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
    marks.join(", ")
}
/// Bucket rows held in memory before they are written, sorted, in one go. Written as they come, the
/// 16 rows of each document land on 16 random pages of the bucket index, and every batch commit
/// rewrote nearly every page of it: at 100k files that made ingest half again as slow. Memory stays
/// bounded; a run that dies with rows held here leaves its documents to be checked again by the next
/// run (see `Writer::start`).
///
/// The rows are a flat list, and a map from each held key to the one document under it (or
/// `SHARED`): about 9 MB when full, where a map from keys to lists of documents took about 25.
#[derive(Debug, Default)]
pub struct Buckets {
    rows: Vec<(i64, i64)>,
    held: HashMap<i64, i64>,
    /// The stored documents under each key [`Buckets::look_up`] looked up for the batch being
    /// written: the one document, [`SHARED`], or [`ABSENT`].
    stored: HashMap<i64, i64>,
}

/// Rows held before they are written (checked after each batch). With a batch's rows on top (1,024
/// files of 16 keys), the held rows stay under 229,376: beyond, the key map doubles to 524,288
/// slots (8.9 MB) and the list to 8.4 MB. At 16 * 16,384 rows (a batch's rows took them past that)
/// the held rows were 17 MB of the storing's memory at 100k files and half that at 20k.
const HELD_ROWS: usize = 12 * 16_384;
/// In [`Buckets::held`] and [`Buckets::stored`]: two or more documents share the key.
const SHARED: i64 = i64::MIN;
/// In [`Buckets::stored`]: no stored document has the key.
const ABSENT: i64 = i64::MIN + 1;

impl Buckets {
    /// Looks `keys` up in `minhash_buckets` at once, for [`Buckets::add`] to answer from until the
    /// next call: the keys of the documents a batch may store. One by one, each document's 16 keys
    /// sent the lookup to 16 random pages of the bucket index, read again and again once the index
    /// outgrew the page cache (at 100k files, 24 µs a document, most of it reading pages); in key
    /// order, a batch reads each page once. The bucket rows do not change while a batch's records
    /// are written (they are written after them, see [`Buckets::write`]), so the answers are those
    /// the lookups one by one gave.
    pub fn look_up(
        &mut self,
        conn: &Connection,
        keys: impl IntoIterator<Item = i64>,
    ) -> Result<()> {
        let mut keys: Vec<i64> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        self.stored.clear();
        self.stored.extend(keys.iter().map(|&k| (k, ABSENT)));
        documents_under(conn, &keys, |key, document| {
            let under = self.stored.get_mut(&key).expect("a key looked up");
            *under = match *under {
                ABSENT => document,
                d if d == document => d,
                _ => SHARED,
            };
        })
    }

    /// Files `id` under its band keys, and tells whether another document shares one (a candidate).
    pub fn add(&mut self, conn: &Connection, id: i64, keys: &BandKeys) -> Result<bool> {
        let mut has_candidate = keys
            .iter()
            .any(|k| self.held.get(k).is_some_and(|&d| d != id));
        if has_candidate {
            // Shared with a held key: no need to look further.
        } else if keys.iter().all(|k| self.stored.contains_key(k)) {
            has_candidate = keys
                .iter()
                .any(|k| self.stored.get(k).is_some_and(|&d| d != ABSENT && d != id));
        } else {
            let mut select = conn.prepare_cached(&SELECT_CANDIDATES)?;
            let mut rows = select.query(params_from_iter(keys.iter()))?;
            while let Some(row) = rows.next()? {
                if row.get::<_, i64>(0)? != id {
                    has_candidate = true;
                    break;
                }
            }
        }
        for &k in keys {
            self.held
                .entry(k)
                .and_modify(|d| {
                    if *d != id {
                        *d = SHARED;
                    }
                })
                .or_insert(id);
            self.rows.push((k, id));
        }
        Ok(has_candidate)
    }

    /// Whether enough rows are held to write them.
    pub fn is_full(&self) -> bool {
        self.rows.len() >= HELD_ROWS
    }

    /// Writes the held rows, in key order, inside the caller's transaction.
    pub fn write(&mut self, conn: &Connection) -> Result<()> {
        self.rows.sort_unstable();
        let mut insert = conn.prepare_cached(INSERT_BUCKET)?;
        for &(key, id) in &self.rows {
            insert.execute(params![key, id])?;
        }
        // Emptied, keeping the room: the next rows fill the same memory.
        self.rows.clear();
        self.held.clear();
        // What was looked up no longer says what is stored.
        self.stored.clear();
        Ok(())
    }
}

/// Marks the documents first stored by `run` "to check": a run that died, or failed, may have held
/// their bucket rows in memory, unwritten.
pub fn recheck_run(conn: &Connection, run: i64) -> Result<()> {
    conn.execute(
        "UPDATE documents SET cluster_id = NULL WHERE first_run_id = ?1 AND cluster_id IS NOT NULL",
        [run],
    )?;
    Ok(())
}

/// The clustering threshold stored in the database, if one was ever chosen.
pub fn stored_threshold(conn: &Connection) -> Result<Option<f64>> {
    Ok(conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [THRESHOLD_KEY],
            |r| r.get(0),
        )
        .optional()?)
}

/// What the end of a run tells the clustering.
pub struct ClusterWork<'a> {
    pub run_id: i64,
    /// Check the documents marked "to check" (false under `--no-near-duplicates`: they stay marked).
    pub check: bool,
    pub threshold: f64,
    /// The threshold differs from the stored one: every cluster is recomputed.
    pub threshold_changed: bool,
    /// Documents retired, and revived, by this run.
    pub retired: &'a [i64],
    pub revived: &'a [i64],
    /// Asked between documents checked: its error stops the checks (see [`Stop`]).
    pub stop: Stop<'a>,
}

/// Asked now and then during a long end of a run; an error (a signal was received) stops the work
/// there, and the caller drops the transaction.
pub type Stop<'a> = &'a dyn Fn() -> Result<()>;

/// Checks the marked documents and recomputes the touched clusters; see the module documentation.
/// Runs inside the caller's transaction. Returns how many documents were checked.
pub fn finish_run(conn: &Connection, work: &ClusterWork) -> Result<u64> {
    let mut seeds: BTreeSet<i64> = work.retired.iter().chain(work.revived).copied().collect();
    let mut checked = 0;
    if work.check {
        let pending = compare::check_pending(conn, work.run_id, work.stop)?;
        checked = pending.len() as u64;
        seeds.extend(pending);
    }
    if work.threshold_changed {
        seeds = conn
            .prepare("SELECT id FROM documents WHERE cluster_id IS NOT NULL")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    recluster(conn, &seeds, work.threshold)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value",
        params![THRESHOLD_KEY, work.threshold],
    )?;
    Ok(checked)
}

/// One document as clustering sees it.
struct Member {
    live: bool,
    published: Option<String>,
    word_count: i64,
    cluster_id: Option<i64>,
}

fn member(conn: &Connection, id: i64) -> Result<Option<Member>> {
    Ok(conn
        .prepare_cached(
            "SELECT retired_run_id IS NULL, published, word_count, cluster_id
             FROM documents WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Member {
                live: r.get(0)?,
                published: r.get(1)?,
                word_count: r.get(2)?,
                cluster_id: r.get(3)?,
            })
        })
        .optional()?)
}

/// Live, checked documents paired with `id` at or above `threshold`.
const NEIGHBOURS: &str = "
    SELECT n.id FROM (SELECT b AS id FROM near_duplicates WHERE a = ?1 AND similarity >= ?2
                      UNION SELECT a FROM near_duplicates WHERE b = ?1 AND similarity >= ?2) n
    JOIN documents d ON d.id = n.id
    WHERE d.retired_run_id IS NULL AND d.cluster_id IS NOT NULL";

/// Recomputes the clusters of `seeds` and of everything in their current clusters: a retired or
/// pruned member leaves (which may split a cluster), a new pair joins two.
fn recluster(conn: &Connection, seeds: &BTreeSet<i64>, threshold: f64) -> Result<()> {
    let mut todo = seeds.clone();
    {
        let mut members = conn.prepare_cached("SELECT id FROM documents WHERE cluster_id = ?1")?;
        for &seed in seeds {
            if let Some(cluster) = member(conn, seed)?.and_then(|m| m.cluster_id) {
                for id in members.query_map([cluster], |r| r.get::<_, i64>(0))? {
                    todo.insert(id?);
                }
            }
        }
    }
    let mut neighbours = conn.prepare_cached(NEIGHBOURS)?;
    let mut set_cluster =
        conn.prepare_cached("UPDATE documents SET cluster_id = ?2 WHERE id = ?1")?;
    let mut done: HashSet<i64> = HashSet::new();
    for &start in &todo {
        if done.contains(&start) {
            continue;
        }
        let Some(first) = member(conn, start)? else {
            continue; // pruned
        };
        if !first.live || first.cluster_id.is_none() {
            // Retired: alone. Still to check (detection off in this run): left marked.
            done.insert(start);
            if !first.live && first.cluster_id.is_some_and(|c| c != start) {
                set_cluster.execute(params![start, start])?;
            }
            continue;
        }
        // Breadth-first over the pairs: the connected group of `start`.
        done.insert(start);
        let mut group: HashMap<i64, Member> = HashMap::from([(start, first)]);
        let mut queue = vec![start];
        while let Some(id) = queue.pop() {
            let next: Vec<i64> = neighbours
                .query_map(params![id, threshold], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for n in next {
                if done.insert(n) {
                    if let Some(m) = member(conn, n)? {
                        group.insert(n, m);
                        queue.push(n);
                    }
                }
            }
        }
        let representative = group
            .iter()
            .min_by(|(a_id, a), (b_id, b)| {
                let a_key = (a.published.is_none(), &a.published, -a.word_count, **a_id);
                let b_key = (b.published.is_none(), &b.published, -b.word_count, **b_id);
                a_key.cmp(&b_key)
            })
            .map(|(&id, _)| id)
            .expect("a group holds at least its start");
        for (&id, m) in &group {
            if m.cluster_id != Some(representative) {
                set_cluster.execute(params![id, representative])?;
            }
        }
    }
    Ok(())
}

/// Deletes the buckets of documents about to be deleted (`newsdb prune`): one scan of the bucket table.
pub fn forget_retired(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM minhash_buckets
         WHERE document_id IN (SELECT id FROM documents WHERE retired_run_id IS NOT NULL)",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::documents::{self, NewDocument};
    use crate::store::open::in_memory;
    use newsdb_core::{Cleaner, Prepared};

    const STORY: &str = "The harbour authority said on Tuesday that the new quay would open in the \
        spring, two years late, after a dispute over the contract for the cranes was settled in court. \
        Shipping lines had warned that the delay was costing them business, and the mayor promised an \
        inquiry into how the budget had doubled since the plans were first approved.";

    fn prepared(text: &str) -> Prepared {
        newsdb_core::prepare(text.as_bytes(), &Cleaner::builtin(), true).unwrap()
    }

    /// Stores `doc` as document `id` the way a batch does: alone unless a held or stored document
    /// shares a band key.
    fn store(conn: &Connection, buckets: &mut Buckets, id: i64, doc: &Prepared) {
        let shares = buckets
            .add(conn, id, doc.band_keys.as_ref().unwrap())
            .unwrap();
        let new = NewDocument {
            id,
            cluster_id: (!shares).then_some(id),
            run_id: 1,
            cleaner_version: "v",
        };
        let removed = documents::RemovedLines::default();
        documents::insert(conn, &new, doc, &removed).unwrap();
    }

    #[test]
    fn near_copies_share_a_cluster_and_other_stories_stay_alone() {
        let conn = in_memory();
        conn.execute(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v')",
            [],
        )
        .unwrap();
        let mut buckets = Buckets::default();
        store(&conn, &mut buckets, 1, &prepared(STORY));
        store(
            &conn,
            &mut buckets,
            2,
            &prepared(&format!("{STORY} Updated at noon.")),
        );
        let other = "A completely different report about the football club's new coach, who \
            arrived from Lisbon this week and promised attacking play, younger players and a place \
            in Europe within three seasons, to the delight of the supporters at the training ground.";
        store(&conn, &mut buckets, 3, &prepared(other));
        buckets.write(&conn).unwrap();
        let work = ClusterWork {
            run_id: 1,
            check: true,
            threshold: DEFAULT_THRESHOLD,
            threshold_changed: false,
            retired: &[],
            revived: &[],
            stop: &|| Ok(()),
        };
        assert_eq!(
            finish_run(&conn, &work).unwrap(),
            1,
            "the second story was to check"
        );
        let cluster = |id: i64| -> i64 {
            conn.query_row(
                "SELECT cluster_id FROM documents WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(
            (cluster(1), cluster(2), cluster(3)),
            (2, 2, 3),
            "the longer one represents"
        );
        let similarity: f64 = conn
            .query_row(
                "SELECT similarity FROM near_duplicates WHERE a = 1 AND b = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(similarity > 0.8 && similarity < 1.0, "{similarity}");
        assert_eq!(stored_threshold(&conn).unwrap(), Some(DEFAULT_THRESHOLD));
    }

    #[test]
    fn keys_looked_up_at_once_answer_as_looked_up_one_by_one() {
        let conn = in_memory();
        // 700 stored keys (more than two statements' worth): key k under document k % 50 + 1, and
        // every tenth key also under document 99.
        let mut insert = conn
            .prepare("INSERT INTO minhash_buckets (band_key, document_id) VALUES (?1, ?2)")
            .unwrap();
        for k in 0..700i64 {
            insert.execute(params![k * 7, k % 50 + 1]).unwrap();
            if k % 10 == 0 {
                insert.execute(params![k * 7, 99]).unwrap();
            }
        }
        // Documents to add, ids 1..=60 (some of them the stored documents themselves): a third
        // with keys of their own only; a third with one stored key; a third with the stored key
        // of the document with their id, and a key shared with the document added before them.
        let docs: Vec<(i64, BandKeys)> = (1..=60i64)
            .map(|id| {
                let keys = std::array::from_fn(|b| match (id % 3, b) {
                    (1, 0) => ((id * 13) % 700) * 7,
                    (2, 0) => (id - 1) * 7,
                    (2, 1) => 20_000 + id / 6,
                    _ => 10_000 + id * 16 + b as i64,
                });
                (id, keys)
            })
            .collect();
        let one_by_one: Vec<bool> = {
            let mut buckets = Buckets::default();
            docs.iter()
                .map(|(id, keys)| buckets.add(&conn, *id, keys).unwrap())
                .collect()
        };
        let at_once: Vec<bool> = {
            let mut buckets = Buckets::default();
            buckets
                .look_up(
                    &conn,
                    docs.iter().flat_map(|(_, keys)| keys.iter().copied()),
                )
                .unwrap();
            docs.iter()
                .map(|(id, keys)| buckets.add(&conn, *id, keys).unwrap())
                .collect()
        };
        assert_eq!(at_once, one_by_one);
        let candidates = one_by_one.iter().filter(|&&c| c).count();
        assert!(
            candidates > 10 && candidates < 60,
            "{candidates} of 60 have candidates"
        );
        // A document alone: its only stored key is its own.
        let mut buckets = Buckets::default();
        let alone: BandKeys = std::array::from_fn(|b| if b == 0 { 7 } else { 50_000 + b as i64 });
        buckets.look_up(&conn, alone).unwrap();
        assert!(!buckets.add(&conn, 2, &alone).unwrap());
    }
}

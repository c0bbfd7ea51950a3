//! The end-of-run comparison: each document "to check" against the documents that share one of its
//! band keys, by exact Jaccard similarity of their shingle sets.
//!
//! A comparison needs both documents' shingle sets, and making one (read the body, normalize it, hash
//! its shingles, sort them) costs about a hundred times the comparison itself. Made afresh for every
//! candidate, as this pass first did, the sets of a crowded bucket were made once per member for
//! every member: at 100k real-text files the end of a run took most of a minute, and at 1M records it
//! had not finished after 21 minutes. Two things keep the work near one set per document:
//!
//! - each pair is compared once: a document is compared with its candidates already checked (in an
//!   earlier run, or earlier in this one); a candidate still waiting compares with it on its turn;
//! - sets are kept in a [`ShingleCache`] of bounded size, and the documents are taken in the order
//!   their candidates lead to (breadth first), so a group of near-copies is compared while its
//!   sets are held.
//!
//! What is stored does not depend on the order: the same pairs, with the same similarity.

use super::{add_to_buckets, Stop, PAIR_FLOOR, SELECT_CANDIDATES};
use anyhow::{Context, Result};
use newsdb_core::minhash;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::rc::Rc;

/// Documents checked between two questions to `stop`: about a tenth of a second's work.
const STOP_EVERY: usize = 512;

/// Shingle hashes held by the cache, at most: 32 MiB. A real-text article has a few hundred.
const CACHE_HASHES: usize = 4 << 20;

/// Checks every document marked "to check" (see the module documentation of [`super`]): stores its
/// pairs at or above [`PAIR_FLOOR`] and makes it its own cluster for now. Returns the documents
/// checked, for clustering. `stop` is asked first and every [`STOP_EVERY`] documents.
pub(super) fn check_pending(conn: &Connection, run_id: i64, stop: Stop) -> Result<BTreeSet<i64>> {
    let pending: BTreeSet<i64> = conn
        .prepare("SELECT id FROM documents WHERE cluster_id IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut checker = Checker {
        conn,
        run_id,
        cache: ShingleCache::new(CACHE_HASHES),
    };
    stop()?;
    let mut checked = BTreeSet::new();
    // Each document is queued once: a crowded bucket names its members to every one of them.
    let mut queued = HashSet::new();
    let mut queue = VecDeque::new();
    for &start in &pending {
        if !queued.insert(start) {
            continue;
        }
        queue.push_back(start);
        while let Some(id) = queue.pop_front() {
            let waiting = |c: i64| pending.contains(&c) && !checked.contains(&c);
            let next = checker
                .check(id, waiting)
                .with_context(|| format!("comparing document {id}"))?;
            checked.insert(id);
            queue.extend(next.into_iter().filter(|&c| queued.insert(c)));
            if checked.len() % STOP_EVERY == 0 {
                stop()?;
            }
        }
    }
    Ok(checked)
}

struct Checker<'a> {
    conn: &'a Connection,
    run_id: i64,
    cache: ShingleCache,
}

impl Checker<'_> {
    /// Signs document `id` (again: its buckets may be there already), compares it with every
    /// candidate not `waiting` its own turn, stores the pairs at or above [`PAIR_FLOOR`], and makes it
    /// its own cluster for now (clustering comes next). Returns the waiting candidates.
    fn check(&mut self, id: i64, waiting: impl Fn(i64) -> bool) -> Result<Vec<i64>> {
        let conn = self.conn;
        let mut later = Vec::new();
        let shingles = self
            .cache
            .get(conn, id)?
            .context("the document is not in the database")?;
        // The signature of the set is that of the text's shingles: a minimum ignores repeats.
        if let Some(sig) = minhash::signature(&shingles) {
            let keys = minhash::band_keys(&sig);
            add_to_buckets(conn, id, &keys)?;
            let candidates: Vec<i64> = conn
                .prepare_cached(&SELECT_CANDIDATES)?
                .query_map(params_from_iter(keys.iter()), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut insert_pair = conn.prepare_cached(
                "INSERT INTO near_duplicates (a, b, similarity, run_id) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (a, b) DO UPDATE SET similarity = excluded.similarity",
            )?;
            for other in candidates.into_iter().filter(|&c| c != id) {
                if waiting(other) {
                    later.push(other);
                    continue;
                }
                // A bucket may outlive its document (pruned): nothing to compare.
                let Some(theirs) = self.cache.get(conn, other)? else {
                    continue;
                };
                let similarity = minhash::jaccard(&shingles, &theirs);
                if similarity >= PAIR_FLOOR {
                    insert_pair.execute(params![
                        id.min(other),
                        id.max(other),
                        similarity,
                        self.run_id
                    ])?;
                }
            }
        }
        conn.prepare_cached("UPDATE documents SET cluster_id = id WHERE id = ?1")?
            .execute([id])?;
        Ok(later)
    }
}

/// Shingle sets of documents by id, the least recently used half dropped when more than a budget of
/// hashes is held.
struct ShingleCache {
    sets: HashMap<i64, (Rc<[u64]>, u64)>,
    /// Counts uses; each set keeps the count of its last.
    clock: u64,
    held: usize,
    budget: usize,
}

impl ShingleCache {
    fn new(budget: usize) -> Self {
        ShingleCache {
            sets: HashMap::new(),
            clock: 0,
            held: 0,
            budget,
        }
    }

    /// The shingle set of document `id`, made from its body on a miss; `None` when there is no
    /// such document.
    fn get(&mut self, conn: &Connection, id: i64) -> Result<Option<Rc<[u64]>>> {
        self.clock += 1;
        if let Some((set, used)) = self.sets.get_mut(&id) {
            *used = self.clock;
            return Ok(Some(Rc::clone(set)));
        }
        let body: Option<String> = conn
            .prepare_cached("SELECT body FROM documents WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let Some(body) = body else {
            return Ok(None);
        };
        let set: Rc<[u64]> = minhash::shingles(&body).into();
        self.held += set.len();
        self.sets.insert(id, (Rc::clone(&set), self.clock));
        if self.held > self.budget {
            self.drop_older_half();
        }
        Ok(Some(set))
    }

    fn drop_older_half(&mut self) {
        let mut uses: Vec<u64> = self.sets.values().map(|&(_, used)| used).collect();
        let middle = uses.len() / 2;
        let (_, &mut cut, _) = uses.select_nth_unstable(middle);
        self.sets.retain(|_, (_, used)| *used >= cut);
        self.held = self.sets.values().map(|(set, _)| set.len()).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_the_recently_used_half_within_its_budget() {
        let conn = crate::store::open::in_memory();
        conn.execute(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v')",
            [],
        )
        .unwrap();
        let text = "one two three four five six seven eight nine ten";
        for id in 1..=4 {
            let doc = newsdb_core::prepare(
                format!("{text} {id}").as_bytes(),
                &newsdb_core::Cleaner::builtin(),
                true,
            )
            .unwrap();
            let new = crate::store::documents::NewDocument {
                id,
                cluster_id: Some(id),
                run_id: 1,
                cleaner_version: "v",
            };
            crate::store::documents::insert(&conn, &new, &doc).unwrap();
        }
        // Each set holds 7 shingles: room for three.
        let mut cache = ShingleCache::new(21);
        for id in [1, 2, 3, 1] {
            assert_eq!(cache.get(&conn, id).unwrap().unwrap().len(), 7);
        }
        assert_eq!(cache.sets.len(), 3);
        cache.get(&conn, 4).unwrap();
        let mut kept: Vec<i64> = cache.sets.keys().copied().collect();
        kept.sort_unstable();
        assert_eq!(kept, [1, 4], "2 and 3 were used least recently");
        assert_eq!(cache.held, 14);
        assert!(cache.get(&conn, 99).unwrap().is_none());
    }
}

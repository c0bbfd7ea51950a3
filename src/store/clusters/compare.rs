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
//! The writer checks alone at the end of a run, while the workers have nothing left to do: so the
//! documents are checked [`WAVE`] at a time. What needs no database (making the sets, of the wave's
//! documents and then of their candidates, signing them, comparing them) is done on every core
//! between the wave's statements, and the wave's band keys are looked up (and filed where they are
//! not yet) in key order, at once: one document at a time, each key's look-up read a page of the
//! bucket index that the page cache (32 MiB then) no longer held. Only the end, on the 100k real-text
//! database with all its 77,751 documents marked to check again (`newsdb ingest` over the unchanged
//! folder), side by side: 8.55-8.62 s one at a time, 7.19-7.71 s with the sets and comparisons on
//! every core (waves of 512), 5.98 s with the keys looked up first and only the missing rows filed,
//! 5.10-5.48 s in waves of 2,048 or 4,096 (peak RSS 93, 99, 101, 112 and 130 MB).
//!
//! What is stored does not depend on the order, nor on how many documents are checked together:
//! the same pairs, with the same similarity (tested).

use super::{documents_under, Stop, INSERT_BUCKET, PAIR_FLOOR};
use anyhow::{Context, Result};
use newsdb_core::minhash;
use newsdb_core::minhash::BandKeys;
use rayon::prelude::*;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

/// Documents checked together ([`Checker::check`]), and between two questions to `stop`: a few
/// tenths of a second's work. Each wave reads most of the bucket index once: waves of 512 read it
/// four times as often, and were 13% slower at 100k files; waves of 4,096 were no faster, and held
/// 18 MB more. Waves of 2,048 made the run's end the peak of a 100k-file ingest (the wave's shingle
/// sets, on top of the cache and SQLite's pages): waves of 1,024 check the 100k real-text database
/// again in 10.8-11.2 s instead of 10.6-10.8, peaking at 139-141 MB instead of 149-155.
const WAVE: usize = 1024;

/// Shingle hashes held by the cache, at most: 32 MiB. A real-text article has a few hundred.
const CACHE_HASHES: usize = 4 << 20;

/// Checks every document marked "to check" (see the module documentation of [`super`]): stores its
/// pairs at or above [`PAIR_FLOOR`] and makes it its own cluster for now. Returns the documents
/// checked, for clustering. `stop` is asked first and after every [`WAVE`] documents.
pub(super) fn check_pending(conn: &Connection, run_id: i64, stop: Stop) -> Result<BTreeSet<i64>> {
    check_in_waves(conn, run_id, stop, WAVE)
}

/// [`check_pending`], `wave` documents at a time.
fn check_in_waves(
    conn: &Connection,
    run_id: i64,
    stop: Stop,
    wave_size: usize,
) -> Result<BTreeSet<i64>> {
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
    let mut starts = pending.iter().copied();
    loop {
        // The documents next in line (their candidates', breadth first), then the next ones not
        // queued yet: each starts a group of its own.
        let mut wave = Vec::with_capacity(wave_size);
        while wave.len() < wave_size {
            match queue.pop_front() {
                Some(id) => wave.push(id),
                None => match starts.find(|&s| queued.insert(s)) {
                    Some(start) => wave.push(start),
                    None => break,
                },
            }
        }
        if wave.is_empty() {
            break;
        }
        let next = checker.check(&wave, |c| pending.contains(&c), &mut checked)?;
        queue.extend(next.into_iter().filter(|&c| queued.insert(c)));
        stop()?;
    }
    Ok(checked)
}

struct Checker<'a> {
    conn: &'a Connection,
    run_id: i64,
    cache: ShingleCache,
}

impl Checker<'_> {
    /// Checks the documents of `wave` in turn: signs each (again: its buckets may be there
    /// already), compares it with every candidate not waiting its own turn (`pending` and not
    /// `checked` yet), stores the pairs at or above [`PAIR_FLOOR`], and makes it its own cluster for
    /// now (clustering comes next). Returns the waiting candidates.
    ///
    /// The statements run here, on the writer; the shingle sets (of the wave, then of the
    /// candidates), the signatures and the comparisons are made on every core (rayon's pool),
    /// between them. The wave's band keys are filed, and the documents under them looked up, in
    /// key order, so each page of the bucket index is read once per wave, not once per key: the
    /// wave's documents then find each other as well as the documents checked before, and one
    /// that finds a document checked later in the wave leaves the pair to it, as a document still
    /// waiting its turn. So the pairs compared are those the documents checked one by one would
    /// compare.
    fn check(
        &mut self,
        wave: &[i64],
        pending: impl Fn(i64) -> bool,
        checked: &mut BTreeSet<i64>,
    ) -> Result<Vec<i64>> {
        let conn = self.conn;
        self.cache.make_ahead(conn, wave)?;
        let mut sets = Vec::with_capacity(wave.len());
        for &id in wave {
            let shingles = self
                .cache
                .get(conn, id)?
                .with_context(|| format!("comparing document {id}: not in the database"))?;
            sets.push((id, shingles));
        }
        // The signature of the set is that of the text's shingles: a minimum ignores repeats.
        let signed: Vec<(i64, Shingles, Option<BandKeys>)> = sets
            .into_par_iter()
            .map(|(id, shingles)| {
                let keys = minhash::signature(&shingles).map(|sig| minhash::band_keys(&sig));
                (id, shingles, keys)
            })
            .collect();
        let mut filed: Vec<(i64, i64)> = signed
            .iter()
            .filter_map(|(id, _, keys)| Some(keys.as_ref()?.iter().map(|&k| (k, *id))))
            .flatten()
            .collect();
        let under = file_and_look_up(conn, &mut filed).context("comparing documents")?;
        let mut later = Vec::new();
        let mut compare: Vec<(i64, Shingles, Vec<i64>)> = Vec::with_capacity(wave.len());
        for (id, shingles, keys) in signed {
            if let Some(keys) = keys {
                let mut candidates: Vec<i64> = keys
                    .iter()
                    .flat_map(|k| under.get(k).into_iter().flatten().copied())
                    .filter(|&c| c != id)
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                let (wait, now): (Vec<i64>, Vec<i64>) = candidates
                    .into_iter()
                    .partition(|&c| pending(c) && !checked.contains(&c));
                later.extend(wait);
                compare.push((id, shingles, now));
            }
            checked.insert(id);
        }
        let others: Vec<i64> = compare
            .iter()
            .flat_map(|(_, _, now)| now.iter().copied())
            .collect();
        self.cache.make_ahead(conn, &others)?;
        // Each pair as stored, (smaller id, larger id), with the two sets.
        let mut pairs: Vec<(i64, i64, Shingles, Shingles)> = Vec::new();
        for (id, shingles, now) in compare {
            for other in now {
                // A bucket may outlive its document (pruned): nothing to compare.
                let Some(theirs) = self.cache.get(conn, other)? else {
                    continue;
                };
                pairs.push((id.min(other), id.max(other), Arc::clone(&shingles), theirs));
            }
        }
        // In key order: the pairs' index is read page by page.
        pairs.sort_unstable_by_key(|&(a, b, ..)| (a, b));
        let similarities: Vec<f64> = pairs
            .par_iter()
            .map(|(_, _, ours, theirs)| minhash::jaccard(ours, theirs))
            .collect();
        let mut insert_pair = conn.prepare_cached(
            "INSERT INTO near_duplicates (a, b, similarity, run_id) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (a, b) DO UPDATE SET similarity = excluded.similarity",
        )?;
        for (&(a, b, ..), similarity) in pairs.iter().zip(similarities) {
            if similarity >= PAIR_FLOOR {
                insert_pair.execute(params![a, b, similarity, self.run_id])?;
            }
        }
        let mut alone =
            conn.prepare_cached("UPDATE documents SET cluster_id = id WHERE id = ?1")?;
        let mut ids = wave.to_vec();
        ids.sort_unstable();
        for id in ids {
            alone.execute([id])?;
        }
        Ok(later)
    }
}

/// Files `rows` (band key, document) in `minhash_buckets`, and returns every document filed under
/// their keys (theirs included). The keys are looked up first, once each and in key order, and
/// only the rows not filed yet are inserted, in key order: the end of a run files its documents'
/// rows before it checks them, so most are.
fn file_and_look_up(conn: &Connection, rows: &mut [(i64, i64)]) -> Result<HashMap<i64, Vec<i64>>> {
    rows.sort_unstable();
    let mut keys: Vec<i64> = rows.iter().map(|&(key, _)| key).collect();
    keys.dedup();
    let mut under: HashMap<i64, Vec<i64>> = HashMap::with_capacity(keys.len());
    documents_under(conn, &keys, |key, document| {
        under.entry(key).or_default().push(document)
    })?;
    let mut insert = conn.prepare_cached(INSERT_BUCKET)?;
    for &(key, id) in rows.iter() {
        let documents = under.entry(key).or_default();
        if !documents.contains(&id) {
            insert.execute(params![key, id])?;
            documents.push(id);
        }
    }
    Ok(under)
}

/// A document's shingle set ([`minhash::shingles`]), shared by the cache and the comparisons.
type Shingles = Arc<[u64]>;

/// Shingle sets of documents by id, the least recently used half dropped when more than a budget of
/// hashes is held.
struct ShingleCache {
    sets: HashMap<i64, (Shingles, u64)>,
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
    fn get(&mut self, conn: &Connection, id: i64) -> Result<Option<Shingles>> {
        self.clock += 1;
        if let Some((set, used)) = self.sets.get_mut(&id) {
            *used = self.clock;
            return Ok(Some(Arc::clone(set)));
        }
        let Some(body) = body(conn, id)? else {
            return Ok(None);
        };
        Ok(Some(self.insert(id, minhash::shingles(&body))))
    }

    /// Makes the sets of those of `ids` it does not hold, on every core (rayon's pool), and holds
    /// them: [`ShingleCache::get`] then finds them (unless held sets had to make room). An id with
    /// no document is passed over.
    fn make_ahead(&mut self, conn: &Connection, ids: &[i64]) -> Result<()> {
        let mut bodies = Vec::new();
        let mut asked = HashSet::new();
        for &id in ids {
            if self.sets.contains_key(&id) || !asked.insert(id) {
                continue;
            }
            if let Some(body) = body(conn, id)? {
                bodies.push((id, body));
            }
        }
        let sets: Vec<(i64, Vec<u64>)> = bodies
            .into_par_iter()
            .map(|(id, body)| (id, minhash::shingles(&body)))
            .collect();
        for (id, set) in sets {
            self.clock += 1;
            self.insert(id, set);
        }
        Ok(())
    }

    fn insert(&mut self, id: i64, set: Vec<u64>) -> Shingles {
        let set: Shingles = set.into();
        self.held += set.len();
        self.sets.insert(id, (Arc::clone(&set), self.clock));
        if self.held > self.budget {
            self.drop_older_half();
        }
        set
    }

    fn drop_older_half(&mut self) {
        let mut uses: Vec<u64> = self.sets.values().map(|&(_, used)| used).collect();
        let middle = uses.len() / 2;
        let (_, &mut cut, _) = uses.select_nth_unstable(middle);
        self.sets.retain(|_, (_, used)| *used >= cut);
        self.held = self.sets.values().map(|(set, _)| set.len()).sum();
    }
}

/// The stored body of document `id`, if there is one.
fn body(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT body FROM documents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with these documents (`cluster_id` NULL: to check), each made of its text.
    fn documents(texts: &[(i64, String, Option<i64>)]) -> Connection {
        let conn = crate::store::open::in_memory();
        conn.execute(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v')",
            [],
        )
        .unwrap();
        for (id, text, cluster_id) in texts {
            let doc = newsdb_core::prepare(text.as_bytes(), &newsdb_core::Cleaner::builtin(), true)
                .unwrap();
            let new = crate::store::documents::NewDocument {
                id: *id,
                cluster_id: *cluster_id,
                run_id: 1,
                cleaner_version: "v",
            };
            let removed = crate::store::documents::RemovedLines::default();
            crate::store::documents::insert(&conn, &new, &doc, &removed).unwrap();
        }
        conn
    }

    /// Documents 1 to 4, whose bodies have 7 shingles each.
    fn four_documents() -> Connection {
        let text = "one two three four five six seven eight nine ten";
        let texts: Vec<_> = (1..=4)
            .map(|id| (id, format!("{text} {id}"), Some(id)))
            .collect();
        documents(&texts)
    }

    #[test]
    fn the_cache_keeps_the_recently_used_half_within_its_budget() {
        let conn = four_documents();
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

    #[test]
    fn sets_made_ahead_are_the_sets_made_one_by_one() {
        let conn = four_documents();
        let mut ahead = ShingleCache::new(100);
        ahead.get(&conn, 3).unwrap();
        ahead.make_ahead(&conn, &[1, 2, 2, 3, 99]).unwrap();
        let mut held: Vec<i64> = ahead.sets.keys().copied().collect();
        held.sort_unstable();
        assert_eq!(held, [1, 2, 3], "no document 99");
        assert_eq!(ahead.held, 21);
        let mut one_by_one = ShingleCache::new(100);
        for id in [1, 2, 3] {
            let made = one_by_one.get(&conn, id).unwrap().unwrap();
            assert_eq!(ahead.get(&conn, id).unwrap().unwrap(), made);
        }
        assert_eq!(ahead.held, 21, "found, not made again");
    }

    /// Three stories, each stored once before (checked) and in five near-copies to check: whatever
    /// the number of documents checked together, the same pairs with the same similarities, the
    /// same buckets, the same documents checked as checking them one at a time.
    #[test]
    fn waves_of_any_size_store_what_checks_one_by_one_store() {
        let story = |s: i64, variant: i64| -> String {
            let sentences: Vec<String> = (0..12)
                .map(|i| {
                    let n = if i == variant { 100 + i } else { i };
                    match s {
                        0 => format!(
                            "The council met on day {n} to discuss the budget for item {i}."
                        ),
                        1 => format!(
                            "A striker scored in minute {n} of match {i} before the crowd left."
                        ),
                        _ => format!(
                            "Researchers measured sample {i} at hour {n} and found it unchanged."
                        ),
                    }
                })
                .collect();
            sentences.join(" ")
        };
        let mut texts = Vec::new();
        for s in 0..3 {
            // The stored one: checked in an earlier run, its buckets filed.
            texts.push((100 + s, story(s, -1), Some(100 + s)));
            for v in 0..5 {
                texts.push((10 * s + v + 1, story(s, v), None));
            }
        }
        let stop: Stop = &|| Ok(());
        let stored = |wave: usize| {
            let conn = documents(&texts);
            for s in 100..103 {
                let mut cache = ShingleCache::new(1000);
                let sig = minhash::signature(&cache.get(&conn, s).unwrap().unwrap()).unwrap();
                let keys = minhash::band_keys(&sig);
                file_and_look_up(&conn, &mut keys.map(|k| (k, s))).unwrap();
            }
            let checked = check_in_waves(&conn, 1, stop, wave).unwrap();
            let rows = |sql: &str| -> Vec<String> {
                let mut stmt = conn.prepare(sql).unwrap();
                let rows = stmt
                    .query_map([], |r| {
                        Ok(format!(
                            "{:?}",
                            (
                                r.get::<_, i64>(0)?,
                                r.get::<_, rusqlite::types::Value>(1)?,
                                r.get::<_, rusqlite::types::Value>(2)?
                            )
                        ))
                    })
                    .unwrap();
                rows.map(Result::unwrap).collect()
            };
            (
                checked,
                rows("SELECT a, b, similarity FROM near_duplicates ORDER BY a, b"),
                rows("SELECT document_id, band_key, 0 FROM minhash_buckets ORDER BY 1, 2"),
                rows("SELECT id, cluster_id, 0 FROM documents ORDER BY id"),
            )
        };
        let one_by_one = stored(1);
        assert_eq!(one_by_one.0.len(), 15);
        // Every copy with every other copy of its story, and with the stored one: 15 pairs each.
        assert_eq!(one_by_one.1.len(), 45, "{:?}", one_by_one.1);
        assert_eq!(
            one_by_one.2.len(),
            18 * minhash::BANDS,
            "every document filed"
        );
        for wave in [2, 4, 7, WAVE] {
            assert_eq!(stored(wave), one_by_one, "{wave} at a time");
        }
    }
}

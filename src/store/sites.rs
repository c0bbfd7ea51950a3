//! Site-level learning in the database ([`newsdb_core::clean::site`]): what each source would teach
//! its site, which pages count, how many pages of a domain carry each line, and what is learned.
//!
//! Everything here is a function of the live sources (see `migrations/0006_*.sql`): a source's
//! candidate lines and page are recorded when it is prepared ([`SiteLearning::source`]); a trigger on
//! `files` notes every raw hash whose live files changed (`site_pending`); and
//! [`SiteLearning::settle`], called in the same transaction, recounts the pages those touch. So a
//! run killed between batches, a deleted third of the folder, or a rename leaves the counts where a
//! fresh ingest of the same files would, and [`audit`] can recompute them all to prove it.

use crate::live_statuses;
use crate::scratch::Scratch;
use anyhow::Result;
use newsdb_core::clean::site::{self, Candidate, Site, SiteLines};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;

/// The boilerplate lines learned per site so far.
pub fn load(conn: &Connection) -> Result<SiteLines> {
    Ok(SiteLines::new(learned(conn)?))
}

/// The learned sets as stored, by domain.
fn learned(conn: &Connection) -> Result<HashMap<String, Site>> {
    let mut stmt = conn.prepare(
        "SELECT s.domain, s.version, l.line_hash FROM sites s
             JOIN site_line_counts l ON l.domain = s.domain AND l.documents >= ?1
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
    Ok(sites
        .into_iter()
        .map(|(domain, (version, lines))| {
            // Documents record the stored version: keep it whatever computed it.
            let mut site = Site::new(lines);
            site.version = version;
            (domain, site)
        })
        .collect())
}

/// The sources a run is about to store, as its learning pass found them (before any is stored):
/// per domain, each source's page key and candidate line hashes.
///
/// The sources are kept in the run's [`Scratch`] file, memory holds where each lies (16 bytes a
/// source); [`predict`] reads them back one domain at a time. Held in memory, a page's lines took
/// about 100 bytes a page at 100k real-text pages (10 MB of the learning pass's peak), and grew with
/// the pages. A source the scratch file could not take is left out: the prediction may then be
/// wrong, which costs a follow-up run ([`predict`]), never a wrong document.
#[derive(Debug)]
pub struct NewPages {
    /// Per domain, where each of its sources lies in `sources`: its page key, then its lines, as
    /// 8-byte little-endian numbers.
    domains: HashMap<String, Vec<Range<u64>>>,
    sources: Scratch,
}

impl NewPages {
    /// New pages whose sources are kept in `sources`.
    pub fn in_scratch(sources: Scratch) -> NewPages {
        NewPages {
            domains: HashMap::new(),
            sources,
        }
    }

    /// Adds a source of `domain`'s page `page` with these candidate line hashes.
    pub fn add(&mut self, domain: &str, page: i64, lines: impl IntoIterator<Item = i64>) {
        let lines: Vec<u8> = lines.into_iter().flat_map(i64::to_le_bytes).collect();
        let Some(kept) = self.sources.append(&[&page.to_le_bytes(), &lines]) else {
            return;
        };
        match self.domains.get_mut(domain) {
            Some(sources) => sources.push(kept),
            None => {
                self.domains.insert(domain.to_owned(), vec![kept]);
            }
        }
    }

    /// The new pages of a domain whose sources lie at `sources`: per page key, the union of its
    /// sources' lines. A source that cannot be read back is left out.
    fn pages(&self, sources: &[Range<u64>]) -> HashMap<i64, BTreeSet<i64>> {
        let mut pages: HashMap<i64, BTreeSet<i64>> = HashMap::new();
        for range in sources {
            let Some(bytes) = self.sources.read(range.clone()) else {
                continue;
            };
            if let Some((page, lines)) = bytes.split_first_chunk::<8>() {
                pages
                    .entry(i64::from_le_bytes(*page))
                    .or_default()
                    .extend(decode(lines));
            }
        }
        pages
    }
}

/// The learned sets a run will end with ([`predict`]).
pub struct Prediction {
    pub lines: SiteLines,
    /// Some domain's set differs from the one stored.
    pub changes: bool,
}

/// The learned sets the run will end with once `new` is stored, as far as they can be told before:
/// for each domain with new pages, its live pages (`site_pages`) and the new ones counted together;
/// every other domain as stored. Cleaning with these, the run stores each document once, cleaned as
/// it will stay, instead of storing it and cleaning it again in a follow-up run.
///
/// Only a prediction: it does not see the files this run will find gone or changed, whose pages stop
/// counting. Where it is wrong, the documents it cleaned have another site version than the one
/// stored at the run's end, so they are stale, and the follow-up run cleans them again, as before.
pub fn predict(conn: &Connection, new: &NewPages) -> Result<Prediction> {
    let mut sites = learned(conn)?;
    let mut changes = false;
    let mut stored_pages =
        conn.prepare_cached("SELECT page_key, lines FROM site_pages WHERE domain = ?1")?;
    for (domain, sources) in &new.domains {
        let mut pages = new.pages(sources);
        let mut rows = stored_pages.query([domain])?;
        while let Some(r) = rows.next()? {
            pages
                .entry(r.get(0)?)
                .or_default()
                .extend(decode(r.get_ref(1)?.as_blob()?));
        }
        let mut counts: HashMap<i64, i64> = HashMap::new();
        for h in pages.values().flatten() {
            *counts.entry(*h).or_default() += 1;
        }
        let lines: HashSet<i64> = counts
            .into_iter()
            .filter(|(_, n)| *n >= site::MIN_DOCUMENTS)
            .map(|(h, _)| h)
            .collect();
        if lines.is_empty() {
            changes |= sites.remove(domain).is_some();
        } else if sites.get(domain).map(Site::lines) != Some(&lines) {
            // A set equal to the stored one keeps the stored version (see `learned`).
            sites.insert(domain.clone(), Site::new(lines));
            changes = true;
        }
    }
    Ok(Prediction {
        lines: SiteLines::new(sites),
        changes,
    })
}

/// A page of a site: its domain and the key of the article it holds ([`newsdb_core::Prepared::site_page`]).
type Page = (String, i64);

/// What a freshly prepared source teaches its site.
pub struct SiteSource<'a> {
    pub domain: &'a str,
    pub page: i64,
    pub candidates: &'a [Candidate],
}

/// A run's site learning between settles: sources recorded but not counted yet, and the domains whose
/// learned lines the run changed.
#[derive(Debug, Default)]
pub struct SiteLearning {
    /// Text of the candidate lines recorded since the last settle, for lines new to the counts.
    texts: HashMap<(String, i64), String>,
    /// Pages whose sources were recorded (or moved away) since the last settle.
    pages: BTreeSet<Page>,
    changed: BTreeSet<String>,
    /// What this run read or wrote of the counts, by domain ([`Counted`]).
    counted: HashMap<String, Counted>,
}

/// Line counts a run holds in memory once read or written, so that each is looked up in the
/// database once per commit rather than once per batch that changes it. At 100k real pages the
/// batches changed 706,725 counts of 277,373 lines, and recomputed a learned set 2,409 times, each
/// reading every count of its domain (0.8 s of the writer's time). The run's writer is the only one
/// to change the counts while it runs, so what is held stays what is stored; the writer forgets it
/// all at each commit, so that it does not grow with the run, and when a batch does not commit
/// ([`SiteLearning::forget_counts`]).
#[derive(Debug, Default)]
struct Counted {
    /// The counts of the lines read or written so far (`site_line_counts.documents`).
    lines: HashMap<i64, i64>,
    /// The domain's learned lines, once read (the lines counted [`site::MIN_DOCUMENTS`] times or
    /// more), kept up to date as counts cross that line.
    learned: Option<HashSet<i64>>,
}

/// Lines [`Counted`] holds at most (about 30 MB); beyond, the counts are forgotten and read again.
const COUNTED_LINES: usize = 1 << 20;

impl Counted {
    /// How many pages of `domain` have the line `hash`, if it has a row.
    fn count(&mut self, conn: &Connection, domain: &str, hash: i64) -> Result<Option<i64>> {
        if let Some(&count) = self.lines.get(&hash) {
            return Ok(Some(count));
        }
        let count = line_count(conn, domain, hash)?;
        if let Some(count) = count {
            self.lines.insert(hash, count);
        }
        Ok(count)
    }

    /// Records that the line `hash` is counted `after` times now, `before` before.
    fn set(&mut self, hash: i64, before: i64, after: i64) {
        self.lines.insert(hash, after);
        if let Some(learned) = &mut self.learned {
            if after >= site::MIN_DOCUMENTS {
                learned.insert(hash);
            } else if before >= site::MIN_DOCUMENTS {
                learned.remove(&hash);
            }
        }
    }

    /// The domain's learned lines as stored now.
    fn learned(&mut self, conn: &Connection, domain: &str) -> Result<&HashSet<i64>> {
        if self.learned.is_none() {
            self.learned = Some(learned_lines(conn, domain)?);
        }
        Ok(self.learned.as_ref().expect("read above"))
    }
}

/// `domain`'s learned lines as its counts in the database say: those counted
/// [`site::MIN_DOCUMENTS`] times or more.
fn learned_lines(conn: &Connection, domain: &str) -> Result<HashSet<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT line_hash FROM site_line_counts WHERE domain = ?1 AND documents >= ?2",
        )?
        .query_map(params![domain, site::MIN_DOCUMENTS], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

impl SiteLearning {
    /// Records what the source with bytes `raw_hash` teaches (`None`: it has no site). A no-op when
    /// it is recorded already; otherwise the page it leaves and the page it joins are recounted at the
    /// next [`settle`](Self::settle).
    pub fn source(
        &mut self,
        conn: &Connection,
        raw_hash: &str,
        source: Option<SiteSource>,
    ) -> Result<()> {
        let stored: Option<(String, i64, Vec<u8>)> = conn
            .prepare_cached("SELECT domain, page_key, lines FROM site_sources WHERE raw_hash = ?1")?
            .query_row([raw_hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some(source) = source else {
            if let Some((domain, page, _)) = stored {
                conn.prepare_cached("DELETE FROM site_sources WHERE raw_hash = ?1")?
                    .execute([raw_hash])?;
                self.pages.insert((domain, page));
            }
            return Ok(());
        };
        let lines = encode(source.candidates.iter().map(|c| c.hash).collect());
        if stored.as_ref().is_some_and(|(domain, page, stored_lines)| {
            domain == source.domain && *page == source.page && *stored_lines == lines
        }) {
            return Ok(());
        }
        if let Some((domain, page, _)) = stored {
            self.pages.insert((domain, page));
        }
        conn.prepare_cached(
            "INSERT OR REPLACE INTO site_sources (raw_hash, domain, page_key, lines)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![raw_hash, source.domain, source.page, lines])?;
        self.pages.insert((source.domain.to_owned(), source.page));
        for c in source.candidates {
            self.texts
                .entry((source.domain.to_owned(), c.hash))
                .or_insert_with(|| c.text.clone());
        }
        Ok(())
    }

    /// Brings the counts up to date, in the caller's transaction: with the sources recorded since the
    /// last settle, and with every raw hash whose live files changed (`site_pending`). A domain whose
    /// learned set changes gets a new version in `sites` (or loses its row when nothing is learned any
    /// more), which makes its documents stale: the run that follows cleans them again.
    pub fn settle(&mut self, conn: &Connection, run_id: i64) -> Result<()> {
        let mut pending = conn.prepare_cached(
            "SELECT DISTINCT s.domain, s.page_key FROM site_pending p
             JOIN site_sources s ON s.raw_hash = p.raw_hash",
        )?;
        let touched: Vec<Page> = pending
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        self.pages.extend(touched);
        conn.prepare_cached("DELETE FROM site_pending")?
            .execute([])?;

        let mut deltas: BTreeMap<(String, i64), i64> = BTreeMap::new();
        for page in std::mem::take(&mut self.pages) {
            recount_page(conn, &page, &mut deltas)?;
        }
        // A line new to the counts comes with its text (recorded with its source); a line counted
        // already keeps the text it has.
        if self.counted.values().map(|c| c.lines.len()).sum::<usize>() > COUNTED_LINES {
            self.forget_counts();
        }
        let mut crossed = BTreeSet::new();
        for (key, delta) in deltas {
            if delta == 0 {
                continue;
            }
            let text = self.texts.remove(&key).unwrap_or_default();
            let (domain, hash) = key;
            let counted = self.counted_of(&domain);
            let before = match counted.count(conn, &domain, hash)? {
                Some(before) => {
                    conn.prepare_cached(
                        "UPDATE site_line_counts SET documents = documents + ?3
                         WHERE domain = ?1 AND line_hash = ?2",
                    )?
                    .execute(params![domain, hash, delta])?;
                    before
                }
                None => {
                    add_line(conn, &domain, hash, delta, &text, Some(run_id))?;
                    0
                }
            };
            let after = before + delta;
            counted.set(hash, before, after);
            if (before >= site::MIN_DOCUMENTS) != (after >= site::MIN_DOCUMENTS) {
                crossed.insert(domain);
            }
        }
        // Lines recorded but not counted (a page counted already, or not live): their text is kept
        // for when they are. In the order of their keys, so that two runs over the same files give
        // the texts the same ids.
        let mut left: Vec<_> = std::mem::take(&mut self.texts).into_iter().collect();
        left.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for ((domain, hash), text) in left {
            let counted = self.counted_of(&domain);
            if counted.count(conn, &domain, hash)?.is_none() {
                add_line(conn, &domain, hash, 0, &text, Some(run_id))?;
                counted.set(hash, 0, 0);
            }
        }
        for domain in crossed {
            let learned = self.counted_of(&domain).learned(conn, &domain)?;
            if relearn(conn, &domain, learned, run_id)? {
                self.changed.insert(domain);
            }
        }
        Ok(())
    }

    /// Forgets the line counts held since they were read: the transaction that changed them did not
    /// commit.
    pub fn forget_counts(&mut self) {
        self.counted.clear();
    }

    /// What this run holds of `domain`'s counts.
    fn counted_of(&mut self, domain: &str) -> &mut Counted {
        if !self.counted.contains_key(domain) {
            self.counted.insert(domain.to_owned(), Counted::default());
        }
        self.counted.get_mut(domain).expect("inserted")
    }

    /// Domains whose learned lines changed in this run.
    pub fn changed(&self) -> usize {
        self.changed.len()
    }
}

/// The live files' bytes a page stands for: the union of the lines of its sources that have a live
/// file (empty when none has).
const LIVE_PAGE_LINES: &str = concat!(
    "SELECT s.lines FROM site_sources s INDEXED BY site_sources_page
     WHERE s.domain = ?1 AND s.page_key = ?2
       AND EXISTS (SELECT 1 FROM files f WHERE f.raw_hash = s.raw_hash AND f.status IN ",
    live_statuses!(),
    ")"
);

/// Recomputes the lines `page` counts now, stores them, and adds the difference to `deltas`.
fn recount_page(
    conn: &Connection,
    page: &Page,
    deltas: &mut BTreeMap<(String, i64), i64>,
) -> Result<()> {
    let (domain, key) = page;
    let mut now = BTreeSet::new();
    let mut rows = conn.prepare_cached(LIVE_PAGE_LINES)?;
    let mut rows = rows.query(params![domain, key])?;
    while let Some(r) = rows.next()? {
        now.extend(decode(r.get_ref(0)?.as_blob()?));
    }
    let before: BTreeSet<i64> = conn
        .prepare_cached("SELECT lines FROM site_pages WHERE domain = ?1 AND page_key = ?2")?
        .query_row(params![domain, key], |r| {
            Ok(decode(r.get_ref(0)?.as_blob()?))
        })
        .optional()?
        .unwrap_or_default()
        .into_iter()
        .collect();
    if now == before {
        return Ok(());
    }
    for h in now.difference(&before) {
        *deltas.entry((domain.clone(), *h)).or_default() += 1;
    }
    for h in before.difference(&now) {
        *deltas.entry((domain.clone(), *h)).or_default() -= 1;
    }
    if now.is_empty() {
        conn.prepare_cached("DELETE FROM site_pages WHERE domain = ?1 AND page_key = ?2")?
            .execute(params![domain, key])?;
    } else {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO site_pages (domain, page_key, lines) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![domain, key, encode(now.into_iter().collect())])?;
    }
    Ok(())
}

/// How many pages of `domain` have the line `hash` now (`site_line_counts`), if it has a row.
fn line_count(conn: &Connection, domain: &str, hash: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT documents FROM site_line_counts WHERE domain = ?1 AND line_hash = ?2",
        )?
        .query_row(params![domain, hash], |r| r.get(0))
        .optional()?)
}

/// Adds a line new to the counts, its text at the end of `site_line_texts`: texts are written once,
/// apart from the counts every batch changes (see `migrations/0010_site_line_texts_apart.sql`).
fn add_line(
    conn: &Connection,
    domain: &str,
    hash: i64,
    documents: i64,
    text: &str,
    first_run_id: Option<i64>,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO site_line_texts (text) VALUES (?1)")?
        .execute([text])?;
    let text_id = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO site_line_counts (domain, line_hash, documents, text_id, first_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![domain, hash, documents, text_id, first_run_id])?;
    Ok(())
}

/// Stores `domain`'s learned set as its counts now say (`lines`: those counted
/// [`site::MIN_DOCUMENTS`] times or more); returns whether its version changed.
fn relearn(conn: &Connection, domain: &str, lines: &HashSet<i64>, run_id: i64) -> Result<bool> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT version FROM sites WHERE domain = ?1")?
        .query_row([domain], |r| r.get(0))
        .optional()?;
    if lines.is_empty() {
        conn.prepare_cached("DELETE FROM sites WHERE domain = ?1")?
            .execute([domain])?;
        return Ok(stored.is_some());
    }
    let version = Site::version_of(lines);
    if stored.as_deref() == Some(version.as_str()) {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO sites (domain, learned_lines, version, updated_run_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (domain) DO UPDATE SET learned_lines = excluded.learned_lines,
             version = excluded.version, updated_run_id = excluded.updated_run_id",
    )?
    .execute(params![domain, lines.len() as i64, version, run_id])?;
    Ok(true)
}

/// Line hashes as stored: 8 bytes each, little-endian, ascending, no repeats.
fn encode(mut hashes: Vec<i64>) -> Vec<u8> {
    hashes.sort_unstable();
    hashes.dedup();
    hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
}

fn decode(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

/// Where the stored site learning differs from what the live sources imply.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Pages whose stored lines are wrong or missing, or stored but not live.
    pub pages: u64,
    /// Lines whose count is wrong.
    pub lines: u64,
    /// Domains whose learned set (`sites`) is wrong.
    pub sites: u64,
}

impl Audit {
    pub fn problems(&self) -> u64 {
        self.pages + self.lines + self.sites
    }
}

/// What the live sources imply, computed from scratch: pages, counts and learned sets.
struct Implied {
    pages: HashMap<Page, Vec<i64>>,
    counts: HashMap<(String, i64), i64>,
}

fn implied(conn: &Connection) -> Result<Implied> {
    let mut pages: HashMap<Page, BTreeSet<i64>> = HashMap::new();
    let mut stmt = conn.prepare(concat!(
        "SELECT s.domain, s.page_key, s.lines FROM site_sources s
         WHERE EXISTS (SELECT 1 FROM files f WHERE f.raw_hash = s.raw_hash AND f.status IN ",
        live_statuses!(),
        ")"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let lines = decode(r.get_ref(2)?.as_blob()?);
        pages
            .entry((r.get(0)?, r.get(1)?))
            .or_default()
            .extend(lines);
    }
    let mut counts: HashMap<(String, i64), i64> = HashMap::new();
    for ((domain, _), lines) in &pages {
        for h in lines {
            *counts.entry((domain.clone(), *h)).or_default() += 1;
        }
    }
    Ok(Implied {
        pages: pages
            .into_iter()
            .filter(|(_, lines)| !lines.is_empty())
            .map(|(page, lines)| (page, lines.into_iter().collect()))
            .collect(),
        counts,
    })
}

/// Learned set per domain from `counts`.
fn learned_sets(counts: &HashMap<(String, i64), i64>) -> BTreeMap<String, HashSet<i64>> {
    let mut sets: BTreeMap<String, HashSet<i64>> = BTreeMap::new();
    for ((domain, hash), n) in counts {
        if *n >= site::MIN_DOCUMENTS {
            sets.entry(domain.clone()).or_default().insert(*hash);
        }
    }
    sets
}

/// Compares the stored site learning with what the live sources imply (`newsdb check`).
pub fn audit(conn: &Connection) -> Result<Audit> {
    let implied = implied(conn)?;
    let mut audit = Audit::default();
    let mut stored_pages: HashMap<Page, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT domain, page_key, lines FROM site_pages")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        stored_pages.insert((r.get(0)?, r.get(1)?), decode(r.get_ref(2)?.as_blob()?));
    }
    for (page, lines) in &implied.pages {
        if stored_pages.get(page) != Some(lines) {
            audit.pages += 1;
        }
    }
    audit.pages += stored_pages
        .keys()
        .filter(|p| !implied.pages.contains_key(*p))
        .count() as u64;

    let mut stmt = conn.prepare("SELECT domain, line_hash, documents FROM site_line_counts")?;
    let mut rows = stmt.query([])?;
    let mut stored_lines = HashSet::new();
    while let Some(r) = rows.next()? {
        let key: (String, i64) = (r.get(0)?, r.get(1)?);
        let n: i64 = r.get(2)?;
        if implied.counts.get(&key).copied().unwrap_or(0) != n {
            audit.lines += 1;
        }
        stored_lines.insert(key);
    }
    audit.lines += implied
        .counts
        .keys()
        .filter(|k| !stored_lines.contains(*k))
        .count() as u64;

    let sets = learned_sets(&implied.counts);
    let mut stored_sites: BTreeMap<String, (i64, String)> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT domain, learned_lines, version FROM sites")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        stored_sites.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
    }
    for (domain, lines) in &sets {
        let site = Site::new(lines.clone());
        if stored_sites.get(domain) != Some(&(site.len() as i64, site.version)) {
            audit.sites += 1;
        }
    }
    audit.sites += stored_sites
        .keys()
        .filter(|d| !sets.contains_key(*d))
        .count() as u64;
    Ok(audit)
}

/// Rewrites the stored site learning from what the live sources imply (`newsdb check --repair`).
/// A domain whose learned set changes gets its new version, so the next ingest cleans its documents
/// again. Returns the domains whose learned set changed.
pub fn rebuild(conn: &Connection, run_id: Option<i64>) -> Result<u64> {
    let implied = implied(conn)?;
    conn.execute("DELETE FROM site_pages", [])?;
    let mut insert =
        conn.prepare("INSERT INTO site_pages (domain, page_key, lines) VALUES (?1, ?2, ?3)")?;
    for ((domain, key), lines) in &implied.pages {
        insert.execute(params![domain, key, encode(lines.clone())])?;
    }
    conn.execute(
        "UPDATE site_line_counts SET documents = 0 WHERE documents <> 0",
        [],
    )?;
    let mut set = conn.prepare(
        "UPDATE site_line_counts SET documents = ?3 WHERE domain = ?1 AND line_hash = ?2",
    )?;
    for ((domain, hash), n) in &implied.counts {
        if set.execute(params![domain, hash, n])? == 0 {
            add_line(conn, domain, *hash, *n, "", run_id)?;
        }
    }
    conn.execute("DELETE FROM site_pending", [])?;
    let sets = learned_sets(&implied.counts);
    let stored: Vec<String> = conn
        .prepare("SELECT domain FROM sites")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let domains: BTreeSet<String> = stored.into_iter().chain(sets.into_keys()).collect();
    let mut changed = 0;
    for domain in domains {
        let learned = learned_lines(conn, &domain)?;
        if relearn(conn, &domain, &learned, run_id.unwrap_or(0))? {
            changed += 1;
        }
    }
    Ok(changed)
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

    fn file(conn: &Connection, path: &str, raw_hash: &str, status: &str) {
        conn.execute(
            "INSERT INTO files (path, raw_hash, status) VALUES (?1, ?2, ?3)
             ON CONFLICT (path) DO UPDATE SET raw_hash = excluded.raw_hash, status = excluded.status",
            params![path, raw_hash, status],
        )
        .unwrap();
    }

    /// A database in memory with run 1 in it.
    fn with_run() -> Connection {
        let conn = in_memory();
        conn.execute(
            "INSERT INTO runs (id, started_at, roots, cleaner_version) VALUES (1, 't', '[]', 'v')",
            [],
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_line_is_learned_from_enough_live_pages_and_forgotten_when_they_go() {
        let conn = with_run();
        let line = [candidate("The Example Times, your daily paper")];
        let mut learning = SiteLearning::default();
        let add = |learning: &mut SiteLearning, raw: &str, domain: &str, page: i64| {
            let source = SiteSource {
                domain,
                page,
                candidates: &line,
            };
            learning.source(&conn, raw, Some(source)).unwrap();
            file(&conn, &format!("/{raw}"), raw, "ingested");
        };
        for i in 0..site::MIN_DOCUMENTS - 1 {
            add(&mut learning, &format!("r{i}"), "example.com", i);
        }
        // Another copy of page 0 (other bytes, same article), and a page of another site.
        add(&mut learning, "copy", "example.com", 0);
        add(&mut learning, "other", "other.org", 9);
        learning.settle(&conn, 1).unwrap();
        assert_eq!(learning.changed(), 0, "one page short of learning");
        assert!(load(&conn).unwrap().get("example.com").is_none());

        add(&mut learning, "r9", "example.com", 99);
        learning.settle(&conn, 1).unwrap();
        assert_eq!(learning.changed(), 1);
        let learned = load(&conn).unwrap();
        assert!(learned
            .get("example.com")
            .expect("learned")
            .contains("The Example Times, your daily paper"));
        assert!(learned.get("other.org").is_none());
        assert_eq!(audit(&conn).unwrap(), Audit::default());

        // A page's file deleted (the trigger notes it): the count goes down and the line is forgotten.
        file(&conn, "/r1", "r1", "deleted");
        learning.settle(&conn, 1).unwrap();
        assert!(load(&conn).unwrap().get("example.com").is_none());
        assert_eq!(audit(&conn).unwrap(), Audit::default());

        // A hand edit the settle never saw is found, and rebuilt.
        conn.execute("UPDATE site_line_counts SET documents = 7", [])
            .unwrap();
        assert!(audit(&conn).unwrap().lines > 0);
        rebuild(&conn, Some(1)).unwrap();
        assert_eq!(audit(&conn).unwrap(), Audit::default());
    }

    /// What the learning pass predicts is what counting the stored pages and the new ones together
    /// gives: each page once, as the union of its sources' lines, whether its sources are new,
    /// stored, or both, and whether the sources are kept in a file or in memory.
    #[test]
    fn a_prediction_counts_each_page_once_with_the_union_of_its_sources() {
        let lines: Vec<Candidate> = (0..12).map(|i| candidate(&format!("line {i}"))).collect();
        // Sources as (domain, page, lines), many pages with several, stored and new; each line on
        // its own share of them. Counting sources instead of pages, or the new pages alone, would
        // learn other lines (checked when the test was written).
        let source = |n: usize| {
            let domain = ["a.example", "b.example"][n % 2];
            let page = (n % 7) as i64;
            let picked: Vec<usize> = (0..12)
                .filter(|l| (n * 7 + l * l).is_multiple_of(l % 7 + 2))
                .collect();
            (domain, page, picked)
        };
        let conn = with_run();
        let mut learning = SiteLearning::default();
        let mut expected: HashMap<(&str, i64), BTreeSet<i64>> = HashMap::new();
        for n in 0..9 {
            let (domain, page, picked) = source(n);
            let candidates: Vec<Candidate> = picked.iter().map(|&l| lines[l].clone()).collect();
            let stored = SiteSource {
                domain,
                page,
                candidates: &candidates,
            };
            learning
                .source(&conn, &format!("s{n}"), Some(stored))
                .unwrap();
            file(&conn, &format!("/s{n}"), &format!("s{n}"), "ingested");
            let entry = expected.entry((domain, page)).or_default();
            entry.extend(candidates.iter().map(|c| c.hash));
        }
        learning.settle(&conn, 1).unwrap();

        let folder = tempfile::tempdir().unwrap();
        let scratches = [
            Scratch::new_in(folder.path()).unwrap(),
            Scratch::in_memory(),
        ];
        for scratch in scratches {
            let mut new = NewPages::in_scratch(scratch);
            let mut expected = expected.clone();
            for n in 5..40 {
                let (domain, page, picked) = source(n * 3);
                let hashes: Vec<i64> = picked.iter().map(|&l| lines[l].hash).collect();
                new.add(domain, page + 3, hashes.iter().copied());
                expected
                    .entry((domain, page + 3))
                    .or_default()
                    .extend(hashes);
            }
            let prediction = predict(&conn, &new).unwrap();
            for domain in ["a.example", "b.example"] {
                let mut counts: HashMap<i64, i64> = HashMap::new();
                for ((d, _), page_lines) in &expected {
                    if *d == domain {
                        for h in page_lines {
                            *counts.entry(*h).or_default() += 1;
                        }
                    }
                }
                let learned: HashSet<i64> = counts
                    .into_iter()
                    .filter(|(_, n)| *n >= site::MIN_DOCUMENTS)
                    .map(|(h, _)| h)
                    .collect();
                assert!(!learned.is_empty() && learned.len() < lines.len());
                let predicted = prediction.lines.get(domain).map(Site::lines);
                assert_eq!(predicted, Some(&learned), "{domain}");
            }
        }
    }

    #[test]
    fn counts_held_are_forgotten_when_their_batch_rolls_back() {
        let conn = with_run();
        let line = [candidate("The Example Times, your daily paper")];
        let mut learning = SiteLearning::default();
        let add = |learning: &mut SiteLearning, i: i64| {
            let source = SiteSource {
                domain: "example.com",
                page: i,
                candidates: &line,
            };
            learning
                .source(&conn, &format!("r{i}"), Some(source))
                .unwrap();
            file(&conn, &format!("/r{i}"), &format!("r{i}"), "ingested");
        };
        for i in 0..3 {
            add(&mut learning, i);
        }
        learning.settle(&conn, 1).unwrap();
        // A batch that would make the line learned, rolled back after its settle.
        conn.execute_batch("BEGIN").unwrap();
        for i in 3..6 {
            add(&mut learning, i);
        }
        learning.settle(&conn, 1).unwrap();
        conn.execute_batch("ROLLBACK").unwrap();
        learning.forget_counts();
        // The next batch brings two of those pages again: five pages, enough to learn the line
        // (counts held from the rolled-back batch would say it was learned already).
        for i in 3..5 {
            add(&mut learning, i);
        }
        learning.settle(&conn, 1).unwrap();
        assert_eq!(audit(&conn).unwrap(), Audit::default());
        assert!(load(&conn).unwrap().get("example.com").is_some());
    }

    #[test]
    fn counts_held_across_settles_stay_what_is_stored() {
        let conn = with_run();
        let lines: Vec<Candidate> = (0..6).map(|i| candidate(&format!("Line {i}"))).collect();
        let mut learning = SiteLearning::default();
        // A fixed walk of sources added, replaced and deleted over two sites, settled every few
        // steps, the counts audited from scratch after each settle.
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let (mut learned_ever, mut forgotten_ever) = (0, 0);
        for step in 0..300 {
            let raw = format!("r{}", next(40));
            if next(4) == 0 {
                file(&conn, &format!("/{raw}"), &raw, "deleted");
            } else {
                let domain = ["a.example", "b.example"][next(2) as usize];
                let mask = next(64);
                let candidates: Vec<Candidate> = (0..6)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| lines[i].clone())
                    .collect();
                let source = SiteSource {
                    domain,
                    page: next(12) as i64,
                    candidates: &candidates,
                };
                learning.source(&conn, &raw, Some(source)).unwrap();
                file(&conn, &format!("/{raw}"), &raw, "ingested");
            }
            if step % 5 == 4 {
                let before = load(&conn).unwrap();
                learning.settle(&conn, 1).unwrap();
                assert_eq!(audit(&conn).unwrap(), Audit::default(), "step {step}");
                let after = load(&conn).unwrap();
                for domain in ["a.example", "b.example"] {
                    let size = |l: &SiteLines| l.get(domain).map_or(0, |s| s.lines().len());
                    learned_ever += usize::from(size(&after) > size(&before));
                    forgotten_ever += usize::from(size(&after) < size(&before));
                }
            }
        }
        assert!(
            learned_ever > 0 && forgotten_ever > 0,
            "lines learned {learned_ever} and forgotten {forgotten_ever} times"
        );
    }
}

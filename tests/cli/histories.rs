//! Any history of runs ends where a fresh ingest would (issue 16): random histories of a small
//! corpus (articles of three sites added, edited, given other boilerplate, deleted, renamed and
//! copied, the rules file changed, runs killed part-way) are ingested run after run, then compared
//! with one fresh ingest of the final folder: every live file on the same content hash, the same
//! learned site lines, the same clusters, and `newsdb check` clean.
//!
//! `NEWSDB_HISTORIES=N` runs N histories instead of the 50 the test suite runs (`scripts/faults.sh`
//! runs more); a failure names the history's seed, which replays it alone with
//! `NEWSDB_HISTORY_SEED=S`.

use crate::util::{assert_same_state, Env};
use std::collections::BTreeMap;
use std::path::Path;

/// A small deterministic generator (xorshift64*): histories replay from their seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SITES: &[(&str, &str, &str)] = &[
    ("valley.example", "Valley Courier", "Eastgate"),
    ("harbour.example", "Harbour Gazette", "Portwell"),
    ("ridge.example", "Ridge Herald", "Highmoor"),
];

const THINGS: &[&str] = &[
    "library",
    "bridge",
    "school",
    "hospital",
    "market",
    "harbour",
    "stadium",
    "museum",
    "airport",
    "ferry",
    "tram line",
    "swimming pool",
    "fire station",
    "theatre",
];
const PEOPLE: &[&str] = &[
    "councillors",
    "residents",
    "the mayor",
    "local traders",
    "parents",
    "the union",
    "pensioners",
    "engineers",
];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

/// A paragraph of prose about `thing`.
fn paragraph(rng: &mut Rng, thing: &str, town: &str) -> String {
    let who = rng.pick(PEOPLE);
    let day = rng.pick(DAYS);
    let other = rng.pick(PEOPLE);
    let n = 2 + rng.below(40);
    format!(
        "On {day}, {who} in {town} said the {thing} would need about {n} million pounds before it \
         could open again, and that the work would take most of the coming year. {} said they had \
         not been asked and wanted the council to explain how the money would be found.",
        capitalise(other)
    )
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// An article page of site `site`: a header, the site's masthead, paragraphs, and its footer lines.
/// `variant` picks other boilerplate around the same article.
fn page(rng: &mut Rng, site: usize, id: usize, variant: usize) -> String {
    let (domain, paper, town) = SITES[site];
    let thing = THINGS[id % THINGS.len()];
    let mut text = format!(
        "The {thing} in {town}: what happens next ({id})\n2024{:02}{:02}\nhttps://www.{domain}/news/{id}\n",
        1 + id % 12,
        1 + id % 28
    );
    text.push_str(&format!("{paper}, {town}'s own newspaper since 1921\n\n"));
    if variant % 3 == 1 {
        text.push_str(&format!("Updated {} hours ago\n\n", 1 + variant));
    }
    for _ in 0..3 + rng.below(3) {
        text.push_str(&paragraph(rng, thing, town));
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "Listen to the {paper} podcast, every Friday morning\n"
    ));
    if variant % 2 == 1 {
        text.push_str(&format!("Most read in {town} this week\n"));
    }
    text.push_str(&format!("{paper} is published by {town} Media Group\n"));
    text
}

/// Two rules files a history switches between: the second removes the podcast line everywhere.
const RULES: [&str; 2] = [
    "",
    "[[rule]]\nname = \"podcast-promo\"\ncategory = \"newsletter\"\npattern = \"(?i)podcast, every friday\"\n",
];

struct History {
    rng: Rng,
    env: Env,
    /// Files in the corpus, by name, with their text.
    files: BTreeMap<String, String>,
    next_id: usize,
    rules: usize,
    log: Vec<String>,
}

impl History {
    fn new(seed: u64) -> History {
        History {
            rng: Rng::new(seed),
            env: Env::new(),
            files: BTreeMap::new(),
            next_id: 0,
            rules: 0,
            log: Vec::new(),
        }
    }

    fn write(&mut self, name: String, text: String) {
        self.env.write(&name, &text);
        self.files.insert(name, text);
    }

    fn remove(&mut self, name: &str) {
        std::fs::remove_file(self.env.corpus().join(name)).unwrap();
        self.files.remove(name);
    }

    fn any_file(&mut self) -> Option<String> {
        let n = self.files.len();
        (n > 0).then(|| self.files.keys().nth(self.rng.below(n)).unwrap().clone())
    }

    fn add(&mut self) {
        let site = self.rng.below(SITES.len());
        let id = self.next_id;
        self.next_id += 1;
        let variant = self.rng.below(4);
        let text = page(&mut self.rng, site, id, variant);
        self.write(format!("s{site}/{id:03}.txt"), text);
    }

    /// One random change to the folder.
    fn change(&mut self) {
        let op = self.rng.below(7);
        let Some(name) = self.any_file() else {
            return self.add();
        };
        let site: usize = name[1..2].parse().unwrap();
        let id: usize = name[3..6].parse().unwrap();
        match op {
            0 | 1 => {
                self.log.push("add".into());
                self.add();
            }
            2 => {
                // Another article in the same file.
                self.log.push(format!("edit {name}"));
                let variant = self.rng.below(4);
                let text = page(&mut self.rng, site, id + 100, variant);
                self.write(name, text);
            }
            3 => {
                // The same article with other boilerplate: the page is rebuilt with the same
                // paragraphs' generator state, so only the lines around them change.
                self.log.push(format!("boilerplate {name}"));
                let old = self.files[&name].clone();
                let text = if old.contains("Most read in") {
                    old.lines()
                        .filter(|l| !l.starts_with("Most read in"))
                        .map(|l| format!("{l}\n"))
                        .collect()
                } else {
                    old.replace(
                        "\nListen to the",
                        &format!("\nMost read in {} this week\nListen to the", SITES[site].2),
                    )
                };
                self.write(name, text);
            }
            4 => {
                self.log.push(format!("delete {name}"));
                self.remove(&name);
            }
            5 => {
                let to = format!("s{site}/{:03}.txt", self.next_id + 500);
                self.next_id += 1;
                self.log.push(format!("rename {name} {to}"));
                let text = self.files[&name].clone();
                self.remove(&name);
                self.write(to, text);
            }
            _ => {
                let to = format!("s{site}/{:03}.txt", self.next_id + 500);
                self.next_id += 1;
                self.log.push(format!("copy {name} {to}"));
                let text = self.files[&name].clone();
                self.write(to, text);
            }
        }
    }

    fn rules_file(&self) -> std::path::PathBuf {
        let path = self.env.dir.path().join("rules.toml");
        std::fs::write(&path, RULES[self.rules]).unwrap();
        path
    }

    /// Ingests the folder into `db`; `abort` kills the run after that many batches of two files
    /// (`batch:N`), or that many batches into the follow-up run that cleans sites' documents again
    /// (`follow-up:N`): a crash, the process aborts with its batches committed.
    fn ingest(&self, db: &Path, abort: Option<String>) {
        let rules = self.rules_file();
        let mut cmd = self.env.cmd_on(
            db,
            &[
                "ingest",
                "--quiet",
                "--allow-mass-delete",
                "--rules",
                rules.to_str().unwrap(),
                self.env.corpus().to_str().unwrap(),
            ],
        );
        let crash = abort.is_some();
        if let Some(point) = abort {
            cmd.env("NEWSDB_BATCH_FILES", "2")
                .env("NEWSDB_TEST_ABORT", point);
        }
        let out = cmd.output().unwrap();
        if !crash {
            assert_eq!(
                out.status.code(),
                Some(0),
                "{:?}: {}",
                self.log,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Runs history `seed`: a starting corpus, then runs each followed by random changes, then the
/// comparison with a fresh ingest. Returns how many lines the fresh ingest learned.
fn run_history(seed: u64) -> usize {
    let mut h = History::new(seed);
    let db = h.env.db();
    for _ in 0..8 + h.rng.below(10) {
        h.add();
    }
    let steps = 3 + h.rng.below(3);
    for _ in 0..steps {
        match h.rng.below(8) {
            0 => {
                let at = 1 + h.rng.below(6);
                let point = if h.rng.below(2) == 0 {
                    format!("batch:{at}")
                } else {
                    format!("follow-up:{at}")
                };
                h.log.push(format!("crash {point}"));
                h.ingest(&db, Some(point));
            }
            1 => {
                h.rules = 1 - h.rules;
                h.log.push(format!("rules {}", h.rules));
                h.ingest(&db, None);
            }
            _ => h.ingest(&db, None),
        }
        for _ in 0..1 + h.rng.below(4) {
            h.change();
        }
        h.log.push("|".into());
    }
    h.ingest(&db, None);
    let fresh = h.env.dir.path().join("fresh.db");
    h.ingest(&fresh, None);
    assert_same_state(&db, &fresh, &format!("history seed {seed} {:?}", h.log));
    crate::util::LiveState::of(&fresh).learned.len()
}

#[test]
fn random_histories_end_where_a_fresh_ingest_does() {
    if let Some(seed) = std::env::var("NEWSDB_HISTORY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        run_history(seed);
        return;
    }
    let n: u64 = std::env::var("NEWSDB_HISTORIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let first: u64 = std::env::var("NEWSDB_HISTORY_FIRST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let learning = (first..first + n)
        .filter(|&seed| run_history(seed) > 0)
        .count() as u64;
    // The histories must exercise site learning, not only documents.
    assert!(
        learning * 2 >= n,
        "only {learning} of {n} histories learned site lines"
    );
}

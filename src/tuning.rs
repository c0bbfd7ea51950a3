//! Settings newsdb chooses for itself, measured rather than guessed (BENCHMARKS.md, "SQLite and FTS5
//! settings"). They are benchmark knobs, not user settings: [`Tuning::default`] is the measured choice,
//! and `scripts/bench.sh --settings` varies them through environment variables that only the
//! command-line tool reads, once ([`Tuning::from_env`]); the library takes the struct.

/// How a run batches its work and sets up SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Files handed to the writer at once (and, before `commit_batches`, committed in one
    /// transaction). 128 was 12% slower on
    /// 20k files (more commits, more and smaller FTS segments). On real text each commit also
    /// rewrites most pages of the site line counts (their keys are hashes, so a batch's new lines
    /// land everywhere in them; since schema 10 without the lines' texts): 1,024 (with no chunk waiting in the channel, see `pipeline::driver`) was
    /// 4% faster than 512 at 20k files and 7% at 100k, at the same peak memory at 20k; 2,048 was 7%
    /// and 13% faster but peaked at 209 MB at 100k. `NEWSDB_BATCH_FILES`.
    pub batch_files: usize,
    /// Batches committed in one transaction (see `Writer::commit`). Each commit writes every page
    /// its batches changed to the log: at 100k real-text files a commit of one batch wrote about
    /// 5,000 pages, most of them pages of the indexes keyed by hashes, where a batch's keys land
    /// everywhere; two batches change many of the same pages. Measured in BENCHMARKS.md ("Fewer
    /// commits"). `NEWSDB_COMMIT_BATCHES`.
    pub commit_batches: usize,
    /// SQLite page cache per connection, in MiB (SQLite's default is 2). A batch's commit at 100k
    /// real-text files writes about 4,400 pages (35 MB: the rows' pages, and the pages of the
    /// indexes keyed by hashes, where a batch's keys land everywhere). With 32 MiB the cache filled
    /// with them before the commit: SQLite wrote pages to the log early and, at the commit, read
    /// back 200k pages of the log to rewrite their checksums, and evicted pages it read again.
    /// 48 MiB: the reads 13.6 -> 10.3 GB, system CPU -0.7 to -1.8 s, wall 38.5-41.4 -> 38.1-38.6 s
    /// in three alternating pairs, peak memory 169-171 -> 171-181 MB (at 20k files 124-128 -> 137-147
    /// MB). 64 MiB read little less and peaked at 190-193 MB. `NEWSDB_CACHE_MIB`.
    pub cache_mib: i64,
    /// `PRAGMA synchronous` under WAL. NORMAL syncs at checkpoints, not at every commit: a power cut
    /// may lose the last batches, never the database's consistency (the next run redoes them).
    /// `NEWSDB_SYNCHRONOUS=FULL`.
    pub synchronous: Synchronous,
    /// Files a run's learning pass reads before it decides whether to read the rest ahead (see
    /// `pipeline::learn`). On 20k real-text files (1,473 sites) the first 2,000 teach sites lines, so
    /// the whole folder is read ahead; on the synthetic corpus, whose sites learn nothing, the pass
    /// stops there. `NEWSDB_LEARN_SAMPLE_FILES`.
    pub learn_sample_files: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Normal,
    Full,
}

impl Synchronous {
    /// The pragma's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        }
    }
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            batch_files: 1024,
            commit_batches: 8,
            cache_mib: 48,
            synchronous: Synchronous::Normal,
            learn_sample_files: 2_000,
        }
    }
}

impl Tuning {
    /// The defaults, changed by the benchmark knobs set in the environment.
    pub fn from_env() -> Tuning {
        Tuning::from_vars(|name| std::env::var(name).ok())
    }

    /// The defaults, changed by the variables `var` returns (tested without touching the process's
    /// environment). A value that is not a positive number is ignored.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Tuning {
        let default = Tuning::default();
        Tuning {
            batch_files: positive(var("NEWSDB_BATCH_FILES")).unwrap_or(default.batch_files),
            commit_batches: positive(var("NEWSDB_COMMIT_BATCHES"))
                .unwrap_or(default.commit_batches),
            cache_mib: positive(var("NEWSDB_CACHE_MIB")).unwrap_or(default.cache_mib),
            synchronous: match var("NEWSDB_SYNCHRONOUS").as_deref() {
                Some("FULL") => Synchronous::Full,
                _ => default.synchronous,
            },
            learn_sample_files: positive(var("NEWSDB_LEARN_SAMPLE_FILES"))
                .unwrap_or(default.learn_sample_files),
        }
    }
}

fn positive<T: std::str::FromStr + PartialOrd + Default>(value: Option<String>) -> Option<T> {
    value
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > T::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_change_the_defaults_and_bad_values_are_ignored() {
        let t = Tuning::from_vars(|name| match name {
            "NEWSDB_BATCH_FILES" => Some("100".into()),
            "NEWSDB_COMMIT_BATCHES" => Some("0".into()),
            "NEWSDB_CACHE_MIB" => Some("-3".into()),
            "NEWSDB_SYNCHRONOUS" => Some("FULL".into()),
            _ => None,
        });
        assert_eq!(t.batch_files, 100);
        assert_eq!(t.commit_batches, Tuning::default().commit_batches);
        assert_eq!(t.cache_mib, Tuning::default().cache_mib);
        assert_eq!(t.synchronous, Synchronous::Full);
        assert_eq!(Tuning::from_vars(|_| None), Tuning::default());
    }
}

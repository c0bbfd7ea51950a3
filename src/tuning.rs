//! Settings newsdb chooses for itself, measured rather than guessed (BENCHMARKS.md, "SQLite and FTS5
//! settings"), and the environment variables through which `scripts/bench.sh --settings` varies them.
//! They are benchmark knobs, not user settings: the defaults are the measured choice.

/// Files handed to the writer at once, and committed in one transaction. 128 was 12% slower on 20k
/// files (more commits, more and smaller FTS segments); 2,048 no faster, with four times the prepared
/// text in memory. `NEWSDB_BATCH_FILES` changes it.
pub fn batch_files() -> usize {
    from_env("NEWSDB_BATCH_FILES").unwrap_or(512)
}

/// SQLite page cache per connection, in MiB (SQLite's default is 2). The writer looks every new
/// document's near-duplicate band keys up at random places of the bucket index. Ingest time on 100k
/// files did not follow the size beyond the machine's noise in two rounds (16, 32, 64 MiB: 42.5,
/// 39.6, 44.3 s, then 41.0, 42.2, 38.7 s); peak memory does (150, 165, 200 MB). 32 MiB keeps the
/// 100k ingest well under 200 MB. `NEWSDB_CACHE_MIB` changes it.
pub fn cache_mib() -> i64 {
    from_env("NEWSDB_CACHE_MIB").unwrap_or(32)
}

/// `PRAGMA synchronous` under WAL. NORMAL syncs at checkpoints, not at every commit: a power cut may
/// lose the last batches, never the database's consistency (the next run redoes them).
/// `NEWSDB_SYNCHRONOUS=FULL` changes it.
pub fn synchronous() -> &'static str {
    match std::env::var("NEWSDB_SYNCHRONOUS").as_deref() {
        Ok("FULL") => "FULL",
        _ => "NORMAL",
    }
}

/// A positive number from the environment variable `name`.
fn from_env<T: std::str::FromStr + PartialOrd + Default>(name: &str) -> Option<T> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > T::default())
}

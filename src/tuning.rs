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
/// document's near-duplicate band keys up at random places of the bucket index. Measured on 100k
/// files: 16 MiB 42.5 s and 150 MB peak, 32 MiB 39.6 s and 165 MB, 64 MiB 44.3 s and 199 MB.
/// `NEWSDB_CACHE_MIB` changes it.
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

//! Memory the workers freed, given back to the system after a run's learning pass (after its
//! sample too) and before its single-threaded end; and what the storing held, once the end starts
//! (see `store::writer`).
//!
//! glibc's malloc gives each thread that allocates an arena of its own and keeps what the thread
//! frees there for later use: when the workers are done, their arenas still count in the process's
//! resident memory. The run's end (the near-duplicate checks on one thread) then allocates on top of
//! them. At 100k real-text files the end phase peaked at 251 MB, 14 MB above the storing. After
//! `malloc_trim` it starts at 182 MB and peaks at 207 (BENCHMARKS.md, "Peak memory").
//!
//! The process also fixes two of malloc's thresholds when it starts ([`fix_malloc_thresholds`]), so
//! that what the storing holds does not depend on what the learning pass held before it.

/// Returns the free memory of every malloc arena to the system. A no-op where the C library is
/// not glibc.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Blocks of this size or more get a mapping of their own, given back when freed: 256 KiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 256 << 10;
/// Free memory at the top of the main heap beyond this is given back at once: 1 MiB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: libc::c_int = 1 << 20;

/// Fixes the size from which glibc's malloc maps a block on its own (256 KiB) and how much free
/// memory it keeps at the top of the main heap (1 MiB). A no-op where the C library is not glibc.
/// For the `newsdb` process, at its start: the setting is the whole process's.
///
/// glibc starts at 128 KiB and twice that, and raises both each time a mapped block larger than
/// the first is freed, up to 32 and 64 MiB (mallopt(3)). The learning pass frees blocks of
/// megabytes (its rule caches, its remembered lines), larger the more files it read; after it, the
/// storing's workers kept arenas of 21-25 MiB each at 100k real-text files, 17 at 20k, and peak
/// memory moved from run to run: in alternating rounds, 129-140 MB at 20k files and 130-150 MB at
/// 100k. With the thresholds fixed: 120-125 and 122-125 MB, in about the same time (20k: medians
/// 7.52 s against 7.71 in five alternating rounds, 7.92 against 7.75 in three; 100k: 38.9 against
/// 39.6, 40.8 against 40.4). With the trim threshold at glibc's starting 128 KiB, the main heap
/// shrank and grew again thousands of times a run (4,660 `brk` calls at 20k files, against 359
/// with glibc's own thresholds; 373 `brk` and 171 `mmap` calls with these).
pub fn fix_malloc_thresholds() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets glibc's own parameters; it takes no pointer.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

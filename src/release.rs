//! Memory the workers freed, given back to the system after a run's learning pass (after its
//! sample too) and before its single-threaded end; and what the storing held, once the end starts
//! (see `store::writer`).
//!
//! glibc's malloc gives each thread that allocates an arena of its own and keeps what the thread
//! frees there for later use: when the workers are done, their arenas still count in the process's
//! resident memory. The run's end (the near-duplicate checks on one thread) then allocates on top of
//! them. At 100k real-text files the end phase peaked at 251 MB, 14 MB above the storing. After
//! `malloc_trim` it starts at 182 MB and peaks at 207 (BENCHMARKS.md, "Peak memory").

/// Returns the free memory of every malloc arena to the system. A no-op where the C library is
/// not glibc.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

//! Reading ahead: while the workers read and clean one chunk of files, the kernel is asked to start
//! reading the next ones from the disk, so a file the workers open is mostly in memory already.
//!
//! The workers read each file whole, one at a time each: on a file not in the page cache, a worker
//! waits for the disk with its core idle. On this kind of machine the page cache does not keep a
//! corpus for long (cold pages are paged out after about a minute), so the first pass over a folder
//! mostly reads from the disk: a `perf` trace of a 20k-file real-text ingest found the workers
//! blocked in `read` 2,000 times during the learning pass, which kept them at 70-77% of their cores.
//! One thread here asks for the files ahead (`posix_fadvise(WILLNEED)`, which queues the reads and
//! returns), many reads in flight at once where the workers had two.
//!
//! It only asks: what is read, and checked, is still what the workers read ([`super::read`]).

use crate::discover::{Listed, Listing};
use crossbeam_channel::{Receiver, Sender, TryRecvError};
use std::ops::Range;
use std::path::Path;

/// Files asked for past the end of the chunk being read, at most: about twice a learning chunk.
const AHEAD_FILES: usize = 2048;

/// Bytes asked for past the end of the chunk being read, at most (saved HTML pages are large).
const AHEAD_BYTES: u64 = 64 << 20;

/// The files of `listing` at `range` in chunks of `size` (the last one shorter), each with the place
/// of its first file in the listing (the learning pass's memos are kept by it), for `body` to hand to
/// [`crate::pipeline::driver::drive`]; as each chunk is taken, its files and those after it (within
/// `range`) are asked for ahead, on a thread of its own that ends with `body`.
pub fn chunks_read_ahead<'f, R>(
    listing: &'f Listing,
    range: Range<usize>,
    size: usize,
    body: impl FnOnce(Chunks<'f>) -> R,
) -> R {
    let (taken, to_ask) = crossbeam_channel::unbounded();
    let end = range.end.min(listing.len());
    std::thread::scope(|scope| {
        // Without the thread (it could not start), the files are read as they come.
        let _ = std::thread::Builder::new()
            .name("newsdb-ahead".into())
            .spawn_scoped(scope, || ask_ahead(listing, end, to_ask));
        body(Chunks {
            listing,
            end,
            size: size.max(1),
            next: range.start,
            taken,
        })
    })
}

/// The chunks of [`chunks_read_ahead`]; taking one asks for its files and those after it.
pub struct Chunks<'f> {
    listing: &'f Listing,
    /// Where the chunks end in the listing.
    end: usize,
    size: usize,
    /// The place in the listing of the next chunk's first file.
    next: usize,
    taken: Sender<Range<usize>>,
}

impl Iterator for Chunks<'_> {
    type Item = anyhow::Result<(usize, Vec<Listed>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let start = self.next;
        let end = (start + self.size).min(self.end);
        self.next = end;
        // Without the thread (it could not start), nobody listens: nothing is asked.
        let _ = self.taken.send(start..end);
        Some(self.listing.get(start..end).map(|chunk| (start, chunk)))
    }
}

/// Asks for the files of each chunk taken and those after it, up to [`AHEAD_FILES`] and
/// [`AHEAD_BYTES`] past its end (and not past `end`), each file once; ends as soon as the chunks
/// are dropped (the pass is over, or stopped on an error) or the listing cannot be read.
fn ask_ahead(listing: &Listing, end: usize, taken: Receiver<Range<usize>>) {
    let mut asked = 0;
    let mut next = taken.recv().ok();
    while let Some(mut chunk) = next.take() {
        // Only the latest chunk matters: the ones before it are being read already.
        while let Ok(later) = taken.try_recv() {
            chunk = later;
        }
        asked = asked.max(chunk.start);
        let mut bytes_past_end = 0;
        let until = end.min(chunk.end + AHEAD_FILES).max(asked);
        let Ok(files) = listing.get(asked..until) else {
            return;
        };
        for file in files {
            if asked >= chunk.end {
                bytes_past_end += file.stat.size;
                if bytes_past_end > AHEAD_BYTES {
                    break;
                }
            }
            ask_for(&file.path);
            asked += 1;
            match taken.try_recv() {
                // The reading moved on: ask from where it is now.
                Ok(later) => {
                    next = Some(later);
                    break;
                }
                Err(TryRecvError::Disconnected) => return,
                Err(TryRecvError::Empty) => {}
            }
        }
        if next.is_none() {
            next = taken.recv().ok();
        }
    }
}

/// Asks the kernel to start reading `path` into the page cache, and returns without waiting.
#[cfg(target_os = "linux")]
fn ask_for(path: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    // Non-blocking: a FIFO put in place of a listed file since the walk does not hold the thread.
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    else {
        return; // the workers' read says why
    };
    // SAFETY: the descriptor is open for the call; posix_fadvise reads and writes no memory of ours.
    unsafe {
        libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_WILLNEED);
    }
}

#[cfg(not(target_os = "linux"))]
fn ask_for(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Stat;
    use std::path::PathBuf;

    fn listing(n: usize) -> Listing {
        let files = (0..n)
            .map(|i| Listed {
                path: PathBuf::from(format!("/nonexistent/newsdb-ahead/{i}.txt")),
                stat: Stat::default(),
            })
            .collect();
        Listing::new(files, None)
    }

    #[test]
    fn chunks_know_where_they_start() {
        let files = listing(17);
        let chunks = |range, size| {
            chunks_read_ahead(&files, range, size, |chunks| {
                chunks
                    .map(|c| c.map(|(first, chunk)| (first, chunk.len())).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(chunks(10..17, 3), [(10, 3), (13, 3), (16, 1)]);
        assert_eq!(chunks(0..7, 0).len(), 7, "a size of 0 is 1");
        assert_eq!(chunks(0..100, 10), [(0, 10), (10, 7)], "within the listing");
        let none = chunks_read_ahead(&listing(0), 0..0, 3, |chunks| chunks.count());
        assert_eq!(none, 0);
    }

    #[test]
    fn chunks_hold_their_files() {
        let files = listing(5);
        let paths = chunks_read_ahead(&files, 1..4, 2, |chunks| {
            chunks
                .flat_map(|c| c.unwrap().1)
                .map(|f| f.path)
                .collect::<Vec<_>>()
        });
        let want: Vec<PathBuf> = (1..4)
            .map(|i| PathBuf::from(format!("/nonexistent/newsdb-ahead/{i}.txt")))
            .collect();
        assert_eq!(paths, want);
    }

    #[test]
    fn files_that_cannot_be_opened_are_left_to_the_read() {
        let files = listing(3000);
        let taken = chunks_read_ahead(&files, 0..3000, 1000, |chunks| chunks.count());
        assert_eq!(taken, 3);
    }
}

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

use crate::discover::Listed;
use crossbeam_channel::{Receiver, Sender, TryRecvError};
use std::ops::Range;
use std::path::Path;

/// Files asked for past the end of the chunk being read, at most: about twice a learning chunk.
const AHEAD_FILES: usize = 2048;

/// Bytes asked for past the end of the chunk being read, at most (saved HTML pages are large).
const AHEAD_BYTES: u64 = 64 << 20;

/// `files` in chunks of `size` (the last one shorter), each with the place of its first file counted
/// from `first` (the learning pass's memos are kept by it), for `body` to hand to
/// [`crate::pipeline::driver::drive`]; as each chunk is taken, its files and those after it are
/// asked for ahead, on a thread of its own that ends with `body`.
pub fn chunks_read_ahead<'f, R>(
    files: &'f [Listed],
    first: usize,
    size: usize,
    body: impl FnOnce(Chunks<'f>) -> R,
) -> R {
    let (taken, to_ask) = crossbeam_channel::unbounded();
    std::thread::scope(|scope| {
        // Without the thread (it could not start), the files are read as they come.
        let _ = std::thread::Builder::new()
            .name("newsdb-ahead".into())
            .spawn_scoped(scope, || ask_ahead(files, to_ask));
        body(Chunks {
            files,
            first,
            size: size.max(1),
            next: 0,
            taken,
        })
    })
}

/// The chunks of [`chunks_read_ahead`]; taking one asks for its files and those after it.
pub struct Chunks<'f> {
    files: &'f [Listed],
    first: usize,
    size: usize,
    /// The place in `files` of the next chunk's first file.
    next: usize,
    taken: Sender<Range<usize>>,
}

impl<'f> Iterator for Chunks<'f> {
    type Item = anyhow::Result<(usize, &'f [Listed])>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.files.len() {
            return None;
        }
        let start = self.next;
        let end = (start + self.size).min(self.files.len());
        self.next = end;
        // Without the thread (it could not start), nobody listens: nothing is asked.
        let _ = self.taken.send(start..end);
        Some(Ok((self.first + start, &self.files[start..end])))
    }
}

/// Asks for the files of each chunk taken and those after it, up to [`AHEAD_FILES`] and
/// [`AHEAD_BYTES`] past its end, each file once; ends as soon as the chunks are dropped (the pass
/// is over, or stopped on an error).
fn ask_ahead(files: &[Listed], taken: Receiver<Range<usize>>) {
    let mut asked = 0;
    let mut next = taken.recv().ok();
    while let Some(mut chunk) = next.take() {
        // Only the latest chunk matters: the ones before it are being read already.
        while let Ok(later) = taken.try_recv() {
            chunk = later;
        }
        asked = asked.max(chunk.start);
        let mut bytes_past_end = 0;
        while asked < files.len() && asked < chunk.end + AHEAD_FILES {
            if asked >= chunk.end {
                bytes_past_end += files[asked].stat.size;
                if bytes_past_end > AHEAD_BYTES {
                    break;
                }
            }
            ask_for(&files[asked].path);
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

    fn listed(n: usize) -> Vec<Listed> {
        (0..n)
            .map(|i| Listed {
                path: PathBuf::from(format!("/nonexistent/newsdb-ahead/{i}.txt")),
                stat: Stat::default(),
            })
            .collect()
    }

    #[test]
    fn chunks_know_where_they_start() {
        let files = listed(7);
        let chunks = |first, size| {
            chunks_read_ahead(&files, first, size, |chunks| {
                chunks
                    .map(|c| c.map(|(first, chunk)| (first, chunk.len())).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(chunks(10, 3), [(10, 3), (13, 3), (16, 1)]);
        assert_eq!(chunks(0, 0).len(), 7, "a size of 0 is 1");
        let none = chunks_read_ahead(&[], 0, 3, |chunks| chunks.count());
        assert_eq!(none, 0);
    }

    #[test]
    fn files_that_cannot_be_opened_are_left_to_the_read() {
        let files = listed(3000);
        let taken = chunks_read_ahead(&files, 0, 1000, |chunks| chunks.count());
        assert_eq!(taken, 3);
    }
}

//! The files a run is about to read, held for its two passes over them (learning, then storing)
//! in the run's scratch file ([`Scratch`]), not in memory.
//!
//! Held as found ([`Listed`]: a `PathBuf` and a stat), a file took about 120 bytes of memory for the
//! whole run: 100k files, 12 MB, the largest part of what a run's memory grew by with its files.
//! Keeping the paths in the scratch file and, per file, where its path ended and its stat (24
//! bytes) still grew the run's memory by 2.4 MB at 100k files. So each file's stat is written with
//! its path, and memory keeps only where every [`STRIDE`]-th file's entry starts: the passes take
//! the files a chunk at a time, in one read each, from the mark before the chunk's first file.

use super::Listed;
use crate::read::Stat;
use crate::scratch::Scratch;
use anyhow::{anyhow, Result};
use std::ffi::OsStr;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Files between two marks. A read starts at the mark before the files asked for and ends at the
/// mark after them: up to twice this many entries (about 8 KB) read for nothing, for chunks of a
/// hundred files or more.
const STRIDE: usize = 64;

/// Bytes before each path in the scratch file: its stat (size, mtime) and its length.
const HEAD: usize = 8 + 8 + 4;

/// Files listed for reading, in their order, in a scratch file (see `listing.rs`).
#[derive(Debug)]
pub struct Listing {
    /// Where the entries of files 0, [`STRIDE`], 2 × [`STRIDE`], ... start in `entries`.
    marks: Vec<u64>,
    len: usize,
    /// Per file, one after the other: its stat and its path's length ([`HEAD`] bytes), its path.
    entries: Scratch,
}

impl Listing {
    /// `files` in a scratch file in `folder` (the database's); in memory, end to end, where there
    /// is no folder or the file cannot be made or written (or there are none: an unchanged re-run
    /// makes no file).
    pub fn new(files: Vec<Listed>, folder: Option<&Path>) -> Listing {
        folder
            .filter(|_| !files.is_empty())
            .and_then(Scratch::new_in)
            .and_then(|entries| Listing::written(&files, entries))
            .unwrap_or_else(|| {
                Listing::written(&files, Scratch::in_memory()).expect("memory is always written")
            })
    }

    fn written(files: &[Listed], mut entries: Scratch) -> Option<Listing> {
        let mut marks = Vec::with_capacity(files.len().div_ceil(STRIDE));
        for (i, file) in files.iter().enumerate() {
            let path = file.path.as_os_str().as_bytes();
            let mut head = [0u8; HEAD];
            head[..8].copy_from_slice(&file.stat.size.to_le_bytes());
            head[8..16].copy_from_slice(&file.stat.mtime_ns.to_le_bytes());
            head[16..].copy_from_slice(&u32::try_from(path.len()).ok()?.to_le_bytes());
            let range = entries.append(&[&head, path])?;
            if i % STRIDE == 0 {
                marks.push(range.start);
            }
        }
        Some(Listing {
            marks,
            len: files.len(),
            entries,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The files at `range` (within `0..len()`), read back in one read; fails if the scratch file
    /// cannot be read, or does not hold what was written.
    pub fn get(&self, range: Range<usize>) -> Result<Vec<Listed>> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let unreadable = || {
            anyhow!(
                "reading back the paths of files {}-{} of the run's listing from its scratch file",
                range.start + 1,
                range.end
            )
        };
        let first_mark = range.start / STRIDE;
        let start = self.marks[first_mark];
        let end = match self.marks.get((range.end - 1) / STRIDE + 1) {
            Some(&mark) => mark,
            None => self.entries.len(),
        };
        let bytes = self.entries.read(start..end).ok_or_else(unreadable)?;
        let mut files = Vec::with_capacity(range.len());
        let mut at = 0;
        for i in first_mark * STRIDE..range.end {
            let head = bytes.get(at..at + HEAD).ok_or_else(unreadable)?;
            let number = |from: usize| -> [u8; 8] { head[from..from + 8].try_into().expect("8") };
            let length = u32::from_le_bytes(head[16..].try_into().expect("4")) as usize;
            let path = bytes
                .get(at + HEAD..at + HEAD + length)
                .ok_or_else(unreadable)?;
            at += HEAD + length;
            if i >= range.start {
                files.push(Listed {
                    path: PathBuf::from(OsStr::from_bytes(path)),
                    stat: Stat {
                        size: u64::from_le_bytes(number(0)),
                        mtime_ns: i64::from_le_bytes(number(8)),
                    },
                });
            }
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(n: usize) -> Vec<Listed> {
        (0..n)
            .map(|i| Listed {
                // Lengths differ (and one path is not UTF-8): each path must end where it ends.
                path: match i {
                    3 => PathBuf::from(OsStr::from_bytes(b"/corpus/caf\xe9.txt")),
                    _ => PathBuf::from(format!("/corpus/{}/{i}.txt", "d".repeat(i % 5))),
                },
                stat: Stat {
                    size: i as u64 * 10,
                    mtime_ns: -(i as i64),
                },
            })
            .collect()
    }

    #[test]
    fn files_are_read_back_as_listed_by_any_range() {
        let folder = tempfile::tempdir().unwrap();
        for listing in [
            Listing::new(listed(9), Some(folder.path())),
            Listing::new(listed(9), None),
        ] {
            assert_eq!(listing.len(), 9);
            assert_eq!(listing.get(0..9).unwrap(), listed(9));
            assert_eq!(listing.get(2..5).unwrap(), listed(9)[2..5]);
            assert_eq!(listing.get(8..9).unwrap(), listed(9)[8..]);
            assert_eq!(listing.get(4..4).unwrap(), []);
        }
        // Ranges across the marks, starting and ending on and beside them.
        let many = listed(3 * STRIDE + 5);
        let listing = Listing::new(many.clone(), Some(folder.path()));
        for start in [0, 1, STRIDE - 1, STRIDE, STRIDE + 1, 3 * STRIDE] {
            for end in [start + 1, STRIDE, 2 * STRIDE + 1, 3 * STRIDE, many.len()] {
                if end > start {
                    assert_eq!(listing.get(start..end).unwrap(), many[start..end]);
                }
            }
        }
        // The paths are in an unnamed file: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
        let empty = Listing::new(Vec::new(), Some(folder.path()));
        assert!(empty.is_empty());
        assert_eq!(empty.get(0..0).unwrap(), []);
    }

    #[test]
    fn many_files_are_read_back_past_the_scratch_buffer() {
        // 40,000 paths of about 40 bytes: more than the megabyte the scratch holds before writing.
        let files: Vec<Listed> = (0..40_000)
            .map(|i| Listed {
                path: PathBuf::from(format!("/corpus/site-{}/page-{i:08}.txt", i % 97)),
                stat: Stat::default(),
            })
            .collect();
        let folder = tempfile::tempdir().unwrap();
        let listing = Listing::new(files.clone(), Some(folder.path()));
        assert_eq!(listing.get(0..40_000).unwrap(), files);
        assert_eq!(listing.get(25_000..25_010).unwrap(), files[25_000..25_010]);
    }
}

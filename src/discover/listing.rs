//! The files a run is about to read, held for its two passes over them (learning, then storing)
//! with their paths in the run's scratch file ([`Scratch`]), not in memory.
//!
//! Held as found ([`Listed`]: a `PathBuf` and a stat), a file took about 120 bytes of memory for the
//! whole run: 100k files, 12 MB, the largest part of what a run's memory grew by with its files.
//! Here a file takes 24 bytes (where its path ends, its stat); the paths are read back a chunk at a
//! time, in one read each, as the passes take them.

use super::Listed;
use crate::read::Stat;
use crate::scratch::Scratch;
use anyhow::{anyhow, Result};
use std::ffi::OsStr;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Files listed for reading, in their order, their paths in a scratch file (see `listing.rs`).
#[derive(Debug)]
pub struct Listing {
    /// Per file: where its path ends in `paths` (each starts where the one before ends), its stat.
    ends: Vec<(u64, Stat)>,
    paths: Scratch,
}

impl Listing {
    /// `files` with their paths in a scratch file in `folder` (the database's); in memory, end to
    /// end, where there is no folder or the file cannot be made or written (or there are none: an
    /// unchanged re-run makes no file).
    pub fn new(files: Vec<Listed>, folder: Option<&Path>) -> Listing {
        folder
            .filter(|_| !files.is_empty())
            .and_then(Scratch::new_in)
            .and_then(|paths| Listing::written(&files, paths))
            .unwrap_or_else(|| {
                Listing::written(&files, Scratch::in_memory()).expect("memory is always written")
            })
    }

    fn written(files: &[Listed], mut paths: Scratch) -> Option<Listing> {
        let mut ends = Vec::with_capacity(files.len());
        for file in files {
            let range = paths.append(&[file.path.as_os_str().as_bytes()])?;
            ends.push((range.end, file.stat));
        }
        Some(Listing { ends, paths })
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The files at `range` (within `0..len()`), read back in one read; fails if the scratch file
    /// cannot be read.
    pub fn get(&self, range: Range<usize>) -> Result<Vec<Listed>> {
        let ends = &self.ends[range.clone()];
        let start = match range.start {
            0 => 0,
            i => self.ends[i - 1].0,
        };
        let end = ends.last().map_or(start, |e| e.0);
        let bytes = self.paths.read(start..end).ok_or_else(|| {
            anyhow!(
                "reading back the paths of files {}-{} of the run's listing from its scratch file",
                range.start + 1,
                range.end
            )
        })?;
        let mut from = start;
        Ok(ends
            .iter()
            .map(|&(to, stat)| {
                let path = &bytes[(from - start) as usize..(to - start) as usize];
                from = to;
                Listed {
                    path: PathBuf::from(OsStr::from_bytes(path)),
                    stat,
                }
            })
            .collect())
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

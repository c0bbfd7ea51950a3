//! A run's scratch file: what a run sets aside while it goes and reads back before it ends, kept on
//! disk instead of in memory, so that a run's memory does not grow with the number of files it reads.
//!
//! Records are appended end to end in an unnamed temporary file (gone with the run, or its process)
//! and read back by the byte range [`Scratch::append`] gave, in any order, also while more are
//! appended. Appends go through a buffer of a megabyte; reads take what is not written out yet
//! from the buffer, so a record can be read back as soon as it is appended.
//!
//! Without a file (a database in memory has no folder to put it in), everything stays in the buffer:
//! what the run sets aside is then held in memory, as it was before the file.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Bytes appended before they are written out to the file at once.
const BUFFER: usize = 1 << 20;

/// Records end to end in a temporary file ([module documentation](self)).
#[derive(Debug, Default)]
pub struct Scratch {
    /// `None`: everything is kept in `pending`.
    file: Option<File>,
    /// What is appended but not written out yet: the bytes from `written` on.
    pending: Vec<u8>,
    /// Bytes written out to the file.
    written: u64,
    /// Writing out failed: what was pending is lost, so nothing more is appended or read back.
    failed: bool,
}

impl Scratch {
    /// A scratch file in `folder` (the database's, so that it takes disk where the database does,
    /// not a `/tmp` that may be memory); `None` if it cannot be made there.
    pub fn new_in(folder: &Path) -> Option<Scratch> {
        Some(Scratch {
            file: Some(tempfile::tempfile_in(folder).ok()?),
            pending: Vec::with_capacity(BUFFER),
            ..Scratch::default()
        })
    }

    /// A scratch that keeps everything in memory.
    pub fn in_memory() -> Scratch {
        Scratch::default()
    }

    /// Bytes appended so far: where the next record starts.
    pub fn len(&self) -> u64 {
        self.written + self.pending.len() as u64
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `parts` end to end as one record and returns where it lies; `None` if the scratch
    /// failed (then nothing more is taken).
    pub fn append(&mut self, parts: &[&[u8]]) -> Option<Range<u64>> {
        if self.failed {
            return None;
        }
        let start = self.len();
        // What is pending is written out before the buffer would outgrow its megabyte (its vector
        // would double, and stay doubled).
        let length: usize = parts.iter().map(|part| part.len()).sum();
        if self.file.is_some() && self.pending.len() + length > BUFFER && !self.pending.is_empty() {
            self.write_out()?;
        }
        for part in parts {
            self.pending.extend_from_slice(part);
        }
        let range = start..self.len();
        if self.pending.len() >= BUFFER {
            self.write_out()?;
        }
        Some(range)
    }

    /// The bytes appended at `range` ([`Scratch::append`]); `None` if they cannot be read back.
    pub fn read(&self, range: Range<u64>) -> Option<Vec<u8>> {
        if self.failed || range.end > self.len() || range.start > range.end {
            return None;
        }
        let mut bytes = vec![0; usize::try_from(range.end - range.start).ok()?];
        // The part written out to the file, then the part still pending.
        let in_file =
            usize::try_from(range.end.min(self.written).saturating_sub(range.start)).ok()?;
        if in_file > 0 {
            let file = self.file.as_ref()?;
            file.read_exact_at(&mut bytes[..in_file], range.start)
                .ok()?;
        }
        if in_file < bytes.len() {
            let from = usize::try_from(range.start + in_file as u64 - self.written).ok()?;
            let rest = bytes.len() - in_file;
            bytes[in_file..].copy_from_slice(self.pending.get(from..from + rest)?);
        }
        Some(bytes)
    }

    /// Writes what is pending out to the file (with none, keeps it pending).
    fn write_out(&mut self) -> Option<()> {
        let Some(file) = &self.file else {
            return Some(());
        };
        // The file is written only here, at its end (reads do not move its position).
        if std::io::Write::write_all(&mut &*file, &self.pending).is_err() {
            self.failed = true;
            self.pending = Vec::new();
            return None;
        }
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records of every size, some longer than the buffer, read back in another order while more
    /// are appended, from a file and from memory alike.
    #[test]
    fn records_are_read_back_as_appended_wherever_they_lie() {
        let folder = tempfile::tempdir().unwrap();
        for mut scratch in [
            Scratch::new_in(folder.path()).unwrap(),
            Scratch::in_memory(),
        ] {
            let mut records = Vec::new();
            for i in 0..200usize {
                let record: Vec<u8> = (0..i * i * 37).map(|j| (i * 7 + j) as u8).collect();
                let (head, tail) = record.split_at(record.len() / 3);
                let range = scratch.append(&[head, tail]).unwrap();
                assert_eq!(scratch.read(range.clone()).unwrap(), record);
                records.push((range, record));
                if i % 10 == 9 {
                    let (range, record) = &records[i / 2];
                    assert_eq!(scratch.read(range.clone()).as_ref(), Some(record));
                }
            }
            assert!(scratch.len() > 3 * BUFFER as u64);
            if scratch.file.is_some() {
                // Records under a megabyte never make the buffer outgrow it.
                let mut small = Scratch::new_in(folder.path()).unwrap();
                for i in 0..5_000usize {
                    small.append(&[&vec![i as u8; 999 + i % 7]]).unwrap();
                }
                assert!(small.pending.capacity() <= BUFFER);
            }
            for (range, record) in records.iter().rev() {
                assert_eq!(scratch.read(range.clone()).as_ref(), Some(record));
            }
            assert_eq!(scratch.read(0..scratch.len() + 1), None);
        }
        // The file is unnamed: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
    }
}

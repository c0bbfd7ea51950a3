//! The learning pass: before a run stores anything, the files it is about to clean are read once to
//! find what they teach their sites ([`newsdb_core::clean::site`]), so every document is cleaned
//! with its site's lines as they will be at the run's end and stored once.
//!
//! Without it, a fresh folder of news sites was stored twice: the first run stored each page cleaned
//! without learned lines (none were learned yet), learned them as it went, and a follow-up run
//! cleaned most pages again, storing a second document for each and retiring the first. On the
//! 20k-file real-text bench corpus the follow-up took half of the ingest. This pass reads and cleans
//! the same files, but writes nothing: the writer, the pipeline's narrowest stage, sees each page once.
//!
//! What is learned is still counted by the writer from what it stores ([`crate::store::sites`]); this
//! pass only predicts it ([`crate::store::sites::predict`]). Where the prediction is wrong (files
//! gone or changed in the same run), the documents concerned are stale at the end, and the follow-up
//! run cleans them again as before.
//!
//! What this pass read of each page (its language, the lines the rules name; for a saved HTML page,
//! the article its extractor found) is kept, by the page's bytes, for the storing to prepare it with
//! ([`Memos`]): the costly part of preparing is then done once per page, not twice.

use super::driver::Sink;
use super::skip::SeenBytes;
use super::{interrupt, Event};
use crate::discover::Listed;
use crate::read::read;
use crate::store::known::KnownBytes;
use crate::store::sites::NewPages;
use anyhow::Result;
use newsdb_core::clean::Memo;
use newsdb_core::{Cleaner, PageReading, Recalled};
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// What the learning pass read of each page it cleaned ([`Recalled`]), for the storing to prepare
/// the same bytes with ([`newsdb_core::prepare_recalling`]). Both passes go through the files to
/// store in the same order, so the readings are kept in that order and taken in that order. The
/// cleaner's memos end to end in one buffer (a run holds one per page: at 100k pages, a map of
/// boxed memos took 18 MB of peak memory); the lines' features the memos carry ([`Memo::measures`],
/// about three bytes a line that is not blank: half a kilobyte for a page of the real-text bench
/// corpus) and what the extractor found in saved pages (several kilobytes a page) in a temporary
/// file ([`Spill`]).
#[derive(Default)]
pub struct Memos {
    /// Per page read: its place among the files to store, its bytes' key ([`SeenBytes::key`]),
    /// where its memo ends in `bytes` and where its record ends in the spill (each starts where the
    /// one before ends). The key as bytes: a `u128` would be aligned to 16 bytes, and the
    /// entry take 48.
    pages: Vec<(usize, [u8; 16], usize, u64)>,
    bytes: Vec<u8>,
    /// The first of `pages` not taken yet.
    next: usize,
    spill: Option<Spill>,
}

impl Memos {
    /// Memos that keep the pages' readings and the lines' features in a temporary file in `folder`
    /// (the database's, so they take disk where the database does, not a `/tmp` that may be
    /// memory). Without one, or where the file cannot be made, the storing parses those pages and
    /// measures the lines again.
    pub fn spilling_in(folder: Option<&Path>) -> Memos {
        Memos {
            spill: folder.and_then(Spill::new_in),
            ..Memos::default()
        }
    }

    fn add(&mut self, file: usize, key: u128, recalled: &Recalled) {
        debug_assert!(self.pages.last().is_none_or(|p| p.0 < file));
        if let Some(memo) = &recalled.memo {
            self.bytes.extend_from_slice(memo.as_bytes());
        }
        let measures = recalled.memo.as_ref().and_then(Memo::measures);
        let spilled = match &mut self.spill {
            Some(spill) => spill.write(recalled.page.as_ref(), measures),
            None => 0,
        };
        self.pages
            .push((file, key.to_le_bytes(), self.bytes.len(), spilled));
    }

    /// What was read of file `file` of the files to store, if the learning pass read it and its
    /// bytes still have `key`. Asked in file order: readings of files before it are passed over
    /// for good.
    pub fn take(&mut self, file: usize, key: u128) -> Recalled {
        while self.pages.get(self.next).is_some_and(|p| p.0 < file) {
            self.next += 1;
        }
        let Some(&(at, stored_key, end, spill_end)) = self.pages.get(self.next) else {
            return Recalled::default();
        };
        if at != file || stored_key != key.to_le_bytes() {
            return Recalled::default();
        }
        let (start, spill_start) = match self.next.checked_sub(1) {
            Some(i) => (self.pages[i].2, self.pages[i].3),
            None => (0, 0),
        };
        self.next += 1;
        let (page, measures) = self
            .spill
            .as_mut()
            .filter(|_| spill_end > spill_start)
            .and_then(|spill| spill.read(spill_start, spill_end))
            .unwrap_or_default();
        let memo = (end > start).then(|| {
            let memo = Memo::from_bytes(&self.bytes[start..end]);
            match measures {
                Some(measures) => memo.with_measures_bytes(&measures),
                None => memo,
            }
        });
        Recalled { memo, page }
    }
}

/// Bytes at which the spill stops taking pages' records (the pages after are parsed and measured
/// again by the storing): at 8 KB a saved page, half a million pages; at half a kilobyte a text
/// page, eight million.
const SPILL_LIMIT: u64 = 4 << 30;

/// The pages' records end to end in an unnamed temporary file: written by the learning pass, read
/// back in the same order by the storing, gone with the run (or its process). A record is the
/// length of the page's reading ([`PageReading::to_bytes`]; 4 bytes, little-endian, `u32::MAX` for
/// none), the reading, then the lines' features ([`Memo::measures`]) to the record's end. A write or
/// read that fails costs a page's parsing and measuring again, never the page.
struct Spill {
    file: BufWriter<File>,
    /// Bytes written: where the next reading starts.
    written: u64,
    /// Whatever was written is flushed to the file, and the file is read from now on.
    reading: bool,
    /// A write failed: no more are tried, and what was written may not all be there.
    failed: bool,
}

impl Spill {
    fn new_in(folder: &Path) -> Option<Spill> {
        let file = tempfile::tempfile_in(folder).ok()?;
        Some(Spill {
            file: BufWriter::with_capacity(1 << 20, file),
            written: 0,
            reading: false,
            failed: false,
        })
    }

    /// Appends a page's record: its reading, if it was a saved page, and its lines' features;
    /// returns where it ends (where it started if nothing was written).
    fn write(&mut self, page: Option<&PageReading>, measures: Option<&[u8]>) -> u64 {
        if self.reading || self.failed || self.written >= SPILL_LIMIT {
            return self.written;
        }
        let page = page.and_then(PageReading::to_bytes);
        if page.is_none() && measures.is_none() {
            return self.written;
        }
        let length = page.as_ref().map_or(Some(u32::MAX), |p| {
            u32::try_from(p.len()).ok().filter(|&n| n != u32::MAX)
        });
        let Some(length) = length else {
            return self.written;
        };
        let parts = [
            &length.to_le_bytes()[..],
            page.as_deref().unwrap_or_default(),
            measures.unwrap_or_default(),
        ];
        for part in parts {
            if self.file.write_all(part).is_err() {
                self.failed = true;
                return self.written;
            }
            self.written += part.len() as u64;
        }
        self.written
    }

    /// The record written between `start` and `end`: the page's reading and the lines' features,
    /// each if it holds one.
    fn read(&mut self, start: u64, end: u64) -> Option<(Option<PageReading>, Option<Vec<u8>>)> {
        if self.failed {
            return None;
        }
        if !self.reading {
            self.reading = true;
            if self.file.flush().is_err() {
                self.failed = true;
                return None;
            }
        }
        let mut bytes = vec![0; usize::try_from(end - start).ok()?];
        let mut file = self.file.get_ref();
        file.seek(SeekFrom::Start(start)).ok()?;
        file.read_exact(&mut bytes).ok()?;
        let (length, rest) = bytes.split_first_chunk::<4>()?;
        let (page, measures) = match u32::from_le_bytes(*length) {
            u32::MAX => (None, rest),
            n => {
                let (page, measures) = rest.split_at_checked(usize::try_from(n).ok()?)?;
                (PageReading::from_bytes(page), measures)
            }
        };
        Some((page, (!measures.is_empty()).then(|| measures.to_vec())))
    }
}

/// What one source taught: what was read of it, and what it teaches its site.
pub struct Lesson {
    /// Its place among the files to store, and its bytes' key ([`SeenBytes::key`]).
    file: usize,
    key: u128,
    recalled: Recalled,
    site: Option<PageLines>,
}

/// What one page adds to its site's counts: its domain, its page, its candidate lines' keys (the
/// part of a [`newsdb_core::SiteLesson`] the counting keeps; the lines' texts are not held).
struct PageLines {
    domain: String,
    page: i64,
    lines: Vec<i64>,
}

/// Reads and cleans one chunk of the files to be stored (its first file at `first` among them), in
/// parallel, without the learned lines (the candidates are taken from the page as cleaned without
/// them, whatever is learned). Files that cannot be read or cleaned, whose bytes are stored already
/// (`known_bytes`: their sources are recorded) or were met earlier in the pass (`seen`) teach
/// nothing here; what was read of each file whose lines were cleaned is kept for the storing. Each
/// page is cleaned only as far as its lesson needs ([`newsdb_core::lesson_recalling`]): the storing
/// keys and measures the documents.
pub fn learn_chunk(
    first: usize,
    chunk: &[Listed],
    cleaner: &Cleaner,
    known_bytes: &KnownBytes,
    seen: &mut HashSet<u128>,
) -> Vec<Option<Lesson>> {
    let read: Vec<_> = chunk
        .par_iter()
        .map(|c| read(&c.path, c.stat).ok())
        .collect();
    let read: Vec<_> = read
        .into_iter()
        .map(|file| {
            let file = file.filter(|f| !known_bytes.contains_key(&f.raw_hash))?;
            let key = SeenBytes::key(&file.raw_hash).filter(|&k| seen.insert(k))?;
            Some((key, file))
        })
        .collect();
    read.into_par_iter()
        .zip(chunk)
        .enumerate()
        .map(|(i, (file, listed))| {
            let (key, file) = file?;
            let mut recalled = Recalled::default();
            let lesson = newsdb_core::lesson_recalling(
                &file.bytes,
                newsdb_core::Named::of(&listed.path),
                cleaner,
                &mut recalled,
            );
            let site = lesson.ok().and_then(|lesson| {
                Some(PageLines {
                    domain: lesson.domain?,
                    page: lesson.site_page,
                    lines: lesson.site_candidates.iter().map(|c| c.hash).collect(),
                })
            });
            Some(Lesson {
                file: first + i,
                key,
                recalled,
                site,
            })
        })
        .collect()
}

/// Gathers the lessons into the run's [`NewPages`] and [`Memos`]; the caller hears how many files
/// were read.
pub struct LearnSink<'e> {
    pub pages: NewPages,
    pub memos: Memos,
    pub on_event: &'e mut dyn FnMut(Event),
}

impl Sink<Option<Lesson>> for LearnSink<'_> {
    fn put(&mut self, lessons: Vec<Option<Lesson>>) -> Result<()> {
        (self.on_event)(Event::Learned {
            files: lessons.len() as u64,
        });
        for lesson in lessons.into_iter().flatten() {
            if lesson.recalled.memo.is_some() || lesson.recalled.page.is_some() {
                self.memos.add(lesson.file, lesson.key, &lesson.recalled);
            }
            if let Some(site) = lesson.site {
                self.pages.add(&site.domain, site.page, site.lines);
            }
        }
        // Nothing is written yet: a signal here ends the run with nothing stored.
        interrupt::check()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memo(n: usize) -> Recalled {
        let lines = ["a line", "", "another line"].map(String::from);
        let mut memo = None;
        Cleaner::builtin().clean_recalling(
            newsdb_core::clean::Source::Dump,
            &lines[..n],
            1,
            None,
            &mut memo,
        );
        Recalled {
            memo: Some(memo.expect("a reading")),
            page: None,
        }
    }

    /// What the learning pass reads of a saved page whose article starts with `first`.
    fn page(first: &str) -> Recalled {
        let html = format!(
            "<html><body><nav>Home News</nav><article><h1>Council votes</h1><p>{first} The council \
             voted on Tuesday to close the old bridge to cars from next spring.</p><p>Cyclists and \
             people on foot may still cross it, the council said.</p></article></body></html>"
        );
        let mut recalled = Recalled::default();
        let named = newsdb_core::Named::Page;
        newsdb_core::lesson_recalling(html.as_bytes(), named, &Cleaner::builtin(), &mut recalled)
            .unwrap();
        assert!(recalled.memo.is_some() && recalled.page.is_some());
        recalled
    }

    /// `recalled` as memos without a file keep it: the lines' features left out.
    fn unmeasured(recalled: Recalled) -> Recalled {
        Recalled {
            memo: recalled.memo.map(|m| Memo::from_bytes(m.as_bytes())),
            ..recalled
        }
    }

    #[test]
    fn memos_are_taken_in_file_order_for_the_same_bytes_only() {
        // Without a file, the memos are kept, their lines' features are not.
        let mut memos = Memos::default();
        memos.add(1, 11, &memo(1));
        memos.add(4, 44, &memo(2));
        memos.add(7, 77, &memo(3));
        memos.add(9, 99, &memo(1));
        assert_eq!(memos.take(0, 11), Recalled::default());
        assert_eq!(memos.take(1, 11), unmeasured(memo(1)));
        // File 4 changed between the passes: other bytes, no memo.
        assert_eq!(memos.take(4, 45), Recalled::default());
        // File 7 was a copy (not asked): passed over.
        assert_eq!(memos.take(9, 99), unmeasured(memo(1)));
        assert_eq!(memos.take(7, 77), Recalled::default());
    }

    #[test]
    fn the_lines_features_are_kept_in_a_file_with_their_memos() {
        let folder = tempfile::tempdir().unwrap();
        let mut memos = Memos::spilling_in(Some(folder.path()));
        for (file, n) in [(1, 1), (2, 2), (3, 3), (4, 2)] {
            assert!(memo(n).memo.unwrap().measures().is_some());
            memos.add(file, file as u128, &memo(n));
        }
        assert_eq!(memos.take(1, 1), memo(1));
        // File 2 changed between the passes: no memo, and the next is read whole.
        assert_eq!(memos.take(2, 3), Recalled::default());
        assert_eq!(memos.take(3, 3), memo(3));
        assert_eq!(memos.take(4, 4), memo(2));
    }

    #[test]
    fn pages_readings_are_kept_in_a_file_and_taken_in_file_order() {
        let folder = tempfile::tempdir().unwrap();
        let (a, b) = (page("Early news."), page("Late news."));
        assert_ne!(a, b);
        let mut memos = Memos::spilling_in(Some(folder.path()));
        memos.add(1, 11, &a);
        memos.add(2, 22, &memo(2));
        memos.add(3, 33, &b);
        memos.add(5, 55, &a);
        memos.add(6, 66, &b);
        assert_eq!(memos.take(1, 11), a);
        assert_eq!(memos.take(2, 22), memo(2));
        // File 3 was a copy (not asked): passed over; file 5 changed between the passes.
        assert_eq!(memos.take(5, 56), Recalled::default());
        assert_eq!(memos.take(6, 66), b);
        // The file is unnamed: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);

        // Without a folder, the pages are parsed and measured again by the storing: only the
        // memos are kept.
        let mut memos = Memos::spilling_in(None);
        memos.add(1, 11, &a);
        let memo_only = Recalled {
            memo: a.memo.as_ref().map(|m| Memo::from_bytes(m.as_bytes())),
            page: None,
        };
        assert_eq!(memos.take(1, 11), memo_only);
    }
}

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
use crate::scratch::Scratch;
use crate::store::known::KnownBytes;
use crate::store::sites::NewPages;
use anyhow::Result;
use newsdb_core::clean::Memo;
use newsdb_core::{Cleaner, PageReading, Recalled};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;

/// What the learning pass read of each page it cleaned ([`Recalled`]), for the storing to prepare
/// the same bytes with ([`newsdb_core::prepare_recalling`]). Both passes go through the files to
/// store in the same order, so the readings are kept in that order and taken in that order: end to
/// end in a temporary file ([`Spill`]), the cleaner's memo (a few hundred bytes a page), the lines'
/// features it carries ([`Memo::measures`], about three bytes a line that is not blank) and what the
/// extractor found in saved pages (several kilobytes a page). In memory, a run holds 40 bytes a page
/// (the memos, a few hundred bytes a page, were held in memory before). Without the file, or once
/// it fails, the memos are kept in memory, end to end in one buffer, and the rest is read again.
#[derive(Default)]
pub struct Memos {
    /// Per page read: its place among the files to store, its bytes' key ([`SeenBytes::key`]),
    /// where its memo ends in `bytes` and where its record ends in the spill (each starts where the
    /// one before ends). The key as bytes: a `u128` would be aligned to 16 bytes, and the
    /// entry take 48.
    pages: Vec<(usize, [u8; 16], usize, u64)>,
    /// The memos the spill did not take.
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
        let spill_start = self.pages.last().map_or(0, |p| p.3);
        let spilled = match &mut self.spill {
            Some(spill) => spill.write(recalled),
            None => spill_start,
        };
        if spilled == spill_start {
            if let Some(memo) = &recalled.memo {
                self.bytes.extend_from_slice(memo.as_bytes());
            }
        }
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
        if spill_end > spill_start {
            return self
                .spill
                .as_ref()
                .and_then(|spill| spill.read(spill_start, spill_end))
                .unwrap_or_default();
        }
        let memo = (end > start).then(|| Memo::from_bytes(&self.bytes[start..end]));
        Recalled { memo, page: None }
    }
}

/// Bytes at which the spill stops taking pages' records (the pages after are parsed and measured
/// again by the storing): at 8 KB a saved page, half a million pages; at half a kilobyte a text
/// page, eight million.
const SPILL_LIMIT: u64 = 4 << 30;

/// The pages' records end to end in the run's [`Scratch`] file: written by the learning pass, read
/// back in the same order by the storing. A record is the length of the page's reading
/// ([`PageReading::to_bytes`]; 4 bytes, little-endian, `u32::MAX` for none), the reading, the
/// length of the memo ([`Memo::as_bytes`]; 4 bytes, 0 for none), the memo, then the lines' features
/// ([`Memo::measures`]) to the record's end. A write or read that fails costs a page's parsing and
/// measuring again, never the page.
struct Spill(Scratch);

impl Spill {
    fn new_in(folder: &Path) -> Option<Spill> {
        Scratch::new_in(folder).map(Spill)
    }

    /// Appends a page's record: its reading, if it was a saved page, its memo and its lines'
    /// features; returns where it ends (where it started if it was not written whole).
    fn write(&mut self, recalled: &Recalled) -> u64 {
        let start = self.0.len();
        if start >= SPILL_LIMIT {
            return start;
        }
        let page = recalled.page.as_ref().and_then(PageReading::to_bytes);
        let memo = recalled.memo.as_ref().map_or(&[][..], Memo::as_bytes);
        let measures = recalled.memo.as_ref().and_then(Memo::measures);
        if page.is_none() && memo.is_empty() && measures.is_none() {
            return start;
        }
        let page_length = page.as_ref().map_or(Some(u32::MAX), |p| {
            u32::try_from(p.len()).ok().filter(|&n| n != u32::MAX)
        });
        let (Some(page_length), Ok(memo_length)) = (page_length, u32::try_from(memo.len())) else {
            return start;
        };
        let parts = [
            &page_length.to_le_bytes()[..],
            page.as_deref().unwrap_or_default(),
            &memo_length.to_le_bytes()[..],
            memo,
            measures.unwrap_or_default(),
        ];
        self.0.append(&parts).map_or(start, |range| range.end)
    }

    /// The record written between `start` and `end`: the page's reading, the memo and the lines'
    /// features, each if it holds one.
    fn read(&self, start: u64, end: u64) -> Option<Recalled> {
        let bytes = self.0.read(start..end)?;
        let (page, rest) = Spill::part(&bytes, u32::MAX)?;
        let (memo, measures) = Spill::part(rest, 0)?;
        let memo = memo.map(|memo| {
            let memo = Memo::from_bytes(memo);
            match measures.is_empty() {
                true => memo,
                false => memo.with_measures_bytes(measures),
            }
        });
        Some(Recalled {
            memo,
            page: page.and_then(PageReading::from_bytes),
        })
    }

    /// The part at the start of `bytes` (its 4-byte length, then itself; `none` for no part) and
    /// the bytes after it.
    fn part(bytes: &[u8], none: u32) -> Option<(Option<&[u8]>, &[u8])> {
        let (length, rest) = bytes.split_first_chunk::<4>()?;
        match u32::from_le_bytes(*length) {
            n if n == none => Some((None, rest)),
            n => {
                let (part, rest) = rest.split_at_checked(usize::try_from(n).ok()?)?;
                Some((Some(part), rest))
            }
        }
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
        // The memos are in the file too: memory holds where each page's record ends.
        assert!(memos.bytes.is_empty());
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

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
/// end in the run's scratch file, each record headed by its file's place and bytes' key, and read
/// back through a window of [`WINDOW`] bytes. A record holds the cleaner's memo (a few hundred bytes
/// a page), the lines' features it carries ([`Memo::measures`], about three bytes a line that is not
/// blank) and what the extractor found in saved pages (several kilobytes a page). Memory holds none
/// of it: the records' places were 40 bytes a page in memory before (10.5 MB at 200k files, in a
/// vector that doubles), and the memos themselves a few hundred before that. A record that cannot be
/// written or read back costs its page's parsing and measuring again in the storing, never the page.
#[derive(Default)]
pub struct Memos {
    /// `None`: nothing is kept (no learning pass).
    spill: Option<Scratch>,
    /// Where the next record not taken starts.
    next: u64,
    /// Bytes of the spill read ahead, from `window_start`.
    window: Vec<u8>,
    window_start: u64,
}

/// Bytes read from the spill at once when taking records: a few hundred text pages' records.
const WINDOW: usize = 1 << 20;

/// Bytes of a record's head: its file's place (8, little-endian), its bytes' key (16), the length
/// of what follows (4).
const HEAD: usize = 28;

impl Memos {
    /// Memos that keep the pages' readings in a temporary file in `folder` (the database's, so they
    /// take disk where the database does, not a `/tmp` that may be memory); in memory without a
    /// folder. Where the file cannot be made, nothing is kept: the storing parses those pages and
    /// measures the lines again.
    pub fn spilling_in(folder: Option<&Path>) -> Memos {
        Memos {
            spill: match folder {
                Some(folder) => Scratch::new_in(folder),
                None => Some(Scratch::in_memory()),
            },
            ..Memos::default()
        }
    }

    fn add(&mut self, file: usize, key: u128, recalled: &Recalled) {
        let Some(spill) = &mut self.spill else {
            return;
        };
        if spill.len() >= SPILL_LIMIT {
            return;
        }
        let page = recalled.page.as_ref().and_then(PageReading::to_bytes);
        let memo = recalled.memo.as_ref().map_or(&[][..], Memo::as_bytes);
        let measures = recalled.memo.as_ref().and_then(Memo::measures);
        if page.is_none() && memo.is_empty() && measures.is_none() {
            return;
        }
        let page_length = page.as_ref().map_or(Some(u32::MAX), |p| {
            u32::try_from(p.len()).ok().filter(|&n| n != u32::MAX)
        });
        let (Some(page_length), Ok(memo_length)) = (page_length, u32::try_from(memo.len())) else {
            return;
        };
        let page = page.as_deref().unwrap_or_default();
        let measures = measures.unwrap_or_default();
        let Ok(length) = u32::try_from(8 + page.len() + memo.len() + measures.len()) else {
            return;
        };
        spill.append(&[
            &(file as u64).to_le_bytes()[..],
            &key.to_le_bytes(),
            &length.to_le_bytes(),
            &page_length.to_le_bytes(),
            page,
            &memo_length.to_le_bytes(),
            memo,
            measures,
        ]);
    }

    /// What was read of file `file` of the files to store, if the learning pass read it and its
    /// bytes still have `key`. Asked in file order: readings of files before it are passed over
    /// for good.
    pub fn take(&mut self, file: usize, key: u128) -> Recalled {
        let file = file as u64;
        loop {
            let Some(head) = self.bytes(self.next, HEAD) else {
                return Recalled::default();
            };
            let (at, rest) = head.split_first_chunk::<8>().expect("a head");
            let (stored_key, rest) = rest.split_first_chunk::<16>().expect("a head");
            let length = u32::from_le_bytes(*rest.first_chunk::<4>().expect("a head"));
            let (at, stored_key) = (u64::from_le_bytes(*at), u128::from_le_bytes(*stored_key));
            if at > file {
                return Recalled::default();
            }
            let start = self.next + HEAD as u64;
            self.next = start + u64::from(length);
            if at < file {
                continue;
            }
            if stored_key != key {
                return Recalled::default();
            }
            return self
                .bytes(start, length as usize)
                .and_then(read_record)
                .unwrap_or_default();
        }
    }

    /// The `length` bytes of the spill at `start`, from the window (read again from there when it
    /// does not hold them); `None` past the end or if they cannot be read.
    fn bytes(&mut self, start: u64, length: usize) -> Option<&[u8]> {
        let spill = self.spill.as_ref()?;
        let end = start.checked_add(length as u64)?;
        if end > spill.len() {
            return None;
        }
        let window_end = self.window_start + self.window.len() as u64;
        if start < self.window_start || end > window_end {
            let until = end.max(start + WINDOW as u64).min(spill.len());
            self.window = spill.read(start..until)?;
            self.window_start = start;
        }
        let from = (start - self.window_start) as usize;
        self.window.get(from..from + length)
    }
}

/// Bytes at which the spill stops taking pages' records (the pages after are parsed and measured
/// again by the storing): at 8 KB a saved page, half a million pages; at half a kilobyte a text
/// page, eight million.
const SPILL_LIMIT: u64 = 4 << 30;

/// A page's record after its head: the length of the page's reading ([`PageReading::to_bytes`]; 4
/// bytes, little-endian, `u32::MAX` for none), the reading, the length of the memo
/// ([`Memo::as_bytes`]; 4 bytes, 0 for none), the memo, then the lines' features
/// ([`Memo::measures`]) to the record's end; read back as the page's reading, the memo and the
/// lines' features, each if it holds one.
fn read_record(bytes: &[u8]) -> Option<Recalled> {
    let (page, rest) = part(bytes, u32::MAX)?;
    let (memo, measures) = part(rest, 0)?;
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

/// The part at the start of `bytes` (its 4-byte length, then itself; `none` for no part) and the
/// bytes after it.
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
/// (`known_bytes`: their sources are recorded) or were met earlier in the pass (`seen`; their keys
/// go to `repeated` too) teach nothing here; what was read of each file whose lines were cleaned
/// is kept for the storing. Each page is cleaned only as far as its lesson needs
/// ([`newsdb_core::lesson_recalling`]): the storing keys and measures the documents.
pub fn learn_chunk(
    first: usize,
    chunk: &[Listed],
    cleaner: &Cleaner,
    known_bytes: &KnownBytes,
    seen: &mut HashSet<u128>,
    repeated: &mut HashSet<u128>,
) -> Vec<Option<Lesson>> {
    let read: Vec<_> = chunk
        .par_iter()
        .map(|c| read(&c.path, c.stat).ok())
        .collect();
    let read: Vec<_> = read
        .into_iter()
        .map(|file| {
            let file = file.filter(|f| !known_bytes.contains_key(&f.raw_hash))?;
            let key = SeenBytes::key(&file.raw_hash)?;
            if !seen.insert(key) {
                repeated.insert(key);
                return None;
            }
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

    #[test]
    fn memos_are_taken_in_file_order_for_the_same_bytes_only() {
        let folder = tempfile::tempdir().unwrap();
        // In the file, or in memory without a folder: the same records.
        for mut memos in [
            Memos::spilling_in(Some(folder.path())),
            Memos::spilling_in(None),
        ] {
            memos.add(1, 11, &memo(1));
            memos.add(4, 44, &memo(2));
            memos.add(7, 77, &memo(3));
            memos.add(9, 99, &memo(1));
            memos.add(10, 100, &memo(2));
            assert_eq!(memos.take(0, 11), Recalled::default());
            assert_eq!(memos.take(1, 11), memo(1));
            // File 4 changed between the passes: other bytes, no memo.
            assert_eq!(memos.take(4, 45), Recalled::default());
            // File 7 was a copy (not asked): passed over, for good.
            assert_eq!(memos.take(9, 99), memo(1));
            assert_eq!(memos.take(7, 77), Recalled::default());
            assert_eq!(memos.take(10, 100), memo(2));
            assert_eq!(memos.take(11, 110), Recalled::default());
        }
        // Without a learning pass, nothing is kept.
        let mut none = Memos::default();
        none.add(1, 11, &memo(1));
        assert_eq!(none.take(1, 11), Recalled::default());
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
    fn records_are_taken_across_the_read_window() {
        // Saved pages' records, several kilobytes each: many windows' worth, taken with gaps.
        let folder = tempfile::tempdir().unwrap();
        let pages: Vec<Recalled> = (0..4)
            .map(|i| page(&format!("News {} again.", "x".repeat(i * 3000))))
            .collect();
        let mut memos = Memos::spilling_in(Some(folder.path()));
        for file in 0..2_000 {
            memos.add(file, file as u128 * 3, &pages[file % 4]);
        }
        assert!(memos.spill.as_ref().unwrap().len() > 4 * WINDOW as u64);
        for file in (0..2_000).filter(|f| f % 7 != 3) {
            let key = match file % 11 {
                5 => 1, // changed between the passes
                _ => file as u128 * 3,
            };
            let want = match file % 11 {
                5 => Recalled::default(),
                _ => pages[file % 4].clone(),
            };
            assert_eq!(memos.take(file, key), want, "file {file}");
        }
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

        // Without a folder, they are kept in memory.
        let mut memos = Memos::spilling_in(None);
        memos.add(1, 11, &a);
        assert_eq!(memos.take(1, 11), a);
    }
}

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
//! What this pass read of each page (its language, the lines the rules name) is kept, by the page's
//! bytes, for the storing to clean it with ([`Memos`]): the costly part of cleaning is then done
//! once per page, not twice.

use super::driver::Sink;
use super::skip::SeenBytes;
use super::{interrupt, Event};
use crate::discover::Listed;
use crate::read::read;
use crate::store::known::KnownBytes;
use crate::store::sites::NewPages;
use anyhow::Result;
use newsdb_core::clean::Memo;
use newsdb_core::Cleaner;
use rayon::prelude::*;
use std::collections::HashSet;

/// What the learning pass read of each page it cleaned ([`Memo`]), for the storing to clean the
/// same bytes with ([`newsdb_core::prepare_recalling`]). Both passes go through the files to store
/// in the same order, so the memos are kept in that order, end to end in one buffer (a run holds
/// one per page: at 100k pages, a map of boxed memos took 18 MB of peak memory), and taken in
/// that order.
#[derive(Default)]
pub struct Memos {
    /// Per page read: its place among the files to store, its bytes' key ([`SeenBytes::key`]), and
    /// where its memo ends in `bytes` (it starts where the one before ends). The key as bytes: a
    /// `u128` would be aligned to 16 bytes, and the entry take 48.
    pages: Vec<(usize, [u8; 16], usize)>,
    bytes: Vec<u8>,
    /// The first of `pages` not taken yet.
    next: usize,
}

impl Memos {
    fn add(&mut self, file: usize, key: u128, memo: &Memo) {
        debug_assert!(self.pages.last().is_none_or(|p| p.0 < file));
        self.bytes.extend_from_slice(memo.as_bytes());
        self.pages.push((file, key.to_le_bytes(), self.bytes.len()));
    }

    /// The memo of file `file` of the files to store, if the learning pass read it and its bytes
    /// still have `key`. Asked in file order: memos of files before it are passed over for good.
    pub fn take(&mut self, file: usize, key: u128) -> Option<Memo> {
        while self.pages.get(self.next).is_some_and(|p| p.0 < file) {
            self.next += 1;
        }
        let &(at, stored_key, end) = self.pages.get(self.next)?;
        if at != file || stored_key != key.to_le_bytes() {
            return None;
        }
        let start = self.next.checked_sub(1).map_or(0, |i| self.pages[i].2);
        self.next += 1;
        Some(Memo::from_bytes(&self.bytes[start..end]))
    }
}

/// What one source taught: what was read of it, and what it teaches its site.
pub struct Lesson {
    /// Its place among the files to store, and its bytes' key ([`SeenBytes::key`]).
    file: usize,
    key: u128,
    memo: Option<Memo>,
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
            let mut memo = None;
            let lesson = newsdb_core::lesson_recalling(
                &file.bytes,
                newsdb_core::Named::of(&listed.path),
                cleaner,
                &mut memo,
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
                memo,
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
            if let Some(memo) = &lesson.memo {
                self.memos.add(lesson.file, lesson.key, memo);
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

    fn memo(n: usize) -> Memo {
        let lines = ["a line", "", "another line"].map(String::from);
        let mut memo = None;
        Cleaner::builtin().clean_recalling(
            newsdb_core::clean::Source::Dump,
            &lines[..n],
            1,
            None,
            &mut memo,
        );
        memo.expect("a reading")
    }

    #[test]
    fn memos_are_taken_in_file_order_for_the_same_bytes_only() {
        let mut memos = Memos::default();
        memos.add(1, 11, &memo(1));
        memos.add(4, 44, &memo(2));
        memos.add(7, 77, &memo(3));
        memos.add(9, 99, &memo(1));
        assert_eq!(memos.take(0, 11), None);
        assert_eq!(memos.take(1, 11), Some(memo(1)));
        // File 4 changed between the passes: other bytes, no memo.
        assert_eq!(memos.take(4, 45), None);
        // File 7 was a copy (not asked): passed over.
        assert_eq!(memos.take(9, 99), Some(memo(1)));
        assert_eq!(memos.take(7, 77), None);
    }
}

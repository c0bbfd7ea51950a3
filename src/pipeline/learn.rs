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

use super::driver::Sink;
use super::skip::SeenBytes;
use super::{interrupt, Event};
use crate::discover::Listed;
use crate::read::read;
use crate::store::known::KnownBytes;
use crate::store::sites::NewPages;
use anyhow::Result;
use newsdb_core::Cleaner;
use rayon::prelude::*;
use std::collections::HashSet;

/// What one source teaches its site: its domain, its page, its candidate lines.
pub struct Lesson {
    domain: String,
    page: i64,
    lines: Vec<i64>,
}

/// Reads and cleans one chunk of the files to be stored, in parallel, without the learned lines
/// (the candidates are taken from the page as cleaned without them, whatever is learned). Files that
/// cannot be read or cleaned, whose bytes are stored already (`known_bytes`: their sources are
/// recorded) or were met earlier in the pass (`seen`) teach nothing here.
pub fn learn_chunk(
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
            file.filter(|f| {
                !known_bytes.contains_key(&f.raw_hash)
                    && SeenBytes::key(&f.raw_hash).is_some_and(|k| seen.insert(k))
            })
        })
        .collect();
    read.into_par_iter()
        .zip(chunk)
        .map(|(file, listed)| {
            let file = file?;
            let doc = newsdb_core::prepare_named(
                &file.bytes,
                newsdb_core::Named::of(&listed.path),
                cleaner,
                false,
            )
            .ok()?;
            Some(Lesson {
                domain: doc.domain?,
                page: doc.site_page,
                lines: doc.site_candidates.iter().map(|c| c.hash).collect(),
            })
        })
        .collect()
}

/// Gathers the lessons into the run's [`NewPages`]; the caller hears how many files were read.
pub struct LearnSink<'e> {
    pub pages: NewPages,
    pub on_event: &'e mut dyn FnMut(Event),
}

impl Sink<Option<Lesson>> for LearnSink<'_> {
    fn put(&mut self, lessons: Vec<Option<Lesson>>) -> Result<()> {
        (self.on_event)(Event::Learned {
            files: lessons.len() as u64,
        });
        for lesson in lessons.into_iter().flatten() {
            self.pages.add(&lesson.domain, lesson.page, lesson.lines);
        }
        // Nothing is written yet: a signal here ends the run with nothing stored.
        interrupt::check()?;
        Ok(())
    }
}

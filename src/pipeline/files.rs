//! The file source: listed files → chunks → (workers) read, hash, prepare → records.

use super::learn::Memos;
use super::skip::{copy_outcome, SeenBytes};
use super::Stages;
use crate::discover::Listed;
use crate::read::{read, FileBytes};
use crate::record::{Outcome, Record};
use crate::reject::Rejection;
use crate::store::known::KnownBytes;
use newsdb_core::Recalled;
use rayon::prelude::*;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// Chunks a batch of files is cut into for the storing (each mapped on the workers, then handed to
/// the writer, which writes a batch once it has its files; [`super::driver::drive_buffered`]). One
/// batch-sized chunk at a time, the workers and the writer took turns: at 100k real files the writer
/// slept a fifth of the storing, waiting for the next chunk, while the workers waited for it to take
/// the one they had mapped.
pub const STORING_CHUNKS_PER_BATCH: usize = 8;

/// What to do with one file of a chunk once it is read.
enum Plan {
    /// Run the per-file stages over what was read (or report why it could not be), with what the
    /// learning pass read of it, if it did.
    Process(Result<FileBytes, Rejection>, Recalled),
    /// Its bytes were met earlier in the run: this is their outcome.
    Decided(Outcome),
    /// A copy of the file at this index of the chunk, met earlier in path order.
    CopyOf(usize),
}

/// The per-file stages over one chunk, in parallel: read and hash every file, then decode and clean
/// each distinct content once. Bytes already stored (`known_bytes`: a rename, a restore, a copy) or
/// met earlier in the run (`seen`) are not decoded and cleaned again. A file the learning pass read
/// is cleaned with what it read there (taken out of `memos`; `first` is the chunk's first file's
/// place among the files to store).
pub fn process_chunk(
    first: usize,
    chunk: &[Listed],
    stages: Stages,
    known_bytes: &KnownBytes,
    seen: &mut SeenBytes,
    memos: &mut Memos,
) -> Vec<Record> {
    let read: Vec<Result<FileBytes, Rejection>> = chunk
        .par_iter()
        .map(|c| read(&c.path, c.stat).map_err(Rejection::from))
        .collect();
    let mut first_in_chunk: HashMap<String, usize> = HashMap::new();
    let plans: Vec<Plan> = read
        .into_iter()
        .enumerate()
        .map(|(i, read)| {
            let Ok(file) = &read else {
                return Plan::Process(read, Recalled::default());
            };
            if let Some(outcome) = seen.outcome(&file.raw_hash) {
                return Plan::Decided(outcome);
            }
            match first_in_chunk.entry(file.raw_hash.clone()) {
                Entry::Occupied(first) => Plan::CopyOf(*first.get()),
                Entry::Vacant(slot) => {
                    slot.insert(i);
                    let key = SeenBytes::key(&file.raw_hash);
                    let recalled = key.map(|k| memos.take(first + i, k));
                    Plan::Process(read, recalled.unwrap_or_default())
                }
            }
        })
        .collect();
    let copies: Vec<Option<usize>> = plans
        .iter()
        .map(|p| match p {
            Plan::CopyOf(first) => Some(*first),
            _ => None,
        })
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = plans
        .into_par_iter()
        .zip(chunk)
        .map(|(plan, listed)| match plan {
            Plan::Process(Err(rejection), _) => Some(Outcome::Rejected {
                raw_hash: None,
                rejection,
            }),
            Plan::Process(Ok(file), _) if known_bytes.contains_key(&file.raw_hash) => {
                Some(Outcome::KnownBytes {
                    document_id: known_bytes.get(&file.raw_hash).copied(),
                    raw_hash: file.raw_hash,
                })
            }
            Plan::Process(Ok(file), mut recalled) => Some(stages.outcome(
                file.raw_hash,
                newsdb_core::prepare_recalling(
                    &file.bytes,
                    newsdb_core::Named::of(&listed.path),
                    stages.cleaner,
                    stages.sign,
                    &mut recalled,
                ),
            )),
            Plan::Decided(outcome) => Some(outcome),
            Plan::CopyOf(_) => None,
        })
        .collect();
    // In path order: a copy takes the outcome of its first, which comes before it.
    for (i, copy_of) in copies.into_iter().enumerate() {
        match copy_of {
            Some(first) => {
                let first = outcomes[first].as_ref().expect("a first copy is decided");
                outcomes[i] = Some(copy_outcome(first));
            }
            None => seen.remember(outcomes[i].as_ref().expect("decided")),
        }
    }
    chunk
        .iter()
        .zip(outcomes)
        .map(|(c, outcome)| Record {
            path: c.path.clone(),
            line: None,
            stat: c.stat,
            outcome: outcome.expect("every outcome is decided"),
        })
        .collect()
}

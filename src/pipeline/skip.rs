//! What need not be read, or not cleaned again: files unchanged since the last run, and bytes met
//! before (stored by an earlier run, or earlier in this one).

use crate::discover::Listed;
use crate::record::Outcome;
use crate::reject::Rejection;
use crate::store::known::KnownFiles;
use crate::store::paths;
use std::collections::{HashMap, HashSet};

/// Whether a file can be skipped unread: same size and mtime as stored, and stored in a state that the
/// same bytes would reproduce with the current cleaner (its document is not `stale`; a content
/// rejection only when `rejections_current`).
pub fn is_unchanged(
    known: &KnownFiles,
    listed: &Listed,
    stale: &HashSet<i64>,
    rejections_current: bool,
) -> bool {
    known
        .get(paths::stored(&listed.path).as_ref())
        .is_some_and(|k| {
            k.stat == Some(listed.stat)
                && if k.status.is_live() {
                    k.document_id.is_some_and(|id| !stale.contains(&id))
                } else {
                    rejections_current
                        && k.status == crate::store::FileStatus::Error
                        && k.reason
                            .as_deref()
                            .is_some_and(Rejection::depends_only_on_content)
                }
        })
}

/// What became of the bytes met earlier in this run, by the first 128 bits of their SHA-256. A later
/// byte-identical copy (an article saved twice, a mirror folder) is not decoded and cleaned again: the
/// writer stores records in path order, so the first copy is stored before its copies, which then
/// link to its document (or get its rejection) as bytes known to the database do.
///
/// Remembering every file's bytes, a run's memory grew with its files (2.2 MB at 100k files, 0.6 at
/// 20k). A learning pass that read every file knows which bytes come more than once: then only
/// those are remembered ([`SeenBytes::only`]). Forgetting others costs nothing but time: a copy
/// not recognised here is read and cleaned again, and stored as the same document.
#[derive(Default)]
pub struct SeenBytes {
    stored: HashSet<u128>,
    rejected: HashMap<u128, Rejection>,
    /// The only keys worth remembering, when known.
    only: Option<HashSet<u128>>,
}

impl SeenBytes {
    /// Remembers only the bytes with these keys: the others are met once in the run.
    pub fn only(repeated: HashSet<u128>) -> SeenBytes {
        SeenBytes {
            only: Some(repeated),
            ..SeenBytes::default()
        }
    }

    /// The key of `raw_hash`, if its bytes are worth remembering.
    fn key_worth_keeping(&self, raw_hash: &str) -> Option<u128> {
        Self::key(raw_hash).filter(|k| self.only.as_ref().is_none_or(|only| only.contains(k)))
    }

    /// The key raw bytes are remembered by: the first 128 bits of their SHA-256.
    pub(super) fn key(raw_hash: &str) -> Option<u128> {
        u128::from_str_radix(raw_hash.get(..32)?, 16).ok()
    }

    /// The outcome of a copy of bytes seen earlier in the run.
    pub fn outcome(&self, raw_hash: &str) -> Option<Outcome> {
        let key = Self::key(raw_hash)?;
        if self.stored.contains(&key) {
            Some(Outcome::KnownBytes {
                raw_hash: raw_hash.to_owned(),
                document_id: None,
            })
        } else {
            self.rejected.get(&key).map(|r| Outcome::Rejected {
                raw_hash: Some(raw_hash.to_owned()),
                rejection: r.clone(),
            })
        }
    }

    pub fn remember(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::KnownBytes { raw_hash, .. } | Outcome::Prepared { raw_hash, .. } => {
                if let Some(key) = self.key_worth_keeping(raw_hash) {
                    self.stored.insert(key);
                }
            }
            Outcome::Rejected {
                raw_hash: Some(raw_hash),
                rejection,
            } => {
                if let Some(key) = self.key_worth_keeping(raw_hash) {
                    self.rejected.insert(key, rejection.clone());
                }
            }
            Outcome::Rejected { raw_hash: None, .. } => {}
        }
    }
}

/// The outcome of a byte-identical copy of a file whose outcome is `first`.
pub fn copy_outcome(first: &Outcome) -> Outcome {
    match first {
        Outcome::KnownBytes {
            raw_hash,
            document_id,
        } => Outcome::KnownBytes {
            raw_hash: raw_hash.clone(),
            document_id: *document_id,
        },
        Outcome::Prepared { raw_hash, .. } => Outcome::KnownBytes {
            raw_hash: raw_hash.clone(),
            document_id: None,
        },
        Outcome::Rejected {
            raw_hash,
            rejection,
        } => Outcome::Rejected {
            raw_hash: raw_hash.clone(),
            rejection: rejection.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(raw_hash: &str) -> Outcome {
        Outcome::KnownBytes {
            raw_hash: raw_hash.to_owned(),
            document_id: None,
        }
    }

    #[test]
    fn only_the_bytes_met_again_are_remembered_when_they_are_known() {
        let (once, twice) = ("1".repeat(64), "2".repeat(64));
        let mut all = SeenBytes::default();
        let mut repeated = SeenBytes::only(SeenBytes::key(&twice).into_iter().collect());
        for seen in [&mut all, &mut repeated] {
            seen.remember(&known(&once));
            seen.remember(&known(&twice));
            assert!(matches!(
                seen.outcome(&twice),
                Some(Outcome::KnownBytes { .. })
            ));
        }
        assert!(all.outcome(&once).is_some());
        assert!(repeated.outcome(&once).is_none(), "met once: not kept");
        assert_eq!((all.stored.len(), repeated.stored.len()), (2, 1));
    }
}

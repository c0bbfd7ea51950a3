//! The sources a run has seen, held compactly: a run over a million JSON Lines records must not keep
//! a million strings to remember them.
//!
//! The files a walk found are not kept here at all: the lifecycle keeps the known files the walk
//! did not find instead (`Lifecycle::set_walked`), by the same key. Whole-file paths are kept by a
//! 128-bit hash of the path (`path_key`, XXH3-128; as strings they took about 90 bytes a path
//! with the table's slack). Two paths share a hash with odds of about n² / 2¹²⁹, 10⁻²⁷ for a
//! million paths; if they did, a file gone would be kept live. JSON Lines records are
//! kept by what their path is made of ([`newsdb_core::jsonl::record_path`]): a record of a file,
//! `FILE#LINE`, as one bit per line of that file; a record of standard input, `-#` and 16 hex digits
//! of its hash, as that 64-bit number. By their sizes, a million standard-input records kept as
//! strings take about 80 MB (a 24-byte string and a 32-byte allocation each, in a table of two
//! million slots), as numbers about 19 MB. (At 100k records the peak RSS of an ingest did not show
//! the difference: 240 MB before, 245 after, one run each.)

use newsdb_core::jsonl::STDIN;

#[derive(Debug, Default)]
pub struct Seen {
    /// Sources whose paths are not a record's (see [`Seen::insert`]), by [`path_key`].
    paths: foldhash::HashSet<u128>,
    /// Per JSON Lines file (its stored path): a bit per line number seen.
    lines: foldhash::HashMap<String, Vec<u64>>,
    /// Standard-input records, by the hash digits of their path.
    stdin: foldhash::HashSet<u64>,
}

impl Seen {
    /// A source seen: `path` as stored, with its line for a JSON Lines record.
    pub fn insert(&mut self, path: &str, line: Option<u64>) {
        if line.is_some() {
            if let Some(key) = stdin_key(path) {
                self.stdin.insert(key);
                return;
            }
            if let Some((file, n)) = file_line(path).filter(|&(_, n)| Some(n) == line) {
                let bits = match self.lines.get_mut(file) {
                    Some(bits) => bits,
                    None => self.lines.entry(file.to_owned()).or_default(),
                };
                let word = (n / 64) as usize;
                if bits.len() <= word {
                    bits.resize(word + 1, 0);
                }
                bits[word] |= 1 << (n % 64);
                return;
            }
        }
        self.paths.insert(path_key(path));
    }

    /// Whether the whole file `path` was seen.
    pub fn has_file(&self, path: &str) -> bool {
        self.paths.contains(&path_key(path))
    }

    /// Whether the source stored as `path` (a whole file or a JSON Lines record) was seen. A file
    /// named like a record of a JSON Lines file read in the same run (`a.jsonl#3` beside `a.jsonl`)
    /// counts as seen when that record was: ask [`Seen::has_file`] about whole files.
    pub fn has(&self, path: &str) -> bool {
        if self.has_file(path) {
            return true;
        }
        if let Some(key) = stdin_key(path) {
            return self.stdin.contains(&key);
        }
        file_line(path).is_some_and(|(file, n)| {
            self.lines.get(file).is_some_and(|bits| {
                bits.get((n / 64) as usize)
                    .is_some_and(|w| w & (1 << (n % 64)) != 0)
            })
        })
    }
}

/// What a whole file's path is kept by.
pub(super) fn path_key(path: &str) -> u128 {
    twox_hash::XxHash3_128::oneshot(path.as_bytes())
}

/// The hash digits of a standard-input record's path (`-#` and 16 hex digits).
fn stdin_key(path: &str) -> Option<u64> {
    let digits = path.strip_prefix(STDIN)?.strip_prefix('#')?;
    (digits.len() == 16)
        .then(|| u64::from_str_radix(digits, 16).ok())
        .flatten()
}

/// The file and line of a record of a JSON Lines file (`FILE#LINE`).
fn file_line(path: &str) -> Option<(&str, u64)> {
    let (file, line) = path.rsplit_once('#')?;
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((file, line.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_files_are_told_apart_and_remembered() {
        let mut seen = Seen::default();
        seen.insert("/r/x.jsonl#1", Some(1));
        seen.insert("/r/x.jsonl#130", Some(130));
        seen.insert("-#00ff00ff00ff00ff", Some(7));
        seen.insert("/r/late.txt", None);

        for path in [
            "/r/x.jsonl#1",
            "/r/x.jsonl#130",
            "-#00ff00ff00ff00ff",
            "/r/late.txt",
        ] {
            assert!(seen.has(path), "{path}");
        }
        for path in [
            "/r/x.jsonl#2",
            "/r/x.jsonl#129",
            "/r/x.jsonl#100000",
            "/r/y.jsonl#1",
            "-#00ff00ff00ff00fe",
            "/r/c.txt",
        ] {
            assert!(!seen.has(path), "{path}");
        }
        assert!(seen.has_file("/r/late.txt") && !seen.has_file("/r/x.jsonl#1"));
        assert_eq!(seen.paths.len(), 1, "records are not kept as strings");
    }
}

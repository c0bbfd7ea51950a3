//! Site-level learning: a line that recurs verbatim in many documents of one domain is that site's
//! boilerplate, even when no built-in rule names it (a masthead, a slogan, a promotion for the site's
//! own podcast).
//!
//! The counts live in the database (`site_lines`, `sites`), so they grow across runs: the writer adds
//! each new document's candidate lines, and a line counted in [`MIN_DOCUMENTS`] documents or more is
//! learned. At the start of a run the learned lines are loaded into the cleaner
//! ([`super::Cleaner::with_sites`]); a domain whose learned set changed gets a new version, and its
//! documents cleaned with another version are cleaned again.
//!
//! A learned line is treated like a rule that fires at the edges only ([`super::Scope::Edge`]), with
//! one more guard: inside the article it is removed only when it is not a paragraph of prose. So an
//! article the site published in several edited versions (whose paragraphs recur) loses nothing, and
//! if learned lines would take more than half of a document's words, they are not applied to it.

use crate::normalize::canonical;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Name recorded for a line removed because its site repeats it.
pub const SITE_LINE_RULE: &str = "site-line";
/// Documents of a domain that must carry a line before it is learned.
pub const MIN_DOCUMENTS: i64 = 5;
/// Longer lines are not counted: boilerplate is short, and article paragraphs would fill the table.
pub const MAX_LINE_BYTES: usize = 400;
/// Besides every line that is not a paragraph of prose, this many lines at the head and the tail of
/// each document's kept text are counted: where a site's own boilerplate sits.
pub const EDGE_LINES: (usize, usize) = (2, 3);

/// The lines learned for one domain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// Identifies the learned set; stored in `sites.version` and `documents.site_version`.
    pub version: String,
    lines: HashSet<i64>,
}

impl Site {
    pub fn new(lines: HashSet<i64>) -> Site {
        Site {
            version: Site::version_of(&lines),
            lines,
        }
    }

    /// The version of a site with the learned lines `lines`: the first 6 bytes of the SHA-256 of
    /// their hashes in ascending order, each 8 bytes little-endian, in hex. The writer computes it
    /// each time a site's learned set changes, without making the site.
    pub fn version_of(lines: &HashSet<i64>) -> String {
        let mut sorted: Vec<i64> = lines.iter().copied().collect();
        sorted.sort_unstable();
        let bytes: Vec<u8> = sorted.iter().flat_map(|h| h.to_le_bytes()).collect();
        hex::encode(&Sha256::digest(&bytes)[..6])
    }

    pub fn contains(&self, line: &str) -> bool {
        self.lines.contains(&line_hash(line))
    }

    /// The hashes ([`line_hash`]) of the learned lines.
    pub fn lines(&self) -> &HashSet<i64> {
        &self.lines
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// The learned lines of every domain, as loaded at the start of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteLines {
    sites: HashMap<String, Site>,
}

impl SiteLines {
    pub fn new(sites: HashMap<String, Site>) -> SiteLines {
        SiteLines { sites }
    }

    pub fn get(&self, domain: &str) -> Option<&Site> {
        self.sites.get(domain)
    }
}

/// The key of a line in `site_lines`: the first 8 bytes of the SHA-256 of its canonical form, lower-
/// cased, as a signed integer (SQLite's). A fixed function, so stored keys stay valid across versions.
pub fn line_hash(line: &str) -> i64 {
    let digest = if line.is_ascii() {
        ascii_key_digest(line)
    } else {
        Sha256::digest(canonical(line).to_lowercase().as_bytes())
    };
    i64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The digest [`line_hash`] takes of an ASCII line's canonical form, lower-cased, in one pass and
/// without building the form: the cleaner hashes every line of a page whose site learned lines,
/// where the two strings cost more than the hash. The same folds as [`canonical`] on ASCII (runs
/// of whitespace are one space, none at the ends; a backtick is a quote), then ASCII lower case.
fn ascii_key_digest(line: &str) -> sha2::digest::Output<Sha256> {
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 256];
    let (mut len, mut started, mut space) = (0, false, false);
    for &b in line.as_bytes() {
        if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            space = started;
            continue;
        }
        // Room for a space and this byte.
        if len + 2 > buf.len() {
            hasher.update(&buf[..len]);
            len = 0;
        }
        if space {
            buf[len] = b' ';
            len += 1;
            space = false;
        }
        buf[len] = if b == b'`' {
            b'\''
        } else {
            b.to_ascii_lowercase()
        };
        len += 1;
        started = true;
    }
    hasher.update(&buf[..len]);
    hasher.finalize()
}

/// A line of a document that counts towards its site's learning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub hash: i64,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`line_hash`] computed before its ASCII path, for every line.
    fn reference_hash(line: &str) -> i64 {
        let digest = Sha256::digest(canonical(line).to_lowercase().as_bytes());
        i64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    }

    #[test]
    fn the_ascii_path_hashes_as_the_canonical_form_does() {
        let long = "Word `quoted`   and\tTABS ".repeat(40);
        let mut lines = vec![
            "",
            " ",
            "\t\r\n",
            "A",
            "The Valley Times, since 1921.",
            "  the  valley   TIMES, since 1921.  ",
            "it`s a `backtick`",
            "Share\x0bon\x0cFacebook",
            "a\u{0}b",
            "UPPER lower 123 !?#",
            "\u{7f}\u{1}control\u{1c}\u{1f}",
            long.as_str(),
        ];
        // Every length around the buffer's size, ending in a space or not.
        let edges: Vec<String> = (250..=262)
            .flat_map(|n| ["x".repeat(n), format!("{} y", "X".repeat(n))])
            .collect();
        lines.extend(edges.iter().map(String::as_str));
        for line in lines {
            assert!(line.is_ascii());
            assert_eq!(line_hash(line), reference_hash(line), "{line:?}");
        }
        // Not ASCII: the general path, unchanged.
        for line in [
            "Ärger im Büro",
            "\u{201C}Quoted\u{201D}",
            "ﬁne \u{00A0} day",
        ] {
            assert_eq!(line_hash(line), reference_hash(line), "{line:?}");
        }
    }

    #[test]
    fn lines_match_across_case_and_spacing() {
        let site = Site::new([line_hash("The Valley Times, since 1921.")].into());
        assert!(site.contains("the  valley times, since 1921."));
        assert!(!site.contains("The Valley Times, since 1922."));
        assert_eq!(site.version.len(), 12);
        assert_ne!(site.version, Site::new(HashSet::new()).version);
    }
}

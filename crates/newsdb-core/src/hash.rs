//! Hashes as every hash column stores them: lower-case hex SHA-256.
//!
//! Two keys come from here: the raw hash of a source's bytes (identical files) and the content hash
//! of a cleaned body's canonical form (identical articles, whatever their whitespace, Unicode form or
//! boilerplate).

use crate::normalize;
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The dedup key of a cleaned body.
pub fn content_hash(body: &str) -> String {
    content_hash_of_canonical(&normalize::canonical(body))
}

/// The dedup key of a body already in canonical form (the per-document stage computes it once, for
/// this key and for the near-duplicate signature).
pub fn content_hash_of_canonical(canonical: &str) -> String {
    sha256_hex(canonical.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lower_case_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bodies_differing_only_in_whitespace_share_a_content_hash() {
        assert_eq!(
            content_hash("One  line.\n\nTwo."),
            content_hash("One line.\nTwo.")
        );
        assert_ne!(content_hash("One line."), content_hash("Another line."));
    }
}

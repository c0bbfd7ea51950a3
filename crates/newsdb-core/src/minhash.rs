//! Near-duplicate signing, the pure part: word shingles of a document's canonical body, their MinHash
//! signature, the locality-sensitive-hashing (LSH) band keys stored in SQLite, and exact Jaccard
//! similarity for verifying candidates.
//!
//! The signature is a one-permutation MinHash (Li, Owen and Zhang 2012, with the rotation
//! densification of Shrivastava and Li 2014): each shingle is hashed once, the top bits of its hash
//! pick one of `PERMUTATIONS` bins, and each bin keeps its least hash; a bin no shingle fell into
//! borrows from the next filled one. That is one hash per shingle instead of one per shingle and
//! permutation (64 times less work), and two documents whose shingle sets have Jaccard similarity `s`
//! still agree on one bin with probability about `s`, so on all `ROWS` values of one band with
//! probability `s^ROWS`, and share at least one of `BANDS` band keys (become candidates) with
//! probability `1 - (1 - s^ROWS)^BANDS`. With 16 bands of 4 rows that is 0.9998 at s = 0.8, 0.988 at
//! 0.7, 0.87 at 0.6, 0.64 at 0.5, and under 0.13 at 0.3, where unrelated articles on one topic sit far
//! below (their 5-word shingles rarely meet: at most 0.026 in the generated corpus of
//! `tests/cli/near_dups.rs`, which measures precision and recall). Candidates are then verified with
//! the exact Jaccard similarity of their shingle sets, so a pair is never reported on an estimate.
//!
//! Everything here is a fixed function of the text: the hashes are written out below (no random seeds,
//! no hasher that may change between library versions), because band keys are stored in the database
//! and must match those computed by later runs and later versions. Changing any constant here means
//! a migration that drops the stored buckets.

use crate::normalize;

/// Words per shingle: the usual choice for news text. Unrelated texts on one subject (same names,
/// same phrases) share almost no 5-word shingles (at most 0.026 in the near-duplicate test), while a
/// reworded sentence costs only the shingles that cross it. Other widths were not measured.
pub const SHINGLE_WORDS: usize = 5;
/// LSH bands: band keys stored per document.
pub const BANDS: usize = 16;
/// MinHash values per band.
pub const ROWS: usize = 4;
/// MinHash values per signature.
pub const PERMUTATIONS: usize = BANDS * ROWS;

/// The band keys of one document: its LSH buckets, as stored in `minhash_buckets.band_key`.
pub type BandKeys = [i64; BANDS];

/// The finalizer of splitmix64: a fixed, well-mixing bijection on 64-bit values.
const fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Bits of a shingle hash that pick its bin.
const BIN_BITS: u32 = PERMUTATIONS.trailing_zeros();
const _: () = assert!(PERMUTATIONS.is_power_of_two());

/// Hashes of the words of a canonical body, lower-cased: runs of letters and digits, and single
/// characters of unspaced scripts. Punctuation separates words and is otherwise ignored, so "U.S." and
/// "U.S" are the same two words.
fn word_hashes(canonical: &str) -> Vec<u64> {
    const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;
    let mut words = Vec::with_capacity(canonical.len() / 5);
    let mut h = FNV_OFFSET;
    let mut in_word = false;
    let bytes = canonical.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII, most of most texts, without decoding characters; the same hashes as the slow path.
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            if b.is_ascii_alphanumeric() {
                if !in_word {
                    h = FNV_OFFSET;
                    in_word = true;
                }
                h = (h ^ b.to_ascii_lowercase() as u64).wrapping_mul(FNV_PRIME);
            } else if in_word {
                words.push(mix(h));
                in_word = false;
            }
            continue;
        }
        let c = canonical[i..]
            .chars()
            .next()
            .expect("a character starts here");
        i += c.len_utf8();
        if normalize::is_unspaced_script(c) {
            if in_word {
                words.push(mix(h));
                in_word = false;
            }
            words.push(mix((FNV_OFFSET ^ c as u64).wrapping_mul(FNV_PRIME)));
        } else if c.is_alphanumeric() {
            if !in_word {
                h = FNV_OFFSET;
                in_word = true;
            }
            for lower in c.to_lowercase() {
                h = (h ^ lower as u64).wrapping_mul(FNV_PRIME);
            }
        } else if in_word {
            words.push(mix(h));
            in_word = false;
        }
    }
    if in_word {
        words.push(mix(h));
    }
    words
}

/// Hashes of the `SHINGLE_WORDS`-word shingles of a canonical body, in text order, repeats included.
/// A body shorter than one shingle is one shingle of all its words; a body without words has none.
fn shingle_hashes(canonical: &str) -> Vec<u64> {
    let words = word_hashes(canonical);
    let width = SHINGLE_WORDS.min(words.len());
    if width == 0 {
        return Vec::new();
    }
    // Word hashes are already mixed: rotating each by its place keeps the order, one mix seals it.
    words
        .windows(width)
        .map(|w| {
            let folded = w.iter().enumerate().fold(width as u64, |acc, (i, &h)| {
                acc ^ h.rotate_left(11 * i as u32)
            });
            mix(folded)
        })
        .collect()
}

/// The set of shingles of a cleaned body (as hashes, sorted, without repeats), for [`jaccard`].
pub fn shingles(body: &str) -> Vec<u64> {
    let mut set = shingle_hashes(&normalize::canonical(body));
    set.sort_unstable();
    set.dedup();
    set
}

/// The one-permutation MinHash signature of shingle hashes (see the module documentation); `None`
/// when there are none (nothing to compare).
pub fn signature(shingles: &[u64]) -> Option<[u64; PERMUTATIONS]> {
    if shingles.is_empty() {
        return None;
    }
    let mut bins = [u64::MAX; PERMUTATIONS];
    for &s in shingles {
        let bin = (s >> (64 - BIN_BITS)) as usize;
        bins[bin] = bins[bin].min(s);
    }
    // Densify: an empty bin takes the value of the next filled one to its right (circularly), mixed
    // with the distance, so it agrees between two documents exactly when that bin does.
    let mut sig = bins;
    for (i, slot) in sig.iter_mut().enumerate() {
        if bins[i] == u64::MAX {
            let (distance, value) = (1..PERMUTATIONS)
                .map(|d| (d, bins[(i + d) % PERMUTATIONS]))
                .find(|&(_, v)| v != u64::MAX)
                .expect("at least one bin is filled");
            *slot = mix(value ^ distance as u64);
        }
    }
    Some(sig)
}

/// The LSH band keys of a signature: one hash per band of `ROWS` values, salted with the band's number
/// so equal values in different bands never meet.
pub fn band_keys(sig: &[u64; PERMUTATIONS]) -> BandKeys {
    let mut keys = [0; BANDS];
    for (band, key) in keys.iter_mut().enumerate() {
        let rows = &sig[band * ROWS..(band + 1) * ROWS];
        let h = rows
            .iter()
            .fold(mix(band as u64 + 1), |acc, &v| mix(acc ^ v));
        *key = h as i64;
    }
    keys
}

/// Band keys of a cleaned body in canonical form (`normalize::canonical`, which ingest computes once
/// for the content hash and the signature); `None` when it has no words.
pub fn sign_canonical(canonical: &str) -> Option<BandKeys> {
    signature(&shingle_hashes(canonical)).map(|sig| band_keys(&sig))
}

/// Band keys of a cleaned body; `None` when it has no words.
pub fn sign(body: &str) -> Option<BandKeys> {
    sign_canonical(&normalize::canonical(body))
}

/// The exact Jaccard similarity of two shingle sets (sorted, without repeats): shared shingles over
/// all distinct shingles. Two empty sets are 0: nothing says they are the same text.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    }
}

/// The probability that two documents with shingle similarity `s` share a band key, and so are
/// compared at all: the LSH curve of the constants above.
pub fn candidate_probability(s: f64) -> f64 {
    1.0 - (1.0 - s.powi(ROWS as i32)).powi(BANDS as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "The central bank raised its key interest rate by half a point on Tuesday, \
        the third increase this year, saying inflation had proved more stubborn than expected. \
        Markets had priced in a smaller move, and the currency rose sharply after the announcement. \
        The governor told reporters that further increases could not be ruled out.";

    #[test]
    fn identical_and_reformatted_texts_have_equal_keys() {
        let reformatted = TEXT.replace(". ", ".\n\n").replace("Tuesday", "TUESDAY");
        assert_eq!(sign(TEXT), sign(&reformatted));
        assert_eq!(jaccard(&shingles(TEXT), &shingles(&reformatted)), 1.0);
    }

    #[test]
    fn an_edited_copy_is_similar_and_an_unrelated_text_is_not() {
        let edited = TEXT.replace(
            "The governor told reporters that further increases could not be ruled out.",
            "",
        );
        let s = jaccard(&shingles(TEXT), &shingles(&edited));
        assert!((0.6..1.0).contains(&s), "{s}");
        let other = "Heavy rain flooded parts of the capital overnight, closing schools and \
            roads, and forecasters warned that more storms would follow later in the week.";
        assert!(jaccard(&shingles(TEXT), &shingles(other)) < 0.05);
    }

    #[test]
    fn unspaced_scripts_get_shingles() {
        let zh = "中国人民银行周二宣布下调存款准备金率，以支持经济增长。";
        assert!(shingles(zh).len() > 10);
        assert!(shingles("... — !!!").is_empty());
        assert_eq!(sign("... — !!!"), None);
        assert_eq!(shingles("Two words").len(), 1);
    }

    #[test]
    fn keys_are_fixed_across_versions() {
        // Band keys are stored: if this changes, stored buckets no longer match (needs a migration).
        let keys = sign("Alpha beta gamma delta epsilon zeta.").unwrap();
        assert_eq!(keys.len(), BANDS);
        assert_eq!(
            keys[0],
            sign("alpha, beta. gamma delta epsilon zeta").unwrap()[0]
        );
        assert_eq!(keys[0], KEY0_OF_ALPHA);
    }
    const KEY0_OF_ALPHA: i64 = -285_742_292_805_072_763;

    #[test]
    fn the_lsh_curve_separates_near_from_far() {
        assert!(candidate_probability(0.8) > 0.999);
        assert!(candidate_probability(0.7) > 0.98);
        assert!(candidate_probability(0.2) < 0.03);
    }
}

#![allow(dead_code)] // each example uses part of it
//! The vocabulary shared by `gen_corpus` and `search_latency`: 20,000 pseudo-words drawn with Zipf's
//! law (word of rank r has weight 1/r), as words are in real text, so a query word is as rare or as
//! common as a real one of the same rank. Deterministic.

/// Words in the vocabulary.
pub const VOCABULARY: usize = 20_000;

/// xorshift64*: tiny and the same on every platform and version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The vocabulary, most frequent first: pronounceable words of 2–4 syllables.
pub fn words() -> Vec<String> {
    const ONSETS: &[&str] = &[
        "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
        "br", "cr", "dr", "fr", "gr", "pr", "tr", "st", "sl", "pl", "bl", "cl", "sh", "ch", "th",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"];
    let mut rng = Rng::new(7);
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(VOCABULARY);
    while words.len() < VOCABULARY {
        let syllables = 2 + rng.below(3);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(VOWELS[rng.below(VOWELS.len())]);
        }
        if rng.below(2) == 0 {
            w.push_str(["n", "s", "r", "t", "l"][rng.below(5)]);
        }
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

/// Draws word ranks (0-based) with probability proportional to 1/(rank+1).
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize) -> Zipf {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|r| {
                total += 1.0 / r as f64;
                total
            })
            .collect();
        Zipf { cumulative }
    }
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap();
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        self.cumulative.partition_point(|c| *c < x)
    }
}

//! newsdb: folders of scraped news-article text files → one deduplicated, full-text-searchable SQLite
//! database.
//!
//! The pipeline, one module per stage:
//! `discover → read (+ raw SHA-256) → decode → normalize → header → clean → content hash → store`.
//! [`pipeline::ingest`] runs it; [`prepare::prepare`] is the per-file part on its own (what
//! `newsdb clean` shows); [`search::search`] queries the result. Library code never prints: it returns
//! values and reports per-file problems through [`pipeline::Event`].

pub mod clean;
pub mod config;
pub mod decode;
pub mod discover;
pub mod header;
pub mod jsonl;
pub mod minhash;
pub mod normalize;
pub mod pipeline;
pub mod prepare;
pub mod quality;
pub mod read;
pub mod record;
pub mod reject;
pub mod search;
pub mod store;
pub mod tuning;

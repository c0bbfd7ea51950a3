//! newsdb: folders of scraped news articles → one deduplicated, full-text-searchable SQLite database.
//!
//! The per-document stage (`decode → normalize → header → clean → content hash`) is the pure crate
//! [`newsdb_core`]; this crate holds what surrounds it, one module per stage of the run:
//! [`discover`] (walk the roots) → [`read`] (bytes + raw SHA-256) → [`pipeline`] (workers run the
//! per-document stage, a sink takes the records) → [`store`] (the single writer, the schema, the
//! queries). [`search`] queries the result. Library code never prints: it returns values and reports
//! per-file problems through [`pipeline::Event`].

pub mod config;
pub mod discover;
pub mod filter;
pub mod pipeline;
pub mod read;
pub mod record;
pub mod reject;
pub mod release;
pub mod scratch;
pub mod search;
pub mod store;
pub mod tuning;
pub mod usage;

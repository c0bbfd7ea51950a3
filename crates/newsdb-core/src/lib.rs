//! newsdb-core: the per-document stage of newsdb, pure and on its own.
//!
//! Bytes of one scraped article in, a cleaned, keyed [`Prepared`] record out:
//! `decode → (HTML: extract) → normalize → header → clean → content hash (+ near-duplicate keys,
//! quality signals)`.
//! Nothing here touches a database, walks folders, starts threads or prints; the only I/O is reading a
//! rules file when asked to ([`Cleaner::with_rules_file`]). The `newsdb` command-line tool runs this
//! stage on worker threads and stores what it returns; anything else (a streaming filter, a Spark or
//! Ray job through bindings) can run it the same way and get the same records.
//!
//! The stages, one module each, in data-flow order:
//! [`decode`] (bytes → text), [`extract`] (a saved page → its article's lines and metadata),
//! [`normalize`] (lines, canonical form), [`header`] (title, date, URL),
//! [`clean`] (boilerplate removal with an audit), [`quality`] (document signals), [`minhash`]
//! (near-duplicate keys), [`hash`] (the content hash, the dedup key); [`prepare()`] runs them in order,
//! and [`jsonl`] turns a JSON Lines record into text (or a page's markup) and fields first;
//! [`recall`] carries what one preparation of a file read to the next of the same bytes.
//! [`record`] is the stage's output as JSON (`newsdb prepare`, the Python package,
//! `newsdb ingest --prepared`).

pub mod clean;
pub mod date;
pub mod decode;
pub mod extract;
pub mod hash;
pub mod header;
pub mod jsonl;
pub mod minhash;
pub mod normalize;
pub mod prepare;
pub mod quality;
pub mod recall;
pub mod record;
pub mod reject;

pub use clean::{Cleaner, Removal, RulesError};
pub use header::Header;
pub use prepare::{
    lesson_recalling, prepare, prepare_fields, prepare_named, prepare_page_fields,
    prepare_recalling, Named, Prepared, SiteLesson,
};
pub use recall::{PageReading, Recalled};
pub use record::PreparedRecord;
pub use reject::Rejection;

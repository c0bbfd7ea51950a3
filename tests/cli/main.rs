//! End-to-end tests: the real `newsdb` binary on temporary folders and databases.

mod clean;
mod dedup;
mod environment;
mod ingest;
mod readme;
mod reingest;
mod search;
mod sql;
mod util;

//! End-to-end tests: the real `newsdb` binary on temporary folders and databases.

mod clean;
mod cleaner_devset;
mod config;
mod datasette;
mod dedup;
mod environment;
mod histories;
mod html;
mod ingest;
mod jsonl;
mod near_dups;
mod output;
mod prepare;
mod readme;
mod reingest;
mod search;
mod show;
mod site_learning;
mod sql;
mod usage;
mod util;

//! Everything that touches SQLite: opening (pragmas, migrations), the single writer split by
//! responsibility, and the queries the read-only commands run.
//!
//! The writer ([`writer::Writer`]) composes one module per job: [`run`] (the run's row), [`batch`]
//! (records → rows, one transaction per batch), [`files`] and [`documents`] (the rows themselves),
//! [`lifecycle`] (deleted, primary, retired, revived), [`clusters`] (near-duplicates), [`sites`] (site
//! learning). [`known`] reads what a run needs before it writes; [`schema`] names the statuses and
//! columns the SQL shares.

pub mod article;
pub mod batch;
pub mod check;
mod checkpoint;
pub mod clusters;
pub mod documents;
pub mod files;
pub mod known;
pub mod lifecycle;
pub mod lock;
mod migrate;
mod open;
pub mod paths;
pub mod presence;
pub mod prune;
pub mod queries;
pub mod run;
pub mod schema;
pub mod seen;
pub mod sites;
pub mod unspaced;
pub mod writer;

pub use lock::{acquire as lock_writer, LockError, WriterLock};
pub use migrate::{MIGRATIONS, SCHEMA_VERSION};
pub use open::{open_read_only, open_read_write, OpenError};
pub use schema::FileStatus;
pub use writer::{RunConfig, Writer};

//! Everything that touches SQLite: opening (pragmas, migrations), the single writer, and the queries
//! the read-only commands run.

pub mod clusters;
pub mod lock;
mod migrate;
mod open;
pub mod queries;
pub mod sites;
pub mod writer;

pub use lock::{acquire as lock_writer, LockError, WriterLock};
pub use migrate::{MIGRATIONS, SCHEMA_VERSION};
pub use open::{open_read_only, open_read_write, OpenError};

//! A mistake in what the user asked for (no path to ingest, a glob that does not parse, an empty SQL
//! statement): the binary prints it and exits 2, the code for usage errors, so a script can tell a
//! typo from a failed run (exit 1).

/// A usage error, with the message the user sees.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

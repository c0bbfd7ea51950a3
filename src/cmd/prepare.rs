//! `newsdb prepare [FILE]`: the per-document stage as a streaming filter. JSON Lines of raw articles
//! in (standard input by default), JSON Lines of prepared records out, in order, on every core: what
//! Spark's `RDD.pipe`, Ray Data and shell pipelines call. `newsdb ingest --prepared` loads the output.

use super::Status;
use crate::cli::PrepareArgs;
use anyhow::Result;
use newsdb::config::Config;
use newsdb::pipeline::{prepare, Sink};
use newsdb::tuning::Tuning;
use newsdb_core::PreparedRecord;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes each record as one line, and says on stderr which were rejected.
struct Printer<W: Write> {
    out: W,
    rejected: u64,
}

impl<W: Write> Sink<PreparedRecord> for Printer<W> {
    fn put(&mut self, records: Vec<PreparedRecord>) -> Result<()> {
        for r in &records {
            if let Some(rejected) = &r.rejected {
                self.rejected += 1;
                eprintln!("{}: {}", r.path, rejected.reason);
            }
            serde_json::to_writer(&mut self.out, r)?;
            self.out.write_all(b"\n")?;
        }
        // A reader downstream (Spark, a pipe) gets each chunk as soon as it is done.
        self.out.flush()?;
        Ok(())
    }
}

pub fn run(config: &Config, tuning: &Tuning, args: &PrepareArgs) -> Result<Status> {
    let cleaner = super::cleaner(args.rules.as_deref(), config)?;
    let input = args.input.as_deref().filter(|p| *p != Path::new("-"));
    let mut printer = Printer {
        out: BufWriter::new(std::io::stdout().lock()),
        rejected: 0,
    };
    prepare::stream(input, &cleaner, tuning.batch_files, &mut printer)?;
    printer.out.flush()?;
    Ok(if printer.rejected > 0 {
        Status::FilesFailed
    } else {
        Status::Success
    })
}

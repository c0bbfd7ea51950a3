//! `newsdb check [--repair]`: whether the database is sound, and what `--repair` rebuilt.

use super::Status;
use crate::cli::CheckArgs;
use anyhow::{Context, Result};
use newsdb::store::{self, check::Finding};
use newsdb::tuning::Tuning;
use std::io::Write;
use std::path::Path;

pub fn run(db: &Path, tuning: &Tuning, args: &CheckArgs) -> Result<Status> {
    if !db.exists() {
        return Err(store::OpenError::Missing).with_context(|| format!("opening {}", db.display()));
    }
    // Only a repair writes; a plain check runs beside an ingest.
    let _lock = if args.repair {
        match super::lock_writer(db, false)? {
            Ok(lock) => Some(lock),
            Err(status) => return Ok(status),
        }
    } else {
        None
    };
    let mut conn = super::open_read_write(db, tuning)?;
    let mut findings = store::check::check(&conn)?;
    let mut repaired = Vec::new();
    if args.repair && findings.iter().any(|f| f.problems > 0 && f.repairable) {
        repaired = store::check::repair(&mut conn, &findings)?;
        findings = store::check::check(&conn)?;
    }
    let sound = findings.iter().all(|f| f.problems == 0);
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "sound": sound,
            "checks": findings,
            "repaired": repaired,
        });
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        for line in &repaired {
            writeln!(out, "repaired {line}")?;
        }
        for f in &findings {
            writeln!(out, "{}", describe(f))?;
        }
        writeln!(
            out,
            "{}",
            if sound {
                "the database is sound"
            } else if args.repair {
                "problems are left: see above"
            } else {
                "problems found: see above (`newsdb check --repair` rebuilds what it can)"
            }
        )?;
    }
    Ok(if sound {
        Status::Success
    } else {
        Status::Unsound
    })
}

fn describe(f: &Finding) -> String {
    if f.problems == 0 {
        return match &f.detail {
            Some(detail) => format!("ok    {} ({detail})", f.check),
            None => format!("ok    {}", f.check),
        };
    }
    let mut line = format!("FAIL  {}: {} problems", f.check, f.problems);
    if let Some(detail) = &f.detail {
        line.push_str(&format!(" ({detail})"));
    }
    if f.repairable {
        line.push_str(" [--repair fixes it]");
    }
    line
}

//! The `newsdb` binary: parse arguments, dispatch to a command, print the error chain, exit.

mod cli;
mod cmd;

use clap::Parser;
use cli::{Cli, Command};
use cmd::Status;
use newsdb::config::Config;
use newsdb::tuning::Tuning;
use std::process::ExitCode;

/// Exit codes, documented in `--help` and the README for cron.
const EXIT_SUCCESS: u8 = 0;
const EXIT_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_FILES_FAILED: u8 = 3;
const EXIT_LOCKED: u8 = 4;
const EXIT_DELETIONS_REFUSED: u8 = 5;
const EXIT_UNSOUND: u8 = 6;

fn main() -> ExitCode {
    newsdb::release::fix_malloc_thresholds();
    let cli = Cli::parse();
    let config = || Config::load(cli.config.as_deref(), &cli.db);
    let result = match &cli.command {
        Command::Ingest(args) => {
            config().and_then(|c| cmd::ingest::run(&cli.db, &c, &Tuning::from_env(), args))
        }
        Command::Search(args) => config().and_then(|c| cmd::search::run(&cli.db, &c, args)),
        Command::Sql(args) => cmd::sql::run(&cli.db, args),
        Command::Stats(args) => cmd::stats::run(&cli.db, args),
        Command::Clean(args) => config().and_then(|c| cmd::clean::run(&cli.db, &c, args)),
        Command::Prepare(args) => {
            config().and_then(|c| cmd::prepare::run(&c, &Tuning::from_env(), args))
        }
        Command::Runs(args) => cmd::runs::run(&cli.db, args),
        Command::Dups(args) => cmd::dups::run(&cli.db, args),
        Command::Prune(args) => cmd::prune::run(&cli.db, &Tuning::from_env(), args),
        Command::Check(args) => cmd::check::run(&cli.db, &Tuning::from_env(), args),
        Command::Export(args) => cmd::export::run(&cli.db, args),
        Command::Show(args) => cmd::show::run(&cli.db, args),
        Command::Completions(args) => cmd::completions::completions(args),
        Command::DatasetteConfig => cmd::datasette_config::run(&cli.db),
        Command::Man(args) => cmd::completions::man(args),
    };
    ExitCode::from(match result {
        Ok(Status::Success) => EXIT_SUCCESS,
        Ok(Status::FilesFailed) => EXIT_FILES_FAILED,
        Ok(Status::Usage) => EXIT_USAGE,
        Ok(Status::Locked) => EXIT_LOCKED,
        Ok(Status::DeletionsRefused) => EXIT_DELETIONS_REFUSED,
        Ok(Status::Unsound) => EXIT_UNSOUND,
        Err(err) if is_broken_pipe(&err) => EXIT_SUCCESS,
        Err(err) if err.chain().any(|e| e.is::<newsdb::usage::UsageError>()) => {
            eprintln!("newsdb: {err:#}");
            EXIT_USAGE
        }
        Err(err) if interruption(&err).is_some() => {
            eprintln!("newsdb: {err:#}");
            interruption(&err).map_or(EXIT_FAILED, |i| i.exit_code())
        }
        Err(err) => {
            eprintln!("newsdb: {err:#}");
            EXIT_FAILED
        }
    })
}

/// The signal that stopped an ingest, if one did: the exit code is 128 + its number, as a shell
/// reports it (130 for SIGINT, 143 for SIGTERM).
fn interruption(err: &anyhow::Error) -> Option<&newsdb::pipeline::interrupt::Interrupted> {
    err.chain().find_map(|e| e.downcast_ref())
}

/// `newsdb sql ... | head` closing the pipe early is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    // The write error comes as an I/O error, or wrapped by the JSON or CSV writer that hit it.
    let kind = |e: &(dyn std::error::Error + 'static)| {
        e.downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| e.downcast_ref::<serde_json::Error>()?.io_error_kind())
            .or_else(|| match e.downcast_ref::<csv::Error>()?.kind() {
                csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            })
    };
    err.chain()
        .any(|e| kind(e) == Some(std::io::ErrorKind::BrokenPipe))
}

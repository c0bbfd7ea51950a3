//! `newsdb completions SHELL` and `newsdb man [COMMAND]`: generated from the CLI definition, so they
//! never drift from the flags.

use super::Status;
use crate::cli::{Cli, CompletionsArgs, ManArgs};
use anyhow::Result;
use clap::CommandFactory;

pub fn completions(args: &CompletionsArgs) -> Result<Status> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "newsdb", &mut std::io::stdout());
    Ok(Status::Success)
}

/// The page of `newsdb` (with its commands listed), or of `newsdb COMMAND` (with its options and
/// examples), in the layout of git's: `newsdb-ingest(1)`.
pub fn man(args: &ManArgs) -> Result<Status> {
    let mut command = Cli::command();
    command.build();
    let page = match &args.command {
        None => command,
        Some(name) => match command.find_subcommand(name) {
            Some(sub) => {
                let full = format!("newsdb-{name}");
                sub.clone().name(full)
            }
            None => {
                return Err(newsdb::usage::UsageError(format!(
                    "no command named {name:?}; `newsdb --help` lists them"
                ))
                .into())
            }
        },
    };
    clap_mangen::Man::new(page).render(&mut std::io::stdout())?;
    Ok(Status::Success)
}

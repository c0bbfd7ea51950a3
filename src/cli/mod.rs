//! Every command and flag of the `newsdb` binary, in one place. Values here are parsed and validated;
//! `cmd/` turns them into library options.

pub mod output;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Turn folders of scraped news-article text files into one deduplicated, full-text-searchable
/// SQLite database.
#[derive(Debug, Parser)]
#[command(name = "newsdb", version, propagate_version = true, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// The database file.
    #[arg(
        long,
        global = true,
        env = "NEWSDB_DB",
        default_value = "newsdb.db",
        value_name = "PATH"
    )]
    pub db: PathBuf,

    /// Settings file [default: newsdb.toml beside the database, if there is one].
    #[arg(long, global = true, env = "NEWSDB_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success: every file was handled
  1  the run or command failed (database error, no root that can be opened, ...)
  2  usage error (bad arguments, malformed search query)
  3  the run completed but some files were rejected (see `files.reason`)
  4  another ingest is writing to the database (see `ingest --wait`)
  5  the run completed but kept the files of a root that is empty, more than half gone or
     cannot be opened (see `ingest --allow-mass-delete`)
  6  `check` found problems
  130, 143  ingest stopped by SIGINT or SIGTERM between batches; the run is recorded as
     interrupted and the next run goes on from there";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest article files and folders, or JSON Lines, into the database (re-run it to pick up changes).
    #[command(
        after_help = "Examples:\n  newsdb ingest seeds/\n  newsdb --db corpus.db ingest /data/scrapes --ext txt,md --exclude 'drafts/**' --json\n  newsdb ingest          (the roots listed in newsdb.toml beside the database)\n  newsdb ingest --jsonl scraped.jsonl\n  scraper | newsdb ingest --jsonl -"
    )]
    Ingest(IngestArgs),
    /// Full-text search, ranked by bm25 with the title weighted above the body.
    #[command(
        after_help = "Examples:\n  newsdb search Lavrov\n  newsdb search '\"foreign minister\" AND Kyiv' --limit 5 --json\n  newsdb search \"U.S. sanctions\"   (plain words work: punctuation is not syntax)\n  newsdb search harbour --since 2024-01-01 --domain gazette.example --lang en --sort date --csv"
    )]
    Search(SearchArgs),
    /// Print one article in full: its fields, sources and near-duplicates, then the cleaned body.
    #[command(
        after_help = "Fields (--json): id, content_hash, title, published, url, domain, lang, word_count, retired,\nsources (path, status, format), near_duplicates (id, title, published, domain, similarity),\nbody, and with --removed: removed (line, rule, text).\n\nExamples:\n  newsdb show 42\n  newsdb show --path scrapes/2024/harbour.html --removed\n  newsdb show 42 --json | jq -r .body"
    )]
    Show(ShowArgs),
    /// Run one read-only SQL query and print its rows.
    #[command(
        after_help = "Examples:\n  newsdb sql 'SELECT domain, count(*) FROM documents GROUP BY domain'\n  newsdb sql 'SELECT path, reason, detail FROM files WHERE status = \"error\"' --csv"
    )]
    Sql(SqlArgs),
    /// Counts of documents, files, duplicates, failures and runs, and the database size.
    #[command(after_help = "Example:\n  newsdb stats --json")]
    Stats(StatsArgs),
    /// List clusters of near-duplicate documents (syndicated copies, edited versions), largest first.
    #[command(
        after_help = "Fields: cluster_id, title, cluster_size, source_count, members (id, title, published, domain, url,\nword_count, similarity, sources).\n\nExamples:\n  newsdb dups\n  newsdb dups --limit 5 --json | jq '.[].members[].sources'"
    )]
    Dups(DupsArgs),
    /// List ingest runs, newest first, with their counts and status.
    #[command(after_help = "Examples:\n  newsdb runs\n  newsdb runs --limit 1 --json")]
    Runs(RunsArgs),
    /// Delete retired documents (those no file references any more) for good.
    #[command(after_help = "Example:\n  newsdb prune --json")]
    Prune(PruneArgs),
    /// Check the database: SQLite's integrity, the full-text index, and newsdb's own invariants.
    #[command(
        after_help = "Exit codes: 0 sound, 6 problems found (or left after --repair), 4 another writer holds the\ndatabase (with --repair).\n\nExamples:\n  newsdb check\n  newsdb check --repair\n  newsdb check --json"
    )]
    Check(CheckArgs),
    /// Prepare articles without a database: JSON Lines in, one prepared record per line out, in
    /// order, on every core (for Spark's pipe, Ray, shell pipelines; `ingest --prepared` loads them).
    #[command(
        after_help = "Input, one object per line: an article as `ingest --jsonl` reads it (\"text\", \"body\",\n\"content\" or \"html\", and \"title\", \"date\", \"url\"), or a whole file as\n{\"path\": \"scrapes/a.txt\", \"file_base64\": \"...\"} (prepared as `ingest` prepares that file).\n\nOutput fields: path, line, raw_hash, raw_size, cleaner_version, then either rejected (code,\nreason) or title, published, url, domain, lang, body, content_hash, word_count, band_keys,\nstopword_ratio, alpha_ratio, repetition, boilerplate_ratio, removed (line, rule, text), encoding,\nextractor, controls_removed, note, site_candidates, site_page; and raw (the input line) or\nraw_base64 (the file's bytes). Exit 3 when a record was rejected (it is still printed).\n\nExamples:\n  newsdb prepare < scraped.jsonl > prepared.jsonl\n  zcat crawl.jsonl.gz | newsdb prepare | gzip > prepared.jsonl.gz\n  newsdb --db corpus.db ingest --prepared prepared.jsonl"
    )]
    Prepare(PrepareArgs),
    /// Show what ingest would store for one file (header fields and cleaned body); never writes.
    #[command(
        after_help = "Examples:\n  newsdb clean seeds/003_de57944280c0c041.txt\n  newsdb clean article.txt --json | jq '.removed'\n  newsdb clean article.txt --rules my-rules.toml"
    )]
    Clean(CleanArgs),
    /// Write every document, with its sources, as JSON Lines (one object per line) or CSV.
    #[command(
        after_help = "Fields: id, content_hash, title, published, url, domain, lang, word_count, body, sources\n(the paths of the files that hold the document, its primary file first).\n\nExamples:\n  newsdb export --jsonl > corpus.jsonl\n  newsdb export --jsonl --include-retired -o all.jsonl\n  newsdb export --csv --since 2024-01-01 -o 2024.csv\n  newsdb --db copy.db ingest --jsonl corpus.jsonl   (same documents, same content hashes)"
    )]
    Export(ExportArgs),
    /// Print Datasette settings for this database: facets, the ranked search query, canned queries.
    #[command(
        name = "datasette-config",
        after_help = "Datasette names a database after its file; the printed metadata is keyed by this one's name,\nso it works whatever the file is called (the shipped datasette/metadata.json fits newsdb.db only).\n\nExample:\n  newsdb --db corpus.db datasette-config > corpus-metadata.json\n  datasette corpus.db --metadata corpus-metadata.json   (Datasette 0.65)\n  datasette corpus.db -c corpus-metadata.json           (Datasette 1.0)"
    )]
    DatasetteConfig,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  newsdb completions bash > ~/.local/share/bash-completion/completions/newsdb\n  newsdb completions zsh > ~/.zfunc/_newsdb"
    )]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of newsdb, or of one of its commands.
    #[command(
        after_help = "Examples:\n  newsdb man > newsdb.1 && man -l newsdb.1\n  newsdb man ingest > newsdb-ingest.1"
    )]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The document's id (`newsdb search` and `dups` print it).
    #[arg(required_unless_present = "path", conflicts_with = "path")]
    pub id: Option<i64>,
    /// Show the document of this file instead.
    #[arg(long, value_name = "FILE")]
    pub path: Option<PathBuf>,
    /// Also list the lines the cleaner removed, with the rule that removed each.
    #[arg(long)]
    pub removed: bool,
    /// Print it as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`ingest`, `search`, ...); none for the main page.
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write JSON Lines, one object per document (the default; the flag says so in scripts).
    #[arg(long, visible_alias = "nl")]
    pub jsonl: bool,
    /// Write CSV with a header line instead, for a spreadsheet (`sources` as a JSON list).
    #[arg(long, conflicts_with = "jsonl")]
    pub csv: bool,
    /// Also export retired documents (no file references them any more).
    #[arg(long)]
    pub include_retired: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files and folders to ingest; folders are walked recursively [default: `roots` of newsdb.toml].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read articles from this JSON Lines file (`-` for standard input) instead of files: one object
    /// per line with "body" or "text", and optional "title", "published" or "date", "url".
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "extensions", "include", "exclude"])]
    pub jsonl: Option<PathBuf>,
    /// Load the records `newsdb prepare` printed (these files, the shards of one job, in one run; or
    /// `-` for standard input) without cleaning them again; records of another cleaner version are
    /// refused.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["paths", "jsonl", "extensions", "include", "exclude", "verify"])]
    pub prepared: Vec<PathBuf>,
    /// Extensions of the files to take from folders, comma-separated (files named on the command line
    /// are always taken) [default: txt,html,htm].
    #[arg(short, long = "ext", value_delimiter = ',', value_name = "EXT")]
    pub extensions: Vec<String>,
    /// Take only files matching this glob (repeatable). Without `/` it matches the file name, with `/`
    /// the path below the root (`**` crosses folders).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Leave out files matching this glob (repeatable), e.g. 'drafts/**' or '*.tmp.txt'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// A rules file adding cleaning rules and disabling built-in ones [default: `rules` of newsdb.toml].
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Re-read and re-hash every file, even those whose size and mtime did not change.
    #[arg(long)]
    pub verify: bool,
    /// Similarity (0.5 to 1, the share of 5-word shingles two bodies have in common) at or above which
    /// documents are near-duplicates, grouped in one cluster. Kept in the database for later runs;
    /// changing it regroups every cluster [default: the stored one, else 0.8].
    #[arg(long, value_name = "SIMILARITY", value_parser = parse_threshold)]
    pub near_threshold: Option<f64>,
    /// Do not look for near-duplicates in this run: new documents are left "to check" (cluster_id
    /// NULL) and the next run without this flag checks them.
    #[arg(long, conflicts_with = "near_threshold")]
    pub no_near_duplicates: bool,
    /// Print the run summary as one JSON object.
    #[arg(long, conflicts_with = "quiet")]
    pub json: bool,
    /// Print nothing but errors (no summary, no progress bar).
    #[arg(short, long)]
    pub quiet: bool,
    /// If another ingest is writing to the database, wait for it instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,
    /// Mark files deleted even when a root is empty or more than half of its files vanished at once
    /// (without it such a root keeps its files, and the run exits with code 5) [default:
    /// `allow_mass_delete` of newsdb.toml].
    #[arg(long)]
    pub allow_mass_delete: bool,
}

fn parse_threshold(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (newsdb::store::clusters::PAIR_FLOOR..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{value} is out of range: use a similarity from {} to 1",
            newsdb::store::clusters::PAIR_FLOOR
        ))
    }
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Show at most this many runs.
    #[arg(short = 'n', long, default_value_t = 20, value_parser = at_least_one)]
    pub limit: usize,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DupsArgs {
    /// Show at most this many clusters.
    #[arg(short = 'n', long, default_value_t = 20, value_parser = at_least_one)]
    pub limit: usize,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rebuild what can be rebuilt from the rows (the full-text index, primaries, retired and
    /// revived documents, site counts) and say what was done; takes the writer lock.
    #[arg(long)]
    pub repair: bool,
    /// Print every check as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Print the result as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// If an ingest is writing to the database, wait for it instead of exiting with code 4.
    #[arg(long)]
    pub wait: bool,
}

/// Which articles a listing takes (`search`, `export`): one struct, so the flags read the same.
#[derive(Debug, Clone, Args)]
pub struct FilterArgs {
    /// Only articles published on or after this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = day)]
    pub since: Option<String>,
    /// Only articles published on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = day)]
    pub until: Option<String>,
    /// Only articles of this site or its subdomains (repeat for several).
    #[arg(long = "domain", value_name = "DOMAIN")]
    pub domains: Vec<String>,
    /// Only articles in this language: ISO 639-1 (`de`) or 639-3 (`deu`).
    #[arg(long, value_name = "CODE", value_parser = language)]
    pub lang: Option<String>,
}

impl FilterArgs {
    pub fn filters(&self) -> newsdb::filter::Filters {
        newsdb::filter::Filters {
            since: self.since.clone(),
            until: self.until.clone(),
            domains: self.domains.clone(),
            lang: self.lang.clone(),
        }
    }
}

/// How search orders its hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    Rank,
    Date,
}

/// A day as `documents.published` holds it.
fn day(value: &str) -> Result<String, String> {
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| format!("{value:?} is not a day written YYYY-MM-DD"))
}

/// An ISO 639-1 or 639-3 code, as the ISO 639-3 code `documents.lang` holds.
fn language(value: &str) -> Result<String, String> {
    let code = value.trim().to_lowercase();
    let found = match code.len() {
        2 => isolang::Language::from_639_1(&code),
        3 => isolang::Language::from_639_3(&code),
        _ => None,
    };
    found
        .map(|l| l.to_639_3().to_owned())
        .ok_or_else(|| format!("{value:?} is not an ISO 639-1 or 639-3 language code (de, deu)"))
}

/// A count of at least one (`-n 0` would list nothing and say nothing matched).
fn at_least_one(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find, or an FTS5 query ("exact phrase", AND, OR, NOT, prefix*, title:word).
    pub query: String,
    /// Maximum number of hits [default: 20, or `search.limit` of newsdb.toml].
    #[arg(short = 'n', long, value_parser = at_least_one)]
    pub limit: Option<usize>,
    /// Search for the words as typed: no FTS5 syntax at all.
    #[arg(long)]
    pub literal: bool,
    /// Include retired documents (no file references them any more).
    #[arg(long)]
    pub include_retired: bool,
    /// Show every near-duplicate version of a story (by default a cluster is one hit: its
    /// representative, with the sources of all its versions).
    #[arg(long)]
    pub all_copies: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Order: `rank` (best match first) or `date` (newest first, undated last).
    #[arg(long, value_enum, default_value_t = SortBy::Rank)]
    pub sort: SortBy,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// One SELECT (or other read-only) statement; it may start with a `--` comment.
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How a command that lists things prints them: one struct, flattened into every list command, so
/// the flags read the same everywhere. Without a flag, each command prints for people.
#[derive(Debug, Clone, Copy, Args)]
pub struct OutputArgs {
    /// Print a JSON array of objects.
    #[arg(long, conflicts_with_all = ["jsonl", "csv"])]
    pub json: bool,
    /// Print one JSON object per line (JSON Lines; `--nl` as in sqlite-utils).
    #[arg(long, visible_alias = "nl", conflicts_with = "csv")]
    pub jsonl: bool,
    /// Print CSV with a header line (nested fields as JSON text).
    #[arg(long)]
    pub csv: bool,
}

impl OutputArgs {
    /// The machine-readable format asked for; `None` for the command's own output for people.
    pub fn format(&self) -> Option<output::Format> {
        if self.json {
            Some(output::Format::Json)
        } else if self.jsonl {
            Some(output::Format::Jsonl)
        } else if self.csv {
            Some(output::Format::Csv)
        } else {
            None
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// JSON Lines to read [default: standard input]; gzip and zstd are unpacked.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// A rules file adding cleaning rules and disabling built-in ones [default: `rules` of newsdb.toml].
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// The article file to clean.
    pub file: PathBuf,
    /// A rules file adding cleaning rules and disabling built-in ones [default: `rules` of newsdb.toml].
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print {"title","published","url","body","removed":[{"line","text","rule"}]} as JSON.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_examples_in_its_help() {
        for sub in Cli::command().get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("Example"),
                "`newsdb {} --help` has no example",
                sub.get_name()
            );
        }
    }
}

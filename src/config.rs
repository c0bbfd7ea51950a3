//! `newsdb.toml`: settings kept beside the database, so a cron line is just `newsdb ingest`.
//!
//! ```toml
//! roots = ["scrapes", "/data/wire"]   # what `newsdb ingest` with no paths ingests
//! extensions = ["txt", "md"]          # default ["txt", "html", "htm"]
//! include = ["2024/**"]               # only files matching one of these globs
//! exclude = ["drafts/**", "*.tmp.txt"] # never files matching one of these
//! rules = "rules.toml"                # the user rules file (see `newsdb_core::clean` rules files)
//! allow_mass_delete = false           # as `ingest --allow-mass-delete`
//!
//! [search]
//! limit = 50                          # default --limit of `newsdb search`
//! ```
//!
//! Relative paths are relative to the folder holding `newsdb.toml`. Flags given on the command line
//! win over the file. Unknown keys are an error, so a typo does not silently change nothing.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// File name looked for beside the database.
pub const CONFIG_FILE: &str = "newsdb.toml";

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Files and folders `newsdb ingest` takes when none are named.
    #[serde(default)]
    pub roots: Vec<PathBuf>,
    /// Extensions of the files to take from folders.
    pub extensions: Option<Vec<String>>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The user rules file.
    pub rules: Option<PathBuf>,
    /// Let ingest mark deleted the files of a root that is empty or more than half gone.
    #[serde(default)]
    pub allow_mass_delete: bool,
    #[serde(default)]
    pub search: SearchDefaults,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchDefaults {
    pub limit: Option<usize>,
}

impl Config {
    /// Loads the configuration: `explicit` if given (it must exist), else `newsdb.toml` beside the
    /// database if there is one, else the defaults.
    pub fn load(explicit: Option<&Path>, db: &Path) -> Result<Config> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => {
                let beside = db
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .join(CONFIG_FILE);
                if !beside.exists() {
                    return Ok(Config::default());
                }
                beside
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read the configuration", path.display()))?;
        let config: Config = toml::from_str(&text)
            .with_context(|| format!("{}: bad configuration", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(config.relative_to(base))
    }

    fn relative_to(mut self, base: &Path) -> Config {
        for root in &mut self.roots {
            *root = base.join(&*root);
        }
        self.rules = self.rules.map(|r| base.join(r));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_beside_the_database_with_paths_relative_to_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "roots = [\"in\", \"/abs\"]\nrules = \"r.toml\"\n[search]\nlimit = 5\n",
        )
        .unwrap();
        let config = Config::load(None, &dir.path().join("n.db")).unwrap();
        assert_eq!(
            config.roots,
            vec![dir.path().join("in"), PathBuf::from("/abs")]
        );
        assert_eq!(config.rules, Some(dir.path().join("r.toml")));
        assert_eq!(config.search.limit, Some(5));
    }

    #[test]
    fn absent_means_defaults_and_typos_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("n.db");
        assert_eq!(Config::load(None, &db).unwrap(), Config::default());
        std::fs::write(dir.path().join(CONFIG_FILE), "root = [\"x\"]\n").unwrap();
        let err = format!("{:#}", Config::load(None, &db).unwrap_err());
        assert!(err.contains("newsdb.toml") && err.contains("root"), "{err}");
        assert!(Config::load(Some(&dir.path().join("missing.toml")), &db).is_err());
    }
}

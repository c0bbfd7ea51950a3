//! Stage: roots → the files to consider, with their size and mtime. Reads no file content.
//!
//! A root that is a file is taken whatever its extension (the user named it); folders are walked
//! recursively for files with one of the wanted extensions that the include and exclude globs let
//! through. Hidden files and folders (name starting with
//! `.`) are skipped: scrapers and editors write temporary files there. Symbolic links are not followed,
//! so a link loop cannot hang a run, and a file replaced by a link is deleted. The result is sorted by path (bytes), so runs are reproducible.

use crate::read::Stat;
use anyhow::Result;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

mod listing;
pub use listing::Listing;

/// A file found under a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub path: PathBuf,
    pub stat: Stat,
}

/// An entry that could not be listed (a folder without read permission, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unlisted {
    pub path: PathBuf,
    pub message: String,
}

/// What a walk over the roots found.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<Listed>,
    pub unlisted: Vec<Unlisted>,
}

/// Roots resolved to absolute canonical paths, and the roots that could not be opened.
#[derive(Debug, Default)]
pub struct Roots {
    pub found: Vec<PathBuf>,
    /// Each root that does not exist or cannot be opened, as an absolute path, with why.
    pub missing: Vec<(PathBuf, String)>,
}

/// Resolves roots to absolute canonical paths. A root that cannot be opened (an unmounted share) is
/// set aside so the others are still ingested; when none can be opened, fails naming the first.
pub fn resolve_roots(roots: &[PathBuf]) -> Result<Roots> {
    let mut resolved = Roots::default();
    let mut first_error = None;
    for root in roots {
        match std::fs::canonicalize(root) {
            Ok(path) => resolved.found.push(path),
            Err(err) => {
                let absolute = std::path::absolute(root).unwrap_or_else(|_| root.clone());
                resolved.missing.push((absolute, err.to_string()));
                first_error.get_or_insert_with(|| {
                    anyhow::Error::new(err).context(format!("{}: cannot open", root.display()))
                });
            }
        }
    }
    match first_error {
        Some(err) if resolved.found.is_empty() => Err(err),
        _ => Ok(resolved),
    }
}

/// Which files in a walked folder to take.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Extensions (without the dot, case-insensitive).
    pub extensions: Vec<String>,
    /// If set, only files matching one of these globs.
    pub include: Option<GlobSet>,
    /// Files matching one of these globs are left out.
    pub exclude: Option<GlobSet>,
}

impl Filter {
    /// A filter on extensions alone.
    pub fn extensions(extensions: &[String]) -> Filter {
        Filter {
            extensions: extensions.to_vec(),
            ..Filter::default()
        }
    }

    /// Adds include and exclude globs. A glob without `/` matches the file name (`*.tmp.txt`); one
    /// with `/` matches the path below the root, where `*` stays within one folder and `**` crosses
    /// folders (`drafts/**`, `**/2024/*.txt`).
    pub fn with_globs(mut self, include: &[String], exclude: &[String]) -> Result<Filter> {
        self.include = (!include.is_empty())
            .then(|| glob_set(include))
            .transpose()?;
        self.exclude = (!exclude.is_empty())
            .then(|| glob_set(exclude))
            .transpose()?;
        Ok(self)
    }

    /// Whether to take the file at `relative` (its path below the root).
    fn takes(&self, relative: &Path) -> bool {
        if !has_extension(relative, &self.extensions) {
            return false;
        }
        let name = Path::new(relative.file_name().unwrap_or_default());
        let matches = |set: &GlobSet| set.is_match(relative) || set.is_match(name);
        self.include.as_ref().is_none_or(matches) && !self.exclude.as_ref().is_some_and(matches)
    }
}

fn glob_set(patterns: &[String]) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        let glob = GlobBuilder::new(p)
            .literal_separator(true)
            .build()
            .map_err(|e| crate::usage::UsageError(format!("bad glob {p:?}: {e}")))?;
        set.add(glob);
    }
    Ok(set.build()?)
}

/// Lists the files under `roots` (already resolved) that `filter` takes.
pub fn discover(roots: &[PathBuf], filter: &Filter) -> Found {
    let mut found = Found::default();
    for root in roots {
        walk(root, filter, &mut found);
    }
    // By the bytes of the path: the order of SQL's `min(path)`, and a tenth of an unchanged re-run's
    // time less than `Path`'s component-wise comparison.
    found.files.sort_unstable_by(|a, b| {
        a.path
            .as_os_str()
            .as_encoded_bytes()
            .cmp(b.path.as_os_str().as_encoded_bytes())
    });
    found
        .files
        .dedup_by(|a, b| a.path.as_os_str() == b.path.as_os_str());
    found
}

/// Walks one root: the root itself when it is a file, else the folders below it, depth first, one
/// folder open at a time (an explicit stack, so a very deep tree cannot overflow the thread's stack).
///
/// Written on `std::fs::read_dir` rather than a walking crate for the stat: `DirEntry::metadata`
/// asks the kernel relative to the open folder (`statx(dirfd, name)`), where walkdir stats each file
/// by its full path and the kernel looks up every folder on it again. On an unchanged re-run the
/// walk is most of the time, and that lookup was a fifth of it.
fn walk(root: &Path, filter: &Filter, found: &mut Found) {
    let unlisted = |path: &Path, err: std::io::Error| Unlisted {
        path: path.to_path_buf(),
        message: format!("cannot list: {err}"),
    };
    match std::fs::symlink_metadata(root) {
        Ok(meta) if meta.is_file() => {
            found.files.push(Listed {
                path: root.to_path_buf(),
                stat: Stat::of(&meta),
            });
            return;
        }
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return,
        Err(err) => return found.unlisted.push(unlisted(root, err)),
    }
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(err) => {
                found.unlisted.push(unlisted(&folder, err));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    found.unlisted.push(unlisted(&folder, err));
                    break;
                }
            };
            let name = entry.file_name();
            if is_hidden(&name) {
                continue;
            }
            let path = folder.join(&name);
            // From the folder listing (d_type), without a stat; a symbolic link is neither. Where the
            // file system gives no type, std stats the entry, and that can fail: the entry is then
            // reported, as walkdir did, rather than passed over.
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(err) => {
                    found.unlisted.push(unlisted(&path, err));
                    continue;
                }
            };
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_file() {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                if !filter.takes(relative) {
                    continue;
                }
                match entry.metadata() {
                    Ok(meta) => found.files.push(Listed {
                        path,
                        stat: Stat::of(&meta),
                    }),
                    Err(err) => found.unlisted.push(Unlisted {
                        path,
                        message: err.to_string(),
                    }),
                }
            }
        }
    }
}

/// Whether a path the walk did not find is gone from the disk (or is now a folder, or a symbolic
/// link, which the walk does not follow), as opposed to a file that exists but was not taken
/// (another `--ext`, say): only a gone file is marked deleted.
pub fn is_gone(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => meta.is_dir() || meta.file_type().is_symlink(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn is_hidden(name: &OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Whether the file name ends in `.EXT` for one of `extensions`, compared without case; an extension
/// may have dots of its own (`jsonl.gz`). Compared as bytes: a name need not be UTF-8.
pub fn has_extension(path: &Path, extensions: &[String]) -> bool {
    file_name(path).is_some_and(|name| extensions.iter().any(|want| ends_in(name, want)))
}

/// The `extensions` (see [`has_extension`]) that no file among `paths` has: what `ingest` warns
/// about. Each name is read once, and the scan ends as soon as every extension has a file; an
/// extension asked for one path at a time took a scan of every path for each one missing (the
/// default `html` and `htm` in a folder of text files: 4% of an unchanged re-run's CPU at 100k).
pub fn unmatched_extensions<'p>(
    extensions: &[String],
    paths: impl IntoIterator<Item = &'p Path>,
) -> Vec<String> {
    let mut unmatched: Vec<&String> = extensions.iter().collect();
    for name in paths.into_iter().filter_map(file_name) {
        if unmatched.is_empty() {
            break;
        }
        unmatched.retain(|want| !ends_in(name, want));
    }
    unmatched.into_iter().cloned().collect()
}

fn file_name(path: &Path) -> Option<&[u8]> {
    use std::os::unix::ffi::OsStrExt;
    path.file_name().map(OsStr::as_bytes)
}

/// Whether `name` ends in `.want` (a leading dot of `want` ignored), without case.
fn ends_in(name: &[u8], want: &str) -> bool {
    let want = want.trim_start_matches('.').as_bytes();
    name.len() > want.len() + 1
        && name[name.len() - want.len() - 1] == b'.'
        && name[name.len() - want.len()..].eq_ignore_ascii_case(want)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_extension_may_have_dots_and_any_case() {
        let has = |name: &str, ext: &str| {
            super::has_extension(std::path::Path::new(name), &[ext.to_owned()])
        };
        assert!(has("a/b.jsonl.gz", "jsonl.gz"));
        assert!(has("B.TXT", "txt"));
        assert!(!has("b.txt", "jsonl.gz"));
        assert!(!has("txt", "txt"));
        assert!(!has("aé", "x"));
        assert!(!has("a.gz", "jsonl.gz"));
        assert!(has("a.gz", "gz"));
        use std::os::unix::ffi::OsStrExt;
        let odd = std::path::Path::new(std::ffi::OsStr::from_bytes(b"a\xff.txt"));
        assert!(super::has_extension(odd, &["txt".to_owned()]));
    }

    #[test]
    fn unmatched_extensions_are_those_no_file_has() {
        let wanted = ["txt", ".html", "htm", "jsonl.gz"].map(String::from);
        let paths = ["a/b.TXT", "c/d.jsonl.gz", "e/f.txt", "g"].map(std::path::Path::new);
        assert_eq!(
            super::unmatched_extensions(&wanted, paths),
            [".html", "htm"],
            "in the order asked"
        );
        assert!(super::unmatched_extensions(&wanted[..1], paths).is_empty());
        assert_eq!(super::unmatched_extensions(&wanted[..1], []), ["txt"]);
    }

    use super::*;
    use std::fs;

    #[test]
    fn walks_recursively_filters_extensions_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::create_dir_all(root.join(".cache")).unwrap();
        for f in [
            "one.txt",
            "a/two.TXT",
            "a/b/three.txt",
            "a/skip.html",
            ".hidden.txt",
            ".cache/x.txt",
        ] {
            fs::write(root.join(f), "x").unwrap();
        }
        let roots = resolve_roots(&[root.to_path_buf()]).unwrap().found;
        let found = discover(&roots, &Filter::extensions(&["txt".into()]));
        let names: Vec<_> = found
            .files
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(&roots[0])
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["a/b/three.txt", "a/two.TXT", "one.txt"]);
    }

    #[test]
    fn links_are_not_followed_and_each_file_carries_its_stat() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/one.txt"), "12345").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("a/one.txt"), root.join("link.txt")).unwrap();
        let roots = resolve_roots(&[root.to_path_buf()]).unwrap().found;
        let found = discover(&roots, &Filter::extensions(&["txt".into()]));
        assert!(found.unlisted.is_empty(), "{:?}", found.unlisted);
        assert_eq!(found.files.len(), 1);
        assert_eq!(found.files[0].path, roots[0].join("a/one.txt"));
        let meta = fs::metadata(root.join("a/one.txt")).unwrap();
        assert_eq!(found.files[0].stat, Stat::of(&meta));
    }

    #[test]
    fn a_named_file_is_taken_whatever_its_extension() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("article.html");
        fs::write(&file, "x").unwrap();
        let roots = resolve_roots(&[file]).unwrap().found;
        assert_eq!(
            discover(&roots, &Filter::extensions(&["txt".into()]))
                .files
                .len(),
            1
        );
    }

    #[test]
    fn globs_include_and_exclude() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "2024/a.txt",
            "2024/drafts/b.txt",
            "2023/c.txt",
            "2024/d.tmp.txt",
        ] {
            fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            fs::write(root.join(f), "x").unwrap();
        }
        let roots = resolve_roots(&[root.to_path_buf()]).unwrap().found;
        let filter = Filter::extensions(&["txt".into()])
            .with_globs(
                &["2024/**".into()],
                &["**/drafts/**".into(), "*.tmp.txt".into()],
            )
            .unwrap();
        let found = discover(&roots, &filter);
        let names: Vec<_> = found
            .files
            .iter()
            .map(|c| c.path.strip_prefix(&roots[0]).unwrap().to_owned())
            .collect();
        assert_eq!(names, vec![PathBuf::from("2024/a.txt")]);
        assert!(Filter::default().with_globs(&["a[".into()], &[]).is_err());
    }
}

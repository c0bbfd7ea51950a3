//! How a source's path is written in `files.path` (text): a path that is UTF-8 as it is; any other
//! keeps its bytes exactly, each byte that is not part of a UTF-8 character written `\xHH` and each
//! backslash `\\`, so `a\xff.txt` and `a\xfe.txt` stay two files and the path on the disk is found
//! again from the text ([`from_stored`]).
//!
//! One spelling is ambiguous: a UTF-8 name that itself contains the characters `\xff` (a backslash,
//! `x`, two hex digits) where those bytes would not be UTF-8 reads back as the other file. No scraper
//! names files so; the text stays readable in the sqlite3 shell and Datasette, which a BLOB would not.

use std::borrow::Cow;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The text `path` is stored as.
pub fn stored(path: &Path) -> Cow<'_, str> {
    let bytes = path.as_os_str().as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\\\"));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    Cow::Owned(out)
}

/// Whether a stored path is `root` or below it (both as stored).
pub fn is_under(path: &str, root: &str) -> bool {
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The path a stored text stands for (the inverse of [`stored`]).
pub fn from_stored(text: &str) -> PathBuf {
    if !text.contains("\\x") {
        return PathBuf::from(text);
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail) {
            (b'\\', [b'\\', more @ ..]) => {
                bytes.push(b'\\');
                rest = more;
            }
            (b'\\', [b'x', h, l, more @ ..]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let hex = [*h, *l];
                let hex = std::str::from_utf8(&hex).expect("hex digits are ASCII");
                bytes.push(u8::from_str_radix(hex, 16).expect("two hex digits"));
                rest = more;
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    if std::str::from_utf8(&bytes).is_ok() {
        // Not an escaped name: a UTF-8 name with a backslash in it.
        return PathBuf::from(text);
    }
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    fn raw(bytes: &[u8]) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(bytes))
    }

    #[test]
    fn utf8_paths_are_stored_as_they_are() {
        for p in [
            "/srv/a.txt",
            "/srv/Zürich/ä.txt",
            "/srv/back\\slash.txt",
            "/x\\\\y",
        ] {
            assert_eq!(stored(Path::new(p)), p);
            assert_eq!(from_stored(p), Path::new(p));
        }
    }

    #[test]
    fn other_bytes_are_escaped_distinctly_and_read_back_exactly() {
        let ff = raw(b"/srv/a\xff.txt");
        let fe = raw(b"/srv/a\xfe.txt");
        let latin1 = raw(b"/srv/caf\xe9\\menu.txt");
        assert_eq!(stored(&ff), "/srv/a\\xff.txt");
        assert_ne!(stored(&ff), stored(&fe));
        assert_eq!(stored(&latin1), "/srv/caf\\xe9\\\\menu.txt");
        for p in [ff, fe, latin1] {
            assert_eq!(from_stored(&stored(&p)), p);
        }
    }
}

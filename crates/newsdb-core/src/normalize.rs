//! Stage: decoded text → normalized lines, and cleaned body → canonical form.
//!
//! Two forms, for two readers. The *display* form ([`lines`]) is what is stored and searched: Unicode
//! NFC, one entry per source line (so removals can be reported by line number), exotic spaces made
//! plain, invisible characters dropped, both ends trimmed. Typographic quotes and dashes stay: people
//! read this text. The *canonical* form ([`canonical`]) only feeds the content hash: NFKC, curly quotes
//! and dashes folded to ASCII, all whitespace folded to single spaces, so that copies differing only in
//! whitespace, line endings, quotes or Unicode form hash equal. Nobody reads the canonical form.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Splits text into normalized lines (NFC; CRLF, CR and LF all end a line). A blank line becomes `""`.
/// The result has exactly one entry per source line, so index + 1 is the line number in the file.
pub fn lines(text: &str) -> Vec<String> {
    // The quick check answers "yes" for nearly all text (all ASCII, most Latin): skip the rewrite then.
    let nfc: Cow<str> = if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    };
    let unified: Cow<str> = if nfc.contains('\r') {
        Cow::Owned(nfc.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        nfc
    };
    let mut out: Vec<String> = unified.split('\n').map(normalize_line).collect();
    // A final newline does not start another line.
    if unified.ends_with('\n') {
        out.pop();
    }
    out
}

fn normalize_line(line: &str) -> String {
    // Printable ASCII (most lines of most files) has nothing to drop or replace.
    if line.bytes().all(|b| matches!(b, b' '..=b'~')) {
        return line.trim().to_owned();
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if is_invisible(c) {
            continue;
        }
        if is_space(c) {
            out.push(' ');
        } else if c.is_control() {
            continue;
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// Spaces of every width, including tabs and the no-break spaces scrapers copy from HTML `&nbsp;`.
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Characters that render as nothing: zero-width space, word joiner, BOM, soft hyphen. ZWJ and ZWNJ
/// (U+200D, U+200C) are kept in the display form because Persian, Indic scripts and emoji need them;
/// the canonical form drops them.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// Joins kept lines into a body: lines stay lines, any run of blank lines becomes one blank line, and
/// blank lines at either end go.
pub fn join_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut body = String::new();
    let mut pending_blank = false;
    for line in lines {
        if line.is_empty() {
            pending_blank = !body.is_empty();
            continue;
        }
        if !body.is_empty() {
            body.push('\n');
            if pending_blank {
                body.push('\n');
            }
        }
        body.push_str(line);
        pending_blank = false;
    }
    body
}

/// The canonical form the content hash is computed over; see the module documentation.
pub fn canonical(body: &str) -> String {
    // Two monomorphic calls rather than a boxed iterator: this runs over every byte of every body.
    if body.is_ascii() {
        fold_canonical_ascii(body)
    } else if is_nfkc_quick(body.chars()) == IsNormalized::Yes {
        fold_canonical(body.chars(), body.len())
    } else {
        fold_canonical(body.nfkc(), body.len())
    }
}

/// [`fold_canonical`] for ASCII text, byte by byte: the same folds (a backtick is the only ASCII
/// character folded; whitespace runs become one space).
fn fold_canonical_ascii(body: &str) -> String {
    let mut out = Vec::with_capacity(body.len());
    let mut space = false;
    for &b in body.as_bytes() {
        // char::is_whitespace on ASCII: tab, line feed, vertical tab, form feed, carriage return, space.
        if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(b' ');
            space = false;
        }
        out.push(if b == b'`' { b'\'' } else { b });
    }
    String::from_utf8(out).expect("ASCII in, ASCII out")
}

/// Folds each character of NFKC text, and whitespace runs to one space (none at the ends).
fn fold_canonical(nfkc: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut space = false;
    for c in nfkc {
        let c = match c {
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{00AD}' => continue,
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => {
                '\''
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => {
                space = !out.is_empty();
                continue;
            }
            c => c,
        };
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Whether a character belongs to a script written without spaces between words (Chinese, Japanese,
/// Thai, Lao, Khmer, Myanmar): near-duplicate shingles take each one as a word, the cleaner's
/// classifier measures such lines in characters.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'   // Thai, Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1780}'..='\u{17FF}' // Khmer
        | '\u{3040}'..='\u{30FF}' // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ascii_fold_is_the_general_fold() {
        for text in [
            "",
            "  plain\ttext \r\n\x0B\x0Cwith `ticks` and\n\nlines  ",
            "a\u{1C}b\u{1F}c \u{7F} end",
        ] {
            assert!(text.is_ascii());
            assert_eq!(
                fold_canonical_ascii(text),
                fold_canonical(text.chars(), 0),
                "{text:?}"
            );
        }
    }

    #[test]
    fn line_endings_and_spaces_are_normalized() {
        let text = "Title\r\n\r\nOne\u{00A0}two\u{200B}three \t\rLast";
        assert_eq!(lines(text), vec!["Title", "", "One twothree", "Last"]);
    }

    #[test]
    fn decomposed_text_is_composed() {
        assert_eq!(lines("Cafe\u{0301}"), vec!["Café"]);
    }

    #[test]
    fn one_entry_per_source_line() {
        assert_eq!(lines("a\n\n\nb\n").len(), 4);
    }

    #[test]
    fn join_collapses_blank_runs_and_trims_ends() {
        assert_eq!(join_lines(["", "a", "", "", "b", "c", ""]), "a\n\nb\nc");
    }

    #[test]
    fn canonical_folds_quotes_dashes_whitespace_and_compatibility_forms() {
        let a = canonical("\u{201C}Let\u{2019}s go\u{201D} \u{2014} he said\n\nﬁne");
        let b = canonical("\"Let's go\" - he   said fine");
        assert_eq!(a, b);
    }
}

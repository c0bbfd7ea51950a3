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
    let nfc: Cow<str> = if quick_check(text, |run| is_nfc_quick(run.chars())) == IsNormalized::Yes {
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
    // Most lines of most files have nothing to drop or replace: no need to rebuild them.
    if !has_space_invisible_or_control(line.as_bytes()) {
        return line.trim_matches(' ').to_owned();
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

/// Whether `line` (UTF-8) holds a character [`normalize_line`] replaces or drops: whitespace other
/// than the ASCII space ([`is_space`]), an invisible character ([`is_invisible`]) or a control
/// character. Looked for byte by byte, by the UTF-8 encodings of those characters, where decoding
/// each character of every line was a tenth of the workers' time on real text (a curly quote sends
/// a whole paragraph down the character-by-character path).
fn has_space_invisible_or_control(line: &[u8]) -> bool {
    // Printable ASCII, most lines, answered by a loop the compiler turns into vector instructions.
    if line
        .iter()
        .fold(true, |all, &b| all & matches!(b, b' '..=b'~'))
    {
        return false;
    }
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    for (i, &b) in line.iter().enumerate() {
        let found = match b {
            b' '..=b'~' => false,
            // C0 controls (tab among them), DEL.
            0x00..=0x1F | 0x7F => true,
            // U+0080-U+00A0 (C1 controls, NEXT LINE, NO-BREAK SPACE), U+00AD SOFT HYPHEN.
            0xC2 => matches!(at(i + 1), 0x80..=0xA0 | 0xAD),
            // U+1680 OGHAM SPACE MARK, U+180E MONGOLIAN VOWEL SEPARATOR.
            0xE1 => matches!((at(i + 1), at(i + 2)), (0x9A, 0x80) | (0xA0, 0x8E)),
            // U+2000-U+200B spaces and ZERO WIDTH SPACE, U+2028, U+2029, U+202F; U+205F, U+2060.
            0xE2 => matches!(
                (at(i + 1), at(i + 2)),
                (0x80, 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF) | (0x81, 0x9F | 0xA0)
            ),
            // U+3000 IDEOGRAPHIC SPACE.
            0xE3 => (at(i + 1), at(i + 2)) == (0x80, 0x80),
            // U+FEFF BYTE ORDER MARK.
            0xEF => (at(i + 1), at(i + 2)) == (0xBB, 0xBF),
            // Continuation bytes and other leading bytes.
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// A Unicode quick check (`check`: NFC's or NFKC's) of `text`, run only over its runs of characters
/// other than ASCII: ASCII characters are allowed by both forms and are starters, so the quick
/// check of the whole is the worst of the runs' (No, else Maybe, else Yes). Finding the runs byte
/// by byte costs a fraction of decoding every character of the text.
fn quick_check(text: &str, check: impl Fn(&str) -> IsNormalized) -> IsNormalized {
    let mut result = IsNormalized::Yes;
    for (start, end) in runs_beyond_ascii(text) {
        match check(&text[start..end]) {
            IsNormalized::No => return IsNormalized::No,
            IsNormalized::Maybe => result = IsNormalized::Maybe,
            IsNormalized::Yes => {}
        }
    }
    result
}

/// The runs of characters other than ASCII in `text`, as byte ranges (start, end exclusive), in
/// order. Found byte by byte: such a character is bytes of 0x80 and over only, so a run ends on a
/// character boundary.
fn runs_beyond_ascii(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = i + bytes[i..].iter().position(|&b| b >= 0x80)?;
        let end = bytes[start..]
            .iter()
            .position(|&b| b < 0x80)
            .map_or(bytes.len(), |n| start + n);
        i = end;
        Some((start, end))
    })
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
    let mut fold = Fold::with_capacity(body.len());
    let bytes = body.as_bytes();
    // Text is cut before each ASCII character, where NFKC is stable: an ASCII character never
    // decomposes, never moves, and never composes with the character before it (no composition
    // has an ASCII second character). So each run of other characters is normalized on its own,
    // with the ASCII character before it (which may compose with it, as e with U+0301), and only
    // where the run's quick check is not "yes" (an ellipsis, a ligature): NFKC over a whole body
    // for one such character was most of the time of this function.
    let mut i = 0;
    for (start, end) in runs_beyond_ascii(body) {
        if is_nfkc_quick(body[start..end].chars()) == IsNormalized::Yes {
            fold.ascii(&bytes[i..start]);
            body[start..end].chars().for_each(|c| fold.char(c));
        } else {
            let from = if start > i { start - 1 } else { start };
            fold.ascii(&bytes[i..from]);
            body[from..end].nfkc().for_each(|c| fold.char(c));
        }
        i = end;
    }
    fold.ascii(&bytes[i..]);
    fold.finish()
}

/// Folds NFKC text, character by character or byte by byte for ASCII: curly quotes and dashes to
/// ASCII, invisible characters dropped, whitespace runs to one space (none at the ends). Both ways
/// fold alike (a backtick is the only ASCII character folded; tested).
struct Fold {
    out: String,
    /// Whitespace was met since the last character written.
    space: bool,
}

impl Fold {
    fn with_capacity(capacity: usize) -> Fold {
        Fold {
            out: String::with_capacity(capacity),
            space: false,
        }
    }

    fn char(&mut self, c: char) {
        let c = match c {
            '\u{FEFF}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{00AD}' => return,
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => {
                '\''
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => {
                self.space = !self.out.is_empty();
                return;
            }
            c => c,
        };
        if self.space {
            self.out.push(' ');
            self.space = false;
        }
        self.out.push(c);
    }

    /// [`Fold::char`] of each of `ascii`'s bytes, without decoding characters.
    fn ascii(&mut self, ascii: &[u8]) {
        debug_assert!(ascii.is_ascii());
        for &b in ascii {
            // char::is_whitespace on ASCII: tab, line feed, vertical tab, form feed, carriage
            // return, space.
            if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
                self.space = !self.out.is_empty();
                continue;
            }
            if self.space {
                self.out.push(' ');
                self.space = false;
            }
            self.out.push(if b == b'`' { '\'' } else { char::from(b) });
        }
    }

    fn finish(self) -> String {
        self.out
    }
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
            let (mut by_bytes, mut by_chars) = (Fold::with_capacity(0), Fold::with_capacity(0));
            by_bytes.ascii(text.as_bytes());
            text.chars().for_each(|c| by_chars.char(c));
            assert_eq!(by_bytes.finish(), by_chars.finish(), "{text:?}");
        }
    }

    /// Normalized by runs: the same as NFKC over the whole text, then folded character by
    /// character. On texts mixing ASCII with combining marks (which compose with the ASCII letter
    /// before them), Hangul jamo, compatibility characters, and the characters the fold changes.
    #[test]
    fn canonical_by_runs_is_the_whole_texts_nfkc_folded() {
        let pieces = [
            "e", "a", " ", "\n", "`", ".", "\u{0301}", "\u{0316}", "\u{0327}", "\u{1100}",
            "\u{1161}", "\u{11A8}", "가", "…", "ﬁ", "\u{00A0}", "\u{3000}", "Å", "Ω", "é", "ｶ",
            "\u{FF9E}", "²", "“", "’", "—", "\u{200B}", "\u{00AD}", "日本", "क़", "\u{0958}",
        ];
        // A fixed sequence of pseudo-random picks: the same texts every run.
        let seed = 0x2545_f491_4f6c_dd1du64;
        let mut state = seed;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut length = seed;
        for _ in 0..5_000 {
            let mut text = String::new();
            for _ in 0..(length % 9) {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            length = next();
            let mut whole = Fold::with_capacity(0);
            text.nfkc().for_each(|c| whole.char(c));
            assert_eq!(canonical(&text), whole.finish(), "{text:?}");
        }
    }

    /// Text already NFKC is folded by runs, ASCII by bytes: the same as character by character.
    #[test]
    fn canonical_by_runs_is_canonical_by_characters() {
        for text in [
            " \u{201C}Let\u{2019}s go\u{201D} \u{2014} he said\n\n caf\u{e9}  ",
            "日本語 と English\u{2028}mixed `ticks`\u{00AD}\u{200B}",
            "\u{2028}lead and trail\u{2029}",
            "é",
            "plain ascii only",
        ] {
            assert_eq!(is_nfkc_quick(text.chars()), IsNormalized::Yes, "{text:?}");
            let mut by_chars = Fold::with_capacity(0);
            text.chars().for_each(|c| by_chars.char(c));
            assert_eq!(canonical(text), by_chars.finish(), "{text:?}");
        }
    }

    /// The byte scan finds exactly the characters the character-by-character rewrite changes: every
    /// Unicode scalar value, alone and between letters.
    #[test]
    fn the_byte_scan_finds_every_character_a_line_loses() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let changes = is_space(c) && c != ' ' || is_invisible(c) || c.is_control();
            let mut buf = [0u8; 4];
            let alone = c.encode_utf8(&mut buf);
            assert_eq!(
                has_space_invisible_or_control(alone.as_bytes()),
                changes,
                "{c:?}"
            );
            let between = format!("é{c}x");
            assert_eq!(
                has_space_invisible_or_control(between.as_bytes()),
                changes,
                "{c:?}"
            );
        }
    }

    /// The quick checks by runs answer as the checks over the whole text.
    #[test]
    fn quick_checks_by_runs_are_the_whole_texts() {
        let seeds = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap());
        let texts: Vec<String> = [
            "",
            "plain",
            "Café",
            "Cafe\u{0301}",
            "a\u{0301}\u{0316}",
            "a\u{0316}\u{0301}",
            "x \u{0316}\u{0301} y",
            "\u{0301}start",
            "ﬁne “quotes” and\u{00A0}spaces",
            "한국어 텍스트",
            "\u{1100}\u{1161} jamo",
            "日本語のテキスト、カタカナ",
            "Å Å Ω Ω",
        ]
        .into_iter()
        .map(String::from)
        .chain(seeds)
        .collect();
        for text in &texts {
            assert_eq!(
                quick_check(text, |run| is_nfc_quick(run.chars())),
                is_nfc_quick(text.chars()),
                "NFC {text:?}"
            );
            assert_eq!(
                quick_check(text, |run| is_nfkc_quick(run.chars())),
                is_nfkc_quick(text.chars()),
                "NFKC {text:?}"
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

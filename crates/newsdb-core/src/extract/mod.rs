//! Stage: a saved HTML page → the article's text lines and the page's own metadata.
//!
//! `decode → (HTML: extract) → clean`: a page (recognised by its content, whatever its file name)
//! is parsed once; the main content is found by an extractor ([`article`]), kept behind one small
//! function so it can be replaced; the title, date, canonical URL and language come from the page's
//! markup ([`meta`]), never invented. The extracted text then goes through newsdb's own cleaner like
//! any text, so what the extractor leaves (share widgets, related lists, comment headers, in any
//! language) is still removed, and every removed line is audited in `removed_lines`.

pub mod article;
pub mod meta;

use crate::header::Header;
use dom_query::Document;

/// Elements a page may have before it is not parsed: a page is a few thousand; this bounds the time
/// and memory a pathological file (50 MB of nested tags) can take.
pub const MAX_ELEMENTS: usize = 200_000;
/// Nesting depth beyond which a page is refused: the tree is walked recursively by the extractor.
pub const MAX_DEPTH: usize = 2_000;

/// Words an extracted article block must have, and the cleaned text of a page when the extractor
/// found none and the whole page was cleaned instead: fewer is a front page or a menu.
pub const MIN_WHOLE_PAGE_WORDS: usize = 25;

/// What a page gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// Title, date (YYYY-MM-DD) and canonical URL from the markup.
    pub header: Header,
    /// The article's text, one paragraph per line.
    pub lines: Vec<String>,
    /// `<html lang>`, as written.
    pub lang: Option<String>,
    /// Which extractor found the article ([`article::WHOLE_PAGE`]: none did).
    pub extractor: &'static str,
}

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the page nests tags {0} levels deep or more: not an article page")]
    TooDeep(usize),
    #[error("the page has more than {MAX_ELEMENTS} elements: not an article page")]
    TooManyElements,
}

/// Whether decoded text is an HTML page rather than an article dump: it starts with markup (`<`,
/// after whitespace or a BOM), and one of its lines in the first 4 KiB starts with a doctype or an
/// `<html>`, `<head>` or `<body>` tag (saved pages may come wrapped: an XML prolog, comments, an
/// archive's own `<text id=...>` element).
pub fn looks_like_html(text: &str) -> bool {
    let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !text.starts_with('<') {
        return false;
    }
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].split(['\n', '>']).any(|line| {
        let line = line.trim_start();
        let head: String = line
            .chars()
            .take(14)
            .collect::<String>()
            .to_ascii_lowercase();
        ["<!doctype html", "<html", "<head", "<body"]
            .iter()
            .any(|tag| {
                head.strip_prefix(tag)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
            })
    })
}

/// Extracts the article and metadata of `html`.
pub fn extract(html: &str) -> Result<Extracted, ExtractError> {
    check_shape(html)?;
    let doc = Document::from(html);
    let meta = meta::read(&doc);
    let (text, extractor) = match article::main_text(&doc, meta.url.as_deref()) {
        Some(text) => (text, article::EXTRACTOR),
        // No article block found (a front page, an odd layout): the page's whole text, cleaned as a
        // text dump is, finds what article there is.
        None => (article::page_text(&doc), article::WHOLE_PAGE),
    };
    let lines = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    Ok(Extracted {
        header: Header {
            title: meta.title,
            published: meta.published,
            url: meta.url,
        },
        lines,
        lang: meta.lang,
        extractor,
    })
}

/// Refuses pages too deep or too large to parse in bounded time and stack, by a scan of the tags
/// (before any tree is built).
fn check_shape(html: &str) -> Result<(), ExtractError> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "param", "keygen", "command",
    ];
    let (mut depth, mut elements) = (0usize, 0usize);
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &bytes[start..start + name_len];
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        elements += 1;
        if elements > MAX_ELEMENTS {
            return Err(ExtractError::TooManyElements);
        }
        // Within the tag (looked for in a bounded window, so text full of `<` stays linear).
        let window = &bytes[start..bytes.len().min(start + 4096)];
        let self_closing = window
            .iter()
            .position(|&b| b == b'>')
            .is_some_and(|end| end > 0 && window[end - 1] == b'/');
        let is = |tag: &str| name.eq_ignore_ascii_case(tag.as_bytes());
        if !VOID.iter().any(|tag| is(tag)) && !self_closing && !is("p") && !is("li") {
            depth += 1;
            if depth >= MAX_DEPTH {
                return Err(ExtractError::TooDeep(depth));
            }
        }
    }
    Ok(())
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_told_from_text() {
        assert!(looks_like_html(
            "<!DOCTYPE html><html><body>x</body></html>"
        ));
        assert!(looks_like_html("\u{feff}\n  <!-- saved --> <HTML lang=en>"));
        assert!(looks_like_html(
            "<?xml version=\"1.0\"?>\n<html xmlns=\"x\">"
        ));
        assert!(!looks_like_html(
            "Title\n20240101\nhttps://a.example/x\nBody <b>bold</b>"
        ));
        assert!(!looks_like_html("The <html> tag starts a page."));
        assert!(looks_like_html(
            "<text id=\"x\">\n\n<!DOCTYPE html PUBLIC \"-//W3C\">\n<html>"
        ));
        assert!(!looks_like_html("<b>Not a page</b>\nBody text."));
    }

    #[test]
    fn a_page_too_deep_is_refused_before_it_is_parsed() {
        let deep = format!("<html><body>{}x</body></html>", "<div>".repeat(10_000));
        assert_eq!(extract(&deep), Err(ExtractError::TooDeep(MAX_DEPTH)));
        let flat = format!("<html><body>{}</body></html>", "<p>para".repeat(1_000));
        assert!(extract(&flat).is_ok());
        // Many `<` and no `>`: refused, after a scan that stays linear (looking for each tag's end
        // to the end of the text made this one take minutes).
        let open = format!("<html><body>{}", "<a".repeat(2_000_000));
        assert!(check_shape(&open).is_err());
    }
}

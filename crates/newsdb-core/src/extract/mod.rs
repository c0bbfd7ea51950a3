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
use memchr::memchr;

/// Elements a page may have before it is not parsed: a page is a few thousand; this bounds the time
/// and memory a pathological file (50 MB of nested tags) can take.
pub const MAX_ELEMENTS: usize = 200_000;
/// Nesting depth beyond which a page is refused: the tree is walked recursively by the extractor.
pub const MAX_DEPTH: usize = 2_000;
/// Bytes of text outside the tags (scripts included) a page may have: an article page has a few
/// hundred KiB at most, and the parsed tree takes about seven times the page, so a 50 MB page of text
/// would hold a worker for seconds and hundreds of MB. Long attribute values (inlined images) do not
/// count.
pub const MAX_TEXT_BYTES: usize = 16 << 20;

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
    #[error("the page holds more than {} MiB of text: not an article page", .0 >> 20)]
    TooMuchText(usize),
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

/// Whether text holds markup at all: a tag of an element every page has (`<p>`, `<div>`, `<a ...>`,
/// `</body>`, ...) or a doctype. For a file whose name says it is a page (`.html`): a damaged or
/// truncated save (the first kilobytes lost, a script or a comment first) does not start like a page
/// for [`looks_like_html`], and its markup would otherwise be stored as article text.
pub fn has_markup(text: &str) -> bool {
    const ELEMENTS: &[&str] = &[
        "html", "head", "body", "title", "meta", "div", "p", "a", "span", "br", "table", "td",
        "li", "ul", "script", "style", "link", "img", "h1", "h2", "!doctype",
    ];
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'<', bytes).any(|lt| {
        let rest = &bytes[lt + 1..];
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'!')
            .count();
        let after = rest.get(name_len).copied();
        // A tag is closed by a `>` before the next `<`: "the <p tag" in a sentence is not one.
        // (Looked for only up to the next `<`, so the scan stays linear.)
        let closed = || {
            let until = memchr(b'<', rest).unwrap_or(rest.len());
            memchr(b'>', &rest[..until]).is_some()
        };
        name_len > 0
            && matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'))
            && ELEMENTS
                .iter()
                .any(|e| rest[..name_len].eq_ignore_ascii_case(e.as_bytes()))
            && closed()
    })
}

/// Extracts the article and metadata of `html`.
pub fn extract(html: &str) -> Result<Extracted, ExtractError> {
    check_shape(html)?;
    let stripped = without_code(html);
    let html = stripped.as_str();
    let doc = Document::from(html);
    let meta = meta::read(&doc);
    let (text, extractor) = match article::main_text(doc, meta.url.as_deref()) {
        Some(text) => (text, article::EXTRACTOR),
        // No article block found (a front page, an odd layout): the page's whole text, cleaned as a
        // text dump is, finds what article there is.
        None => (
            article::page_text(&Document::from(html)),
            article::WHOLE_PAGE,
        ),
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

/// The page without the contents of its `<script>` (but JSON-LD, which [`meta`] reads) and `<style>`
/// elements: neither extractor nor metadata reads them, and on today's pages they are often half
/// the bytes, which the parser would otherwise tokenize and keep in the tree. The elements stay,
/// empty, so the page's structure is the same.
fn without_code(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let (mut copied, mut i) = (0, 0);
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        i = lt + 1;
        if bytes[lt..].starts_with(b"<!--") {
            // A comment may hold a `<script>` that is not one.
            match memchr::memmem::find(&bytes[lt + 4..], b"-->") {
                Some(end) => i = lt + 4 + end + 3,
                None => break,
            }
            continue;
        }
        let tag = ["script", "style"].into_iter().find(|tag| {
            bytes.len() > lt + 1 + tag.len()
                && bytes[lt + 1..lt + 1 + tag.len()].eq_ignore_ascii_case(tag.as_bytes())
                && matches!(
                    bytes[lt + 1 + tag.len()],
                    b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/'
                )
        });
        let Some(tag) = tag else { continue };
        let Some(open_end) = tag_end(&bytes[lt..]).map(|e| lt + e + 1) else {
            break;
        };
        let open = &html[lt..open_end];
        if open.to_ascii_lowercase().contains("ld+json") {
            i = open_end;
            continue;
        }
        // The element's end: `</script` or `</style`, in any case (the parser's own rule).
        let close = memchr::memmem::find_iter(&bytes[open_end..], b"</")
            .map(|at| open_end + at)
            .find(|&at| {
                bytes.len() >= at + 2 + tag.len()
                    && bytes[at + 2..at + 2 + tag.len()].eq_ignore_ascii_case(tag.as_bytes())
            });
        let Some(close) = close else { break };
        out.push_str(&html[copied..open_end]);
        copied = close;
        i = close + 2;
    }
    out.push_str(&html[copied..]);
    out
}

/// Where the tag at the start of `bytes` ends: its first `>` outside a quoted attribute value.
fn tag_end(bytes: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'>') => return Some(i),
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            _ => {}
        }
    }
    None
}

/// Refuses pages too deep or too large to parse in bounded time and stack, by a scan of the tags
/// (before any tree is built).
fn check_shape(html: &str) -> Result<(), ExtractError> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "param", "keygen", "command",
    ];
    let (mut depth, mut elements, mut text) = (0usize, 0usize, 0usize);
    let bytes = html.as_bytes();
    // `i`: where the scan goes on; `text_from`: where the text after the last tag starts.
    let (mut i, mut text_from) = (0, 0);
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let lt = i + off;
        text += lt.saturating_sub(text_from);
        if text > MAX_TEXT_BYTES {
            return Err(ExtractError::TooMuchText(MAX_TEXT_BYTES));
        }
        i = lt + 1;
        text_from = i;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let name_len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        // The tag's end. The scan goes on after it, so a long attribute (an image inlined as a data
        // URL by a "save page as one file") is neither text nor searched again: linear in the page.
        let Some(end) = memchr(b'>', &bytes[start..]).map(|e| start + e) else {
            break;
        };
        (i, text_from) = (end + 1, end + 1);
        let name = &bytes[start..start + name_len];
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        elements += 1;
        if elements > MAX_ELEMENTS {
            return Err(ExtractError::TooManyElements);
        }
        let self_closing = bytes[end - 1] == b'/';
        let is = |tag: &str| name.eq_ignore_ascii_case(tag.as_bytes());
        if !VOID.iter().any(|tag| is(tag)) && !self_closing && !is("p") && !is("li") {
            depth += 1;
            if depth >= MAX_DEPTH {
                return Err(ExtractError::TooDeep(depth));
            }
        }
    }
    text += bytes.len().saturating_sub(text_from);
    if text > MAX_TEXT_BYTES {
        return Err(ExtractError::TooMuchText(MAX_TEXT_BYTES));
    }
    Ok(())
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
    fn markup_is_told_from_text_that_mentions_tags() {
        assert!(has_markup(
            "eloadImages() { x }\n<div id=\"header\"><p>Text</p>"
        ));
        assert!(has_markup(
            "<!--section--->\n<script type=\"text/javascript\">"
        ));
        assert!(has_markup("broken start</P>"));
        assert!(!has_markup(
            "Plain text with 3 < 4 and a <placeholder> word."
        ));
        assert!(!has_markup("An article about the <p tag."));
    }

    #[test]
    fn a_page_too_deep_is_refused_before_it_is_parsed() {
        let deep = format!("<html><body>{}x</body></html>", "<div>".repeat(10_000));
        assert_eq!(extract(&deep), Err(ExtractError::TooDeep(MAX_DEPTH)));
        let flat = format!("<html><body>{}</body></html>", "<p>para".repeat(1_000));
        assert!(extract(&flat).is_ok());
        // Many `<` and no `>`: one tag never closed, as a parser reads it, after a scan that stays
        // linear (looking for each tag's end to the end of the text made this one take minutes).
        let open = format!("<html><body>{}", "<a".repeat(2_000_000));
        assert_eq!(check_shape(&open), Ok(()));
        let many = format!("<html><body>{}", "<a>x</a>".repeat(MAX_ELEMENTS));
        assert_eq!(check_shape(&many), Err(ExtractError::TooManyElements));
    }

    #[test]
    fn scripts_and_styles_are_emptied_but_json_ld_and_the_rest_stay() {
        let page = concat!(
            "<html><head><style>p { color: red }</style>",
            "<script type=\"application/ld+json\">{\"datePublished\":\"2024-01-02\"}</script>",
            "<SCRIPT src=x>var a = '<p>not text</p>';</Script >",
            "<!-- <script> in a comment --><scripts>kept</scripts></head>",
            "<body><p>Text.</p><script>unclosed"
        );
        let quoted = "<script data-x='a>b'>code</script><p>Text.</p>";
        assert_eq!(
            without_code(quoted),
            "<script data-x='a>b'></script><p>Text.</p>"
        );
        assert_eq!(
            without_code(page),
            concat!(
                "<html><head><style></style>",
                "<script type=\"application/ld+json\">{\"datePublished\":\"2024-01-02\"}</script>",
                "<SCRIPT src=x></Script >",
                "<!-- <script> in a comment --><scripts>kept</scripts></head>",
                "<body><p>Text.</p><script>unclosed"
            )
        );
    }

    #[test]
    fn a_page_of_megabytes_of_text_is_refused_and_an_inlined_image_is_not_text() {
        let text = format!("<html><body><p>{}</p>", "word ".repeat(MAX_TEXT_BYTES / 4));
        assert_eq!(
            check_shape(&text),
            Err(ExtractError::TooMuchText(MAX_TEXT_BYTES))
        );
        let inlined = format!(
            "<html><body><p>x</p><img src='data:image/png;base64,{}'></body></html>",
            "A".repeat(MAX_TEXT_BYTES + 1)
        );
        assert_eq!(check_shape(&inlined), Ok(()));
    }
}

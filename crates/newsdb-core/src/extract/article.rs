//! The extractor: which part of a page is the article. The one place that knows the crate doing it,
//! so it can be replaced (see BENCHMARKS.md for how the candidates were compared).
//!
//! dom_smoothie (a port of Mozilla's Readability) scores the page's blocks by text and link density
//! and class names and keeps the best one with its siblings; its text keeps paragraph breaks.

use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

/// Recorded with what it extracted (`clean --json`, `files.format`).
pub const EXTRACTOR: &str = "dom_smoothie";

/// Recorded when the extractor found no article and the page's whole text was cleaned instead.
pub const WHOLE_PAGE: &str = "whole-page";

/// The name as this build records it, if it is one of the two above (a prepared record read back).
pub fn known(name: &str) -> Option<&'static str> {
    [EXTRACTOR, WHOLE_PAGE].into_iter().find(|&n| n == name)
}

/// The main text of the page, paragraphs on their own lines; `None` when no article is found (or
/// one shorter than [`super::MIN_WHOLE_PAGE_WORDS`] words).
/// Takes the document: the crate changes it as it works, and a copy of the tree would cost every page
/// what only the pages without an article need ([`page_text`] is given the page parsed again).
pub fn main_text(doc: Document, url: Option<&str>) -> Option<String> {
    let config = Config {
        text_mode: TextMode::Formatted,
        // The page's metadata is read by [`super::meta`]; the crate need not parse JSON-LD again.
        disable_json_ld: true,
        min_score_to_adjust: 10.0,
        ..Default::default()
    };
    // The URL only resolves links; one the crate would refuse is not given.
    let url = url.filter(|u| url::Url::parse(u).is_ok());
    let readability = Readability::with_document(doc, url, Some(config));
    readability
        .and_then(|mut r| r.parse())
        .ok()
        .map(|article| article.text_content.to_string())
        // A few words (a menu Readability settled on) are not an article block.
        .filter(|text| text.split_whitespace().count() >= super::MIN_WHOLE_PAGE_WORDS)
}

/// The text of the whole page's body, paragraphs on their own lines: what a text dump of it holds.
pub fn page_text(doc: &Document) -> String {
    doc.select("script, style, noscript, template").remove();
    doc.select("body")
        .nodes()
        .first()
        .map_or_else(String::new, |body| body.formatted_text().to_string())
}

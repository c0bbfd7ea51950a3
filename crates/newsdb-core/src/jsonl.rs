//! Stage for JSON Lines input: one line → an article's text and fields.
//!
//! Accepts what `newsdb export --jsonl` writes (`body`, `title`, `published`, `url`; its other fields
//! are ignored) and what scrapers and corpus tools commonly write: objects with `text`, `body` or
//! `content`, or the page's markup in `html`, and optional `title`, `date` or `published`, and `url`;
//! datatrove and Dolma records keep the last three in `metadata`, which is read when the record has
//! none of its own. Unknown fields are ignored, so any scraper's extra columns pass.
//!
//! A date is read by [`crate::date`] (ISO, RFC 3339, RFC 2822, `January 18, 2022`, `18.01.2022`,
//! ...), or is a number of seconds (or milliseconds) since the epoch. A date it cannot read does not
//! cost the record: the article is kept without a date, and the text is kept in [`Article::note`].

use crate::header::Header;
use crate::reject::Rejection;
use serde_json::{Map, Value};

/// An article read from one JSON Lines record: its content and fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub content: Content,
    pub header: Header,
    /// What was not understood but did not cost the record (a date it cannot read), said for the
    /// record's `files.detail`.
    pub note: Option<String>,
}

/// What a record holds of the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The body as text (`body` or `text`), cleaned like a file's.
    Text(String),
    /// The page's markup (`html`): the article is extracted from it as from a saved page. When a
    /// record has both, the markup is used: it tells more (which text is a link, a menu, a footer).
    Html(String),
}

/// Parses one record. A line that is not a JSON object with a text is rejected with why.
pub fn parse(line: &[u8]) -> Result<Article, Rejection> {
    let bad = |why: String| Rejection::BadRecord(why);
    // A file written with a byte-order mark has one before its first record.
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let value: Value =
        serde_json::from_slice(line).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(bad("expected a JSON object".into()));
    };
    let text = match string(&object, "body")? {
        Some(body) => Some(body),
        None => match string(&object, "text")? {
            Some(text) => Some(text),
            None => string(&object, "content")?,
        },
    };
    let content = match (
        string(&object, "html")?.filter(|h| !h.trim().is_empty()),
        text,
    ) {
        (Some(html), _) => Content::Html(html),
        (None, Some(text)) => Content::Text(text),
        (None, None) => {
            return Err(bad(
                "no \"body\", \"text\", \"content\" or \"html\" field with the article".into(),
            ))
        }
    };
    // datatrove / Dolma: `{"text": ..., "metadata": {"url": ..., "date": ...}}`.
    let metadata = match object.get("metadata") {
        Some(Value::Object(m)) => Some(m),
        _ => None,
    };
    let field = |key: &str| -> Result<Option<&Value>, Rejection> {
        let own = object.get(key).filter(|v| !v.is_null());
        Ok(own.or_else(|| metadata?.get(key).filter(|v| !v.is_null())))
    };
    let text_field = |key: &str| -> Result<Option<String>, Rejection> {
        match field(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.trim().is_empty())),
            Some(other) => Err(bad(format!(
                "field \"{key}\" must be a string, not {other}"
            ))),
        }
    };
    let (published, note) = match field("published")?.or(field("date")?) {
        None => (None, None),
        Some(value) => match parse_date(value) {
            Some(day) => (Some(day), None),
            None => (
                None,
                Some(format!(
                    "date {value} not understood; stored without a date"
                )),
            ),
        },
    };
    Ok(Article {
        content,
        header: Header {
            title: text_field("title")?,
            published,
            url: text_field("url")?,
        },
        note,
    })
}

/// The name of standard input, as a source's path prefix.
pub const STDIN: &str = "-";

/// The stages for one JSON Lines line: parse it, then prepare its text or markup with the record's
/// fields ([`crate::prepare_fields`], [`crate::prepare_page_fields`]). `line` (1-based) goes into a
/// rejection's or a note's words, as `files.detail` shows them.
pub fn prepare_line(
    bytes: &[u8],
    line: u64,
    cleaner: &crate::Cleaner,
    sign: bool,
) -> Result<crate::Prepared, Rejection> {
    let article = parse(bytes).map_err(|rejection| match rejection {
        Rejection::BadRecord(why) => Rejection::BadRecord(format!("line {line}: {why}")),
        other => other,
    })?;
    let mut prepared = match article.content {
        Content::Text(text) => crate::prepare_fields(&text, article.header, cleaner, sign),
        Content::Html(html) => crate::prepare_page_fields(&html, article.header, cleaner, sign),
    }?;
    prepared.note = article.note.map(|n| format!("line {line}: {n}"));
    Ok(prepared)
}

/// A record's path in `files`: `FILE#LINE`, or for standard input ([`STDIN`]) `-#` and the first 16
/// hex digits of its SHA-256, so that the same record piped twice is one source and records piped
/// on other days never take each other's place.
pub fn record_path(prefix: &str, line: u64, raw_hash: &str) -> String {
    if prefix == STDIN {
        format!("{STDIN}#{}", &raw_hash[..16])
    } else {
        format!("{prefix}#{line}")
    }
}

/// Whether a file's text is JSON (an object or an array, or JSON Lines of them) rather than an
/// article: its first line, or the whole text, parses as one.
pub fn is_json_text(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim();
    let shaped = (text.starts_with('{') && text.ends_with('}'))
        || (text.starts_with('[') && text.ends_with(']'));
    let parses = |s: &str| serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok();
    shaped && (parses(text.lines().next().unwrap_or("")) || parses(text))
}

/// A string field; absent and `null` are `None`, any other type is an error naming the field.
fn string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, Rejection> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Rejection::BadRecord(format!(
            "field \"{key}\" must be a string, not {other}"
        ))),
    }
}

/// A date field: a text [`crate::date::day`] reads, or seconds (or milliseconds) since the epoch, as
/// a number or a string of digits.
fn parse_date(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => {
            let text = text.trim();
            let digits = text.bytes().all(|b| b.is_ascii_digit());
            if digits && (9..=13).contains(&text.len()) {
                crate::date::day_from_epoch(text.parse().ok()?)
            } else {
                crate::date::day(text)
            }
        }
        Value::Number(n) => {
            crate::date::day_from_epoch(n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_before_the_first_record_is_skipped() {
        let a = parse(b"\xEF\xBB\xBF{\"title\": \"T\", \"body\": \"The body.\"}").unwrap();
        assert_eq!(a.content, Content::Text("The body.".into()));
        assert_eq!(a.header.title.as_deref(), Some("T"));
    }

    #[test]
    fn export_and_scraper_shapes() {
        let a = parse(br#"{"id":3,"title":"T","published":"2022-01-12","url":"https://x.example/a","body":"B."}"#).unwrap();
        assert_eq!(a.content, Content::Text("B.".into()));
        assert_eq!(a.header.title.as_deref(), Some("T"));
        assert_eq!(a.header.published.as_deref(), Some("2022-01-12"));
        let b =
            parse(br#"{"text":"B.","date":"2022-01-12T23:30:00-05:00","title":null,"extra":[1]}"#)
                .unwrap();
        assert_eq!(b.header.published.as_deref(), Some("2022-01-12"));
        assert_eq!(b.header.title, None);
    }

    #[test]
    fn a_page_s_markup_wins_over_a_text_dump() {
        let a = parse(br#"{"html":"<html><body><p>B.</p></body></html>","text":"Menu B.","url":"https://x.example/a"}"#).unwrap();
        assert_eq!(
            a.content,
            Content::Html("<html><body><p>B.</p></body></html>".into())
        );
        assert_eq!(a.header.url.as_deref(), Some("https://x.example/a"));
        // An empty `html` (a scraper that failed to save the page) leaves the text.
        let b = parse(br#"{"html":"","text":"B."}"#).unwrap();
        assert_eq!(b.content, Content::Text("B.".into()));
    }

    #[test]
    fn bad_records_say_why() {
        let why = |line: &[u8]| parse(line).unwrap_err().to_string();
        assert!(why(b"{\"body\": ").contains("invalid JSON"));
        assert!(why(b"[1, 2]").contains("JSON object"));
        assert!(why(b"{\"title\": \"T\"}").contains("\"html\""));
        assert!(why(b"{\"html\": 1}").contains("\"html\" must be a string"));
        assert!(why(b"{\"text\": 5}").contains("\"text\" must be a string"));
    }

    #[test]
    fn dates_in_every_common_form_and_a_date_not_understood_costs_nothing_else() {
        let day = |line: &[u8]| parse(line).unwrap().header.published;
        for line in [
            &br#"{"text":"B.","date":"Tue, 18 Jan 2022 10:00:00 GMT"}"#[..],
            br#"{"text":"B.","date":1642500000}"#,
            br#"{"text":"B.","date":"1642500000"}"#,
            br#"{"text":"B.","published":"January 18, 2022"}"#,
            br#"{"text":"B.","date":"18.01.2022"}"#,
        ] {
            assert_eq!(
                day(line).as_deref(),
                Some("2022-01-18"),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        let a = parse(br#"{"text":"B.","date":"last Tuesday","title":"T"}"#).unwrap();
        assert_eq!(
            (a.header.published, a.header.title.as_deref()),
            (None, Some("T"))
        );
        assert!(a.note.unwrap().contains("last Tuesday"));
    }

    #[test]
    fn json_files_are_told_from_articles() {
        assert!(is_json_text("{\"text\": \"a\"}\n{\"text\": \"b\"}\n"));
        assert!(is_json_text("[\n  {\"text\": \"a\"}\n]\n"));
        assert!(!is_json_text(
            "{Editor's note} The council met.\nIt ended {late}"
        ));
        assert!(!is_json_text("The council met on Tuesday."));
    }

    #[test]
    fn datatrove_and_dolma_records() {
        let a = parse(
            br#"{"id":"x","content":"B.","metadata":{"url":"https://x.example/a","date":"2022-01-18T10:00:00Z","title":"T"}}"#,
        )
        .unwrap();
        assert_eq!(a.content, Content::Text("B.".into()));
        assert_eq!(a.header.url.as_deref(), Some("https://x.example/a"));
        assert_eq!(a.header.published.as_deref(), Some("2022-01-18"));
        assert_eq!(a.header.title.as_deref(), Some("T"));
        // The record's own fields win.
        let b = parse(br#"{"text":"B.","url":"https://own.example/","metadata":{"url":"https://x.example/a"}}"#).unwrap();
        assert_eq!(b.header.url.as_deref(), Some("https://own.example/"));
    }
}

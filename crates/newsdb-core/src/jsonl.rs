//! Stage for JSON Lines input: one line → an article's text and fields.
//!
//! Accepts what `newsdb export --jsonl` writes (`body`, `title`, `published`, `url`; its other fields
//! are ignored) and what scrapers commonly write: objects with `text` or `body`, or the page's markup
//! in `html`, and optional `title`, `date` or `published`, and `url`. Unknown fields are ignored, so
//! any scraper's extra columns pass.

use crate::header::{self, Header};
use crate::reject::Rejection;
use serde_json::{Map, Value};

/// An article read from one JSON Lines record: its content and fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub content: Content,
    pub header: Header,
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
    let content = match (
        string(&object, "html")?.filter(|h| !h.trim().is_empty()),
        string(&object, "body")?,
        string(&object, "text")?,
    ) {
        (Some(html), _, _) => Content::Html(html),
        (None, Some(body), _) => Content::Text(body),
        (None, None, Some(text)) => Content::Text(text),
        (None, None, None) => {
            return Err(bad(
                "no \"body\", \"text\" or \"html\" field with the article".into(),
            ))
        }
    };
    let published = match string(&object, "published")?.or(string(&object, "date")?) {
        Some(date) => Some(parse_date(&date).ok_or_else(|| {
            bad(format!(
                "date {date:?} is not YYYY-MM-DD, YYYYMMDD or a timestamp starting with YYYY-MM-DD"
            ))
        })?),
        None => None,
    };
    Ok(Article {
        content,
        header: Header {
            title: string(&object, "title")?.filter(|t| !t.trim().is_empty()),
            published,
            url: string(&object, "url")?.filter(|u| !u.trim().is_empty()),
        },
    })
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

/// `2022-01-12`, `20220112`, or a timestamp starting with the day (`2022-01-12T08:00:00Z`,
/// `2022-01-12 08:00`) → the day, as written (no time-zone shift).
fn parse_date(date: &str) -> Option<String> {
    let date = date.trim();
    header::parse_date(date).or_else(|| {
        let (day, rest) = date.split_at_checked(10)?;
        rest.starts_with(['T', ' '])
            .then(|| header::parse_date(day))?
    })
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
        assert!(why(b"{\"text\": \"x\", \"date\": \"last Tuesday\"}").contains("last Tuesday"));
    }
}

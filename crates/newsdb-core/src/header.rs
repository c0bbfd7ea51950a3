//! Stage: normalized lines → header fields (title, published date, URL).
//!
//! The scrapers that feed newsdb write one of three shapes:
//! 1. a structured header: a title line, a date line (`YYYYMMDD`, `YYYY-MM-DD`, `January 18, 2022`,
//!    `18.01.2022`, a timestamp: see [`crate::date`]) and a URL line
//!    (either of the last two may be missing, not both);
//! 2. a title line followed by a blank line, then the body;
//! 3. no header at all: the body starts on the first line.
//!
//! Shape 1 is recognised here, before cleaning. Shape 2 is decided after cleaning, on the first line
//! the cleaner kept (a share widget may sit above the title), by [`looks_like_title`]. This stage never
//! invents a field: a missing or impossible date is `None`, not today. A date line it cannot read
//! (`18 de enero de 2022`, `20221345`) between a title and a URL costs only the date: the header is
//! still one, and the line is kept in [`Structured::unread_date`] for the caller to report.

/// The header fields of one file. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    pub title: Option<String>,
    /// ISO date, `YYYY-MM-DD`.
    pub published: Option<String>,
    pub url: Option<String>,
}

/// A structured header found at the top of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structured {
    pub header: Header,
    /// Index of the first line after the header.
    pub body_start: usize,
    /// The header's date line when it is not a date newsdb reads (the date is then `None`).
    pub unread_date: Option<String>,
}

/// Longest line taken for an unreadable date between a title and a URL: a date, however it is
/// written, is short; a longer line is a first paragraph.
const UNREAD_DATE_MAX_CHARS: usize = 60;

/// Recognises shape 1 at the top of `lines` (leading blank lines are skipped).
pub fn parse_structured(lines: &[String]) -> Option<Structured> {
    let mut i = lines.iter().position(|l| !l.is_empty())?;
    let mut header = Header::default();
    if parse_date(&lines[i]).is_none() && parse_url(&lines[i]).is_none() {
        header.title = Some(lines[i].clone());
        i += 1;
    }
    let mut unread_date = None;
    if let Some(date) = lines.get(i).and_then(|l| parse_date(l)) {
        header.published = Some(date);
        i += 1;
    } else if header.title.is_some()
        && lines.get(i).is_some_and(|l| looks_like_a_date_line(l))
        && lines.get(i + 1).is_some_and(|l| parse_url(l).is_some())
    {
        // Title, a line in the date's place that is not a date newsdb reads, URL: still the header.
        unread_date = Some(lines[i].clone());
        i += 1;
    }
    if let Some(url) = lines.get(i).and_then(|l| parse_url(l)) {
        header.url = Some(url);
        i += 1;
    }
    if header.published.is_none() && header.url.is_none() {
        return None;
    }
    Some(Structured {
        header,
        body_start: i,
        unread_date,
    })
}

/// A short line with a digit in it, not a URL: what stands in a header's date place in a format
/// [`parse_date`] does not know (`18 de enero de 2022`, `2022年1月18日`, `20221345`).
fn looks_like_a_date_line(line: &str) -> bool {
    let line = line.trim();
    line.chars().count() <= UNREAD_DATE_MAX_CHARS
        && line.chars().any(|c| c.is_numeric())
        && parse_url(line).is_none()
}

/// A date line (`20220112`, `2022-01-12`, `January 12, 2022`, `12.01.2022`, a timestamp: every
/// format of [`crate::date::day`]) → `2022-01-12`, if that day exists.
pub fn parse_date(line: &str) -> Option<String> {
    crate::date::day(line)
}

/// A line that is exactly one absolute http(s) URL.
pub fn parse_url(line: &str) -> Option<String> {
    let line = line.trim();
    if line.contains(char::is_whitespace) {
        return None;
    }
    let url = url::Url::parse(line).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host_str().is_some()).then(|| line.to_owned())
}

/// The host of a URL without a leading `www.`, lower-cased: what `documents.domain` holds.
pub fn domain(url: &str) -> Option<String> {
    let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_owned())
}

/// Maximum length of a title, in characters: longer first lines are paragraphs.
const TITLE_MAX_CHARS: usize = 300;

/// Whether a line standing alone above a blank line reads as a headline rather than a first paragraph:
/// not too long, and not ending like a sentence or a label (`.`, `,`, `;`, `:`). Headlines ending in
/// `?` or `!` are titles; headlines ending in a full stop are rare enough that a lead paragraph is the
/// better bet, and a wrong guess would invent a title.
pub fn looks_like_title(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.chars().count() <= TITLE_MAX_CHARS
        && !line.ends_with(['.', ',', ';', ':', '…'])
        && parse_date(line).is_none()
        && parse_url(line).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn three_line_header() {
        let s = parse_structured(&v(&[
            "Title",
            "20220112",
            "https://www.example.com/a",
            "Body.",
        ]))
        .unwrap();
        assert_eq!(s.header.title.as_deref(), Some("Title"));
        assert_eq!(s.header.published.as_deref(), Some("2022-01-12"));
        assert_eq!(s.header.url.as_deref(), Some("https://www.example.com/a"));
        assert_eq!(s.body_start, 3);
    }

    #[test]
    fn header_without_date_keeps_date_empty() {
        let s = parse_structured(&v(&["Title", "https://example.com/a", "Body."])).unwrap();
        assert_eq!(s.header.published, None);
        assert_eq!(s.body_start, 2);
    }

    #[test]
    fn impossible_date_is_not_a_date() {
        assert_eq!(parse_date("20221345"), None);
        assert!(parse_structured(&v(&["Title", "20221345", "Body."])).is_none());
    }

    #[test]
    fn a_date_line_it_cannot_read_costs_only_the_date() {
        for line in ["18 de enero de 2022", "2022年1月18日", "20221345"] {
            let s =
                parse_structured(&v(&["Title", line, "https://example.com/a", "Body."])).unwrap();
            assert_eq!(s.header.title.as_deref(), Some("Title"));
            assert_eq!(s.header.published, None);
            assert_eq!(s.header.url.as_deref(), Some("https://example.com/a"));
            assert_eq!((s.body_start, s.unread_date.as_deref()), (3, Some(line)));
        }
        // Without a URL after it, such a line is the body's: no header.
        assert!(parse_structured(&v(&["Title", "18 de enero de 2022", "Body."])).is_none());
        // A paragraph before a URL line is not a date line.
        let long = "In 2022 the council met forty times and the harbour wall was finally rebuilt.";
        assert!(parse_structured(&v(&["Title", long, "https://example.com/a"])).is_none());
    }

    #[test]
    fn plain_text_has_no_structured_header() {
        assert!(parse_structured(&v(&["Title", "", "Body."])).is_none());
    }

    #[test]
    fn domain_drops_www() {
        assert_eq!(
            domain("https://www.Newsweek.com/x").as_deref(),
            Some("newsweek.com")
        );
    }

    #[test]
    fn titles_versus_paragraphs() {
        assert!(looks_like_title(
            "Blinken seeks to reassure Ukraine as Russia moves troops into the region"
        ));
        assert!(looks_like_title("Will Russia invade?"));
        assert!(!looks_like_title("Share this:"));
        assert!(!looks_like_title(
            "The warning came as Blinken arrived in Kyiv."
        ));
    }
}

//! A page's own metadata, read from its markup: title, publication date, canonical URL, language.
//! Only what the page states is taken; nothing is guessed from the text.

use dom_query::Document;

/// What the markup says about the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pub title: Option<String>,
    /// YYYY-MM-DD.
    pub published: Option<String>,
    /// Absolute http(s) URL.
    pub url: Option<String>,
    pub lang: Option<String>,
}

/// Reads the metadata of `doc`.
pub fn read(doc: &Document) -> Meta {
    Meta {
        title: title(doc),
        published: published(doc),
        url: canonical_url(doc),
        lang: attr(doc, "html", "lang"),
    }
}

/// The first non-empty value of `name` on the elements `selector` selects.
fn attr(doc: &Document, selector: &str, name: &str) -> Option<String> {
    doc.select(selector)
        .nodes()
        .iter()
        .filter_map(|n| n.attr(name))
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
}

fn text(doc: &Document, selector: &str) -> Option<String> {
    doc.select(selector)
        .nodes()
        .iter()
        .map(|n| n.text().split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|t| !t.is_empty())
}

/// `og:title`, else the first `<h1>`, else `<title>` without the site's name.
fn title(doc: &Document) -> Option<String> {
    attr(doc, r#"meta[property="og:title"]"#, "content")
        .or_else(|| attr(doc, r#"meta[name="twitter:title"]"#, "content"))
        .or_else(|| text(doc, "h1"))
        .or_else(|| {
            let title = text(doc, "title")?;
            let site = attr(doc, r#"meta[property="og:site_name"]"#, "content");
            Some(without_site_name(&title, site.as_deref()))
        })
        .map(|t| t.chars().take(500).collect())
}

/// "Headline | The Daily Paper" → "Headline": the part before the last separator, when the part
/// after it is the site's name or shorter than the headline.
fn without_site_name(title: &str, site: Option<&str>) -> String {
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · "] {
        if let Some(i) = title.rfind(sep) {
            let (head, tail) = (title[..i].trim(), title[i + sep.len()..].trim());
            let is_site = site.is_some_and(|s| s.eq_ignore_ascii_case(tail));
            if !head.is_empty() && (is_site || tail.len() < head.len()) {
                return head.to_owned();
            }
        }
    }
    title.to_owned()
}

/// `article:published_time` and the like, JSON-LD `datePublished`, else the first `<time datetime>`.
fn published(doc: &Document) -> Option<String> {
    const METAS: &[&str] = &[
        r#"meta[property="article:published_time"]"#,
        r#"meta[name="article:published_time"]"#,
        r#"meta[itemprop="datePublished"]"#,
        r#"meta[name="pubdate"]"#,
        r#"meta[name="publishdate"]"#,
        r#"meta[name="date"]"#,
        r#"meta[name="DC.date.issued"]"#,
        r#"meta[name="dcterms.date"]"#,
    ];
    METAS
        .iter()
        .filter_map(|s| attr(doc, s, "content"))
        .chain(json_ld_dates(doc))
        .chain(attr(doc, "time[datetime]", "datetime"))
        .find_map(|v| iso_date(&v))
}

/// `datePublished` values of the page's JSON-LD blocks, at any depth.
fn json_ld_dates(doc: &Document) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(d)) = map.get("datePublished") {
                    out.push(d.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for node in doc.select(r#"script[type="application/ld+json"]"#).nodes() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&node.text()) {
            walk(&v, &mut out);
        }
    }
    out
}

/// The date of an ISO 8601 value (`2024-03-01T10:00:00Z` → `2024-03-01`), if it starts with one.
fn iso_date(value: &str) -> Option<String> {
    let d = value.trim().get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    let (month, day): (u32, u32) = (d[5..7].parse().ok()?, d[8..10].parse().ok()?);
    (ok && (1..=12).contains(&month) && (1..=31).contains(&day)).then(|| d.to_owned())
}

/// `<link rel="canonical">`, else `og:url`, when absolute.
fn canonical_url(doc: &Document) -> Option<String> {
    attr(doc, r#"link[rel="canonical"]"#, "href")
        .into_iter()
        .chain(attr(doc, r#"meta[property="og:url"]"#, "content"))
        .find(|u| u.starts_with("http://") || u.starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_comes_from_the_markup() {
        let doc = Document::from(
            r#"<html lang="de"><head><title>Hafen wieder offen | Der Kurier</title>
            <meta property="og:site_name" content="Der Kurier">
            <link rel="canonical" href="https://www.kurier.example/hafen">
            <script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","datePublished":"2024-03-01T10:00:00+01:00"}]}</script>
            </head><body><p>Text.</p></body></html>"#,
        );
        assert_eq!(
            read(&doc),
            Meta {
                title: Some("Hafen wieder offen".into()),
                published: Some("2024-03-01".into()),
                url: Some("https://www.kurier.example/hafen".into()),
                lang: Some("de".into()),
            }
        );
    }

    #[test]
    fn nothing_is_invented() {
        let doc = Document::from("<html><body><p>Just text, 2024-01-01 in it.</p></body></html>");
        assert_eq!(read(&doc), Meta::default());
        let doc = Document::from(
            r#"<html><head><meta property="og:title" content="The headline"></head>
            <body><h1>Other</h1><time datetime="2023-13-45">x</time></body></html>"#,
        );
        let meta = read(&doc);
        assert_eq!(meta.title.as_deref(), Some("The headline"));
        assert_eq!(meta.published, None, "not a date");
    }
}

//! The prepared record: what the per-document stage made of one source, as one JSON object.
//!
//! `newsdb prepare` prints one per input record, the Python package returns one per call, and
//! `newsdb ingest --prepared` stores them without cleaning again: a cluster prepares, one machine
//! loads. The record carries everything the database writer needs (the cleaned body and its keys, the
//! removed lines with their rules, the near-duplicate band keys, the site-learning candidates), the
//! cleaner version that made it (a loader refuses another one), and the source itself (`raw`, or
//! `raw_base64` for a file's bytes), so that a loader can clean it again where only the database
//! knows something: lines the site has been learned to repeat.

use crate::clean::site::Candidate;
use crate::clean::Removal;
use crate::hash::sha256_hex;
use crate::jsonl::record_path;
use crate::minhash::BandKeys;
use crate::quality::Quality;
use crate::{Cleaner, Header, Named, Prepared, Rejection};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::path::Path;

/// One source, prepared (or rejected), as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreparedRecord {
    /// What names the source in `files.path`: a file's path, or `FILE#LINE` for a JSON Lines
    /// record (`-#` and 16 hex digits of its hash for standard input), as `ingest` names them.
    pub path: String,
    /// The record's line in its JSON Lines input; absent for a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// SHA-256 (hex) of the source's bytes (the file, or the JSON Lines line).
    pub raw_hash: String,
    pub raw_size: u64,
    /// The cleaner that made the record ([`crate::Cleaner::version`]).
    pub cleaner_version: String,
    /// Why the source makes no document; the document's fields are then absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Rejected>,
    #[serde(flatten)]
    pub document: Option<Document>,
    /// The JSON Lines line the record was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// A file's bytes, base64 (standard alphabet, padded): they need not be UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_base64: Option<String>,
}

/// A rejection as data: its stable code (as `files.reason`) and its one-line message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub code: String,
    pub reason: String,
}

/// The document a source made: [`Prepared`] with owned strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub title: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub domain: Option<String>,
    /// ISO 639-3.
    pub lang: Option<String>,
    pub body: String,
    pub content_hash: String,
    pub word_count: usize,
    /// The 16 near-duplicate band keys, or `null` when not signed (or the body has no words).
    pub band_keys: Option<Vec<i64>>,
    pub stopword_ratio: Option<f64>,
    pub alpha_ratio: f64,
    pub repetition: f64,
    pub boilerplate_ratio: f64,
    pub removed: Vec<RemovedLine>,
    pub encoding: String,
    pub extractor: Option<String>,
    pub controls_removed: usize,
    pub note: Option<String>,
    pub site_candidates: Vec<SiteCandidate>,
    pub site_page: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedLine {
    pub line: usize,
    pub rule: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCandidate {
    pub hash: i64,
    pub text: String,
}

impl Document {
    pub fn of(p: Prepared) -> Document {
        Document {
            title: p.header.title,
            published: p.header.published,
            url: p.header.url,
            domain: p.domain,
            lang: p.lang.map(str::to_owned),
            body: p.body,
            content_hash: p.content_hash,
            word_count: p.word_count,
            band_keys: p.band_keys.map(|k| k.to_vec()),
            stopword_ratio: p.quality.stopword_ratio,
            alpha_ratio: p.quality.alpha_ratio,
            repetition: p.quality.repetition,
            boilerplate_ratio: p.quality.boilerplate_ratio,
            removed: p
                .removed
                .into_iter()
                .map(|r| RemovedLine {
                    line: r.line,
                    rule: r.rule.into_owned(),
                    text: r.text,
                })
                .collect(),
            encoding: p.encoding.to_owned(),
            extractor: p.extractor.map(str::to_owned),
            controls_removed: p.controls_removed,
            note: p.note,
            site_candidates: p
                .site_candidates
                .into_iter()
                .map(|c| SiteCandidate {
                    hash: c.hash,
                    text: c.text,
                })
                .collect(),
            site_page: p.site_page,
        }
    }

    /// Back to [`Prepared`], as the writer takes it. Names that must be ones newsdb knows (the
    /// language, the encoding, the extractor) are checked: a record edited by hand or made by
    /// another program fails here with what is wrong, rather than storing it.
    pub fn into_prepared(self) -> Result<Prepared, String> {
        let lang = match self.lang.as_deref() {
            None => None,
            Some(code) => Some(
                whatlang::Lang::from_code(code)
                    .ok_or_else(|| format!("unknown language code {code:?}"))?
                    .code(),
            ),
        };
        let encoding = encoding_rs::Encoding::for_label(self.encoding.as_bytes())
            .ok_or_else(|| format!("unknown encoding {:?}", self.encoding))?
            .name();
        let extractor = match self.extractor.as_deref() {
            None => None,
            Some(name) => Some(
                crate::extract::article::known(name)
                    .ok_or_else(|| format!("unknown extractor {name:?}"))?,
            ),
        };
        let band_keys =
            match self.band_keys {
                None => None,
                Some(keys) => Some(BandKeys::try_from(keys.as_slice()).map_err(|_| {
                    format!("{} band keys, not {}", keys.len(), crate::minhash::BANDS)
                })?),
            };
        Ok(Prepared {
            header: Header {
                title: self.title,
                published: self.published,
                url: self.url,
            },
            domain: self.domain,
            body: self.body,
            content_hash: self.content_hash,
            word_count: self.word_count,
            lang,
            removed: self
                .removed
                .into_iter()
                .map(|r| Removal {
                    line: r.line,
                    text: r.text,
                    rule: Cow::Owned(r.rule),
                })
                .collect(),
            quality: Quality {
                stopword_ratio: self.stopword_ratio,
                alpha_ratio: self.alpha_ratio,
                repetition: self.repetition,
                boilerplate_ratio: self.boilerplate_ratio,
            },
            // Cleaned without the database's learned lines: the loader decides.
            site_version: None,
            site_candidates: self
                .site_candidates
                .into_iter()
                .map(|c| Candidate {
                    hash: c.hash,
                    text: c.text,
                })
                .collect(),
            site_page: self.site_page,
            encoding,
            extractor,
            controls_removed: self.controls_removed,
            band_keys,
            note: self.note,
        })
    }
}

/// What `newsdb clean --json` prints of a prepared source, and what the Python package's `clean`
/// returns: the header fields, the language and encoding, the cleaned body and every removed line
/// with its rule.
#[derive(Debug, Serialize)]
pub struct CleanReport<'a> {
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
    pub url: Option<&'a str>,
    pub lang: Option<&'a str>,
    pub encoding: &'a str,
    /// The HTML extractor that found the article (`whole-page`: none did); absent for text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extractor: Option<&'a str>,
    /// Stray control characters (NUL, BEL, ...) dropped from the text before cleaning.
    pub control_characters_removed: usize,
    pub body: &'a str,
    pub removed: &'a [Removal],
}

impl<'a> CleanReport<'a> {
    pub fn of(p: &'a Prepared) -> CleanReport<'a> {
        CleanReport {
            title: p.header.title.as_deref(),
            published: p.header.published.as_deref(),
            url: p.header.url.as_deref(),
            lang: p.lang,
            encoding: p.encoding,
            extractor: p.extractor,
            control_characters_removed: p.controls_removed,
            body: &p.body,
            removed: &p.removed,
        }
    }
}

/// What a loader needs to know of how a record was made.
fn record(
    path: String,
    line: Option<u64>,
    raw: &[u8],
    cleaner: &Cleaner,
    prepared: Result<Prepared, Rejection>,
) -> PreparedRecord {
    let (document, rejected) = match prepared {
        Ok(p) => (Some(Document::of(p)), None),
        Err(r) => (None, Some(Rejected::of(&r))),
    };
    PreparedRecord {
        path,
        line,
        raw_hash: sha256_hex(raw),
        raw_size: raw.len() as u64,
        cleaner_version: cleaner.version().to_owned(),
        rejected,
        document,
        raw: None,
        raw_base64: None,
    }
}

/// A file's bytes → its record, as `ingest` would make it of the file at `path` (its name tells
/// whether it is a saved page: [`Named::of`]).
pub fn prepare_file(bytes: &[u8], path: &str, cleaner: &Cleaner, sign: bool) -> PreparedRecord {
    let prepared = crate::prepare_named(bytes, Named::of(Path::new(path)), cleaner, sign);
    let mut r = record(path.to_owned(), None, bytes, cleaner, prepared);
    r.raw_base64 = Some(BASE64.encode(bytes));
    r
}

/// The shape of an input line that carries a whole file.
#[derive(Deserialize)]
struct FileLine {
    path: String,
    file_base64: String,
}

/// One line of `newsdb prepare`'s input → its record. Two shapes: a JSON Lines article, as `ingest
/// --jsonl` reads it (named `PREFIX#LINE`, or `-#HASH` for standard input: [`record_path`]), or a
/// whole file, `{"path": ..., "file_base64": ...}`, prepared as `ingest` prepares the file at that
/// path ([`prepare_file`]: its header lines read, a page by its name).
pub fn prepare_input_line(
    bytes: &[u8],
    prefix: &str,
    line: u64,
    cleaner: &Cleaner,
    sign: bool,
) -> PreparedRecord {
    if memchr::memmem::find(bytes, b"\"file_base64\"").is_some() {
        if let Ok(file) = serde_json::from_slice::<FileLine>(bytes) {
            return match BASE64.decode(file.file_base64.as_bytes()) {
                Ok(raw) => prepare_file(&raw, &file.path, cleaner, sign),
                Err(e) => {
                    let rejection = Rejection::BadRecord(format!("line {line}: file_base64: {e}"));
                    let mut r = record(file.path, Some(line), bytes, cleaner, Err(rejection));
                    r.raw = Some(String::from_utf8_lossy(bytes).into_owned());
                    r
                }
            };
        }
    }
    let path = record_path(prefix, line, &sha256_hex(bytes));
    let prepared = crate::jsonl::prepare_line(bytes, line, cleaner, sign);
    let mut r = record(path, Some(line), bytes, cleaner, prepared);
    // A line of JSON Lines is UTF-8 text, or it was rejected as not JSON: kept as near as can be.
    r.raw = Some(String::from_utf8_lossy(bytes).into_owned());
    r
}

impl Rejected {
    pub fn of(r: &Rejection) -> Rejected {
        Rejected {
            code: r.code().to_owned(),
            reason: r.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(document: Option<Document>, rejected: Option<Rejected>) -> PreparedRecord {
        PreparedRecord {
            path: "a.jsonl#1".into(),
            line: Some(1),
            raw_hash: "00".repeat(32),
            raw_size: 10,
            cleaner_version: "v".into(),
            rejected,
            document,
            raw: Some("{}".into()),
            raw_base64: None,
        }
    }

    #[test]
    fn a_prepared_document_goes_through_json_and_back_unchanged() {
        let text = "Harbour reopens\n2024-03-01\nhttps://www.gazette.example/a\n\nThe harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall, and the boats came back at once.\nShare on Facebook\n";
        let prepared = crate::prepare(text.as_bytes(), &Cleaner::builtin(), true).unwrap();
        assert!(!prepared.removed.is_empty() && prepared.band_keys.is_some());
        let json =
            serde_json::to_string(&record(Some(Document::of(prepared.clone())), None)).unwrap();
        let back: PreparedRecord = serde_json::from_str(&json).unwrap();
        assert!(back.rejected.is_none());
        let again = back.document.unwrap().into_prepared().unwrap();
        assert_eq!(format!("{again:?}"), format!("{prepared:?}"));
    }

    #[test]
    fn a_rejection_has_no_document_fields() {
        let rejected = Rejected::of(&Rejection::Empty);
        let json = serde_json::to_value(record(None, Some(rejected.clone()))).unwrap();
        assert_eq!(json["rejected"]["code"], "empty");
        assert!(json.get("body").is_none(), "{json}");
        let back: PreparedRecord = serde_json::from_value(json).unwrap();
        assert_eq!((back.rejected, back.document), (Some(rejected), None));
    }

    #[test]
    fn unknown_names_are_refused_not_stored() {
        let text = "A title\n\nThe harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall.\n";
        let mut doc =
            Document::of(crate::prepare(text.as_bytes(), &Cleaner::builtin(), false).unwrap());
        doc.encoding = "klingon-8".into();
        assert!(doc.into_prepared().unwrap_err().contains("klingon-8"));
    }

    #[test]
    fn a_file_line_is_prepared_as_the_file_and_a_json_line_as_a_record() {
        let cleaner = Cleaner::builtin();
        let text = "Harbour reopens\n2024-03-01\nhttps://www.gazette.example/a\n\nThe harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall.\n";
        let line = serde_json::json!({"path": "scrapes/a.txt", "file_base64": BASE64.encode(text)})
            .to_string();
        let r = prepare_input_line(line.as_bytes(), "-", 7, &cleaner, true);
        assert_eq!((r.path.as_str(), r.line), ("scrapes/a.txt", None));
        assert_eq!(r.raw_hash, sha256_hex(text.as_bytes()));
        let as_file = crate::prepare(text.as_bytes(), &cleaner, true).unwrap();
        assert_eq!(r.document.unwrap().content_hash, as_file.content_hash);

        let line = serde_json::json!({"text": "The harbour in Portwell reopened on Monday after a winter of repairs.", "title": "T"}).to_string();
        let r = prepare_input_line(line.as_bytes(), "in.jsonl", 3, &cleaner, true);
        assert_eq!(r.path, "in.jsonl#3");
        assert_eq!(r.raw.as_deref(), Some(line.as_str()));
        assert_eq!(r.document.unwrap().title.as_deref(), Some("T"));

        let r = prepare_input_line(b"[1]", "-", 4, &cleaner, true);
        assert_eq!(r.rejected.unwrap().code, "bad-record");
        assert!(r.path.starts_with("-#"));
    }
}

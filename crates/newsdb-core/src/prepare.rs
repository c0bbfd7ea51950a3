//! The per-file part of the pipeline: bytes → a document ready for the writer.
//!
//! `decode → normalize → header → clean → content hash (+ near-duplicate keys, quality signals)`, all
//! pure functions of the bytes and the cleaner (with the site lines it was given), so this runs on any
//! worker thread and `newsdb clean` shows exactly what `ingest` stores.

use crate::clean::site::Candidate;
use crate::clean::{Cleaned, Cleaner, Memo, Removal, Source};
use crate::decode::decode;
use crate::extract;
use crate::hash::content_hash_of_canonical;
use crate::header::{self, Header};
use crate::minhash::{self, BandKeys};
use crate::normalize;
use crate::quality::{self, Quality};
use crate::recall::{PageReading, Recalled};
use crate::reject::Rejection;

/// One file's article, cleaned and keyed.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub header: Header,
    /// Host of the URL without `www.`.
    pub domain: Option<String>,
    /// Cleaned body: readable text, paragraphs on their own lines.
    pub body: String,
    /// SHA-256 (hex) of the canonical form of `body`: the document key.
    pub content_hash: String,
    pub word_count: usize,
    /// ISO 639-3 code of the body's language, when whatlang tells it reliably.
    pub lang: Option<&'static str>,
    /// Every line the cleaner removed, in file order.
    pub removed: Vec<Removal>,
    /// Document-level quality signals of the body.
    pub quality: Quality,
    /// The learned-set version of the domain's site lines the body was cleaned with.
    pub site_version: Option<String>,
    /// Lines that count towards the domain's learning.
    pub site_candidates: Vec<Candidate>,
    /// The page's article without its site's learned lines: site learning counts each page once.
    pub site_page: i64,
    /// Encoding the file was decoded from.
    pub encoding: &'static str,
    /// The extractor that found the article in an HTML page (`None`: the source was text).
    pub extractor: Option<&'static str>,
    /// Stray control characters dropped from the file's text (see [`crate::decode`]).
    pub controls_removed: usize,
    /// Near-duplicate band keys of the body, when asked for and the body has words.
    pub band_keys: Option<BandKeys>,
    /// What was not understood but cost nothing else (a date it cannot read, in a JSON Lines record
    /// or a text header): kept in the source's `files.detail` and reported as a warning.
    pub note: Option<String>,
}

/// What a file's name says its bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// `.html`, `.htm`: a saved page, read as one whenever it holds markup
    /// ([`extract::has_markup`]), even when it does not start like a page.
    Page,
    /// Any other name (or none): a page only when its text starts like one
    /// ([`extract::looks_like_html`]), else an article dump.
    Other,
}

impl Named {
    /// What `path`'s extension says.
    pub fn of(path: &std::path::Path) -> Named {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ["html", "htm", "xhtml", "shtml"]
            .iter()
            .any(|page| ext.eq_ignore_ascii_case(page))
        {
            Named::Page
        } else {
            Named::Other
        }
    }
}

/// Runs every per-file stage over one file's bytes; `sign` also computes the near-duplicate band keys.
/// The bytes are told apart by content alone ([`Named::Other`]); see [`prepare_named`].
pub fn prepare(bytes: &[u8], cleaner: &Cleaner, sign: bool) -> Result<Prepared, Rejection> {
    prepare_named(bytes, Named::Other, cleaner, sign)
}

/// [`prepare`] for a file whose name says what it is ([`Named::of`]).
pub fn prepare_named(
    bytes: &[u8],
    named: Named,
    cleaner: &Cleaner,
    sign: bool,
) -> Result<Prepared, Rejection> {
    prepare_recalling(bytes, named, cleaner, sign, &mut Recalled::default())
}

/// [`prepare_named`], with what an earlier preparation of the same bytes and name read of them
/// (`recalled`, see [`crate::recall`]: the page's article as the extractor found it, the cleaner's
/// reading of the lines), and leaving there what this one read (a part left as it was when the file
/// was rejected before it). The same result either way: a run that prepares a file twice (its
/// learning pass, then the storing) parses a page and reads its lines once.
pub fn prepare_recalling(
    bytes: &[u8],
    named: Named,
    cleaner: &Cleaner,
    sign: bool,
    recalled: &mut Recalled,
) -> Result<Prepared, Rejection> {
    Ok(clean_body(bytes, named, cleaner, recalled)?.key(sign))
}

/// What a page teaches its site's learning ([`crate::clean::site`]): the fields of [`Prepared`]
/// that site learning reads, for the same bytes, name and cleaner.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteLesson {
    /// [`Prepared::domain`].
    pub domain: Option<String>,
    /// [`Prepared::site_page`].
    pub site_page: i64,
    /// [`Prepared::site_candidates`].
    pub site_candidates: Vec<Candidate>,
}

/// What [`prepare_recalling`] would give site learning, and the same rejection where it rejects,
/// without what only a stored document needs: its canonical form, content hash, quality signals and
/// near-duplicate keys (a tenth of a preparation). A run's learning pass reads each page for this
/// alone.
pub fn lesson_recalling(
    bytes: &[u8],
    named: Named,
    cleaner: &Cleaner,
    recalled: &mut Recalled,
) -> Result<SiteLesson, Rejection> {
    let body = clean_body(bytes, named, cleaner, recalled)?;
    Ok(SiteLesson {
        domain: body.domain,
        site_page: body.cleaned.site_page,
        site_candidates: body.cleaned.site_candidates,
    })
}

/// The stages up to the cleaned body, for a file's bytes.
fn clean_body(
    bytes: &[u8],
    named: Named,
    cleaner: &Cleaner,
    recalled: &mut Recalled,
) -> Result<Body, Rejection> {
    let decoded = decode(bytes)?;
    let page = match named {
        Named::Page => {
            extract::looks_like_html(&decoded.text) || extract::has_markup(&decoded.text)
        }
        Named::Other => extract::looks_like_html(&decoded.text),
    };
    if !page && crate::jsonl::is_json_text(&decoded.text) {
        return Err(Rejection::Json);
    }
    if page {
        let page = Page {
            html: &decoded.text,
            encoding: decoded.encoding,
            controls_removed: decoded.controls_removed,
        };
        return page.clean(Header::default(), cleaner, recalled);
    }
    let lines = normalize::lines(&decoded.text);
    let (header, body_start, unread_date) = match header::parse_structured(&lines) {
        Some(s) => (s.header, s.body_start, s.unread_date),
        None => (Header::default(), 0, None),
    };
    let stages = BodyStages {
        encoding: decoded.encoding,
        controls_removed: decoded.controls_removed,
        cleaner,
        find_title: true,
        source: Source::Dump,
    };
    let mut body = stages.run(header, &lines, body_start, &mut recalled.memo)?;
    body.note = unread_date
        .map(|line| format!("header date {line:?} not understood; stored without a date"));
    Ok(body)
}

/// The stages after decoding for an article whose fields came with it (a JSON Lines record): the text
/// is the body, so no header is looked for in it and no title taken from it.
pub fn prepare_fields(
    text: &str,
    header: Header,
    cleaner: &Cleaner,
    sign: bool,
) -> Result<Prepared, Rejection> {
    let (text, controls_removed) = crate::decode::drop_stray_controls(text.to_owned());
    let lines = normalize::lines(&text);
    let stages = BodyStages {
        encoding: "UTF-8",
        controls_removed,
        cleaner,
        find_title: false,
        source: Source::Dump,
    };
    Ok(stages.run(header, &lines, 0, &mut None)?.key(sign))
}

/// The stages for a page's markup that came with fields (a JSON Lines record's `html`): the article
/// is extracted as from a saved page; a field of the record wins over what the markup says.
pub fn prepare_page_fields(
    html: &str,
    fields: Header,
    cleaner: &Cleaner,
    sign: bool,
) -> Result<Prepared, Rejection> {
    let (html, controls_removed) = crate::decode::drop_stray_controls(html.to_owned());
    let page = Page {
        html: &html,
        encoding: "UTF-8",
        controls_removed,
    };
    Ok(page
        .clean(fields, cleaner, &mut Recalled::default())?
        .key(sign))
}

/// A decoded HTML page on its way to the body stages.
struct Page<'a> {
    html: &'a str,
    encoding: &'static str,
    controls_removed: usize,
}

impl Page<'_> {
    /// Extracts the article and the page's metadata (or takes what `recalled` says the extractor
    /// found in this page), then cleans it; `fields` given with the page (a JSON Lines record's)
    /// take the place of the markup's own.
    fn clean(
        &self,
        fields: Header,
        cleaner: &Cleaner,
        recalled: &mut Recalled,
    ) -> Result<Body, Rejection> {
        let reading = match recalled.page.take().filter(|r| r.is_of(self.html)) {
            Some(reading) => reading,
            None => PageReading::new(
                self.html,
                extract::extract(self.html).map_err(|e| Rejection::BadHtml(e.to_string()))?,
            ),
        };
        let page = reading.page();
        let whole_page = page.extractor == extract::article::WHOLE_PAGE;
        let header = Header {
            title: fields.title.or_else(|| page.header.title.clone()),
            published: fields.published.or_else(|| page.header.published.clone()),
            url: fields.url.or_else(|| page.header.url.clone()),
        };
        let stages = BodyStages {
            encoding: self.encoding,
            controls_removed: self.controls_removed,
            cleaner,
            find_title: false,
            source: if whole_page {
                Source::Dump
            } else {
                Source::Extracted
            },
        };
        let extractor = page.extractor;
        let body = stages.run(header, &page.lines, 0, &mut recalled.memo);
        recalled.page = Some(reading);
        let mut body = body?;
        if whole_page && body.word_count() < extract::MIN_WHOLE_PAGE_WORDS {
            // No article block, and the page's text is a few links: a front page or a menu.
            return Err(Rejection::NoText {
                removed: body.cleaned.removed.len(),
            });
        }
        body.extractor = Some(extractor);
        Ok(body)
    }
}

/// The stages after the header.
struct BodyStages<'a> {
    encoding: &'static str,
    controls_removed: usize,
    cleaner: &'a Cleaner,
    /// Look for a title line at the top of the body (shape 2).
    find_title: bool,
    /// Where the lines come from: a text, or what an HTML extractor found.
    source: Source,
}

impl BodyStages<'_> {
    /// Cleans the lines after the header and assembles the body; an empty body is rejected.
    fn run(
        &self,
        mut header: Header,
        lines: &[String],
        body_start: usize,
        memo: &mut Option<Memo>,
    ) -> Result<Body, Rejection> {
        let body_lines = &lines[body_start..];
        let domain = header.url.as_deref().and_then(header::domain);
        let mut cleaned = self.cleaner.clean_recalling(
            self.source,
            body_lines,
            body_start + 1,
            domain.as_deref(),
            memo,
        );
        if let Some(title) = &header.title {
            cleaned.drop_repeated_headline(body_lines, body_start + 1, title);
        }
        let mut kept: Vec<&str> = body_lines
            .iter()
            .zip(&cleaned.keep)
            .filter(|(_, keep)| **keep)
            .map(|(line, _)| line.as_str())
            .collect();

        // Shape 2: the first kept line, alone above a blank line, is the title.
        if self.find_title && header.title.is_none() {
            let first = kept.iter().position(|l| !l.is_empty());
            if let Some(i) = first {
                let blank_follows = kept.get(i + 1).is_some_and(|l| l.is_empty());
                let more_follows = kept[i + 1..].iter().any(|l| !l.is_empty());
                if blank_follows && more_follows && header::looks_like_title(kept[i]) {
                    header.title = Some(kept[i].to_owned());
                    kept.drain(..=i);
                }
            }
        }

        let text = normalize::join_lines(kept);
        if text.is_empty() {
            return Err(Rejection::NoText {
                removed: cleaned.removed.len(),
            });
        }
        Ok(Body {
            header,
            domain,
            text,
            cleaned,
            encoding: self.encoding,
            controls_removed: self.controls_removed,
            extractor: None,
            note: None,
        })
    }
}

/// An article cleaned and assembled, before it is keyed: what a document ([`Body::key`]) and a site
/// lesson ([`lesson_recalling`]) are both made from.
struct Body {
    header: Header,
    domain: Option<String>,
    /// The body as stored ([`Prepared::body`]), never empty.
    text: String,
    cleaned: Cleaned,
    encoding: &'static str,
    controls_removed: usize,
    extractor: Option<&'static str>,
    note: Option<String>,
}

impl Body {
    fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }

    /// The document: keyed by its canonical form, measured, and signed when `sign` asks for its
    /// near-duplicate band keys.
    fn key(self, sign: bool) -> Prepared {
        let canonical = normalize::canonical(&self.text);
        let cleaned = self.cleaned;
        let (quality, word_count) = quality::measure(
            &self.text,
            cleaned.lang,
            cleaned.removed_chars,
            cleaned.chars,
        );
        Prepared {
            domain: self.domain,
            site_version: cleaned.site_version,
            site_candidates: cleaned.site_candidates,
            site_page: cleaned.site_page,
            content_hash: content_hash_of_canonical(&canonical),
            band_keys: if sign {
                minhash::sign_canonical(&canonical)
            } else {
                None
            },
            word_count,
            lang: cleaned.lang.map(|l| l.code()),
            header: self.header,
            body: self.text,
            removed: cleaned.removed,
            quality,
            encoding: self.encoding,
            extractor: self.extractor,
            controls_removed: self.controls_removed,
            note: self.note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(text: &str) -> Prepared {
        prepare(text.as_bytes(), &Cleaner::builtin(), false).unwrap()
    }

    /// The bundled seeds: real scraped pages.
    fn seeds() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }

    #[test]
    fn a_lesson_is_what_the_preparation_gives_site_learning_and_rejects_alike() {
        let cleaner = Cleaner::builtin();
        let mut inputs = seeds();
        inputs.extend(
            [
                // Rejected: nothing is left once the menu is removed.
                "Home\nNews\nSport\nContact\n",
                // Rejected: JSON, not an article.
                "{\"title\": \"x\"}",
                // A page without an article block and with a few words: rejected.
                "<html><body><a href=\"/a\">Home</a> <a href=\"/b\">News</a></body></html>",
                // A page with an article.
                "<html><head><link rel=\"canonical\" href=\"https://news.example.org/a\"></head>\
                 <body><nav>Home News</nav><article><h1>Council votes</h1><p>The council voted on \
                 Tuesday to close the old bridge to cars from next spring, after a survey found \
                 cracks in two of its piers.</p><p>Cyclists and people on foot may still cross.</p>\
                 </article></body></html>",
            ]
            .map(|t| t.as_bytes().to_vec()),
        );
        let (mut taught, mut rejected) = (0, 0);
        for (n, bytes) in inputs.iter().enumerate() {
            for named in [Named::Other, Named::Page] {
                let (mut memo, mut lesson_memo) = (Recalled::default(), Recalled::default());
                let doc = prepare_recalling(bytes, named, &cleaner, true, &mut memo);
                let lesson = lesson_recalling(bytes, named, &cleaner, &mut lesson_memo);
                assert_eq!(lesson_memo, memo, "input {n} {named:?}");
                match (doc, lesson) {
                    (Ok(doc), Ok(lesson)) => {
                        taught += usize::from(lesson.domain.is_some());
                        assert_eq!(
                            lesson,
                            SiteLesson {
                                domain: doc.domain,
                                site_page: doc.site_page,
                                site_candidates: doc.site_candidates,
                            },
                            "input {n} {named:?}"
                        )
                    }
                    (Err(a), Err(b)) => {
                        rejected += 1;
                        assert_eq!(a, b, "input {n} {named:?}")
                    }
                    (doc, lesson) => panic!("input {n} {named:?}: {doc:?} but {lesson:?}"),
                }
            }
        }
        assert!(
            taught >= 3 && rejected >= 3,
            "{taught} taught, {rejected} rejected"
        );
    }

    #[test]
    fn a_page_prepared_again_with_its_memo_comes_out_the_same() {
        use crate::clean::site::{self, Site, SiteLines};
        let seeds = seeds();
        let mut with_site = 0;
        for (n, bytes) in seeds.iter().enumerate() {
            // The learning pass: no site lines yet.
            let mut memo = Recalled::default();
            let first =
                prepare_recalling(bytes, Named::Other, &Cleaner::builtin(), false, &mut memo)
                    .unwrap();
            assert!(memo.memo.is_some());
            let Some(domain) = first.domain.clone() else {
                // No site: cleaned again by the same cleaner.
                let again =
                    prepare_recalling(bytes, Named::Other, &Cleaner::builtin(), false, &mut memo);
                assert_eq!(again.unwrap(), first, "seed {n}");
                continue;
            };
            with_site += 1;
            // The storing: the site learned a line the page has (its last kept line).
            let learned = first.body.lines().rfind(|l| !l.is_empty()).unwrap();
            let site = Site::new([site::line_hash(learned)].into());
            let cleaner = Cleaner::builtin().with_sites(SiteLines::new([(domain, site)].into()));
            let fresh = prepare_named(bytes, Named::Other, &cleaner, true).unwrap();
            assert_ne!(
                fresh.body, first.body,
                "seed {n}: the learned line is removed"
            );
            let recalled =
                prepare_recalling(bytes, Named::Other, &cleaner, true, &mut memo.clone()).unwrap();
            assert_eq!(recalled, fresh, "seed {n}");
            // Another page's memo is not this page's reading: it is read again.
            let mut other = Recalled::default();
            let other_seed = &seeds[(n + 1) % seeds.len()];
            prepare_recalling(other_seed, Named::Other, &cleaner, true, &mut other).unwrap();
            let mismatched = prepare_recalling(bytes, Named::Other, &cleaner, true, &mut other);
            assert_eq!(mismatched.unwrap(), fresh, "seed {n}");
            assert_eq!(
                other, memo,
                "seed {n}: the memo now holds this page's reading"
            );
        }
        assert!(with_site >= 2, "{with_site} seeds have a site");
    }

    #[test]
    fn a_page_prepared_again_takes_what_the_extractor_found_in_that_page_only() {
        let page = |first: &str| {
            format!(
                "<html><head><link rel=\"canonical\" href=\"https://news.example.org/a\"></head>\
                 <body><nav>Home News</nav><article><h1>Council votes</h1><p>{first}</p>\
                 <p>Cyclists and people on foot may still cross the bridge, the council said.</p>\
                 </article></body></html>"
            )
        };
        let a = page(
            "The council voted on Tuesday to close the old bridge to cars from next spring, \
             after a survey found cracks in two of its piers.",
        );
        let b = page(
            "The mayor said on Wednesday that the old bridge would open to cars again next \
             spring, once two of its cracked piers are mended.",
        );
        let cleaner = Cleaner::builtin();
        let fresh = |html: &str| prepare_named(html.as_bytes(), Named::Page, &cleaner, true);
        let mut recalled = Recalled::default();
        lesson_recalling(a.as_bytes(), Named::Page, &cleaner, &mut recalled).unwrap();
        assert!(recalled.page.is_some(), "the extractor's reading is kept");
        let again = prepare_recalling(a.as_bytes(), Named::Page, &cleaner, true, &mut recalled);
        assert_eq!(again, fresh(&a));
        // Kept as bytes and read back, it is the same reading.
        let reading = recalled.page.clone().unwrap();
        let bytes = reading.to_bytes().unwrap();
        assert_eq!(PageReading::from_bytes(&bytes), Some(reading));
        // Another page's reading is not used: that page is parsed. (Only the extractor's reading:
        // a memo is only valid for the lines it was made of, which the caller keeps apart.)
        let mut of_a = Recalled {
            memo: None,
            page: recalled.page.clone(),
        };
        let other = prepare_recalling(b.as_bytes(), Named::Page, &cleaner, true, &mut of_a);
        assert_eq!(other, fresh(&b));
        assert_ne!(fresh(&a).unwrap().body, fresh(&b).unwrap().body);
        // The reading is what is used for its page: one saying otherwise is believed.
        let mut told = extract::extract(&a).unwrap();
        told.lines = vec!["A paragraph the extractor never saw in this page, told here.".into()];
        let mut recalled = Recalled {
            memo: None,
            page: Some(PageReading::new(&a, told)),
        };
        let believed =
            prepare_recalling(a.as_bytes(), Named::Page, &cleaner, true, &mut recalled).unwrap();
        assert_eq!(
            believed.body,
            "A paragraph the extractor never saw in this page, told here."
        );
    }

    #[test]
    fn structured_header_is_parsed_and_not_in_body() {
        let p = prep("Title\n20220112\nhttps://www.example.com/x\nFirst paragraph.\nSecond.\n");
        assert_eq!(p.header.title.as_deref(), Some("Title"));
        assert_eq!(p.header.published.as_deref(), Some("2022-01-12"));
        assert_eq!(p.domain.as_deref(), Some("example.com"));
        assert_eq!(p.body, "First paragraph.\nSecond.");
    }

    #[test]
    fn title_below_a_share_widget_is_found() {
        let p = prep("Share this:\n\nThe headline\n\nFirst paragraph.\n\nSecond paragraph.\n");
        assert_eq!(p.header.title.as_deref(), Some("The headline"));
        assert_eq!(p.body, "First paragraph.\n\nSecond paragraph.");
        assert_eq!(p.removed[0].line, 1);
    }

    #[test]
    fn no_header_means_no_fields() {
        let p = prep("A first sentence of the body.\nAnother sentence.\n");
        assert_eq!(p.header, Header::default());
        assert_eq!(p.body, "A first sentence of the body.\nAnother sentence.");
    }

    #[test]
    fn whitespace_and_quote_variants_hash_equal() {
        let a =
            prep("T\n20220101\nhttps://a.example/x\n\u{201C}Hello,\u{201D} he said.\nNext line.\n");
        let b = prep(
            "T\r\n20220101\r\nhttps://a.example/x\r\n\"Hello,\"  he\u{00A0}said.\r\n\r\nNext line.",
        );
        assert_eq!(a.content_hash, b.content_hash);
        assert_ne!(a.body, b.body);
    }

    #[test]
    fn language_is_detected() {
        let de = prep(
            "Die Bundesregierung hat am Dienstag beschlossen, die Hilfen für die Ukraine \
                       deutlich auszuweiten, wie ein Sprecher in Berlin mitteilte.\n",
        );
        assert_eq!(de.lang, Some("deu"));
        let fr = prep(
            "Le gouvernement a annoncé mardi une nouvelle aide pour les agriculteurs \
                       touchés par la sécheresse dans le sud du pays.\n",
        );
        assert_eq!(fr.lang, Some("fra"));
        assert_eq!(prep("Ok.\n").lang, None);
    }

    #[test]
    fn fields_come_from_the_record_not_the_text() {
        let header = Header {
            title: Some("T".into()),
            ..Header::default()
        };
        let p = prepare_fields(
            "Headline-like line\n\nBody text here.\nShare this:",
            header.clone(),
            &Cleaner::builtin(),
            false,
        )
        .unwrap();
        assert_eq!(p.header, header);
        assert_eq!(p.body, "Headline-like line\n\nBody text here.");
    }

    #[test]
    fn the_headline_printed_again_as_the_first_body_line_goes() {
        let p = prep(
            "Council votes to close the library\n20220112\nhttps://www.example.com/x\nCouncil Votes To Close The Library\n\nFirst paragraph of the story, long enough to be prose in any reading of it.\n",
        );
        assert_eq!(
            p.body,
            "First paragraph of the story, long enough to be prose in any reading of it."
        );
        assert_eq!(p.removed.len(), 1);
        assert_eq!(
            (p.removed[0].line, &*p.removed[0].rule),
            (4, crate::clean::REPEATED_HEADLINE_RULE)
        );
    }

    #[test]
    fn only_boilerplate_is_rejected() {
        let err = prepare(b"Share this:\nLike this:\n", &Cleaner::builtin(), false).unwrap_err();
        assert_eq!(err, Rejection::NoText { removed: 2 });
    }
}

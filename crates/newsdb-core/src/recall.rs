//! What one preparation of a file's bytes read, for a later preparation of the same bytes to skip
//! ([`crate::prepare_recalling`], [`crate::lesson_recalling`]).
//!
//! A run over files prepares most of them twice: its learning pass reads every file to foresee what
//! its site learns, and the storing prepares it again with the learned lines. A [`Memo`] carries the
//! cleaner's reading of the lines from the first to the second. For a saved HTML page the costly
//! part comes before the cleaning: parsing the markup and finding the article in it
//! ([`crate::extract`]). Done twice, it made an ingest of 20,000 real saved pages take 55-61 s
//! where the build before the learning pass took 35 s. A [`PageReading`] carries what the extractor
//! found, and turns into bytes, so that a run can keep thousands of them out of its memory (`newsdb`
//! writes them to a temporary file beside the database).

use crate::clean::Memo;
use crate::extract::{article, Extracted};
use crate::header::Header;
use std::hash::BuildHasher;

/// What a preparation read of a file, kept for the next preparation of the same bytes under the same
/// name. Empty (the default) before the first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recalled {
    /// The cleaner's reading of the article's lines.
    pub memo: Option<Memo>,
    /// What the extractor found in the page, when the file was a page.
    pub page: Option<PageReading>,
}

/// What the extractor found in one page's markup, and which markup that was (a fingerprint of it):
/// a reading is only used for the page it was made of.
#[derive(Debug, Clone, PartialEq)]
pub struct PageReading {
    markup: u64,
    page: Extracted,
}

/// The extractors a reading can name, by their place here in its bytes.
const EXTRACTORS: [&str; 2] = [article::EXTRACTOR, article::WHOLE_PAGE];

/// Written for a string that is not there.
const NONE: u32 = u32::MAX;

impl PageReading {
    /// What was found in `html`.
    pub(crate) fn new(html: &str, page: Extracted) -> PageReading {
        PageReading {
            markup: fingerprint(html),
            page,
        }
    }

    /// Whether this reading was made of `html`.
    pub(crate) fn is_of(&self, html: &str) -> bool {
        self.markup == fingerprint(html)
    }

    /// What the extractor found.
    pub(crate) fn page(&self) -> &Extracted {
        &self.page
    }

    /// The reading as bytes, to keep outside the memory: the markup's fingerprint (8 bytes,
    /// little-endian), the extractor (1 byte: 0 for `dom_smoothie`, 1 for the whole page), the
    /// title, date, URL and language, the number of lines (4 bytes), then each line; a string as
    /// its length (4 bytes, little-endian; `u32::MAX` for none) and its bytes. `None` for a page no
    /// extractor of this version found, or with a line of 4 GiB.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let page = &self.page;
        let extractor = EXTRACTORS.iter().position(|&e| e == page.extractor)?;
        let size: usize = page.lines.iter().map(|l| l.len() + 4).sum();
        let mut bytes = Vec::with_capacity(size + 64);
        bytes.extend_from_slice(&self.markup.to_le_bytes());
        bytes.push(extractor as u8);
        let header = &page.header;
        for field in [&header.title, &header.published, &header.url, &page.lang] {
            put(&mut bytes, field.as_deref())?;
        }
        bytes.extend_from_slice(&u32::try_from(page.lines.len()).ok()?.to_le_bytes());
        for line in &page.lines {
            put(&mut bytes, Some(line))?;
        }
        Some(bytes)
    }

    /// A reading kept as bytes ([`PageReading::to_bytes`]); `None` for bytes that are not one.
    pub fn from_bytes(mut bytes: &[u8]) -> Option<PageReading> {
        let (markup, rest) = bytes.split_first_chunk::<8>()?;
        let (&extractor, rest) = rest.split_first()?;
        bytes = rest;
        let extractor = *EXTRACTORS.get(usize::from(extractor))?;
        let mut fields = [None, None, None, None];
        for field in &mut fields {
            *field = take(&mut bytes)?;
        }
        let [title, published, url, lang] = fields;
        let (count, rest) = bytes.split_first_chunk::<4>()?;
        bytes = rest;
        let count = u32::from_le_bytes(*count) as usize;
        // Each line takes 4 bytes at least: a count beyond that is not a reading.
        let mut lines = Vec::with_capacity(count.min(bytes.len() / 4));
        for _ in 0..count {
            lines.push(take(&mut bytes)??);
        }
        if !bytes.is_empty() {
            return None;
        }
        Some(PageReading {
            markup: u64::from_le_bytes(*markup),
            page: Extracted {
                header: Header {
                    title,
                    published,
                    url,
                },
                lines,
                lang,
                extractor,
            },
        })
    }
}

/// Tells one page's markup from another's (within a process: the seed is fixed, the hash is not
/// meant to be stored). Costs a few microseconds where parsing the page costs milliseconds.
fn fingerprint(html: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6e65_7773_6462).hash_one(html)
}

/// Appends a string (or its absence); `None` when it is too long to be written.
fn put(bytes: &mut Vec<u8>, text: Option<&str>) -> Option<()> {
    match text {
        None => bytes.extend_from_slice(&NONE.to_le_bytes()),
        Some(text) => {
            let len = u32::try_from(text.len()).ok().filter(|&l| l != NONE)?;
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
    }
    Some(())
}

/// Takes a string written by [`put`] off the front of `bytes`: `Some(None)` for an absent one,
/// `None` when the bytes are not one.
fn take(bytes: &mut &[u8]) -> Option<Option<String>> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len);
    if len == NONE {
        *bytes = rest;
        return Some(None);
    }
    let len = len as usize;
    let text = std::str::from_utf8(rest.get(..len)?).ok()?.to_owned();
    *bytes = &rest[len..];
    Some(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(extractor: &'static str) -> Extracted {
        Extracted {
            header: Header {
                title: Some("Council votes".into()),
                published: None,
                url: Some("https://news.example.org/a".into()),
            },
            lines: vec![
                "The council voted on Tuesday.".into(),
                String::new(),
                "Größe, 東京, 🙂.".into(),
            ],
            lang: Some("en".into()),
            extractor,
        }
    }

    #[test]
    fn a_reading_comes_back_from_its_bytes_for_its_own_markup_only() {
        for extractor in EXTRACTORS {
            let reading = PageReading::new("<html>a</html>", page(extractor));
            let bytes = reading.to_bytes().unwrap();
            let back = PageReading::from_bytes(&bytes).unwrap();
            assert_eq!(back, reading);
            assert_eq!(back.page(), &page(extractor));
            assert!(back.is_of("<html>a</html>"));
            assert!(!back.is_of("<html>b</html>"));
        }
    }

    #[test]
    fn bytes_that_are_not_a_reading_read_as_none() {
        let bytes = PageReading::new("<p>", page(article::EXTRACTOR))
            .to_bytes()
            .unwrap();
        for end in 0..bytes.len() {
            assert_eq!(PageReading::from_bytes(&bytes[..end]), None, "cut at {end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(PageReading::from_bytes(&longer), None);
        let mut unknown = bytes.clone();
        unknown[8] = 9;
        assert_eq!(PageReading::from_bytes(&unknown), None);
        let other = Extracted {
            extractor: "another",
            ..page(article::EXTRACTOR)
        };
        assert_eq!(PageReading::new("<p>", other).to_bytes(), None);
    }
}

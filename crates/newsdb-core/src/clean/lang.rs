//! A document's language and its stopwords: what makes the classifier's features work per language.
//!
//! The language is detected once per document, by whatlang, on its longest lines (article paragraphs,
//! not menu items). Stopword lists come from the stop-words crate: NLTK's lists where NLTK has one
//! (short lists of true function words), stopwords-iso's for the other languages (Polish, Japanese,
//! Czech, ...). A language without a list gets the classifier's language-independent fallback.

use std::collections::HashMap;
use std::sync::OnceLock;
use whatlang::Lang;

/// whatlang's verdict on a kilobyte (about 150 words) is as good as on the whole text, at a fraction
/// of the cost.
const SAMPLE_BYTES: usize = 1024;
/// Lines shorter than this are left out of the sample while longer ones exist: menus and buttons are
/// often in English on pages in other languages.
const SAMPLE_LINE_BYTES: usize = 40;

/// The language of a document's lines, when whatlang tells it reliably.
pub fn detect(lines: &[String]) -> Option<Lang> {
    let mut sample = String::with_capacity(SAMPLE_BYTES + 256);
    for min in [SAMPLE_LINE_BYTES, 1] {
        for line in lines.iter().filter(|l| l.len() >= min) {
            sample.push_str(line);
            sample.push('\n');
            if sample.len() >= SAMPLE_BYTES {
                break;
            }
        }
        if sample.len() >= SAMPLE_BYTES / 4 {
            break;
        }
    }
    let mut end = sample.len().min(SAMPLE_BYTES);
    while !sample.is_char_boundary(end) {
        end -= 1;
    }
    whatlang::detect(&sample[..end])
        .filter(|info| info.is_reliable())
        .map(|info| info.lang())
}

/// A language's stopwords, lower-cased. foldhash: looked up once per word of every line, where the
/// standard library's DoS-resistant hasher was a tenth of the cleaner's time.
pub type Stopwords = foldhash::HashSet<&'static str>;

/// The stopwords of `lang`, when there is a list for it.
pub fn stopwords(lang: Lang) -> Option<&'static Stopwords> {
    static LISTS: OnceLock<HashMap<Lang, Stopwords>> = OnceLock::new();
    LISTS
        .get_or_init(|| {
            Lang::all()
                .iter()
                .filter_map(|&lang| {
                    let list = stop_words::lookup(iso639_1(lang)?)?;
                    Some((lang, list.iter().copied().collect()))
                })
                .collect()
        })
        .get(&lang)
}

/// The two-letter code the stop-words crate files a language under.
fn iso639_1(lang: Lang) -> Option<&'static str> {
    use Lang::*;
    Some(match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Pol => "pl",
        Rus => "ru",
        Ukr => "uk",
        Nld => "nl",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Ces => "cs",
        Slk => "sk",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Bul => "bg",
        Ron => "ro",
        Hun => "hu",
        Tur => "tr",
        Ell => "el",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Cat => "ca",
        Ind => "id",
        Vie => "vi",
        Ara => "ar",
        Heb => "he",
        Pes => "fa",
        Hin => "hi",
        Ben => "bn",
        Kor => "ko",
        Afr => "af",
        Epo => "eo",
        Bel => "be",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn the_article_decides_not_the_menu() {
        let doc = lines(
            "Home\nSearch\nSign in\nShare\n\
             Der Stadtrat hat am Donnerstagabend mit knapper Mehrheit beschlossen, die Innenstadt ab dem kommenden Jahr weitgehend für private Autos zu sperren.\n\
             Lieferverkehr, Busse, Taxis und Anwohner mit Parkausweis dürfen weiterhin in die Altstadt fahren.",
        );
        assert_eq!(detect(&doc), Some(Lang::Deu));
    }

    #[test]
    fn major_languages_have_stopwords() {
        for (lang, word) in [
            (Lang::Eng, "the"),
            (Lang::Deu, "und"),
            (Lang::Fra, "les"),
            (Lang::Spa, "que"),
            (Lang::Ita, "della"),
            (Lang::Por, "não"),
            (Lang::Pol, "się"),
            (Lang::Rus, "и"),
        ] {
            assert!(stopwords(lang).unwrap().contains(word), "{lang:?} {word}");
        }
        assert!(stopwords(Lang::Cmn).is_none());
    }

    /// whatlang is patched for speed (vendor/whatlang): its verdicts must be the published crate's,
    /// to the bit, or stored languages and the classifier's features would change. Checked on every
    /// window of several sizes of the bundled seeds and test documents (eleven languages, five
    /// scripts), each line alone, and texts in the other scripts whatlang scores by trigrams.
    #[test]
    fn the_patched_whatlang_gives_the_published_verdicts() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let mut texts: Vec<String> = ["seeds", "tests/devset"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(format!("{root}/{dir}")).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        texts.extend(
            [
                "Як умру, то поховайте мене на могилі, серед степу широкого, на Вкраїні милій",
                "Съешь же ещё этих мягких французских булок да выпей чаю",
                "مرحبا بكم في موقعنا الجديد للأخبار اليومية من المدينة",
                "यह एक परीक्षण वाक्य है जो हिंदी में लिखा गया है और समाचार के बारे में है",
                "זהו משפט בדיקה שנכתב בעברית על החדשות של היום בעיר",
                "Ok.",
                "",
            ]
            .map(String::from),
        );
        let mut samples: Vec<&str> = Vec::new();
        for text in &texts {
            samples.extend(text.lines());
            for size in [64, 256, 1024, 4096] {
                let mut start = 0;
                while start < text.len() {
                    let mut end = (start + size).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    samples.push(&text[start..end]);
                    start = end;
                }
            }
        }
        let verdict = |info: Option<whatlang::Info>| {
            info.map(|i| {
                let (lang, script) = (i.lang().code(), format!("{:?}", i.script()));
                (lang, script, i.confidence().to_bits(), i.is_reliable())
            })
        };
        let verdict_upstream = |info: Option<whatlang_upstream::Info>| {
            info.map(|i| {
                let (lang, script) = (i.lang().code(), format!("{:?}", i.script()));
                (lang, script, i.confidence().to_bits(), i.is_reliable())
            })
        };
        let mut langs = std::collections::BTreeSet::new();
        for sample in &samples {
            let patched = verdict(whatlang::detect(sample));
            assert_eq!(
                patched,
                verdict_upstream(whatlang_upstream::detect(sample)),
                "{sample:?}"
            );
            langs.extend(patched.map(|v| v.0));
        }
        assert!(
            samples.len() > 1000 && langs.len() >= 14,
            "{} samples, languages {langs:?}",
            samples.len()
        );
    }
}

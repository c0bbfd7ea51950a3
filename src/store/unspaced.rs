//! Scripts written without spaces between words (Chinese, Japanese, Thai) and Korean: the documents
//! that hold them get a second, trigram index, `documents_cjk` (see
//! `migrations/0008_unspaced_scripts_index.sql`), which `newsdb search` uses for queries in them.

/// The code point ranges, the same as the migration's GLOB (a test checks they agree): kana, CJK
/// ideographs (extension A, the main block, compatibility), Hangul syllables, Thai.
const RANGES: [(char, char); 6] = [
    ('\u{3040}', '\u{30FF}'),
    ('\u{3400}', '\u{4DBF}'),
    ('\u{4E00}', '\u{9FFF}'),
    ('\u{F900}', '\u{FAFF}'),
    ('\u{AC00}', '\u{D7AF}'),
    ('\u{0E00}', '\u{0E7F}'),
];

/// The documents row (`title`, `body`) that belongs in `documents_cjk`, as SQL: the migration's
/// condition (a test checks they agree).
pub const SQL_CONDITION: &str = "coalesce(title, '') || body GLOB '*[぀-ヿ㐀-䶿一-鿿豈-﫿가-힯฀-๿]*'";

/// Whether `c` is of one of those scripts.
pub fn is_unspaced(c: char) -> bool {
    RANGES.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))
}

/// Whether a document with this title and body belongs in `documents_cjk`: what the migration's
/// triggers decide with GLOB, decided the same way.
pub fn indexed(title: Option<&str>, body: &str) -> bool {
    title
        .unwrap_or("")
        .chars()
        .chain(body.chars())
        .any(is_unspaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migration_s_glob_holds_the_same_ranges() {
        let glob: String = RANGES.iter().map(|(lo, hi)| format!("{lo}-{hi}")).collect();
        let migration = include_str!("../../migrations/0008_unspaced_scripts_index.sql");
        assert_eq!(
            migration.matches(&format!("GLOB '*[{glob}]*'")).count(),
            4,
            "every GLOB of the migration uses these ranges"
        );
        assert!(SQL_CONDITION.ends_with(&format!("GLOB '*[{glob}]*'")));
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for text in [
            "今天天气很好",
            "すし",
            "カタカナ",
            "서울",
            "ภาษาไทย",
            "plain",
            "Zürich",
            "Ελλάδα",
        ] {
            let by_glob: bool = conn
                .query_row(&format!("SELECT ?1 GLOB '*[{glob}]*'"), [text], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(by_glob, indexed(None, text), "{text}");
        }
    }
}

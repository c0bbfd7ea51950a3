//! Stage: bytes → text.
//!
//! Takes a file's raw bytes and yields a `String` plus the name of the encoding it was decoded from.
//! UTF-8 is the norm; a UTF-8 or UTF-16 byte-order mark is honoured; text without a BOM that is not
//! UTF-8 is given to `chardetng` (the detector Firefox uses) and decoded from the legacy encoding it
//! guesses, so a Windows-1252 or Latin-1 article is decoded rather than rejected. What cannot be text
//! is rejected with a reason: empty files, binary files (a known binary signature, or NUL and other
//! control characters in more than one character in a hundred), bytes that mix valid multi-byte UTF-8
//! with invalid sequences (a damaged UTF-8 file, which a legacy decoding would turn into mojibake), and
//! anything whose best legacy decoding is still full of control characters.
//!
//! A few stray control characters in otherwise good text (a scraper's NUL padding, a BEL or backspace
//! copied from a terminal) do not cost the article: they are dropped (NUL) or made spaces (the others),
//! and their number is returned, so a whole file is never refused for one byte.
//! Never guesses silently: the encoding used is returned and stored in `files.encoding`.

use crate::reject::Rejection;
use encoding_rs::{Encoding, UTF_8};

/// Text decoded from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the source encoding, e.g. `UTF-8`, `UTF-16LE`, `windows-1252`.
    pub encoding: &'static str,
    /// Stray control characters (NUL, BEL, backspace, ...) dropped or made spaces.
    pub controls_removed: usize,
}

/// At most one character in this many (or [`CONTROL_FLOOR`], for short files) may be a stray control
/// character for the file to count as text; more than that is a binary file (or text in an encoding
/// guessed wrong).
const CONTROL_SHARE: usize = 100;
const CONTROL_FLOOR: usize = 4;

/// Signatures of binary formats a scraper's folder holds beside its text (archives, PDFs, images,
/// SQLite databases): refused whatever their share of control bytes.
const BINARY_SIGNATURES: &[&[u8]] = &[
    b"PK\x03\x04",
    b"%PDF-",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"SQLite format 3\0",
    b"\x7fELF",
];

/// Decodes a file's bytes; see the module documentation for the rules.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Rejection> {
    if bytes.is_empty() {
        return Err(Rejection::Empty);
    }
    if BINARY_SIGNATURES.iter().any(|sig| bytes.starts_with(sig)) {
        let offset = bytes.iter().position(|&b| b == 0 || b >= 0x80).unwrap_or(0);
        return Err(Rejection::Binary { offset });
    }
    let (text, encoding) = if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        decode_with_bom(encoding, &bytes[bom_len..])?
    } else {
        let nuls = bytes.iter().filter(|&&b| b == 0).count();
        if nuls > CONTROL_FLOOR && nuls * CONTROL_SHARE > bytes.len() {
            let offset = bytes.iter().position(|&b| b == 0).unwrap_or(0);
            return Err(Rejection::Binary { offset });
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                refuse_binary(text)?;
                (text.to_owned(), UTF_8)
            }
            Err(err) => match declared_charset(bytes) {
                // A page that names its encoding (`<meta charset>`, `http-equiv`) is read in it.
                Some(encoding) if encoding != UTF_8 => (
                    encoding.decode_without_bom_handling(bytes).0.into_owned(),
                    encoding,
                ),
                _ => decode_legacy(bytes, err.valid_up_to())?,
            },
        }
    };
    let (text, controls_removed) = drop_stray_controls(text);
    if text.trim().is_empty() {
        return Err(Rejection::Empty);
    }
    Ok(Decoded {
        text,
        encoding: encoding.name(),
        controls_removed,
    })
}

/// The encoding an HTML page declares in its first 4 KiB: `<meta charset="...">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=...">`.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&lower[from..], b"charset=") {
        let start = from + at + b"charset=".len();
        let label: Vec<u8> = lower[start..]
            .iter()
            .skip_while(|&&b| b == b'"' || b == b'\'' || b == b' ')
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':')
            .copied()
            .collect();
        let in_meta = lower[..start]
            .windows(5)
            .rev()
            .take(200)
            .any(|w| w == b"<meta");
        if in_meta {
            if let Some(encoding) = Encoding::for_label(&label) {
                return Some(encoding);
            }
        }
        from = start;
    }
    None
}

/// Drops NUL characters and makes other stray control characters spaces; returns how many there were.
/// Used on text already known to be text (few of them, or a JSON Lines record's field).
pub fn drop_stray_controls(text: String) -> (String, usize) {
    let count = count_stray_controls(&text);
    if count == 0 {
        return (text, 0);
    }
    let cleaned = text
        .chars()
        .filter(|&c| c != '\0')
        .map(|c| if is_unexpected_control(c) { ' ' } else { c })
        .collect();
    (cleaned, count)
}

/// Where the first stray control character sits, when there are more than text holds: binary data,
/// or bytes decoded with the wrong encoding. `floor` is how many any file may hold.
fn too_many_controls(text: &str, floor: usize) -> Option<usize> {
    let count = count_stray_controls(text);
    if count <= floor || count * CONTROL_SHARE <= count_chars(text) {
        return None;
    }
    text.find(is_unexpected_control)
}

/// Refuses decoded text that is mostly control characters as binary.
fn refuse_binary(text: &str) -> Result<(), Rejection> {
    match too_many_controls(text, CONTROL_FLOOR) {
        Some(offset) => Err(Rejection::Binary { offset }),
        None => Ok(()),
    }
}

fn decode_with_bom(
    encoding: &'static Encoding,
    rest: &[u8],
) -> Result<(String, &'static Encoding), Rejection> {
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(rest)
        .ok_or_else(|| Rejection::NotUtf8 {
            offset: 0,
            why: format!(
                " (it starts with a {} byte-order mark but is not valid {})",
                encoding.name(),
                encoding.name()
            ),
        })?;
    refuse_binary(&text)?;
    Ok((text.into_owned(), encoding))
}

fn decode_legacy(
    bytes: &[u8],
    first_invalid: usize,
) -> Result<(String, &'static Encoding), Rejection> {
    // Legacy single-byte text almost never contains a well-formed multi-byte UTF-8 sequence; a file
    // that does, next to invalid bytes, is damaged UTF-8.
    // Two-byte legacy encodings (Shift_JIS, EUC-JP, GBK, Big5, EUC-KR) are full of byte pairs that
    // happen to be well-formed UTF-8: for those, chardetng's guess decides.
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let encoding = detector.guess(None, false);
    // Damaged UTF-8 (a stray byte in UTF-8 text) has nearly all of its non-ASCII bytes in
    // well-formed sequences; legacy two-byte text only here and there.
    let (mut in_utf8, mut stray) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        in_utf8 += chunk.valid().bytes().filter(|b| !b.is_ascii()).count();
        stray += chunk.invalid().len();
    }
    let damaged_utf8 = in_utf8 > 0 && (!is_multibyte_legacy(encoding) || stray * 10 < in_utf8);
    if damaged_utf8 {
        return Err(Rejection::NotUtf8 {
            offset: first_invalid,
            why: " (it mixes UTF-8 with other bytes)".into(),
        });
    }
    let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) else {
        return Err(Rejection::NotUtf8 {
            offset: first_invalid,
            why: String::new(),
        });
    };
    // A guessed encoding gets no allowance for short files: a wrong guess shows as control characters.
    if too_many_controls(&text, 0).is_some() {
        return Err(Rejection::NotUtf8 {
            offset: first_invalid,
            why: format!(" (as {} it is full of control characters)", encoding.name()),
        });
    }
    Ok((text.into_owned(), encoding))
}

/// The legacy encodings of Chinese, Japanese and Korean, in which a character takes two bytes (or
/// more).
fn is_multibyte_legacy(encoding: &'static Encoding) -> bool {
    [
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::ISO_2022_JP,
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::BIG5,
        encoding_rs::EUC_KR,
    ]
    .contains(&encoding)
}

/// How many characters of `text` [`is_unexpected_control`] names, counted on the bytes: the control
/// characters are the ASCII ones and U+0080..U+009F (`C2 80`..`C2 9F` in UTF-8).
///
/// Every file's text goes through this two or three times per pass, so it counts without branches,
/// in runs of 255 bytes whose count fits a byte: the compiler makes that vector code. The plain
/// filter over the bytes (a branch and a look-ahead per byte) was 3.5% of a real-text ingest's CPU;
/// this is about six times as fast on the same text.
fn count_stray_controls(text: &str) -> usize {
    const RUN: usize = u8::MAX as usize;
    let bytes = text.as_bytes();
    let mut count = 0;
    for (i, run) in bytes.chunks(RUN).enumerate() {
        let start = i * RUN;
        // Each byte of the run, and the one after it (past the text's end: none).
        let after = &bytes[start + 1..(start + RUN + 1).min(bytes.len())];
        let controls = run.iter().fold(0u8, |n, &b| n + is_ascii_control(b) as u8);
        let c1 = run.iter().zip(after).fold(0u8, |n, (&b, &next)| {
            n + ((b == 0xc2) & (next & 0xe0 == 0x80)) as u8
        });
        count += usize::from(controls) + usize::from(c1);
    }
    count
}

/// An ASCII control character that does not occur in text (see [`is_unexpected_control`]), tested
/// without branches.
#[inline(always)]
fn is_ascii_control(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') & (b != 0x0c) | (b == 0x7f)
}

/// Characters in `text`: its bytes that do not continue a character.
fn count_chars(text: &str) -> usize {
    text.bytes().filter(|&b| (b as i8) >= -0x40).count()
}

/// Control characters that do not occur in text: C0 controls other than tab, line feed, form feed and
/// carriage return, and the C1 range (what undefined Windows-1252 bytes decode to).
fn is_unexpected_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
        || ('\u{80}'..='\u{9f}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_characters_counted_on_bytes_agree_with_chars() {
        let samples = [
            "plain text\n\twith tabs\r\n\x0c",
            "nul\0 bell\x07 esc\x1b del\x7f",
            "c1 \u{80} \u{85} \u{9f} not c1 \u{a0} \u{c2}\u{a9} ©",
            "Größe 東京 🙂 \u{2028}",
            // Across the counting's runs of 255 bytes: a C1 character split by a run's end.
            &format!("{}\u{85}{}\u{a0}\0", "a".repeat(253), "\u{9f}".repeat(300)),
            &format!("{}\u{85}", "b".repeat(254)),
            &format!("{}\u{c2}", "c".repeat(254)),
        ];
        for text in samples {
            let by_chars = text.chars().filter(|&c| is_unexpected_control(c)).count();
            assert_eq!(count_stray_controls(text), by_chars, "{text:?}");
            assert_eq!(count_chars(text), text.chars().count(), "{text:?}");
        }
    }

    #[test]
    fn two_byte_legacy_encodings_are_decoded() {
        let texts = [
            (encoding_rs::SHIFT_JIS, "東京都は火曜日、新しい港の建設計画を発表した。工事は来年の春に始まり、三年後に完成する予定だという。市民からは賛成と反対の声が上がっている。"),
            (encoding_rs::EUC_JP, "東京都は火曜日、新しい港の建設計画を発表した。工事は来年の春に始まり、三年後に完成する予定だという。市民からは賛成と反対の声が上がっている。"),
            (encoding_rs::GBK, "北京市政府星期二宣布了一项新的港口建设计划。工程将于明年春天开始，预计三年后完成。市民对此意见不一，有人支持也有人反对。"),
            (encoding_rs::BIG5, "台北市政府星期二宣布了一項新的港口建設計畫。工程將於明年春天開始，預計三年後完成。市民對此意見不一，有人支持也有人反對。"),
            (encoding_rs::EUC_KR, "서울시는 화요일 새로운 항구 건설 계획을 발표했다. 공사는 내년 봄에 시작되어 삼 년 뒤에 완공될 예정이다. 시민들 사이에서는 찬성과 반대의 목소리가 엇갈리고 있다."),
        ];
        for (encoding, text) in texts {
            let (bytes, _, unmappable) = encoding.encode(text);
            assert!(!unmappable);
            let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", encoding.name()));
            assert_eq!(decoded.text, text, "{}", encoding.name());
        }
    }

    #[test]
    fn damaged_utf8_in_a_cjk_script_is_still_refused() {
        let mut bytes =
            "北京市政府星期二宣布了一项新的港口建设计划。工程将于明年春天开始，预计三年后完成。"
                .as_bytes()
                .to_vec();
        bytes.push(0xff);
        assert!(matches!(decode(&bytes), Err(Rejection::NotUtf8 { .. })));
    }

    #[test]
    fn damaged_utf8_is_still_refused() {
        let mut bytes = "Café au lait, crème brûlée and a naïve façade, all in one sentence."
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(b" \xff\xfe broken");
        assert!(matches!(decode(&bytes), Err(Rejection::NotUtf8 { .. })));
    }

    #[test]
    fn utf8_passes_through() {
        let d = decode("Café «news»\n".as_bytes()).unwrap();
        assert_eq!(d.text, "Café «news»\n");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn utf8_bom_is_dropped() {
        let d = decode(b"\xEF\xBB\xBFHello").unwrap();
        assert_eq!(d.text, "Hello");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Kyiv talks\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "Kyiv talks\n");
        assert_eq!(d.encoding, "UTF-16LE");
    }

    #[test]
    fn windows_1252_is_decoded_not_rejected() {
        let text =
            "Le ministre a déclaré qu’il était très inquiet de la situation à la frontière. \
                    Les négociations reprendront après l’été, a-t-il ajouté.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn empty_and_blank_files_are_rejected() {
        assert_eq!(decode(b""), Err(Rejection::Empty));
        assert_eq!(decode(b" \n\n\t"), Err(Rejection::Empty));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert_eq!(
            decode(b"PK\x03\x04\x00\x00"),
            Err(Rejection::Binary { offset: 4 })
        );
    }

    #[test]
    fn damaged_utf8_is_rejected() {
        let err = decode(
            "naïve text then a stray byte \u{e9}"
                .as_bytes()
                .iter()
                .copied()
                .chain([0xFF])
                .collect::<Vec<_>>()
                .as_slice(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "not-utf8");
    }

    #[test]
    fn a_few_stray_controls_do_not_cost_the_article() {
        let mut text = String::new();
        for i in 0..20 {
            text.push_str(&format!(
                "Paragraph {i} of the article, long enough to be prose.\n"
            ));
        }
        let damaged = text.replacen("prose.\n", "prose.\x07\n", 1).replacen(
            "Paragraph 3",
            "Para\0graph 3",
            1,
        );
        let d = decode(damaged.as_bytes()).unwrap();
        assert_eq!(d.controls_removed, 2);
        assert_eq!(d.text, text.replacen("prose.\n", "prose. \n", 1));
    }

    #[test]
    fn many_nul_bytes_mean_binary() {
        // UTF-16 without a byte-order mark: every other byte is NUL.
        let bytes: Vec<u8> = "Kyiv talks resume\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(matches!(decode(&bytes), Err(Rejection::Binary { .. })));
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend_from_slice(&[b'x'; 500]);
        assert!(matches!(
            decode(&bytes),
            Err(Rejection::Binary { offset: 0 })
        ));
    }

    #[test]
    fn control_bytes_are_not_text() {
        let err = decode(b"abc\x01\x02\x03\x81\x8d\x8f\x90").unwrap_err();
        assert_eq!(err.code(), "not-utf8");
    }
}

use hashbrown::HashMap;
use std::sync::LazyLock;

#[cfg(test)]
use super::utils::{TrigramsWithPositions, get_trigrams_with_positions};
use super::utils::get_trigrams_in_order;
use super::{ARABIC_LANGS, CYRILLIC_LANGS, DEVANAGARI_LANGS, HEBREW_LANGS, LATIN_LANGS};
use super::LangProfileList;
#[cfg(test)]
use super::LangProfile;
use super::{MAX_TOTAL_DISTANCE, MAX_TRIGRAM_DISTANCE, Trigram};
use crate::Lang;
use crate::core::{FilterList, Info, InternalQuery, Text, calculate_confidence};
use crate::scripts::grouping::MultiLangScript;

#[derive(Debug)]
pub struct RawOutcome {
    pub trigrams_count: usize,
    #[allow(dead_code)]
    pub raw_distances: Vec<(Lang, u32)>,
    pub scores: Vec<(Lang, f64)>,
}

#[inline]
pub fn detect(iquery: &InternalQuery) -> Option<Info> {
    let raw_outcome = raw_detect(iquery);
    let RawOutcome {
        trigrams_count,
        scores,
        ..
    } = raw_outcome;

    let mut raw_scores_iter = scores.into_iter();

    let opt_lang_score1 = raw_scores_iter.next();
    let opt_lang_score2 = raw_scores_iter.next();

    // TODO: Logic is duplicated in alphabets. Consider refactoring
    opt_lang_score1.map(|(lang1, score1)| {
        let script = iquery.multi_lang_script.to_script();
        let confidence = if let Some((_, score2)) = opt_lang_score2 {
            calculate_confidence(score1, score2, trigrams_count)
        } else {
            1.0
        };
        Info::new(script, lang1, confidence)
    })
}

#[inline]
pub fn raw_detect(iquery: &InternalQuery) -> RawOutcome {
    let lang_profile_list = script_to_lang_profile_list(iquery.multi_lang_script);
    let index = script_to_profile_index(iquery.multi_lang_script);
    calculate_scores_in_profiles(&iquery.text, iquery.filter_list, lang_profile_list, index)
}

fn script_to_lang_profile_list(script: MultiLangScript) -> LangProfileList {
    use MultiLangScript as MLS;
    match script {
        MLS::Latin => LATIN_LANGS,
        MLS::Cyrillic => CYRILLIC_LANGS,
        MLS::Arabic => ARABIC_LANGS,
        MLS::Devanagari => DEVANAGARI_LANGS,
        MLS::Hebrew => HEBREW_LANGS,
    }
}

// newsdb's patch: the profiles of a script indexed by trigram, built once.
fn script_to_profile_index(script: MultiLangScript) -> &'static ProfileIndex {
    use MultiLangScript as MLS;
    static LATIN: LazyLock<ProfileIndex> = LazyLock::new(|| ProfileIndex::new(LATIN_LANGS));
    static CYRILLIC: LazyLock<ProfileIndex> = LazyLock::new(|| ProfileIndex::new(CYRILLIC_LANGS));
    static ARABIC: LazyLock<ProfileIndex> = LazyLock::new(|| ProfileIndex::new(ARABIC_LANGS));
    static DEVANAGARI: LazyLock<ProfileIndex> =
        LazyLock::new(|| ProfileIndex::new(DEVANAGARI_LANGS));
    static HEBREW: LazyLock<ProfileIndex> = LazyLock::new(|| ProfileIndex::new(HEBREW_LANGS));
    match script {
        MLS::Latin => &LATIN,
        MLS::Cyrillic => &CYRILLIC,
        MLS::Arabic => &ARABIC,
        MLS::Devanagari => &DEVANAGARI,
        MLS::Hebrew => &HEBREW,
    }
}

/// newsdb's patch: where each trigram of a script's profiles stands. Per trigram, each profile
/// that holds it (its index in the script's `LangProfileList`) and its rank there.
struct ProfileIndex {
    ranks: HashMap<Trigram, Vec<(u16, u16)>>,
}

impl ProfileIndex {
    fn new(list: LangProfileList) -> ProfileIndex {
        let mut ranks: HashMap<Trigram, Vec<(u16, u16)>> = HashMap::new();
        for (profile, (_, trigrams)) in list.iter().enumerate() {
            for (rank, &trigram) in trigrams.iter().enumerate() {
                let entry = (profile as u16, rank as u16);
                ranks.entry(trigram).or_default().push(entry);
            }
        }
        ProfileIndex { ranks }
    }

    /// For each profile of the list, the sum `calculate_distance` takes over its trigrams, given
    /// the text's trigrams in the order of their positions ([`get_trigrams_in_order`]). A profile
    /// trigram absent from the text costs `MAX_TRIGRAM_DISTANCE`; one at position `n` in the text
    /// and `i` in the profile, `|n - i|`. So each profile starts at `MAX_TRIGRAM_DISTANCE` per
    /// trigram and each trigram the text shares with it takes off the difference: one look-up per
    /// text trigram here, where `calculate_distance` made one per profile trigram (300 per
    /// language).
    fn sums(&self, list: LangProfileList, text_trigrams: &[Trigram]) -> Vec<u32> {
        let mut sums: Vec<i64> = list
            .iter()
            .map(|(_, trigrams)| i64::from(MAX_TRIGRAM_DISTANCE) * trigrams.len() as i64)
            .collect();
        for (position, trigram) in text_trigrams.iter().enumerate() {
            for &(profile, rank) in self.ranks.get(trigram).map_or(&[][..], Vec::as_slice) {
                let dist = (position as i64 - i64::from(rank)).abs();
                sums[usize::from(profile)] += dist - i64::from(MAX_TRIGRAM_DISTANCE);
            }
        }
        sums.into_iter()
            .map(|sum| u32::try_from(sum).expect("a sum of distances"))
            .collect()
    }
}

#[inline]
fn calculate_scores_in_profiles(
    text: &Text,
    filter_list: &FilterList,
    lang_profile_list: LangProfileList,
    index: &ProfileIndex,
) -> RawOutcome {
    let mut lang_distances: Vec<(Lang, u32)> = vec![];

    // newsdb's patch: the distances summed through the profiles' index, in the list's order as
    // before (the sort below is unstable: ties keep the same order only from the same input).
    let text_trigrams = get_trigrams_in_order(&text.lowercase());
    let unique_trigrams_count = text_trigrams.len();
    let sums = index.sums(lang_profile_list, &text_trigrams);

    for (&(lang, _), &sum) in lang_profile_list.iter().zip(&sums) {
        if !filter_list.is_allowed(lang) {
            continue;
        }
        let dist = finish_distance(sum, unique_trigrams_count as u32);
        lang_distances.push(((lang), dist));
    }

    // Sort languages by distance
    lang_distances.sort_unstable_by_key(|(_, dist)| *dist);

    let max_dist = unique_trigrams_count as u32 * MAX_TRIGRAM_DISTANCE;

    let raw_scores = lang_distances
        .iter()
        .map(|&(lang, distance)| (lang, distance_to_raw_score(distance, max_dist)))
        .collect();

    RawOutcome {
        trigrams_count: unique_trigrams_count,
        scores: raw_scores,
        raw_distances: lang_distances,
    }
}

// newsdb's patch: upstream's definition of the distance, kept for the test that checks the index
// against it; its end is `finish_distance`.
#[cfg(test)]
fn calculate_distance(lang_trigrams: LangProfile, text_trigrams: &HashMap<Trigram, u32>) -> u32 {
    let mut total_dist = 0u32;

    for (i, &trigram) in lang_trigrams.iter().enumerate() {
        let dist = match text_trigrams.get(&trigram) {
            Some(&n) => (n as i32 - i as i32).unsigned_abs(),
            None => MAX_TRIGRAM_DISTANCE,
        };
        total_dist += dist;
    }

    finish_distance(total_dist, text_trigrams.len() as u32)
}

#[inline]
fn finish_distance(mut total_dist: u32, count: u32) -> u32 {
    if MAX_TRIGRAM_DISTANCE > count {
        let delta = MAX_TRIGRAM_DISTANCE - count;
        total_dist -= delta * MAX_TRIGRAM_DISTANCE;
    }

    total_dist.clamp(0, MAX_TOTAL_DISTANCE)
}

#[inline]
fn distance_to_raw_score(distance: u32, max_distance: u32) -> f64 {
    let similarity = max_distance - distance;
    similarity as f64 / max_distance as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_when_german_is_given() {
        let text = "Die Ordnung muss für immer in diesem Codebase bleiben";
        let iq = InternalQuery {
            text: Text::new(text),
            filter_list: &FilterList::default(),
            multi_lang_script: MultiLangScript::Latin,
        };
        let raw_outcome = raw_detect(&iq);

        assert_eq!(raw_outcome.trigrams_count, 50);

        let &(first_lang, first_score) = raw_outcome.scores.first().unwrap();
        let &(_last_lang, last_score) = raw_outcome.scores.last().unwrap();

        assert_eq!(first_lang, Lang::Deu);

        assert!(first_score >= 0.0);
        assert!(first_score <= 1.0);

        assert!(last_score >= 0.0);
        assert!(last_score <= 1.0);
    }

    // newsdb's patch: the index gives upstream's distances, for every profile of every script.
    #[test]
    fn profile_index_sums_are_upstreams_distances() {
        let texts = [
            "Die Ordnung muss für immer in diesem Codebase bleiben",
            "The council voted on Tuesday to close the old bridge to cars from next spring.",
            "Le gouvernement a annoncé mardi une nouvelle aide pour les agriculteurs.",
            "Як умру, то поховайте мене на могилі, серед степу широкого",
            "مرحبا بكم في موقعنا الجديد للأخبار اليومية",
            "यह एक परीक्षण वाक्य है जो हिंदी में लिखा गया है",
            "זהו משפט בדיקה שנכתב בעברית",
            "a",
            "",
            "ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab",
        ];
        let scripts = [
            MultiLangScript::Latin,
            MultiLangScript::Cyrillic,
            MultiLangScript::Arabic,
            MultiLangScript::Devanagari,
            MultiLangScript::Hebrew,
        ];
        // Long texts too: more than 600 distinct trigrams, so positions past the profiles' 300.
        let long = texts.concat().repeat(3) + &texts.join(" zq xv ");
        for text in texts.iter().copied().chain([long.as_str()]) {
            let text_ = Text::new(text);
            let lower = text_.lowercase();
            let TrigramsWithPositions {
                trigram_positions, ..
            } = get_trigrams_with_positions(&lower);
            let in_order = get_trigrams_in_order(&lower);
            assert_eq!(in_order.len(), trigram_positions.len());
            for (n, trigram) in in_order.iter().enumerate() {
                assert_eq!(trigram_positions[trigram], n as u32, "{text:?}");
            }
            for script in scripts {
                let list = script_to_lang_profile_list(script);
                let sums = script_to_profile_index(script).sums(list, &in_order);
                for (&(lang, profile), &sum) in list.iter().zip(&sums) {
                    assert_eq!(
                        finish_distance(sum, in_order.len() as u32),
                        calculate_distance(profile, &trigram_positions),
                        "{lang:?} on {text:?}"
                    );
                }
            }
        }
    }
}

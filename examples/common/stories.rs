#![allow(dead_code)] // each user takes part of it
//! A deterministic corpus of news stories with known near-duplicates, for the near-duplicate tests.
//!
//! Stories are grouped by topic: stories of one topic share their names and places (a topic's own
//! words make up about a third of the content words) and stock phrases ("said in a statement on
//! Tuesday"), so they are the hard negatives that must not be merged. Each story is published a few
//! times over, as wire copies are: each version applies a random mix of edits to the original (new
//! headline, paragraphs dropped, sentences reworded, a local intro added, an update appended), so the
//! versions' similarities to the original spread from about 0.3 to 1. Files carry a header (title,
//! date, URL of another site per version) and sometimes a share widget and a copyright line the cleaner
//! removes. The same seed gives the same bytes.

use super::vocab::{self, Rng, Zipf};

/// One generated file.
pub struct StoryFile {
    /// File name, unique: `t{topic}-s{story}-v{version}.txt`.
    pub name: String,
    pub topic: usize,
    /// Which story (across topics) the file is a version of.
    pub story: usize,
    /// 0 for the original.
    pub version: usize,
    pub text: String,
}

const GLUE: &[&str] = &[
    "the", "the", "the", "a", "of", "of", "in", "in", "to", "to", "and", "and", "on", "for",
    "with", "after", "before", "over", "said", "will", "would", "has", "had", "was", "were", "is",
    "are", "new", "last", "first", "more", "than", "about", "from", "by", "at",
];
const STOCK: &[&str] = &[
    "said in a statement on Tuesday",
    "according to officials familiar with the matter",
    "did not immediately respond to a request for comment",
    "told reporters at a news conference",
    "the latest in a series of",
    "it was not immediately clear whether",
    "in an interview with local media",
];
const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

struct Words {
    vocabulary: Vec<String>,
    zipf: Zipf,
}

struct Topic {
    names: Vec<String>,
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

fn sentence(rng: &mut Rng, words: &Words, topic: &Topic) -> String {
    let n = 10 + rng.below(14);
    let mut parts: Vec<String> = Vec::with_capacity(n + 6);
    for _ in 0..n {
        let w = match rng.below(6) {
            0 | 1 => pick(rng, GLUE).to_string(),
            2 => pick(rng, &topic.names).clone(),
            _ => words.vocabulary[words.zipf.sample(rng)].clone(),
        };
        parts.push(w);
    }
    if rng.below(3) == 0 {
        let at = rng.below(parts.len());
        parts.insert(at, pick(rng, STOCK).to_string());
    }
    let mut s = parts.join(" ");
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng, words: &Words, topic: &Topic) -> Vec<String> {
    (0..2 + rng.below(3))
        .map(|_| sentence(rng, words, topic))
        .collect()
}

/// Writes `topics × stories_per_topic` stories, each as an original and 0–5 edited versions.
pub fn corpus(seed: u64, topics: usize, stories_per_topic: usize) -> Vec<StoryFile> {
    let mut rng = Rng::new(seed);
    let vocabulary = vocab::words();
    let zipf = Zipf::new(vocabulary.len());
    let words = Words { vocabulary, zipf };
    let mut files = Vec::new();
    for t in 0..topics {
        // A topic's names: words of middling frequency, so they are its own.
        let topic = Topic {
            names: (0..30)
                .map(|_| {
                    let mut w = words.vocabulary[500 + rng.below(5000)].clone();
                    w[..1].make_ascii_uppercase();
                    w
                })
                .collect(),
        };
        for s in 0..stories_per_topic {
            let story = t * stories_per_topic + s;
            let headline = sentence(&mut rng, &words, &topic);
            let paragraphs: Vec<Vec<String>> = (0..6 + rng.below(9))
                .map(|_| paragraph(&mut rng, &words, &topic))
                .collect();
            let date = 20240101 + (story % 28) as u32;
            let versions = rng.below(6);
            for v in 0..=versions {
                let (title, body) = if v == 0 {
                    (headline.clone(), paragraphs.clone())
                } else {
                    edit(&mut rng, &words, &topic, &headline, &paragraphs)
                };
                let mut text = format!(
                    "{}\n{}\nhttps://www.site{}.example/news/{story}-{v}\n",
                    title.trim_end_matches('.'),
                    date + v as u32,
                    rng.below(40)
                );
                if rng.below(3) == 0 {
                    text.push_str("Share this:\n");
                }
                for p in &body {
                    text.push_str(&p.join(" "));
                    text.push('\n');
                }
                if rng.below(3) == 0 {
                    text.push_str("Copyright © 2024 Example Media. All rights reserved.\n");
                }
                files.push(StoryFile {
                    name: format!("t{t}-s{story}-v{v}.txt"),
                    topic: t,
                    story,
                    version: v,
                    text,
                });
            }
        }
    }
    files
}

/// A version of a story: a random mix of the edits syndication and updates make.
fn edit(
    rng: &mut Rng,
    words: &Words,
    topic: &Topic,
    headline: &str,
    original: &[Vec<String>],
) -> (String, Vec<Vec<String>>) {
    let mut body: Vec<Vec<String>> = original.to_vec();
    let title = if rng.below(2) == 0 {
        sentence(rng, words, topic)
    } else {
        headline.to_owned()
    };
    for _ in 0..rng.below(3) {
        if body.len() > 2 {
            let i = rng.below(body.len());
            body.remove(i);
        }
    }
    for _ in 0..rng.below(5) {
        let p = rng.below(body.len());
        let s = rng.below(body[p].len());
        body[p][s] = sentence(rng, words, topic);
    }
    if rng.below(3) == 0 {
        let intro = format!(
            "{} ({}) - {}",
            pick(rng, &topic.names).to_uppercase(),
            pick(rng, DAYS),
            sentence(rng, words, topic)
        );
        body.insert(0, vec![intro]);
    }
    if rng.below(3) == 0 {
        body.push(paragraph(rng, words, topic));
    }
    (title, body)
}

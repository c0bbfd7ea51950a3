//! Generates a deterministic corpus of article-like files for benchmarks and smoke tests.
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --files 20000 --seed 1 --out /tmp/corpus20k
//! cargo run --release --example gen_corpus -- --files 1000000 --seed 1 --jsonl > /tmp/1m.jsonl
//! ```
//!
//! Each file is 1–15 KB of sentences of pseudo-words drawn by Zipf's law (`common/vocab.rs`), with
//! English function words between them, in one of the three header forms newsdb reads
//! (title/date/URL lines, a title above a blank line, or no header), with share widgets, cookie banners
//! and comment forms at the head and tail as scrapers leave them. Of all files, 10% are byte-identical
//! copies of an earlier file, 5% are whitespace/Unicode variants of one (CRLF, no-break spaces, curly
//! quotes), and 5% carry an earlier body with other boilerplate: all three kinds are duplicates that
//! newsdb stores once. Another 5% are near copies, as syndication makes them: an earlier body with a
//! paragraph dropped and a new one added, under another headline. The same seed always gives the same
//! bytes.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

#[path = "common/vocab.rs"]
mod vocab;

use vocab::{Rng, Zipf};

/// Picks one of `items`.
fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

/// Content words by Zipf's law, function words between them.
struct Words {
    vocabulary: Vec<String>,
    zipf: Zipf,
}

impl Words {
    fn new() -> Words {
        let vocabulary = vocab::words();
        let zipf = Zipf::new(vocabulary.len());
        Words { vocabulary, zipf }
    }
    fn content(&self, rng: &mut Rng) -> &str {
        &self.vocabulary[self.zipf.sample(rng)]
    }
}

const GLUE: &[&str] = &[
    "the", "the", "the", "a", "of", "of", "in", "in", "to", "to", "and", "and", "on", "for",
    "with", "after", "before", "over", "said", "says", "will", "would", "could", "has", "had",
    "was", "were", "is", "are", "new", "last", "first", "more", "than", "about", "from", "by",
    "at",
];
const HEAD_BOILERPLATE: &[&str] = &[
    "Share this:",
    "Click to share on Twitter (Opens in new window)",
    "Click to share on Facebook (Opens in new window)",
    "This website uses cookies to improve your experience. Accept Read More",
    "Accept all",
];
const TAIL_BOILERPLATE: &[&str] = &[
    "Like this:",
    "Like Loading...",
    "Related",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Copyright © 2022 Example Media Group. All rights reserved.",
    "Photo: handout / Example Agency",
    "What do you think? Join the conversation below.",
];

fn sentence(rng: &mut Rng, words: &Words, out: &mut String) {
    let n = 8 + rng.below(18);
    for i in 0..n {
        let w = if rng.below(2) == 0 {
            words.content(rng)
        } else {
            pick(rng, GLUE)
        };
        if i == 0 {
            let mut c = w.chars();
            let first = c.next().unwrap().to_ascii_uppercase();
            out.push(first);
            out.push_str(c.as_str());
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    if rng.below(6) == 0 {
        let quoted = words.content(rng).to_owned();
        let _ = write!(out, ", \"{quoted}\" {} said", words.content(rng));
    }
    out.push('.');
}

/// A body of about `bytes` bytes: paragraphs of 2–6 sentences, one per line.
fn body(rng: &mut Rng, words: &Words, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        for s in 0..2 + rng.below(5) {
            if s > 0 {
                out.push(' ');
            }
            sentence(rng, words, &mut out);
        }
        out.push('\n');
    }
    out
}

fn boilerplate(rng: &mut Rng, from: &[&str], max: usize) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(max + 1) {
        out.push_str(pick(rng, from));
        out.push('\n');
    }
    out
}

/// One article: header form by `i % 3`, boilerplate around the body.
fn article(rng: &mut Rng, words: &Words, i: usize, body: &str) -> String {
    let title = format!(
        "{} {} {} as {} {}",
        words.content(rng),
        pick(rng, GLUE),
        words.content(rng),
        words.content(rng),
        words.content(rng)
    );
    let mut title = title;
    title[..1].make_ascii_uppercase();
    let mut text = String::new();
    match i % 3 {
        0 => {
            let _ = writeln!(
                text,
                "{title}\n2022{:02}{:02}\nhttps://www.site{}.example/news/{i}",
                1 + rng.below(12),
                1 + rng.below(28),
                rng.below(50)
            );
            text.push_str(&boilerplate(rng, HEAD_BOILERPLATE, 2));
        }
        1 => {
            text.push_str(&boilerplate(rng, HEAD_BOILERPLATE, 2));
            let _ = write!(text, "{title}\n\n");
        }
        _ => text.push_str(&boilerplate(rng, HEAD_BOILERPLATE, 2)),
    }
    text.push_str(body);
    text.push_str(&boilerplate(rng, TAIL_BOILERPLATE, 4));
    text
}

/// The same text as a different scraper run might save it: CRLF, no-break spaces, curly quotes.
fn variant(text: &str) -> String {
    text.replace('\n', "\r\n")
        .replacen(". ", ".\u{00A0} ", 3)
        .replace('"', "\u{201C}")
}

struct Args {
    files: usize,
    seed: u64,
    out: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        files: 1000,
        seed: 1,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--files" => args.files = value().parse().unwrap_or_else(|_| usage("--files N")),
            "--seed" => args.seed = value().parse().unwrap_or_else(|_| usage("--seed N")),
            "--out" => args.out = Some(PathBuf::from(value())),
            "--jsonl" => args.out = None,
            other => usage(&format!("unknown argument {other}")),
        }
    }
    args
}

fn usage(why: &str) -> ! {
    eprintln!("gen_corpus: {why}\nusage: gen_corpus --files N [--seed S] (--out DIR | --jsonl)");
    std::process::exit(2)
}

fn main() -> std::io::Result<()> {
    let args = parse_args();
    let mut rng = Rng::new(args.seed);
    let words = Words::new();
    // Bodies of earlier originals, kept to make duplicates from (bounded: memory stays flat).
    let mut recent: Vec<(String, String)> = Vec::new();
    let stdout = std::io::stdout();
    let mut jsonl = std::io::BufWriter::new(stdout.lock());
    for i in 0..args.files {
        let roll = rng.below(100);
        let text = if recent.is_empty() || roll >= 25 {
            let size = 1024 + rng.below(14 * 1024);
            let b = body(&mut rng, &words, size);
            let text = article(&mut rng, &words, i, &b);
            if recent.len() < 1000 {
                recent.push((b, text.clone()));
            } else {
                let slot = rng.below(recent.len());
                recent[slot] = (b, text.clone());
            }
            text
        } else {
            let (b, earlier) = &recent[rng.below(recent.len())];
            match roll {
                0..10 => earlier.clone(),
                10..15 => variant(earlier),
                20..25 => {
                    let mut paragraphs: Vec<&str> = b.lines().collect();
                    if paragraphs.len() > 2 {
                        paragraphs.remove(rng.below(paragraphs.len()));
                    }
                    let mut near = paragraphs.join("\n");
                    near.push('\n');
                    near.push_str(&body(&mut rng, &words, 200));
                    article(&mut rng, &words, i, &near)
                }
                _ => {
                    let b = b.clone();
                    article(&mut rng, &words, i, &b)
                }
            }
        };
        match &args.out {
            Some(dir) => {
                let path = dir
                    .join(format!("{:04}", i / 1000))
                    .join(format!("{i:07}.txt"));
                std::fs::create_dir_all(path.parent().unwrap())?;
                std::fs::write(path, text)?;
            }
            None => {
                serde_json::to_writer(&mut jsonl, &serde_json::json!({ "text": text }))?;
                writeln!(jsonl)?;
            }
        }
    }
    jsonl.flush()
}

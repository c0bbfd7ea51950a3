//! Each candidate extractor alone on the dev set's saved pages (`DEVSET/html/*.html.gz`): the text it
//! gives (one file per page and extractor, for the dev set's scorer) and its speed on one thread.
//!
//! Both get the same text: the page decoded by newsdb's own decode stage (BOM, `<meta charset>`,
//! detection), so the comparison is of extraction alone. dom_smoothie is run as newsdb runs it
//! (`newsdb_core::extract`, which also reads the page's metadata); rs-trafilatura with its defaults.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: extractor-comparison DEVSET_DIR OUT_DIR";
    let devset = PathBuf::from(args.first().expect(usage));
    let out = PathBuf::from(args.get(1).expect(usage));
    let pages = load(&devset);
    type Extractor = fn(&str) -> String;
    let candidates: [(&str, Extractor); 2] = [
        ("rs-trafilatura", |html| {
            rs_trafilatura::extract(html)
                .map(|r| r.content_text)
                .unwrap_or_default()
        }),
        ("dom_smoothie", |html| {
            newsdb_core::extract::extract(html)
                .map(|e| e.lines.join("\n"))
                .unwrap_or_default()
        }),
    ];
    for (name, extract) in candidates {
        let dir = out.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let mut times = Vec::with_capacity(pages.len());
        for (id, html) in &pages {
            let start = Instant::now();
            let text = extract(html);
            times.push(start.elapsed());
            std::fs::write(dir.join(format!("{id}.txt")), text).unwrap();
        }
        let total: Duration = times.iter().sum();
        times.sort();
        println!(
            "{name}: {} pages, one thread: {:.0} pages/s, median page {:.0}/s",
            pages.len(),
            pages.len() as f64 / total.as_secs_f64(),
            1.0 / times[times.len() / 2].as_secs_f64()
        );
    }
}

/// The dev set's pages that have their HTML, decoded, by id.
fn load(devset: &Path) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(devset.join("html")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(id) = name.strip_suffix(".html.gz") else {
            continue;
        };
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        if let Ok(decoded) = newsdb_core::decode::decode(&bytes) {
            pages.push((id.to_owned(), decoded.text));
        }
    }
    pages.sort();
    pages
}

//! The dev set's saved pages (`DEVSET/html/ID.html.gz`), read at run time: nothing of the dev set is
//! in the repository.

use std::io::Read;
use std::path::Path;

/// The ids of the pages that have their HTML, sorted.
pub fn ids(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir.join("html"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("html").display()))
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".html.gz").map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids
}

/// The page's saved HTML, when the dev set has it.
pub fn page(dir: &Path, id: &str) -> Option<Vec<u8>> {
    let file = std::fs::File::open(dir.join("html").join(format!("{id}.html.gz"))).ok()?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

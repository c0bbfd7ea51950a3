//! `import newsdb`: newsdb's per-document stage as plain Python functions, for Spark, Ray, Dask or a
//! datatrove step. Each call releases the GIL while it works, so threads run it in parallel. What a
//! call returns is what `newsdb prepare` prints for the same input line (the same JSON, as a dict),
//! and `newsdb ingest --prepared` loads a JSON Lines file of them.

use newsdb_core::record::{prepare_file as core_prepare_file, prepare_input_line, CleanReport};
use newsdb_core::{prepare_named, Cleaner, Named};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::OnceLock;

/// The built-in rule set, compiled once per process (the first call pays for it).
fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(Cleaner::builtin)
}

/// A value serde can print as JSON, as a Python object (through the `json` module: one format,
/// exactly what the command line prints).
fn to_python<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// prepare(text, url=None, title=None, date=None) -> dict
///
/// An article given as its text and fields, as `newsdb ingest --jsonl` reads a record
/// `{"text": ..., "url": ..., "title": ..., "date": ...}`: the prepared record `newsdb prepare`
/// prints for that line (`path` is `-#` and 16 hex digits of its hash). A text that makes no
/// document gives a record with `rejected` (`code`, `reason`) instead of the document's fields.
#[pyfunction]
#[pyo3(signature = (text, url=None, title=None, date=None))]
fn prepare<'py>(
    py: Python<'py>,
    text: &str,
    url: Option<&str>,
    title: Option<&str>,
    date: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut object = serde_json::Map::new();
    object.insert("text".into(), text.into());
    for (key, value) in [("url", url), ("title", title), ("date", date)] {
        if let Some(value) = value {
            object.insert(key.into(), value.into());
        }
    }
    let line = serde_json::Value::Object(object).to_string();
    let record = py.detach(|| prepare_input_line(line.as_bytes(), "-", 1, cleaner(), true));
    to_python(py, &record)
}

/// prepare_file(data, path) -> dict
///
/// A file's bytes, prepared as `newsdb ingest` prepares the file at `path` (its header lines read; a
/// saved page by its name or content): the record `newsdb prepare` prints for
/// `{"path": path, "file_base64": ...}`.
#[pyfunction]
fn prepare_file<'py>(py: Python<'py>, data: &[u8], path: &str) -> PyResult<Bound<'py, PyAny>> {
    let record = py.detach(|| core_prepare_file(data, path, cleaner(), true));
    to_python(py, &record)
}

/// clean(text) -> dict
///
/// What `newsdb clean --json FILE` prints for a file holding `text` (without a database's learned
/// site lines): title, published, url, lang, encoding, extractor (for a page), control characters
/// removed, the cleaned body and every removed line with its rule. Raises ValueError when the text
/// makes no document.
#[pyfunction]
fn clean<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let prepared = py
        .detach(|| prepare_named(text.as_bytes(), Named::Other, cleaner(), false))
        .map_err(|rejection| PyValueError::new_err(rejection.to_string()))?;
    to_python(py, &CleanReport::of(&prepared))
}

#[pymodule]
fn newsdb(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(prepare, m)?)?;
    m.add_function(wrap_pyfunction!(prepare_file, m)?)?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add("CLEANER_VERSION", cleaner().version())?;
    Ok(())
}

//! Printing rows for people (an aligned table) and for scripts (JSON, CSV).

use anyhow::Result;
use rusqlite::types::ValueRef;
use serde_json::{Map, Value};
use std::io::{IsTerminal, Write};

/// A result set: column names and rows of JSON values (NULL → null, BLOB → lower-case hex string).
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    /// Runs a prepared statement and collects every row.
    pub fn query(stmt: &mut rusqlite::Statement, params: impl rusqlite::Params) -> Result<Rows> {
        let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let width = columns.len();
        let mut rows = Vec::new();
        let mut cursor = stmt.query(params)?;
        while let Some(row) = cursor.next()? {
            rows.push(
                (0..width)
                    .map(|i| row.get_ref(i).map(sql_value))
                    .collect::<Result<_, _>>()?,
            );
        }
        Ok(Rows { columns, rows })
    }
}

fn sql_value(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(hex::encode(b)),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Rows {
    /// Each row as a JSON object keyed by column name.
    fn objects(&self) -> impl Iterator<Item = Value> + '_ {
        self.rows.iter().map(|row| {
            let map: Map<String, Value> = self
                .columns
                .iter()
                .cloned()
                .zip(row.iter().cloned())
                .collect();
            Value::Object(map)
        })
    }
}

/// A format for scripts (`--json`, `--jsonl`, `--csv`; see [`crate::cli::OutputArgs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array of objects, pretty-printed.
    Json,
    /// JSON Lines: one compact object per line.
    Jsonl,
    /// CSV with a header line; nested values as JSON text.
    Csv,
}

/// Prints a result set: as a table for people (`None`), or in `format`.
pub fn rows(out: &mut impl Write, format: Option<Format>, rows: &Rows) -> Result<()> {
    match format {
        None => table(out, rows),
        Some(Format::Csv) => csv(out, &rows.columns, rows.rows.iter().map(|r| r.as_slice())),
        Some(format) => items(out, format, &rows.objects().collect::<Vec<_>>()),
    }
}

/// Prints serializable items (each an object) in `format`.
pub fn items<T: serde::Serialize>(out: &mut impl Write, format: Format, items: &[T]) -> Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, items)?;
            writeln!(out)?;
        }
        Format::Jsonl => {
            for item in items {
                serde_json::to_writer(&mut *out, item)?;
                writeln!(out)?;
            }
        }
        Format::Csv => {
            let mut csv = CsvStream::new(&mut *out);
            for item in items {
                csv.write(item)?;
            }
            csv.finish()?;
        }
    }
    Ok(())
}

/// Serializable objects written as CSV one by one (`export --csv` streams every document): the first
/// object's fields make the header; nested values (a list of sources) are JSON text.
pub struct CsvStream<W: Write> {
    writer: csv::Writer<W>,
    columns: Option<Vec<String>>,
}

impl<W: Write> CsvStream<W> {
    pub fn new(out: W) -> Self {
        CsvStream {
            writer: csv::Writer::from_writer(out),
            columns: None,
        }
    }

    pub fn write<T: serde::Serialize>(&mut self, item: &T) -> Result<()> {
        let Value::Object(map) = serde_json::to_value(item)? else {
            anyhow::bail!("cannot print a value that is not an object as a CSV row");
        };
        let columns = match &self.columns {
            Some(columns) => columns,
            None => {
                let columns: Vec<String> = map.keys().cloned().collect();
                self.writer.write_record(&columns)?;
                self.columns.insert(columns)
            }
        };
        self.writer.write_record(
            columns
                .iter()
                .map(|c| map.get(c).map(plain).unwrap_or_default()),
        )?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        self.writer.flush()?;
        Ok(())
    }
}

fn csv<'a>(
    out: &mut impl Write,
    columns: &[String],
    rows: impl Iterator<Item = &'a [Value]>,
) -> Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(columns)?;
    for row in rows {
        w.write_record(row.iter().map(plain))?;
    }
    w.flush()?;
    Ok(())
}

/// Longest cell shown in a table; longer values are cut with `…` (use --json or --csv for all of it).
const TABLE_CELL_MAX_CHARS: usize = 80;

/// The table style: no borders, a dashed line under the header, columns two spaces apart.
const TABLE_STYLE: &str = "     -             ";

/// Prints rows as an aligned table for people. Widths are display widths (a Chinese or Japanese
/// character takes two columns), and on a terminal the table is fitted to its width, long cells
/// wrapped; in a pipe it is as wide as it needs.
pub fn table(out: &mut impl Write, rows: &Rows) -> Result<()> {
    let cell = |v: &Value| -> String {
        let s = plain(v).replace(['\n', '\r', '\t'], " ");
        if s.chars().count() > TABLE_CELL_MAX_CHARS {
            let cut: String = s.chars().take(TABLE_CELL_MAX_CHARS - 1).collect();
            format!("{cut}…")
        } else {
            s
        }
    };
    let mut table = comfy_table::Table::new();
    table
        .load_preset(TABLE_STYLE)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(&rows.columns);
    if !std::io::stdout().is_terminal() {
        table.force_no_tty();
    }
    for row in &rows.rows {
        table.add_row(row.iter().map(cell));
    }
    // Flush left, two spaces between columns.
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    for line in table.lines() {
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

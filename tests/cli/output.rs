//! Output that pipes: a reader that stops early (`| head`) ends the command quietly, with exit 0.

use crate::util::Env;
use std::io::Read;
use std::process::Stdio;

#[test]
fn a_closed_pipe_ends_every_listing_quietly() {
    let env = Env::new();
    // Enough text that every listing below is far larger than a pipe's buffer (64 KiB).
    for i in 0..300 {
        let body: String = (0..40)
            .map(|j| format!("Harbour report {i} paragraph {j} tells of boats and the sea wall. "))
            .collect();
        env.write(&format!("a{i:03}.txt"), format!("Story {i}\n\n{body}\n"));
        // A near copy, so `dups` has clusters to list.
        env.write(
            &format!("b{i:03}.txt"),
            format!("Story {i}\n\n{body}\nA line was added to this copy later.\n"),
        );
    }
    env.ingest(0);
    for args in [
        &["export", "--jsonl"][..],
        &["export", "--csv"],
        &["sql", "--json", "SELECT body FROM documents"],
        &["sql", "--jsonl", "SELECT body FROM documents"],
        &["sql", "--csv", "SELECT body FROM documents"],
        &[
            "sql",
            "SELECT a.id, a.body FROM documents a, documents b LIMIT 3000",
        ],
        &["search", "--json", "-n", "300", "harbour"],
        &["dups", "--json", "--limit", "300"],
    ] {
        // Far more than a pipe holds, so the command is still writing when the reader leaves.
        let whole = env.cmd(args).output().unwrap();
        assert!(
            whole.stdout.len() > 100_000,
            "{args:?}: {}",
            whole.stdout.len()
        );
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("newsdb"))
            .current_dir(env.corpus())
            .arg("--db")
            .arg(env.db())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is closed here, as `head -c 16` does.
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).as_ref()
            ),
            (Some(0), ""),
            "{args:?}"
        );
    }
}

#[test]
fn nl_runs_roots_and_stats_read_as_documented() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Story\n\nThe bridge on Mill Street was closed on Sunday for an inspection.\n",
    );
    env.write(
        "b.txt",
        "Other\n\nThe ferry to the island runs again after the storm of last week.\n",
    );
    env.ingest(0);
    std::fs::remove_file(env.corpus().join("b.txt")).unwrap();
    env.ingest(0);
    // --nl is --jsonl.
    let nl = crate::util::stdout(&mut env.cmd(&["sql", "--nl", "SELECT id FROM documents"]));
    let jsonl = crate::util::stdout(&mut env.cmd(&["sql", "--jsonl", "SELECT id FROM documents"]));
    assert_eq!(nl, jsonl);
    // runs: roots is an array of paths, not a string holding JSON.
    let runs: serde_json::Value =
        serde_json::from_str(&crate::util::stdout(&mut env.cmd(&["runs", "--json"]))).unwrap();
    let roots = &runs[0]["roots"];
    assert!(roots.is_array(), "{runs}");
    assert!(roots[0].as_str().unwrap().ends_with("corpus"), "{runs}");
    // stats: the retired document counted; the size for people.
    let stats: serde_json::Value =
        serde_json::from_str(&crate::util::stdout(&mut env.cmd(&["stats", "--json"]))).unwrap();
    assert_eq!(
        (stats["documents"].as_i64(), stats["retired"].as_i64()),
        (Some(2), Some(1))
    );
    let text = crate::util::stdout(&mut env.cmd(&["stats"]));
    assert!(text.contains("2 (1 live, 1 retired"), "{text}");
    assert!(text.contains(" KiB,") || text.contains(" MiB,"), "{text}");
}

#[test]
fn tables_align_chinese_and_japanese_by_display_width() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Story\n\nThe bridge on Mill Street was closed on Sunday for an inspection.\n",
    );
    env.ingest(0);
    let table = crate::util::stdout(&mut env.cmd(&[
        "sql",
        "SELECT '天气' AS word, 'x' AS mark UNION ALL SELECT 'abcd', 'y' UNION ALL SELECT 'すし', 'z'",
    ]));
    let lines: Vec<&str> = table.lines().collect();
    // Two-column characters: 天气 is as wide as abcd, so the next column starts at the same place.
    let column = |line: &str, mark: char| {
        let at = line.find(mark).unwrap();
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    assert_eq!(column(lines[2], 'x'), column(lines[3], 'y'), "{table}");
    assert_eq!(column(lines[4], 'z'), column(lines[3], 'y'), "{table}");
}

/// Every field named `sources` lists files, in every command that prints one; counts have names of
/// their own (`source_count`, `cluster_size`), and every `--json` object is printed the same way.
#[test]
fn a_field_name_means_one_thing_in_every_command() {
    let env = Env::new();
    let body: String = (0..30)
        .map(|j| format!("The harbour wall report, part {j}, tells of boats and tides. "))
        .collect();
    env.write("a.txt", format!("Story\n\n{body}\n"));
    env.write("copy/a.txt", format!("Story\n\n{body}\n"));
    env.write(
        "b.txt",
        format!("Story\n\n{body}\nA line was added to this copy later.\n"),
    );
    env.ingest(0);
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&crate::util::stdout(&mut env.cmd(args))).unwrap()
    };
    let search = json(&["search", "harbour", "--json"]);
    assert_eq!(search[0]["source_count"], 3, "{search}");
    assert_eq!(search[0]["cluster_size"], 2, "{search}");
    let dups = json(&["dups", "--json"]);
    assert_eq!(
        (&dups[0]["source_count"], &dups[0]["cluster_size"]),
        (&3.into(), &2.into()),
        "{dups}"
    );
    let export: Vec<serde_json::Value> = crate::util::stdout(&mut env.cmd(&["export", "--jsonl"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let id = search[0]["id"].to_string();
    let show = json(&["show", &id, "--json"]);
    let mut seen = 0;
    for value in [&search, &dups, &show].into_iter().chain(&export) {
        each_field(value, &mut |name, v| {
            if name == "sources" {
                seen += 1;
                assert!(v.is_array(), "sources is not a list: {v}");
            }
            if name == "source_count" || name == "cluster_size" {
                assert!(v.is_u64(), "{name} is not a count: {v}");
            }
        });
    }
    assert!(seen >= 5, "{seen}");
    // `--json` is indented everywhere, the one-line form being `--jsonl`'s.
    for args in [
        &["ingest", "--json", "."][..],
        &["prune", "--json"],
        &["stats", "--json"],
        &["search", "harbour", "--json"],
        &["show", &id, "--json"],
    ] {
        let out = crate::util::stdout(&mut env.cmd(args));
        assert!(out.trim_end().lines().count() > 1, "{args:?}: {out}");
    }
}

fn each_field(value: &serde_json::Value, f: &mut impl FnMut(&str, &serde_json::Value)) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                f(k, v);
                each_field(v, f);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| each_field(v, f)),
        _ => {}
    }
}

/// `export --csv` holds what `export --jsonl` holds, for a spreadsheet: every document, bodies with
/// their line breaks, the sources as a JSON list; the filters apply to both.
#[test]
fn export_csv_holds_what_export_jsonl_holds() {
    let env = Env::new();
    env.write(
        "a.txt",
        "Harbour reopens\n2024-03-01\nhttps://www.gazette.example/a\n\nThe harbour in Portwell reopened on Monday, after a winter of repairs.\n\nBoats came back \"at once\", the harbour master said.\n",
    );
    env.write(
        "copy/a.txt",
        std::fs::read(env.corpus().join("a.txt")).unwrap(),
    );
    env.write(
        "b.txt",
        "Ferry runs again\n2023-11-20\nhttps://news.example/b\n\nThe ferry to the island runs again after the storm of last week.\n",
    );
    env.ingest(0);
    for filter in [&[][..], &["--since", "2024-01-01"]] {
        let jsonl: Vec<serde_json::Value> =
            crate::util::stdout(&mut env.cmd(&[&["export", "--jsonl"][..], filter].concat()))
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
        let csv_text =
            crate::util::stdout(&mut env.cmd(&[&["export", "--csv"][..], filter].concat()));
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), jsonl.len(), "{filter:?}: {csv_text}");
        assert_eq!(records.len(), if filter.is_empty() { 2 } else { 1 });
        for (record, doc) in records.iter().zip(&jsonl) {
            let object = doc.as_object().unwrap();
            assert_eq!(header, object.keys().cloned().collect::<Vec<_>>());
            for (cell, (key, value)) in record.iter().zip(object) {
                let expected = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                assert_eq!(cell, expected, "{key}");
            }
        }
    }
    let csv_text = crate::util::stdout(&mut env.cmd(&["export", "--csv"]));
    assert!(
        csv_text.contains("\"[\"\""),
        "sources as a JSON list: {csv_text}"
    );
}

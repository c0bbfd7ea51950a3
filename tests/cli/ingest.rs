//! `newsdb ingest`: header formats, bad input, re-runs, summaries and exit codes.

use crate::util::{assert_intact, seeds, Env};

#[test]
fn seeds_become_five_documents() {
    let env = Env::new();
    let out = env
        .cmd(&["ingest", "--json", seeds().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files_seen"], 5);
    assert_eq!(summary["new_documents"], 5);
    assert_eq!(summary["failed"], 0);
    assert_eq!(env.count("SELECT count(*) FROM documents"), 5);
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'ingested'"),
        5
    );
}

fn file_fields(env: &Env, name: &str) -> (Option<String>, Option<String>, Option<String>, String) {
    env.conn()
        .query_row(
            "SELECT f.title, f.published, f.url, d.body FROM files f JOIN documents d ON d.id = f.document_id
             WHERE f.path LIKE '%' || ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap()
}

#[test]
fn three_line_header_is_parsed() {
    let env = Env::new();
    env.write(
        "a.txt",
        "The title\n20220112\nhttps://www.example.com/story\nFirst paragraph.\nSecond paragraph.\n",
    );
    env.ingest(0);
    let (title, published, url, body) = file_fields(&env, "a.txt");
    assert_eq!(title.as_deref(), Some("The title"));
    assert_eq!(published.as_deref(), Some("2022-01-12"));
    assert_eq!(url.as_deref(), Some("https://www.example.com/story"));
    assert_eq!(body, "First paragraph.\nSecond paragraph.");
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE domain = 'example.com'"),
        1
    );
}

#[test]
fn title_and_blank_line_header_is_parsed_without_inventing_a_date() {
    let env = Env::new();
    env.write(
        "b.txt",
        "A headline here\n\nFirst paragraph.\n\nSecond paragraph.\n",
    );
    env.ingest(0);
    let (title, published, url, body) = file_fields(&env, "b.txt");
    assert_eq!(title.as_deref(), Some("A headline here"));
    assert_eq!(published, None);
    assert_eq!(url, None);
    assert_eq!(body, "First paragraph.\n\nSecond paragraph.");
}

#[test]
fn file_without_header_has_no_title() {
    let env = Env::new();
    env.write(
        "c.txt",
        "The body starts at once, with a sentence.\nAnd goes on.\n",
    );
    env.ingest(0);
    let (title, published, url, body) = file_fields(&env, "c.txt");
    assert_eq!((title, published, url), (None, None, None));
    assert_eq!(
        body,
        "The body starts at once, with a sentence.\nAnd goes on."
    );
}

#[test]
fn second_run_adds_nothing_but_a_run() {
    let env = Env::new();
    let corpus = env.corpus();
    for entry in std::fs::read_dir(seeds()).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, corpus.join(p.file_name().unwrap())).unwrap();
    }
    env.ingest(0);
    let dump = |env: &Env| -> Vec<(String, String, String)> {
        let conn = env.conn();
        let mut stmt = conn
            .prepare("SELECT d.content_hash, f.path, f.status FROM documents d JOIN files f ON f.document_id = d.id ORDER BY f.path")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        rows.map(Result::unwrap).collect()
    };
    let before = dump(&env);
    let second = env.ingest(0);
    assert_eq!(second["files_seen"], 5);
    assert_eq!(second["unchanged"], 5);
    assert_eq!(second["new_documents"], 0);
    assert_eq!(second["duplicates"], 0);
    assert_eq!(dump(&env), before);
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE status = 'completed'"),
        2
    );

    // --verify re-reads everything and still finds nothing new.
    let verified = env.ingest_with(&["--verify"], 0);
    assert_eq!(verified["unchanged"], 5);
    assert_eq!(dump(&env), before);
    assert_intact(&env.db());
}

#[test]
fn a_changed_file_points_at_its_new_document() {
    let env = Env::new();
    let path = env.write(
        "a.txt",
        "T\n20220101\nhttps://a.example/x\nOriginal sentence.\n",
    );
    env.ingest(0);
    std::fs::write(
        &path,
        "T\n20220101\nhttps://a.example/x\nRewritten sentence, now longer.\n",
    )
    .unwrap();
    let second = env.ingest(0);
    assert_eq!(second["new_documents"], 1);
    assert_eq!(second["changed"], 1);
    let body: String = env
        .conn()
        .query_row(
            "SELECT d.body FROM files f JOIN documents d ON d.id = f.document_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(body, "Rewritten sentence, now longer.");
}

/// Every bad-input case: a reason on stderr, an `error` row with a stable code, the run goes on, and
/// the exit code says some files failed.
#[test]
fn bad_files_are_recorded_and_the_run_goes_on() {
    let env = Env::new();
    env.write("good.txt", "Title\n\nA good article sentence.\n");
    env.write("empty.txt", "");
    env.write("binary.txt", b"GIF89a\x00\x01\x02binary");
    env.write(
        "damaged.txt",
        b"caf\xc3\xa9 and then a broken byte \xff here",
    );
    env.write("boilerplate-only.txt", "Share this:\nLike this:\n");
    let unreadable = env.write("unreadable.txt", "Title\n\nSecret sentence.\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads a mode-000 file anyway; then that case cannot be tested here.
    let can_deny = std::fs::read(&unreadable).is_err();

    let corpus = env.corpus();
    let out = env
        .cmd(&["ingest", "--json", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "some files failed → exit 3");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["new_documents"], if can_deny { 1 } else { 2 });

    let reason = |name: &str| -> (String, String, String) {
        let row = env.file_row(name);
        (row.status, row.reason.unwrap(), row.detail.unwrap())
    };
    for (name, code) in [
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("damaged.txt", "not-utf8"),
        ("boilerplate-only.txt", "no-text"),
    ] {
        let (status, reason, detail) = reason(name);
        assert_eq!(
            (status.as_str(), reason.as_str()),
            ("error", code),
            "{name}"
        );
        assert!(
            stderr.contains(&format!("{name}: {detail}")),
            "{name} not reported: {stderr}"
        );
        assert!(!detail.contains('\n'));
    }
    if can_deny {
        let (status, reason, _) = reason("unreadable.txt");
        assert_eq!((status.as_str(), reason.as_str()), ("error", "unreadable"));
    }
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'ingested'"),
        summary["new_documents"].as_i64().unwrap()
    );
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// A stray NUL or BEL in an article (a scraper's padding, a terminal copy) costs that character, not
/// the article.
#[test]
fn a_stray_control_character_does_not_reject_the_file() {
    let env = Env::new();
    env.write(
        "stray.txt",
        b"Harbour plan\n\nThe council approved the harbour plan on Tuesday.\x07\nWork starts next\x00 spring and ends in three years.\n",
    );
    let out = env
        .cmd(&["ingest", env.corpus().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: String = env
        .conn()
        .query_row("SELECT body FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        body,
        "The council approved the harbour plan on Tuesday.\nWork starts next spring and ends in three years."
    );
}

/// Issue 16, point 7: two-byte legacy encodings hold byte pairs that look like UTF-8; they were
/// refused as "it mixes UTF-8 with other bytes".
#[test]
fn chinese_japanese_and_korean_legacy_encodings_are_decoded() {
    let env = Env::new();
    let texts = [
        ("sjis.txt", encoding_rs::SHIFT_JIS, "Shift_JIS", "東京都は火曜日、新しい港の建設計画を発表した。工事は来年の春に始まり、三年後に完成する予定だという。"),
        ("eucjp.txt", encoding_rs::EUC_JP, "EUC-JP", "大阪府は水曜日、古い橋の架け替え計画を発表した。工事は再来年の夏に始まり、五年後に完成する予定だという。"),
        ("gbk.txt", encoding_rs::GBK, "GBK", "北京市政府星期二宣布了一项新的港口建设计划。工程将于明年春天开始，预计三年后完成。市民对此意见不一。"),
        ("big5.txt", encoding_rs::BIG5, "Big5", "台北市政府星期二宣布了一項新的港口建設計畫。工程將於明年春天開始，預計三年後完成。市民對此意見不一。"),
        ("euckr.txt", encoding_rs::EUC_KR, "EUC-KR", "서울시는 화요일 새로운 항구 건설 계획을 발표했다. 공사는 내년 봄에 시작되어 삼 년 뒤에 완공될 예정이다."),
    ];
    for (name, encoding, _, text) in texts {
        let (bytes, _, _) = encoding.encode(text);
        env.write(name, &bytes);
    }
    let summary = env.ingest(0);
    assert_eq!(summary["failed"], 0, "{summary}");
    for (name, _, label, text) in texts {
        let (encoding, body): (String, String) = env
            .conn()
            .query_row(
                "SELECT f.encoding, d.body FROM files f JOIN documents d ON d.id = f.document_id
                 WHERE f.path LIKE '%/' || ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((encoding.as_str(), body.as_str()), (label, text), "{name}");
    }
}

#[test]
fn legacy_encodings_are_decoded_and_recorded() {
    let env = Env::new();
    let french = "Le ministre a déclaré qu’il était très inquiet de la situation à la frontière.\n\
                  Les négociations reprendront après l’été, a-t-il ajouté.\n";
    let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(french);
    env.write("fr.txt", &latin);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "Kyiv talks resumed on Monday.\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    env.write("utf16.txt", &utf16);
    env.ingest(0);
    let encoding = |name: &str| -> String {
        env.conn()
            .query_row(
                "SELECT encoding FROM files WHERE path LIKE '%/' || ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(encoding("fr.txt"), "windows-1252");
    assert_eq!(encoding("utf16.txt"), "UTF-16LE");
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE body LIKE '%déclaré%'"),
        1
    );
}

#[test]
fn only_wanted_extensions_are_taken_from_folders() {
    let env = Env::new();
    env.write("a.txt", "One sentence here.\n");
    env.write("b.md", "Another sentence here.\n");
    env.write("c.csv", "not,taken\n");
    // By default: .txt, .html and .htm (issue 17).
    assert_eq!(env.ingest(0)["files_seen"], 1);
    let corpus = env.corpus();
    let out = env
        .cmd(&[
            "ingest",
            "--json",
            "--ext",
            "txt,md",
            corpus.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["files_seen"], 2);
}

#[test]
fn missing_root_fails_the_run_with_a_clear_message() {
    let env = Env::new();
    let out = env.cmd(&["ingest", "no/such/folder"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("newsdb: no/such/folder: cannot open"),
        "{stderr}"
    );
}

#[test]
fn quiet_prints_nothing_on_success_and_db_comes_from_the_environment() {
    let env = Env::new();
    env.write("a.txt", "One sentence here.\n");
    let db = env.dir.path().join("from-env.db");
    let corpus = env.corpus();
    let mut cmd = assert_cmd::Command::cargo_bin("newsdb").unwrap();
    let out = cmd
        .env("NEWSDB_DB", &db)
        .args(["ingest", "--quiet", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert!(db.exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let env = Env::new();
    std::fs::write(
        env.db(),
        b"this is not a database, just some text that is long enough",
    )
    .unwrap();
    env.write("a.txt", "One sentence here.\n");
    let corpus = env.corpus();
    let out = env
        .cmd(&["ingest", corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a database"), "{stderr}");
    assert_eq!(
        std::fs::read(env.db()).unwrap(),
        b"this is not a database, just some text that is long enough"
    );
}

#[test]
fn a_database_from_a_newer_newsdb_is_refused() {
    let env = Env::new();
    env.write("a.txt", "One sentence here.\n");
    env.ingest(0);
    env.conn().pragma_update(None, "user_version", 999).unwrap();
    for args in [
        vec!["ingest", env.corpus().to_str().unwrap()],
        vec!["stats"],
    ] {
        let out = env
            .cmd(&args.iter().map(|s| &**s).collect::<Vec<_>>())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("schema version 999 is newer than this newsdb supports"),
            "{stderr}"
        );
    }
}

/// Issue 16 point 8: file names that are not UTF-8 used to be stored lossily, so `a\xff.txt` and
/// `a\xfe.txt` were one row (one article never searchable, every run a change). Each keeps its own
/// row, written with `\xHH` escapes, and an unchanged re-run reads neither.
#[test]
fn file_names_that_are_not_utf8_stay_distinct() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let dir = env.corpus();
    let name = |b: &[u8]| dir.join(std::ffi::OsStr::from_bytes(b));
    std::fs::write(
        name(b"a\xff.txt"),
        "Harbour story\n\nThe harbour reopened on Monday after a long winter of repairs.\n",
    )
    .unwrap();
    std::fs::write(
        name(b"a\xfe.txt"),
        "Library story\n\nThe library closed on Friday after ninety-four years of lending.\n",
    )
    .unwrap();
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 2, "{summary}");
    let paths: Vec<String> = env
        .conn()
        .prepare("SELECT path FROM files ORDER BY path")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(paths.len(), 2);
    assert!(paths[0].ends_with("/a\\xfe.txt"), "{paths:?}");
    assert!(paths[1].ends_with("/a\\xff.txt"), "{paths:?}");
    let summary = env.ingest(0);
    assert_eq!(summary["unchanged"], 2, "{summary}");
    assert_eq!(summary["changed"], 0, "{summary}");
    // One of them deleted: that one, not the other, is found gone.
    std::fs::remove_file(name(b"a\xff.txt")).unwrap();
    let summary = env.ingest_with(&["--allow-mass-delete"], 0);
    assert_eq!(summary["deleted"], 1, "{summary}");
    assert_eq!(
        env.count(
            "SELECT count(*) FROM files WHERE status = 'deleted' AND path LIKE '%a\\xff.txt'"
        ),
        1
    );
    assert_intact(&env.db());
}

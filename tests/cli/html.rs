//! HTML input (issue 17): saved pages are recognised by their content, the article is extracted,
//! cleaned like text, and stored with the page's own metadata; bad pages get a reason, never a crash.

use crate::util::{assert_intact, stdout, Env};
use serde_json::Value;

const PARAGRAPHS: [&str; 3] = [
    "The harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall, which storms had breached twice since November.",
    "Fishing crews who had moored in the next town for months brought their boats back on the morning tide, and the harbour master said the work had come in under budget.",
    "The council plans a second phase next year, when the lighthouse steps and the slipway used by the lifeboat crew are to be rebuilt.",
];

/// A saved news page: menus, share widgets and related links around an `<article>`.
fn page(title: &str) -> String {
    let paras: String = PARAGRAPHS.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r##"<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{title} | The Portwell Gazette</title>
<meta property="og:site_name" content="The Portwell Gazette">
<meta property="article:published_time" content="2024-03-01T09:30:00Z">
<link rel="canonical" href="https://www.gazette.example/news/harbour">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<article><h1>{title}</h1>
{paras}</article>
<aside><h2>Related stories</h2><ul><li><a href="/a">Lifeboat crew honoured</a></li><li><a href="/b">Storm damage bill rises</a></li></ul></aside>
<footer>Copyright 2024 The Portwell Gazette. All rights reserved.</footer>
</body></html>
"##
    )
}

/// The same article as a scraper's text dump: the 3-line header, then the paragraphs.
fn dump(title: &str) -> String {
    format!(
        "{title}\n20240301\nhttps://www.gazette.example/news/harbour\n\n{}\n",
        PARAGRAPHS.join("\n\n")
    )
}

#[test]
fn a_page_is_extracted_with_its_metadata_and_cleaned() {
    let env = Env::new();
    let file = env.write("page.html", page("Harbour reopens after repairs"));
    let json: Value = serde_json::from_str(&stdout(&mut env.cmd(&[
        "clean",
        "--json",
        file.to_str().unwrap(),
    ])))
    .unwrap();
    assert_eq!(json["title"], "Harbour reopens after repairs", "{json}");
    assert_eq!(json["published"], "2024-03-01");
    assert_eq!(json["url"], "https://www.gazette.example/news/harbour");
    assert_eq!(json["extractor"], "dom_smoothie");
    let body = json["body"].as_str().unwrap();
    for p in PARAGRAPHS {
        assert!(body.contains(p), "{body}");
    }
    for boilerplate in [
        "Home",
        "Share on",
        "Related stories",
        "Copyright",
        "<p>",
        "</article>",
    ] {
        assert!(!body.contains(boilerplate), "{boilerplate} kept: {body}");
    }
}

#[test]
fn a_mixed_folder_is_ingested_and_one_article_as_page_and_as_text_is_one_document() {
    let env = Env::new();
    env.write("saved/harbour.html", page("Harbour reopens after repairs"));
    env.write("dumps/harbour.txt", dump("Harbour reopens after repairs"));
    // A page saved with a .txt name is still a page.
    env.write(
        "dumps/library.txt",
        page("Library to close").replace("harbour", "library"),
    );
    env.write(
        "dumps/other.txt",
        "Other story\n\nThe bridge on Mill Street was closed on Sunday for an inspection of its piers.\n",
    );
    let summary = env.ingest(0);
    assert_eq!(summary["files_seen"], 4, "{summary}");
    assert_eq!(summary["new_documents"], 3, "{summary}");
    assert_eq!(
        summary["duplicates"], 1,
        "the page and the dump are one document: {summary}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE body LIKE '%<%' OR body LIKE '%Share on%'"),
        0
    );
    // Which path each file took.
    for (name, format, extractor) in [
        ("harbour.html", "html", Some("dom_smoothie")),
        ("harbour.txt", "text", None),
        ("library.txt", "html", Some("dom_smoothie")),
        ("other.txt", "text", None),
    ] {
        let row = env.file_row(name);
        assert_eq!(row.format.as_deref(), Some(format), "{name}: {row:?}");
        assert_eq!(row.extractor.as_deref(), extractor, "{name}: {row:?}");
    }
    assert_intact(&env.db());
}

#[test]
fn pages_of_one_site_are_stored_as_cleaning_each_with_what_the_site_learned_shows() {
    // The run's learning pass parses each page and keeps what the extractor found, in a temporary
    // file beside the database, for the storing: every stored body must still be what cleaning
    // that page alone, with the lines its site learned, gives.
    let env = Env::new();
    let stories = [
        "Harbour reopens",
        "Lighthouse steps rebuilt",
        "Lifeboat crew honoured",
        "Storm damage bill rises",
        "Slipway work begins",
        "Sea wall inspected",
        "Ferry returns",
    ];
    let site_line = "Send your photographs of the coast to the Gazette's picture desk.";
    for (i, title) in stories.iter().enumerate() {
        // The page's own paragraphs (the shared ones would be learned as the site's too), then
        // the line the site puts under every article.
        let own: String = [
            "spoke to people along the front",
            "asked the council",
            "went out",
        ]
        .iter()
        .map(|what| {
            format!(
                "<p>For the story of the {title}, our correspondent {what} on day {i} of \
                     the works and heard many different views about the harbour.</p>\n"
            )
        })
        .collect();
        let html = page(title)
            .replace("/news/harbour", &format!("/news/{i}"))
            .split("<article>")
            .next()
            .map(|head| format!("{head}<article><h1>{title}</h1>\n{own}<p>{site_line}</p></article></body></html>"))
            .unwrap();
        env.write(&format!("saved/{i}.html"), html);
    }
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 7, "{summary}");
    assert_eq!(
        env.count("SELECT count(*) FROM sites WHERE domain = 'gazette.example'"),
        1,
        "the site learned its line"
    );
    let fresh = env.dir.path().join("fresh.db");
    for i in 0..stories.len() {
        let file = env.corpus().join(format!("saved/{i}.html"));
        let clean = |db: &std::path::Path| -> Value {
            let out = stdout(&mut env.cmd_on(db, &["clean", "--json", file.to_str().unwrap()]));
            serde_json::from_str(&out).unwrap()
        };
        let with_site = clean(&env.db());
        let stored: String = env
            .conn()
            .query_row(
                "SELECT d.body FROM files f JOIN documents d ON d.id = f.document_id
                 WHERE f.path LIKE ?1",
                [format!("%/saved/{i}.html")],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            with_site["body"].as_str(),
            Some(stored.as_str()),
            "page {i}"
        );
        assert!(!stored.contains(site_line), "page {i}: {stored}");
        // Without what the site learned, the line stays: the storing cleaned with it.
        let alone = clean(&fresh);
        assert!(
            alone["body"].as_str().unwrap().contains(site_line),
            "page {i}"
        );
    }
    // Nothing is left beside the database.
    let mut left: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("test.db") && !name.starts_with("fresh.db"))
        .collect();
    left.sort();
    assert_eq!(left, ["corpus"]);
    assert_intact(&env.db());
}

#[test]
fn a_damaged_save_named_html_is_still_read_as_a_page() {
    let env = Env::new();
    // Its first kilobytes lost: it starts inside a script, with no doctype or <html> in sight.
    let whole = page("Harbour reopens after repairs");
    let damaged = format!(
        "eloadImages() {{ if (document.images) {{ {} }} }}\n</script>\n{}",
        "var a = 1; ".repeat(500),
        &whole[whole.find("<body>").unwrap()..]
    );
    let clean = |name: &str| -> Value {
        let file = env.write(name, &damaged);
        serde_json::from_str(&stdout(&mut env.cmd(&[
            "clean",
            "--json",
            file.to_str().unwrap(),
        ])))
        .unwrap()
    };
    let json = clean("damaged.html");
    assert_eq!(json["extractor"], "dom_smoothie", "{json}");
    let body = json["body"].as_str().unwrap();
    assert!(body.contains(PARAGRAPHS[0]), "{body}");
    assert!(
        !body.contains("<p>") && !body.contains("eloadImages"),
        "{body}"
    );
    // Under another name only a text that starts like a page is one.
    assert!(clean("damaged.txt").get("extractor").is_none());
    std::fs::remove_file(env.corpus().join("damaged.txt")).unwrap();
    env.ingest(0);
    assert_eq!(env.file_row("damaged.html").format.as_deref(), Some("html"));
}

#[test]
fn json_lines_records_with_a_page_s_markup_are_extracted() {
    let env = Env::new();
    let record = |html: &str, extra: &str| {
        format!(
            "{{\"html\": {}{extra}}}\n",
            serde_json::to_string(html).unwrap()
        )
    };
    let jsonl = env.write(
        "crawl.jsonl",
        [
            // The page's own metadata when the record has none.
            record(&page("Harbour reopens after repairs"), ""),
            // A record's field wins over the markup's.
            record(
                &page("Library to close").replace("harbour", "library"),
                r#", "title": "Library closes", "url": "https://other.example/library""#,
            ),
            record(
                "<html><body><nav><a href='/'>Home</a></nav></body></html>",
                "",
            ),
        ]
        .concat(),
    );
    env.write("dumps/harbour.txt", dump("Harbour reopens after repairs"));
    let out = env
        .cmd(&["ingest", "--json", "--jsonl", jsonl.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "one record has no article");
    env.ingest(0);
    let row = |line: i64| -> (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    ) {
        env.conn()
            .query_row(
                "SELECT coalesce(f.reason, f.status), f.title, f.url, f.extractor,
                        coalesce(d.body, '') FROM files f LEFT JOIN documents d ON d.id = f.document_id
                 WHERE f.line = ?1",
                [line],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap()
    };
    let (_, title, url, extractor, body) = row(1);
    assert_eq!(title.as_deref(), Some("Harbour reopens after repairs"));
    assert_eq!(
        url.as_deref(),
        Some("https://www.gazette.example/news/harbour")
    );
    assert_eq!(extractor.as_deref(), Some("dom_smoothie"));
    assert!(
        body.contains(PARAGRAPHS[0]) && !body.contains("Share on"),
        "{body}"
    );
    let (_, title, url, _, _) = row(2);
    assert_eq!(title.as_deref(), Some("Library closes"));
    assert_eq!(url.as_deref(), Some("https://other.example/library"));
    assert_eq!(row(3).0, "no-text");
    // The record's page and the text dump of the same article are one document.
    assert_eq!(
        env.file_row("harbour.txt").status,
        "duplicate",
        "the record and the dump share a document"
    );
    assert_intact(&env.db());
}

#[test]
fn bad_pages_get_a_reason_and_the_run_goes_on() {
    let env = Env::new();
    env.write("good.html", page("Harbour reopens after repairs"));
    env.write(
        "deep.html",
        format!("<html><body>{}deep</body></html>", "<div>".repeat(10_000)),
    );
    env.write(
        "huge.html",
        format!(
            "<html><body>{}</body></html>",
            "<span>x</span>".repeat(300_000)
        ),
    );
    // 50 MB of paragraphs: more text than an article page has.
    env.write(
        "fifty-megabytes.html",
        format!(
            "<html><body><article>{}</article></body></html>",
            format!("<p>{}</p>\n", PARAGRAPHS[0]).repeat(50_000_000 / 140)
        ),
    );
    // A page saved as one file, its photo inlined (4 MB), and an article.
    env.write(
        "inlined.html",
        page("Harbour reopens after repairs").replace(
            "<article>",
            &format!(
                "<article><img src=\"data:image/jpeg;base64,{}\">",
                "QUJD".repeat(4_000_000 / 4)
            ),
        ),
    );
    env.write(
        "binary.html",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    );
    let truncated = page("Harbour reopens after repairs");
    env.write("truncated.html", &truncated[..truncated.len() / 2]);
    env.write(
        "front.html",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
    );
    let summary = env.ingest(3);
    assert_eq!(summary["files_seen"], 8, "{summary}");
    let reason = |name: &str| env.file_row(name).outcome();
    assert_eq!(reason("good.html"), "ingested");
    assert_eq!(reason("deep.html"), "bad-html");
    assert_eq!(reason("huge.html"), "bad-html");
    assert_eq!(reason("fifty-megabytes.html"), "bad-html");
    assert!(env
        .file_row("fifty-megabytes.html")
        .detail
        .unwrap()
        .contains("MiB of text"));
    // The same article as good.html, with its photo inlined.
    assert_eq!(reason("inlined.html"), "duplicate");
    assert_eq!(reason("binary.html"), "binary");
    assert_eq!(reason("front.html"), "no-text");
    // Half a page: what article text it still has is stored, or it is refused as having none.
    assert!(
        ["ingested", "duplicate", "no-text"].contains(&reason("truncated.html").as_str()),
        "{}",
        reason("truncated.html")
    );
    assert_intact(&env.db());
}

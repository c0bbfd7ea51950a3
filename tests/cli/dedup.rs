//! Dedup: identical bytes, whitespace/CRLF/NFC/NBSP/quote variants, and the same body with different
//! boilerplate all become one document with several files.

use crate::util::{assert_intact, seed, Env};

fn assert_one_document_two_files(env: &Env) {
    assert_eq!(env.count("SELECT count(*) FROM documents"), 1);
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE document_id IS NOT NULL"),
        2
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'ingested'"),
        1
    );
    assert_eq!(
        env.count("SELECT count(*) FROM files WHERE status = 'duplicate'"),
        1
    );
    assert_eq!(
        env.count("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'Blinken'"),
        1
    );
}

#[test]
fn identical_bytes_are_one_document() {
    let env = Env::new();
    let bytes = seed("000");
    env.write("a.txt", &bytes);
    env.write("copy/a.txt", &bytes);
    let summary = env.ingest(0);
    assert_eq!(summary["new_documents"], 1);
    assert_eq!(summary["duplicates"], 1);
    assert_one_document_two_files(&env);
    assert_eq!(env.count("SELECT count(DISTINCT raw_hash) FROM files"), 1);
}

#[test]
fn whitespace_line_ending_unicode_form_and_quote_variants_are_one_document() {
    // Seed 004 with a few accented names, so that the NFD variant differs from it.
    let original = String::from_utf8(seed("004"))
        .unwrap()
        .replace("Erdogan", "Erdoğan")
        .replace("Baerbock", "Bärböck");
    let variants: Vec<(&str, String)> = vec![
        ("crlf", original.replace('\n', "\r\n")),
        ("nbsp", original.replacen(' ', "\u{00A0}", 40)),
        (
            "spaces",
            original.replace(". ", ".   ").replace('\n', "  \n\n"),
        ),
        (
            "nfd",
            unicode_normalization::UnicodeNormalization::nfd(original.as_str()).collect(),
        ),
        (
            "ascii-quotes",
            original
                .replace(['\u{201C}', '\u{201D}'], "\"")
                .replace('\u{2019}', "'"),
        ),
        (
            "bom-zero-width",
            format!(
                "\u{FEFF}{}",
                original.replacen("Lavrov", "Lav\u{200B}rov", 1)
            ),
        ),
    ];
    for (name, variant) in variants {
        let env = Env::new();
        env.write("original.txt", &original);
        env.write("variant.txt", &variant);
        assert!(
            original.as_bytes() != variant.as_bytes(),
            "variant {name} is not a variant"
        );
        env.ingest(0);
        assert_eq!(
            env.count("SELECT count(*) FROM documents"),
            1,
            "variant {name} made a second document"
        );
        assert_eq!(
            env.count("SELECT count(DISTINCT raw_hash) FROM files"),
            2,
            "{name}"
        );
    }
}

#[test]
fn decomposed_accents_hash_like_composed_ones() {
    let env = Env::new();
    env.write(
        "nfc.txt",
        "Le ministre a déclaré que la réunion était terminée.\n",
    );
    env.write("nfd.txt", "Le ministre a de\u{0301}clare\u{0301} que la re\u{0301}union e\u{0301}tait termine\u{0301}e.\n");
    env.ingest(0);
    assert_eq!(env.count("SELECT count(*) FROM documents"), 1);
}

#[test]
fn same_body_with_different_boilerplate_is_one_document() {
    let env = Env::new();
    let clean = String::from_utf8(seed("001")).unwrap();
    let soiled = format!(
        "{clean}\nShare this:\nLike this:\n%d bloggers like this:\nLeave a Reply\nYour email address will not be published. Required fields are marked *\nCopyright © 2021 The Journal. All rights reserved.\n"
    );
    env.write("clean.txt", &clean);
    env.write("soiled.txt", &soiled);
    env.ingest(0);
    assert_one_document_two_files(&env);
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE body LIKE '%Share this%'"),
        0
    );
}

#[test]
fn a_query_shows_every_path_a_document_came_from() {
    let env = Env::new();
    env.write(
        "site-a/story.txt",
        "Headline\n20220101\nhttps://a.example/story\nThe same wire story.\n",
    );
    env.write(
        "site-b/story.txt",
        "Other headline\n20220102\nhttps://b.example/story\nThe same wire story.\n",
    );
    env.ingest(0);
    let conn = env.conn();
    let mut stmt = conn
        .prepare(
            "SELECT f.url FROM documents d JOIN files f ON f.document_id = d.id ORDER BY f.path",
        )
        .unwrap();
    let urls: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        urls,
        vec!["https://a.example/story", "https://b.example/story"]
    );
    // The document keeps the first file's header; each file keeps its own.
    assert_eq!(
        env.count("SELECT count(*) FROM documents WHERE url = 'https://a.example/story'"),
        1
    );
}

#[test]
fn a_later_copy_fills_header_fields_the_first_lacked() {
    let env = Env::new();
    env.write("a.txt", "The same wire story, told once.\n");
    env.write(
        "b.txt",
        "Wire headline\n20220102\nhttps://b.example/story\nThe same wire story, told once.\n",
    );
    env.ingest(0);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM documents WHERE title = 'Wire headline' AND domain = 'b.example'"
        ),
        1
    );
    assert_eq!(
        env.count("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'title:wire'"),
        1
    );
    // The title came in the same batch as the document: its index entry was written with it.
    assert_intact(&env.db());
}

#[test]
fn titles_filled_within_and_across_batches_keep_the_index_whole() {
    // Untitled stories early in path order, titled copies of some of them later: in the same batch
    // of the pipeline (1,024 files) and in the next one; then a run that brings titles for the rest.
    const STORIES: usize = 1100;
    let env = Env::new();
    let body = |i: usize| format!("Wire story {i} with its own words, told once.\n");
    let titled = |i: usize| format!("Headline {i}\n20220102\nhttps://b.example/{i}\n{}", body(i));
    for i in 0..STORIES {
        env.write(&format!("a/{i:04}.txt"), body(i));
    }
    for i in (0..STORIES).step_by(7) {
        env.write(&format!("a/{i:04}x.txt"), titled(i));
    }
    env.ingest(0);
    assert_intact(&env.db());
    for i in (0..STORIES).step_by(7) {
        let matched = env.count(&format!(
            "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'title:\"headline {i}\"'"
        ));
        assert_eq!(matched, 1, "headline {i}");
    }
    for i in (3..STORIES).step_by(7) {
        env.write(&format!("z/{i:04}.txt"), titled(i));
    }
    env.ingest(0);
    assert_intact(&env.db());
    assert_eq!(
        env.count("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'title:headline'"),
        158 + 157 // i = 0, 7, ..., 1099 and i = 3, 10, ..., 1095
    );
}

#[test]
fn copies_met_in_one_run_take_the_outcome_of_the_first_even_across_batches() {
    // More files than one batch of the pipeline (1,024), so the last copies are read in a later
    // batch than their first: copies are not cleaned again, and must still end exactly as their
    // first.
    let env = Env::new();
    for i in 0..1030 {
        env.write(
            &format!("a/{i:04}.txt"),
            format!("Story number {i} of the day, told in one sentence.\n"),
        );
    }
    let story = seed("000");
    env.write("a/0000-story.txt", &story);
    env.write("a/0001-boiler.txt", "Share this:\nLike this:\n");
    env.write("z/story-copy.txt", &story);
    env.write("z/boiler-copy.txt", "Share this:\nLike this:\n");
    env.write("a/0002-story-copy.txt", &story);

    let summary = env.ingest(3);
    assert_eq!(summary["new_documents"], 1031);
    assert_eq!(summary["duplicates"], 2);
    assert_eq!(summary["failed"], 2);
    assert_eq!(
        env.count(
            "SELECT count(DISTINCT document_id) FROM files
             WHERE path LIKE '%story%' AND status IN ('ingested', 'duplicate')"
        ),
        1
    );
    assert_eq!(
        env.count(
            "SELECT count(*) FROM files
             WHERE path LIKE '%boiler%' AND status = 'error' AND reason = 'no-text'
             AND raw_hash IS NOT NULL"
        ),
        2
    );
    // The copies carry the first's header fields, as a copy from an earlier run would.
    assert_eq!(
        env.count(
            "SELECT count(DISTINCT coalesce(title, '') || coalesce(url, '')) FROM files
             WHERE path LIKE '%story%'"
        ),
        1
    );
    assert_eq!(env.ingest(0)["unchanged"], 1035);
}

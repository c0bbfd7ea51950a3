//! `newsdb search`: hits with snippets, bm25 order with the title weighted, plain words, bad queries.

use crate::util::{stdout, Env};
use serde_json::Value;

fn search_json(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str::<Value>(&stdout(&mut env.cmd(&all)))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn lavrov_lists_every_seed_that_mentions_him_with_a_highlighted_snippet() {
    let env = Env::seeded();
    let hits = search_json(&env, &["Lavrov"]);
    assert_eq!(hits.len(), 5, "every seed mentions Lavrov");
    for hit in &hits {
        assert!(
            hit["snippet"].as_str().unwrap().contains("**Lavrov**"),
            "{hit}"
        );
        assert!(hit["id"].is_i64());
    }
    let text = stdout(&mut env.cmd(&["search", "Lavrov"]));
    assert!(text.contains("**Lavrov**"));
    assert!(text.contains("https://www.newsweek.com/"));
}

#[test]
fn ranking_weights_the_title_above_the_body() {
    let env = Env::new();
    env.write(
        "body.txt",
        "Unrelated headline\n\nThe summit was held in Geneva. Talks continued in the evening.\n",
    );
    env.write(
        "title.txt",
        "Geneva summit ends\n\nDelegates left after two days of talks without a deal.\n",
    );
    env.write(
        "none.txt",
        "Another story\n\nNothing to see in this one at all today.\n",
    );
    env.ingest(0);
    let hits = search_json(&env, &["geneva"]);
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["title"], "Geneva summit ends");
    assert!(hits[0]["rank"].as_f64().unwrap() < hits[1]["rank"].as_f64().unwrap());
}

#[test]
fn bm25_ranks_more_mentions_first() {
    let env = Env::new();
    env.write("one.txt", "Sanctions were mentioned once in a long article about many other topics, trade, weather, sport.\n");
    env.write(
        "three.txt",
        "Sanctions, sanctions and more sanctions dominated the meeting.\n",
    );
    env.ingest(0);
    let hits = search_json(&env, &["sanctions"]);
    assert!(
        hits[0]["snippet"]
            .as_str()
            .unwrap()
            .contains("more **sanctions**"),
        "{:?}",
        hits[0]
    );
}

#[test]
fn limit_caps_the_hits() {
    let env = Env::seeded();
    assert_eq!(search_json(&env, &["Lavrov", "--limit", "2"]).len(), 2);
}

#[test]
fn plain_words_with_punctuation_work() {
    let env = Env::seeded();
    assert!(!search_json(&env, &["U.S. commitment"]).is_empty());
    assert!(!search_json(&env, &["Russia's troops"]).is_empty());
    assert!(!search_json(&env, &["anti-aircraft"]).is_empty());
}

#[test]
fn fts5_syntax_still_works() {
    let env = Env::seeded();
    let phrase = search_json(&env, &["\"foreign minister\""]);
    assert!(!phrase.is_empty());
    let none = search_json(&env, &["Lavrov NOT Lavrov"]);
    assert!(none.is_empty());
    assert!(!search_json(&env, &["Belaru*"]).is_empty());
}

#[test]
fn malformed_query_is_a_one_line_error_not_a_panic() {
    let env = Env::seeded();
    let out = env.cmd(&["search", "\"unbalanced quote"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("newsdb: malformed search query"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    // --literal searches for the words as typed.
    let out = env
        .cmd(&["search", "--literal", "\"unbalanced quote"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn search_without_a_database_says_how_to_make_one() {
    let env = Env::new();
    let out = env.cmd(&["search", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("newsdb ingest"), "{stderr}");
    assert!(
        !env.db().exists(),
        "a read-only command must not create a database"
    );
}

#[test]
fn filters_by_date_site_and_language_and_sorts_by_date() {
    let env = Env::new();
    let english = |topic: &str| {
        format!(
            "The harbour council met on Tuesday to discuss {topic}, and the members agreed that the \
             work on the old sea wall should go on through the winter, whatever the weather brings."
        )
    };
    let german = "Der Hafenrat hat am Dienstag über die Arbeiten an der alten Hafenmauer beraten, und \
                  die Mitglieder waren sich einig, dass die Arbeiten den ganzen Winter über weitergehen \
                  sollen, Harbour hin oder her.";
    for (name, title, date, url, body) in [
        (
            "a.txt",
            "Council meets",
            "20240105",
            "https://www.gazette.example/a",
            english("the budget"),
        ),
        (
            "b.txt",
            "Council meets again",
            "20240310",
            "https://news.gazette.example/b",
            english("the lighthouse"),
        ),
        (
            "c.txt",
            "Harbour news",
            "20231120",
            "https://herald.example/c",
            english("the slipway"),
        ),
        (
            "d.txt",
            "Hafenrat",
            "20240201",
            "https://zeitung.example/d",
            german.to_owned(),
        ),
    ] {
        env.write(name, format!("{title}\n{date}\n{url}\n\n{body}\n"));
    }
    env.ingest(0);
    let titles = |args: &[&str]| -> Vec<String> {
        search_json(&env, args)
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut every = titles(&["harbour"]);
    every.sort();
    assert_eq!(
        every,
        [
            "Council meets",
            "Council meets again",
            "Hafenrat",
            "Harbour news"
        ]
    );
    assert_eq!(
        titles(&["harbour", "--sort", "date"]),
        [
            "Council meets again",
            "Hafenrat",
            "Council meets",
            "Harbour news"
        ]
    );
    assert_eq!(
        titles(&[
            "harbour",
            "--since",
            "2024-01-01",
            "--until",
            "2024-02-01",
            "--sort",
            "date"
        ]),
        ["Hafenrat", "Council meets"],
        "both ends inclusive"
    );
    // A site is its domain and its subdomains.
    assert_eq!(
        titles(&["harbour", "--domain", "gazette.example", "--sort", "date"]),
        ["Council meets again", "Council meets"]
    );
    assert_eq!(
        titles(&[
            "harbour",
            "--domain",
            "herald.example",
            "--domain",
            "zeitung.example",
            "--sort",
            "date"
        ]),
        ["Hafenrat", "Harbour news"]
    );
    assert_eq!(titles(&["harbour", "--lang", "de"]), ["Hafenrat"]);
    assert_eq!(titles(&["harbour", "--lang", "deu"]), ["Hafenrat"]);
    // export takes the same filters.
    let exported = stdout(&mut env.cmd(&[
        "export",
        "--jsonl",
        "--domain",
        "gazette.example",
        "--since",
        "2024-02-01",
    ]));
    let exported: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported.len(), 1, "{exported:?}");
    assert_eq!(exported[0]["title"], "Council meets again");
    let german = stdout(&mut env.cmd(&["export", "--jsonl", "--lang", "de"]));
    assert_eq!(german.lines().count(), 1, "{german}");
    // A bad day or language code is a usage error.
    for bad in [
        &["harbour", "--since", "5 May"][..],
        &["harbour", "--lang", "german"],
    ] {
        let mut args = vec!["search"];
        args.extend_from_slice(bad);
        env.cmd(&args).assert().code(2);
    }
}

/// Chinese and Japanese articles: written without spaces, so the main index cannot split them into
/// words; the trigram index and LIKE find them, from `newsdb search` and from stock tools.
fn cjk_env() -> Env {
    let env = Env::new();
    for (name, title, body) in [
        (
            "zh-harbour.txt",
            "港口重新开放",
            "经过一个冬天的维修，波特韦尔港周一重新开放。渔船在早潮时返回港口，港务长说工程没有超出预算。\n\n市议会计划明年进行第二阶段工程，届时将重建灯塔台阶和救生艇使用的滑道。今天天气很好，很多居民来到码头观看。",
        ),
        (
            "zh-weather.txt",
            "明天有雨",
            "天气预报说明天会下雨，气温将下降五度。气象台提醒市民出门带伞，并注意交通安全。\n\n周末的天气预计会好转，适合户外活动。",
        ),
        (
            "ja-weather.txt",
            "東京は晴れ",
            "東京の天気は晴れでした。気象庁によると、明日は雨が降る見込みです。\n\n週末には天気が回復し、気温も上がるでしょう。港では漁船が戻ってきました。",
        ),
        (
            "en.txt",
            "Harbour reopens",
            "The harbour in Portwell reopened on Monday after a winter of repairs to the old sea wall.",
        ),
    ] {
        env.write(
            name,
            format!("{title}\n20240301\nhttps://news.example/{name}\n\n{body}\n"),
        );
    }
    env.ingest(0);
    env
}

#[test]
fn chinese_and_japanese_words_of_two_and_three_characters_are_found() {
    let env = cjk_env();
    let titles = |query: &str| -> Vec<String> {
        let mut t: Vec<String> = search_json(&env, &[query])
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        titles("天气"),
        ["明天有雨", "港口重新开放"],
        "two characters, Chinese"
    );
    assert_eq!(titles("天気"), ["東京は晴れ"], "two characters, Japanese");
    assert_eq!(titles("港口"), ["港口重新开放"]);
    assert_eq!(titles("天气预报"), ["明天有雨"], "four characters");
    assert_eq!(titles("気象庁"), ["東京は晴れ"], "three characters");
    assert_eq!(
        titles("天气 港口"),
        ["港口重新开放"],
        "every word is required"
    );
    assert!(
        titles("天氣預報").is_empty(),
        "traditional characters are other characters"
    );
    let hits = search_json(&env, &["天气预报"]);
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("**"),
        "{hits:?}"
    );
    // Latin words still go through the main index.
    assert_eq!(titles("harbour"), ["Harbour reopens"]);
}

#[test]
fn chinese_and_japanese_search_from_python_and_the_sqlite3_shell_as_the_readme_shows() {
    let env = cjk_env();
    let db = env.db();
    // The two queries of the README's "Chinese, Japanese, Korean and Thai" section.
    let by_match =
        "SELECT d.title FROM documents_cjk JOIN documents d ON d.id = documents_cjk.rowid \
                    WHERE documents_cjk MATCH '天气预报'";
    let by_like = "SELECT title FROM documents WHERE body LIKE '%天気%'";
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains("WHERE documents_cjk MATCH '天气预报'")
            && readme.contains("WHERE body LIKE '%天気%'")
    );
    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
             print([r[0] for r in c.execute(sys.argv[2])], [r[0] for r in c.execute(sys.argv[3])])",
            db.to_str().unwrap(),
            by_match,
            by_like,
        ])
        .output();
    match python {
        Ok(out) => assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "['明天有雨'] ['東京は晴れ']",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => crate::util::skip("python3 not found"),
    }
    match std::process::Command::new("sqlite3")
        .args([
            "-readonly",
            db.to_str().unwrap(),
            &format!("{by_match}; {by_like};"),
        ])
        .output()
    {
        Ok(out) => assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "明天有雨\n東京は晴れ\n",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => crate::util::skip("the sqlite3 shell not found (.ci/run installs it)"),
    }
}

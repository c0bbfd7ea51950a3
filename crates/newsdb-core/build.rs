//! Compiles the built-in rule table ([`src/clean/builtin.rs`]) into one DFA per rule at build time,
//! so a process that cleans a few pages (`newsdb clean FILE`, the Python package's first call) starts
//! in milliseconds instead of compiling the Unicode, case-insensitive patterns (about 100 ms on the
//! machines newsdb is measured on). See `src/clean/precompiled.rs` for how they are used.
//!
//! One DFA per rule, not one for the table: the table as one DFA passes 2 GiB while it is
//! determinized; one per rule is 5.6 MB in all, in the sparse form. Writes `$OUT_DIR/builtin.dfa`
//! (the DFAs, one after another) and `$OUT_DIR/builtin_dfa.rs` (where each starts, whether it is
//! anchored, and the pattern it was made from).

// The rule table and the type it is written in, as the library sees them: no copy to drift.
#[path = "src/clean/builtin.rs"]
#[allow(dead_code)]
mod builtin;
#[path = "src/clean/rule.rs"]
#[allow(dead_code)]
mod rule;

use regex_automata::dfa::{dense, StartKind};
use regex_automata::MatchKind;
use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=src/clean/builtin.rs");
    println!("cargo::rerun-if-changed=src/clean/rule.rs");
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));

    let mut blob = Vec::new();
    let mut index = String::from("const BUILTIN_DFAS: &[CompiledRule] = &[\n");
    for rule in builtin::BUILTIN {
        // The engine matches `(?i)` + pattern with the regex crate's defaults (Unicode, no
        // multi-line): the same syntax here, so both give the same answer for every line.
        let pattern = format!("(?i){}", rule.pattern);
        let hir = regex_automata::util::syntax::parse(&pattern)
            .unwrap_or_else(|e| panic!("built-in rule {}: {e}", rule.name));
        // A pattern every branch of which starts with `^` is searched anchored: its DFA stops at
        // the first byte that cannot start a match instead of scanning the whole line.
        let anchored = hir
            .properties()
            .look_set_prefix()
            .contains(regex_syntax::hir::Look::Start);
        let dfa = dense::Builder::new()
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .start_kind(if anchored {
                        StartKind::Anchored
                    } else {
                        StartKind::Unanchored
                    }),
            )
            .build(&pattern)
            .unwrap_or_else(|e| panic!("built-in rule {}: {e}", rule.name))
            .to_sparse()
            .unwrap_or_else(|e| panic!("built-in rule {}: {e}", rule.name));
        let bytes = if big_endian {
            dfa.to_bytes_big_endian()
        } else {
            dfa.to_bytes_little_endian()
        };
        let start = blob.len();
        blob.extend_from_slice(&bytes);
        writeln!(
            index,
            "    CompiledRule {{ start: {start}, end: {}, anchored: {anchored}, pattern: {:?} }},",
            blob.len(),
            &*rule.pattern
        )
        .expect("writing to a String");
    }
    index.push_str("];\n");
    std::fs::write(out.join("builtin.dfa"), blob).expect("writing builtin.dfa to OUT_DIR");
    std::fs::write(out.join("builtin_dfa.rs"), index).expect("writing builtin_dfa.rs to OUT_DIR");
}

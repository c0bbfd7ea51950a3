//! Matches the rule table ([`super::matcher`]) and decides, for each line of a document, whether it
//! stays: rules, the classifier's article core, the site's learned lines and repeats, in that order.

use super::builtin::BUILTIN;
use super::classify::{self, Class, Core, Features, Line};
use super::features;
use super::lang;
use super::matcher::RuleMatcher;
use super::memo::Memo;
use super::model::{self, LineModel, LINE_MODEL_RULE};
use super::rule::{Rule, Scope};
use super::site::{self, Candidate, SiteLines, SITE_LINE_RULE};
use super::span::SpanWeights;
use super::user::RulesError;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::Hasher;
use std::sync::Arc;

/// Name recorded for a line removed because it already appeared earlier in the document.
pub const REPEATED_LINE_RULE: &str = "repeated-line";

/// Reported for a line of script data (a JSON object or array), wherever it is.
pub const SCRIPT_DATA_RULE: &str = "script-data";

/// Reported for the body's first line when it repeats the title of the header or record.
pub const REPEATED_HEADLINE_RULE: &str = "repeated-headline";
/// Name recorded for a line outside the article's core that is neither its headline nor a closing
/// sentence: menus, section names, dates, teasers above or below the article.
pub const OUTSIDE_ARTICLE_RULE: &str = "outside-article";
/// Name recorded for a line after the line that ends the article ("Related", "12 Comments"): comment
/// threads and lists of other articles, full sentences included.
pub const PAST_ARTICLE_END_RULE: &str = "past-article-end";

/// Bumped when the engine's behaviour, or what ingest derives from a cleaned body, changes in a way the
/// rule table does not show: documents cleaned by an older version are re-cleaned by the next ingest.
/// 2: documents get a `lang`. 3: the classifier and position-aware rules. 4: a few stray control
/// characters no longer refuse a file (decoding). 5: site learning counts pages as cleaned without
/// learned lines ([`Cleaned::site_page`]); HTML pages are extracted (`crate::extract`), not cleaned
/// as text. 6: header dates in every form [`crate::date`] reads, and a header whose date line it
/// cannot read is still a header (title and URL kept, the line reported).
const ENGINE_REVISION: u32 = 6;

/// A line removed by the cleaner.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    /// 1-based line number in the source file.
    pub line: usize,
    pub text: String,
    pub rule: Cow<'static, str>,
}

/// The cleaner's verdict on a run of lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// One entry per input line: `true` to keep it. Blank lines are always kept (they separate
    /// paragraphs; the body assembly collapses them).
    pub keep: Vec<bool>,
    pub removed: Vec<Removal>,
    /// The document's language, when it could be told.
    pub lang: Option<whatlang::Lang>,
    /// Per input line: a paragraph of prose (the classifier's "good").
    pub prose: Vec<bool>,
    /// The learned-set version of the document's site it was cleaned with, if the site has one.
    pub site_version: Option<String>,
    /// Lines that count towards the site's learning (empty without a domain).
    pub site_candidates: Vec<Candidate>,
    /// The article the page holds, without its site's learned lines: the unit site learning counts
    /// in (see [`site`]; 0 without a domain).
    pub site_page: i64,
    /// Characters other than whitespace in the input lines, and in the removed ones: what the
    /// `boilerplate_ratio` quality signal is measured in.
    pub chars: usize,
    pub removed_chars: usize,
    /// Per input line, its [`repeat_key`] if it was kept until repeats were looked for (every kept
    /// line that is not blank has one): the page's key ([`page_key`]) is made of them, and taking
    /// each again was a third of the learning pass's repeat keys.
    pub(crate) repeat_keys: Vec<Option<u64>>,
}

impl Cleaned {
    /// Removes the first kept line of `lines` (the lines this was cleaned from, the first of them
    /// at file line `first_line`) when it repeats `title`, the document's title from its header or
    /// its record: many pages print the headline again as the body's first line.
    pub fn drop_repeated_headline(&mut self, lines: &[String], first_line: usize, title: &str) {
        let Some(i) = (0..lines.len()).find(|&i| self.keep[i] && !lines[i].is_empty()) else {
            return;
        };
        if repeat_key(&lines[i]) != repeat_key(title) {
            return;
        }
        self.keep[i] = false;
        self.removed_chars += lines[i].chars().filter(|c| !c.is_whitespace()).count();
        let at = self.removed.partition_point(|r| r.line < first_line + i);
        self.removed.insert(
            at,
            Removal {
                line: first_line + i,
                text: lines[i].clone(),
                rule: Cow::Borrowed(REPEATED_HEADLINE_RULE),
            },
        );
    }
}

/// The cleaner's version: a digest of the engine's revision, the rules and the span's weights, so a
/// change to any of them makes the next ingest clean every document again.
fn version(rules: &[Rule], span: &SpanWeights, model: Option<&LineModel>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(ENGINE_REVISION.to_le_bytes());
    for r in rules {
        hasher.update(format!(
            "{}\0{:?}\0{:?}\0{}\0{}\0{}\n",
            r.name, r.category, r.scope, r.ends_article, r.pattern, r.max_words
        ));
    }
    hasher.update(span.fingerprint());
    if let Some(model) = model {
        hasher.update(model.fingerprint());
    }
    hex::encode(&hasher.finalize()[..6])
}

/// The compiled rule set. Build it once and share it (`&Cleaner` is `Sync`) across worker threads.
#[derive(Debug, Clone)]
pub struct Cleaner {
    rules: Vec<Rule>,
    /// Shared by clones ([`Cleaner::with_sites`]), so the set is compiled once.
    matcher: Arc<RuleMatcher>,
    version: String,
    /// Lines learned per site; empty unless a run loaded them ([`Cleaner::with_sites`]).
    sites: Arc<SiteLines>,
    /// How lines weigh in the article's span.
    span: SpanWeights,
    /// The line model that may remove lines inside the core, if any.
    model: Option<LineModel>,
}

impl Cleaner {
    /// The cleaner with the built-in rules.
    pub fn builtin() -> Cleaner {
        Cleaner::new(BUILTIN.to_vec()).expect("built-in rules compile")
    }

    /// A cleaner with these rules, in this order. Every pattern is checked now (the built-in table
    /// at build time) and compiled when first needed.
    pub fn new(rules: Vec<Rule>) -> Result<Cleaner, RulesError> {
        let matcher = RuleMatcher::new(&rules);
        // The built-in table was parsed when it was compiled at build time (a tenth of `newsdb
        // clean FILE`'s time otherwise).
        let to_check = if matcher.is_precompiled() {
            &[][..]
        } else {
            &rules[..]
        };
        for rule in to_check {
            if let Err(e) = regex_syntax::Parser::new().parse(&rule.pattern) {
                return Err(RulesError::BadPattern {
                    name: rule.name.to_string(),
                    source: regex::Error::Syntax(e.to_string()),
                });
            }
        }
        let (span, model) = (SpanWeights::default(), model::SHIPPED);
        Ok(Cleaner {
            version: version(&rules, &span, model.as_ref()),
            matcher: Arc::new(matcher),
            rules,
            sites: Arc::default(),
            span,
            model,
        })
    }

    /// This cleaner, weighing lines in the article's span with `span` (the dev-set evaluator tries
    /// other weights through it). The version follows the weights.
    pub fn with_span(mut self, span: SpanWeights) -> Cleaner {
        self.version = version(&self.rules, &span, self.model.as_ref());
        self.span = span;
        self
    }

    /// This cleaner with another line model, or none (the trainer tries models through it). The
    /// version follows the model.
    pub fn with_model(mut self, model: Option<LineModel>) -> Cleaner {
        self.version = version(&self.rules, &self.span, model.as_ref());
        self.model = model;
        self
    }

    /// The lines the line model judges (inside the core, named by no rule, kept so far), each with
    /// its features: what the trainer learns from. Indexes into `lines`.
    pub fn model_inputs(&self, lines: &[String]) -> Vec<(usize, [f64; features::COUNT])> {
        let measured = self.measure(&self.read(lines, &mut None), lines, None);
        let Some(core) = measured.core else {
            return Vec::new();
        };
        (core.start..=core.end)
            .filter(|&i| measured.judged(i))
            .map(|i| (i, features::of(i, &measured.classified, lines, &core)))
            .collect()
    }

    /// This cleaner, also removing the lines learned per site. The version does not change: each
    /// document records its site's learned-set version instead.
    pub fn with_sites(&self, sites: SiteLines) -> Cleaner {
        Cleaner {
            sites: Arc::new(sites),
            ..self.clone()
        }
    }

    /// This cleaner, with a rule matcher of its own instead of the one it shares with its clones:
    /// the rule set is compiled again when this one first needs it, and its compiled set, with the
    /// search caches each thread filled (up to 32 MiB a thread on real multilingual text), is
    /// freed when this cleaner is dropped. For a pass over many pages whose caches nothing after it
    /// needs (a run's learning pass: the storing mostly recalls what it read).
    pub fn with_own_matcher(&self) -> Cleaner {
        Cleaner {
            matcher: Arc::new(RuleMatcher::new(&self.rules)),
            ..self.clone()
        }
    }

    /// Whether lines were learned for `domain` ([`Cleaner::with_sites`]): its pages may clean
    /// otherwise here than where they were prepared without them.
    pub fn has_site_lines(&self, domain: &str) -> bool {
        self.sites.get(domain).is_some()
    }

    /// Identifies the rule set; stored in `documents.cleaner_version` and `runs.cleaner_version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The first rule (in table order) that removes `line` on its own, if any.
    pub fn rule_for(&self, line: &str) -> Option<&str> {
        self.matching_rule(line).map(|r| &*r.name)
    }

    fn matching_rule(&self, line: &str) -> Option<&Rule> {
        self.matching_rule_index(line).map(|i| &self.rules[i])
    }

    /// [`Cleaner::matching_rule`], by the rule's index in the table.
    fn matching_rule_index(&self, line: &str) -> Option<usize> {
        self.matcher.first(line)
    }

    /// The rules in force, in table order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Decides which of `lines` to keep. `first_line` is the 1-based file line number of `lines[0]`;
    /// `domain` is the document's site, whose learned lines ([`site`]) apply.
    ///
    /// In order: rules (and the site's learned lines) name lines; the classifier
    /// ([`super::classify`]) finds the article's core; a rule removes its line when it may fire there
    /// ([`Scope`]); lines outside the core that are not the headline or a closing sentence go; last,
    /// of kept lines that repeat each other (compared by their letters and digits, case-folded) one
    /// stays: the first inside the core, else the first.
    pub fn clean(&self, lines: &[String], first_line: usize, domain: Option<&str>) -> Cleaned {
        self.clean_from(Source::Dump, lines, first_line, domain)
    }

    /// [`Cleaner::clean`] for lines from `source`. For [`Source::Extracted`] (the text an extractor
    /// took out of an HTML page, [`crate::extract`]) the extractor already chose the article's block,
    /// so lines no rule or site names stay, except after a line that ends the article ("Related", a
    /// comment header).
    pub fn clean_from(
        &self,
        source: Source,
        lines: &[String],
        first_line: usize,
        domain: Option<&str>,
    ) -> Cleaned {
        self.clean_recalling(source, lines, first_line, domain, &mut None)
    }

    /// [`Cleaner::clean_from`], taking what this cleaner (or one it was made from or made with
    /// [`Cleaner::with_sites`]) read of the same lines before from `memo`, instead of reading them
    /// again, and leaving in `memo` what it read. The same verdict either way ([`super::memo`]).
    pub fn clean_recalling(
        &self,
        source: Source,
        lines: &[String],
        first_line: usize,
        domain: Option<&str>,
        memo: &mut Option<Memo>,
    ) -> Cleaned {
        let site = domain.and_then(|d| self.sites.get(d));
        // Read once, cleaned once or twice: with and without the site's lines.
        let reading = self.read(lines, memo);
        // Each line's key, where the site has learned lines, for the lines its set can name (a
        // blank line is no one's, and a line a rule names is the rule's, see `measure`): a SHA-256
        // per line, 14% of the storing's preparing when every line was keyed, 12% now. The
        // candidates' keys are taken from these, or made for the few lines not keyed here. (Lines
        // longer than a candidate may be, `site::MAX_LINE_BYTES`, cannot be left out: the key is
        // of the line's canonical form, spaces folded, so a copy with more spaces than the line
        // that was counted has its key. Leaving them out changed a document of the 20k corpus.)
        let hashes: Option<Vec<Option<i64>>> = site.map(|_| {
            lines
                .iter()
                .zip(&reading.rules)
                .map(|(l, rule)| (!l.is_empty() && rule.is_none()).then(|| site::line_hash(l)))
                .collect()
        });
        let in_site: Option<Vec<bool>> = site.zip(hashes.as_ref()).map(|(s, hashes)| {
            hashes
                .iter()
                .map(|h| h.is_some_and(|h| s.lines().contains(&h)))
                .collect()
        });
        // What the page is without its site's learned lines: site learning counts from this, so what
        // is learned depends only on the pages, never on what was learned before them. What it
        // teaches (its candidates and key) is taken from the memo when a cleaning of these lines
        // left it there (the learning pass cleans every page without its site's lines); the whole
        // page cleaned so is then needed only where the site's lines would take most of it.
        let lesson = memo.as_ref().and_then(Memo::recall_lesson);
        let named_by_site = in_site.as_ref().is_some_and(|l| l.contains(&true));
        let clean_base = || self.clean_with(source, lines, first_line, &reading, None);
        let mut base = (named_by_site && lesson.is_none()).then(clean_base);
        let mut cleaned = self.clean_with(source, lines, first_line, &reading, in_site.as_deref());
        if site.is_some() {
            let by_site: usize = cleaned
                .removed
                .iter()
                .filter(|r| r.rule == SITE_LINE_RULE)
                .map(|r| r.text.split_whitespace().count())
                .sum();
            let kept: usize = lines
                .iter()
                .zip(&cleaned.keep)
                .filter(|(_, k)| **k)
                .map(|(l, _)| l.split_whitespace().count())
                .sum();
            if by_site > 0 && by_site > kept {
                // The site's lines would take most of this document: not boilerplate here.
                cleaned = base.take().unwrap_or_else(clean_base);
            }
            cleaned.site_version = site.map(|s| s.version.clone());
        }
        if domain.is_some() {
            let hash = |i: usize| {
                hashes
                    .as_ref()
                    .and_then(|h| h[i])
                    .unwrap_or_else(|| site::line_hash(&lines[i]))
            };
            let (page, candidates): (i64, Vec<(usize, i64)>) = match lesson {
                Some((page, places)) => (page, places.into_iter().map(|i| (i, hash(i))).collect()),
                None => {
                    let base = base.as_ref().unwrap_or(&cleaned);
                    let (page, candidates) =
                        (page_key(lines, base), site_candidates(lines, base, hash));
                    let places: Vec<usize> = candidates.iter().map(|&(i, _)| i).collect();
                    *memo = memo.take().map(|m| m.with_lesson(page, &places));
                    (page, candidates)
                }
            };
            cleaned.site_candidates = candidates
                .into_iter()
                .map(|(i, hash)| Candidate {
                    hash,
                    text: lines[i].clone(),
                })
                .collect();
            cleaned.site_page = page;
        }
        cleaned
    }

    /// What the cleaner reads of `lines` whatever their site has learned: their language, the rule
    /// that names each line, each line's features. The costly part of cleaning (language detection,
    /// the rule set's search, word counts), done once for a page cleaned with and without its site's
    /// lines. All of it is taken from `memo` when it holds it for these lines; a reading made here is
    /// left there, with the features ([`Memo::measures`]).
    fn read(&self, lines: &[String], memo: &mut Option<Memo>) -> Reading<'_> {
        let recalled = memo
            .as_ref()
            .and_then(|m| m.recall(lines.len(), self.rules.len()));
        let fresh = recalled.is_none();
        let (lang, rules) = recalled.unwrap_or_else(|| {
            let lang = lang::detect(lines);
            let rules: Vec<Option<usize>> = lines
                .iter()
                .map(|l| {
                    (!l.is_empty())
                        .then(|| self.matching_rule_index(l))
                        .flatten()
                })
                .collect();
            (lang, rules)
        });
        let stopwords = lang.and_then(lang::stopwords);
        // Half the lines of a page dump are blank, and all blank lines measure the same.
        let blank = Features::of("", stopwords);
        let kept = (!fresh)
            .then(|| memo.as_ref()?.recall_measures(lines, blank))
            .flatten();
        let features = kept.unwrap_or_else(|| {
            lines
                .iter()
                .map(|l| {
                    if l.is_empty() {
                        blank
                    } else {
                        Features::of(l, stopwords)
                    }
                })
                .collect()
        });
        if fresh {
            *memo = Some(Memo::new(lang, &rules).with_measures(lines, &features));
        }
        Reading {
            lang,
            stopwords,
            rules: rules.iter().map(|r| r.map(|i| &self.rules[i])).collect(),
            features,
        }
    }

    /// What the cleaner knows of `lines` before it decides: language, what names each line, the
    /// classes, the core. `in_site`: which lines the site's learned set holds (`None`: cleaned
    /// without them).
    fn measure<'r>(
        &'r self,
        reading: &Reading<'r>,
        lines: &[String],
        in_site: Option<&[bool]>,
    ) -> Measured<'r> {
        let (lang, stopwords) = (reading.lang, reading.stopwords);
        let named: Vec<Named> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if l.is_empty() {
                    Named::No
                } else if let Some(rule) = reading.rules[i] {
                    Named::Rule(rule)
                } else if in_site.is_some_and(|s| s[i]) {
                    Named::Site
                } else {
                    Named::No
                }
            })
            .collect();
        let mut classified: Vec<Line> = lines
            .iter()
            .zip(&named)
            .zip(&reading.features)
            .map(|((l, named), features)| Line {
                features: *features,
                named: !matches!(named, Named::No),
                ends_article: matches!(named, Named::Rule(r) if r.ends_article),
                anywhere: matches!(named, Named::Rule(r) if r.scope == Scope::Anywhere),
                by_site: matches!(named, Named::Site),
                blank: l.is_empty(),
            })
            .collect();
        // A paragraph hard-wrapped over several lines is classified as one: each of its lines takes
        // the class of the whole, so the fragments of a sentence are not taken for short lines.
        for (start, end) in wrapped_paragraphs(lines, &classified) {
            let whole = Features::of(&lines[start..end].join(" "), stopwords);
            for line in &mut classified[start..end] {
                line.features = line.features.classed_as(&whole, end - start);
            }
        }
        let core = Core::find(&classified, &self.span);
        Measured {
            lang,
            named,
            classified,
            core,
        }
    }

    fn clean_with(
        &self,
        source: Source,
        lines: &[String],
        first_line: usize,
        reading: &Reading,
        in_site: Option<&[bool]>,
    ) -> Cleaned {
        let Measured {
            lang,
            named,
            classified,
            core,
        } = self.measure(reading, lines, in_site);

        let mut verdicts: Vec<Option<Cow<'static, str>>> = (0..lines.len())
            .map(|i| {
                if lines[i].is_empty() {
                    return None;
                }
                if classify::is_data(&lines[i]) {
                    return Some(Cow::Borrowed(SCRIPT_DATA_RULE));
                }
                let inside = core.is_none_or(|c| c.contains(i));
                match named[i] {
                    Named::Rule(rule) => {
                        let fires = rule.scope == Scope::Anywhere || core.is_none() || !inside;
                        return fires.then(|| rule.name.clone());
                    }
                    Named::Site => {
                        let prose = classified[i].features.class() == Class::Good;
                        let fires = core.is_none() || !inside || !prose;
                        return fires.then_some(Cow::Borrowed(SITE_LINE_RULE));
                    }
                    Named::No => {}
                }
                let core = core?;
                // Measured on the dev set's HTML pages (train pages): keeping every unnamed line but
                // those past a line that ends the article scores 0.947, keeping them all too.
                if source == Source::Extracted && !core.is_past_end(i) {
                    return None;
                }
                if inside || core.keeps_outside(&classified, i) {
                    None
                } else if core.is_past_end(i) {
                    Some(Cow::Borrowed(PAST_ARTICLE_END_RULE))
                } else {
                    Some(Cow::Borrowed(OUTSIDE_ARTICLE_RULE))
                }
            })
            .collect();

        if let (Some(model), Some(core)) = (&self.model, core) {
            for i in core.start..=core.end {
                if verdicts[i].is_none() && !classified[i].blank && !classified[i].named {
                    let p = model.probability(&features::of(i, &classified, lines, &core));
                    if p < model.threshold {
                        verdicts[i] = Some(Cow::Borrowed(LINE_MODEL_RULE));
                    }
                }
            }
        }

        // Of the kept lines that repeat each other, the copy inside the article stays (a teaser
        // above it often repeats its first paragraph); without one inside, the first.
        let keys: Vec<Option<u64>> = lines
            .iter()
            .zip(&verdicts)
            .map(|(line, v)| (v.is_none() && !line.is_empty()).then(|| repeat_key(line)))
            .collect();
        let mut kept_copy: foldhash::HashMap<u64, usize> = foldhash::HashMap::default();
        for (i, key) in keys.iter().enumerate() {
            let Some(key) = key else { continue };
            let inside = |i: usize| core.is_some_and(|c| c.contains(i));
            kept_copy
                .entry(*key)
                .and_modify(|kept| {
                    if !inside(*kept) && inside(i) {
                        *kept = i;
                    }
                })
                .or_insert(i);
        }
        for (i, key) in keys.iter().enumerate() {
            if key.is_some_and(|k| kept_copy[&k] != i) {
                verdicts[i] = Some(Cow::Borrowed(REPEATED_LINE_RULE));
            }
        }

        let mut cleaned = Cleaned {
            keep: Vec::with_capacity(lines.len()),
            lang,
            prose: classified
                .iter()
                .map(|l| !l.blank && l.features.class() == Class::Good)
                .collect(),
            ..Cleaned::default()
        };
        cleaned.repeat_keys = keys;
        for (i, (line, verdict)) in lines.iter().zip(verdicts).enumerate() {
            cleaned.keep.push(verdict.is_none());
            let chars = classified[i].features.chars;
            cleaned.chars += chars;
            if let Some(rule) = verdict {
                cleaned.removed_chars += chars;
                cleaned.removed.push(Removal {
                    line: first_line + i,
                    text: line.clone(),
                    rule,
                });
            }
        }
        cleaned
    }
}

/// Runs of lines (start, end exclusive) that are one hard-wrapped paragraph: consecutive lines no rule
/// names, each after the first starting with a lower-case letter (a sentence going on). A menu item,
/// a heading or a new paragraph starts with a capital, a digit or another script.
fn wrapped_paragraphs(lines: &[String], classified: &[Line]) -> Vec<(usize, usize)> {
    let plain = |i: usize| !classified[i].blank && !classified[i].named;
    let goes_on = |i: usize| lines[i].chars().next().is_some_and(char::is_lowercase);
    let mut runs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut end = i + 1;
        if plain(i) {
            while end < lines.len() && plain(end) && goes_on(end) {
                end += 1;
            }
        }
        if end - i > 1 {
            runs.push((i, end));
        }
        i = end;
    }
    runs
}

/// What [`Cleaner::read`] found.
struct Reading<'r> {
    lang: Option<whatlang::Lang>,
    stopwords: Option<&'static lang::Stopwords>,
    /// The first rule that names each line on its own (`None` for blank lines).
    rules: Vec<Option<&'r Rule>>,
    features: Vec<Features>,
}

/// What [`Cleaner::measure`] found.
struct Measured<'r> {
    lang: Option<whatlang::Lang>,
    named: Vec<Named<'r>>,
    classified: Vec<Line>,
    core: Option<Core>,
}

impl Measured<'_> {
    /// Whether the line model judges line `i`: inside the core, not blank, named by nothing.
    fn judged(&self, i: usize) -> bool {
        self.core.is_some_and(|c| c.contains(i))
            && !self.classified[i].blank
            && matches!(self.named[i], Named::No)
    }
}

/// What names a line before the classifier looks at it.
#[derive(Clone, Copy)]
enum Named<'a> {
    No,
    Rule(&'a Rule),
    Site,
}

/// Where the lines to clean come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A page dumped to text: the article is to be found among everything else.
    Dump,
    /// The block an HTML extractor chose as the article.
    Extracted,
}

/// The lines of a page that count towards its site's learning, taken from the page as cleaned
/// without learned lines: kept lines that are not prose, and the first and last kept lines
/// ([`site::EDGE_LINES`]), once each by their [`site::line_hash`] (`hash` of a line's place): their
/// places, ascending, with their hashes.
fn site_candidates(
    lines: &[String],
    base: &Cleaned,
    hash: impl Fn(usize) -> i64,
) -> Vec<(usize, i64)> {
    let kept: Vec<usize> = (0..lines.len())
        .filter(|&i| base.keep[i] && !lines[i].is_empty())
        .collect();
    let (head, tail) = site::EDGE_LINES;
    let mut seen = HashSet::new();
    kept.iter()
        .enumerate()
        .filter(|&(k, &i)| k < head || k + tail >= kept.len() || !base.prose[i])
        .map(|(_, &i)| i)
        .filter(|&i| lines[i].len() <= site::MAX_LINE_BYTES)
        .map(|i| (i, hash(i)))
        .filter(|&(_, h)| seen.insert(h))
        .collect()
}

/// Identifies the article of a page as cleaned without learned lines (its kept lines compared by
/// [`repeat_key`]): copies of one article that differ in spacing, quotes or the site's learned lines
/// have the same key, so they count once towards the site's learning.
fn page_key(lines: &[String], base: &Cleaned) -> i64 {
    let mut h = fnv::FnvHasher::default();
    for (i, line) in lines.iter().enumerate() {
        if base.keep[i] && !line.is_empty() {
            let key = base.repeat_keys.get(i).copied().flatten();
            h.write_u64(key.unwrap_or_else(|| repeat_key(line)));
        }
    }
    h.finish() as i64
}

/// The key lines are compared by to find repeats: their letters and digits, case-folded, so a caption
/// printed once with and once without its full stop, or with other quotes or spacing, is the same.
///
/// FNV-1a: a fixed function, fed character by character, no allocation. The key is part of every
/// document's content hash ([`page_key`], `prepare::Body::key`), so it never changes: an ASCII
/// letter or digit feeds its lower-case byte, any other letter or digit the four bytes of each
/// character of its lower case. ASCII bytes are taken as bytes, without decoding characters: the
/// cleaner keys every kept line of every page twice per run, and decoding was most of the cost.
fn repeat_key(line: &str) -> u64 {
    let mut h = fnv::FnvHasher::default();
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                h.write_u8(b.to_ascii_lowercase());
            }
            i += 1;
            continue;
        }
        let c = line[i..].chars().next().expect("i is a character boundary");
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                h.write(&(l as u32).to_le_bytes());
            }
        }
        i += c.len_utf8();
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::site::Site;
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    /// [`repeat_key`] as it was first written, character by character: the key must never change.
    fn repeat_key_by_chars(line: &str) -> u64 {
        let mut h = fnv::FnvHasher::default();
        for c in line.chars().filter(|c| c.is_alphanumeric()) {
            if c.is_ascii() {
                h.write_u8(c.to_ascii_lowercase() as u8);
            } else {
                for l in c.to_lowercase() {
                    h.write(&(l as u32).to_le_bytes());
                }
            }
        }
        h.finish()
    }

    #[test]
    fn repeat_keys_are_the_keys_taken_character_by_character() {
        for line in [
            "",
            "Photo: Jane Doe / Reuters.",
            "PHOTO:  jane   doe/reuters",
            "Straße in Köln: Überraschung für ÄRZTE",
            "İstanbul'da ılık bir gün",
            "Ελληνικά ΣΟΦΙΑ σοφία",
            "東京で会議 2024年",
            "ⅫⅠ ½ ² ٣ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂 \u{0301}e\u{0301}",
            "tab\tand\u{a0}no-break, line\u{2028}separator",
        ] {
            assert_eq!(repeat_key(line), repeat_key_by_chars(line), "{line:?}");
        }
    }

    #[test]
    fn a_cleaner_with_its_own_matcher_cleans_alike_and_shares_no_matcher() {
        let c = Cleaner::builtin();
        let own = c.with_own_matcher();
        assert!(!Arc::ptr_eq(&c.matcher, &own.matcher));
        assert!(Arc::ptr_eq(
            &c.with_sites(SiteLines::default()).matcher,
            &c.matcher
        ));
        assert_eq!(own.version(), c.version());
        let page = lines(
            "Home\nNews\nSign in\nThe council met on Tuesday and voted to close the bridge.\n\
             Advertisement\nShare on Facebook\nIt reopens in spring, the mayor said.\n\
             © 2024 Example News",
        );
        assert_eq!(own.clean(&page, 1, None), c.clean(&page, 1, None));
    }

    #[test]
    fn repeated_caption_is_kept_once() {
        let c = Cleaner::builtin();
        let input =
            lines("A caption here.\nBody sentence one.\nA caption here\nBody sentence two.");
        let cleaned = c.clean(&input, 1, None);
        assert_eq!(cleaned.keep, vec![true, true, false, true]);
        assert_eq!(cleaned.removed[0].line, 3);
        assert_eq!(cleaned.removed[0].rule, REPEATED_LINE_RULE);
    }

    #[test]
    fn blank_lines_are_never_repeats() {
        let c = Cleaner::builtin();
        let cleaned = c.clean(&lines("a.\n\nb.\n\nc."), 1, None);
        assert!(cleaned.keep.iter().all(|k| *k));
    }

    #[test]
    fn of_repeated_lines_the_copy_inside_the_article_stays() {
        let lead = "The council voted on Tuesday to close the library at the end of the summer, \
                    after a three-hour meeting in which more than forty residents spoke.";
        let more = "Council leader Brian Holt said the authority faced a gap of four million in \
                    next year's budget and had run out of painless options to close it.";
        let text = format!("Most read\n{lead}\nHome\nNews\nSport\nWeather\n\n{lead}\n\n{more}\n");
        let cleaned = Cleaner::builtin().clean(&lines(&text), 1, None);
        let kept: Vec<usize> = (0..cleaned.keep.len())
            .filter(|&i| cleaned.keep[i] && !lines(&text)[i].is_empty())
            .collect();
        assert_eq!(kept, vec![7, 9], "{:?}", cleaned.removed);
    }

    #[test]
    fn learned_site_lines_go_at_the_edges_and_never_take_the_article() {
        let promo = "The Valley Times is an independent newspaper serving the valley since 1921.";
        let site = Site::new([site::line_hash(promo)].into());
        let c = Cleaner::builtin().with_sites(SiteLines::new(
            [("valley.example".to_owned(), site.clone())].into(),
        ));
        let para = |n: u32| {
            format!("Paragraph {n} of the report says the council met on Tuesday and voted to close the library.")
        };
        let tail = lines(&format!("{}\n{}\n{}\n{promo}", para(1), para(2), para(3)));
        let cleaned = c.clean(&tail, 1, Some("valley.example"));
        assert_eq!(cleaned.keep, vec![true, true, true, false]);
        assert_eq!(cleaned.removed[0].rule, SITE_LINE_RULE);
        assert_eq!(cleaned.site_version, Some(site.version.clone()));
        assert!(c.clean(&tail, 1, Some("other.example")).removed.is_empty());
        // Inside the article, as prose, it stays.
        let inside = lines(&format!("{}\n{promo}\n{}", para(1), para(2)));
        assert!(c
            .clean(&inside, 1, Some("valley.example"))
            .removed
            .is_empty());
        // Lines that count towards learning: the edges of the kept text.
        let candidates = c.clean(&tail, 1, Some("other.example")).site_candidates;
        assert_eq!(candidates.len(), 4);
        assert!(candidates.iter().any(|c| c.text == promo));
        // They are counted from the page as it is without learned lines, so learning the promotion
        // changes neither what the page counts nor which page it is.
        let learned = c.clean(&tail, 1, Some("valley.example"));
        let unlearned = c.clean(&tail, 1, Some("other.example"));
        assert_eq!(learned.site_candidates, unlearned.site_candidates);
        assert_eq!(learned.site_page, unlearned.site_page);
        assert_ne!(
            learned.site_page,
            c.clean(&inside, 1, Some("other.example")).site_page
        );
    }

    /// The storing takes what a page teaches its site from the memo the learning pass left (the
    /// page cleaned without its site's lines) instead of cleaning it so again: the same verdict,
    /// where the site's lines are at its edge and where they would take most of it.
    #[test]
    fn a_lesson_taken_from_the_memo_cleans_as_a_fresh_reading_does() {
        let promos = [
            "The Valley Times is an independent newspaper serving the valley since 1921.",
            "Sign up for The Valley Times morning briefing and get the news of the valley first.",
            "The Valley Times is owned by its readers and published by a cooperative in Eastgate.",
        ];
        let site = Site::new(promos.iter().map(|p| site::line_hash(p)).collect());
        let with_site = Cleaner::builtin()
            .with_sites(SiteLines::new([("valley.example".to_owned(), site)].into()));
        let para = |n: u32| {
            format!("Paragraph {n} of the report says the council met on Tuesday and voted to close the library.")
        };
        let [a, b, c] = promos;
        let at_the_edge = lines(&format!("{}\n{}\n{}\n{a}\n{b}", para(1), para(2), para(3)));
        let most_of_it = lines(&format!("{a}\n{}\n{b}\n{c}", para(1)));
        for (name, page) in [("at the edge", at_the_edge), ("most of it", most_of_it)] {
            // The learning pass: no lines learned for the site yet.
            let mut memo = None;
            let unlearned = Cleaner::builtin().clean_recalling(
                Source::Dump,
                &page,
                1,
                Some("valley.example"),
                &mut memo,
            );
            let lesson = memo.as_ref().and_then(Memo::recall_lesson);
            assert!(lesson.is_some(), "{name}: the memo holds the lesson");
            let fresh = with_site.clean(&page, 1, Some("valley.example"));
            let recalled = with_site.clean_recalling(
                Source::Dump,
                &page,
                1,
                Some("valley.example"),
                &mut memo.clone(),
            );
            assert_eq!(recalled, fresh, "{name}");
            assert_eq!(
                recalled.site_candidates, unlearned.site_candidates,
                "{name}"
            );
            assert_eq!(recalled.site_page, unlearned.site_page, "{name}");
            let by_site = fresh.removed.iter().any(|r| r.rule == SITE_LINE_RULE);
            assert_eq!(
                by_site,
                name == "at the edge",
                "{name}: {:?}",
                fresh.removed
            );
        }
    }

    #[test]
    fn hard_wrapped_paragraphs_are_classified_whole() {
        let text = "Library to close after 94 years\n\n\
            Councillors in Eastgate voted by nine to six on Tuesday night to close\n\
            the town's central library at the end of the summer, ending almost a\n\
            century of lending from the building on Mill Street.\n\n\
            The decision followed a three-hour meeting in which more than forty\n\
            residents addressed the chamber, many of them pensioners and parents.\n\n\
            Share this:";
        let cleaned = Cleaner::builtin().clean(&lines(text), 1, None);
        let removed: Vec<usize> = cleaned.removed.iter().map(|r| r.line).collect();
        assert_eq!(removed, vec![10], "{:?}", cleaned.removed);
    }

    #[test]
    fn version_follows_the_rule_set() {
        let all = Cleaner::builtin();
        let fewer = Cleaner::new(BUILTIN[1..].to_vec()).unwrap();
        assert_ne!(all.version(), fewer.version());
        assert_eq!(all.version(), Cleaner::builtin().version());
    }
}

//! `codewerk search`: full-text search of the transcripts, hits in rank order.

use super::{invalid, load, print_json};
use crate::cli::{BenchCorpusOpt, SearchFilters, SearchOpt};
use anyhow::Result;
use codewerk::core::index::memos::search_memos;
use codewerk::core::index::stream::{AllHits, all_hits};
use codewerk::core::index::uncoded::{CodedBy, keep_uncoded_matches};
use codewerk::core::index::{
    Hit, Hits, Index, Phase, Progress, Query, SearchError, Source, check_coder, search_all,
};
use codewerk::core::project::Project;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

pub fn run(root: &Path, coder: Option<&str>, o: &SearchOpt) -> Result<()> {
    // An index known to be up to date answers alone, without loading the project (see
    // `core::index::fresh`), with the codings remembered if a filter needs them; memos and
    // "match not coded" need the journals, so the project. The hits are found while the
    // index's freshness is still being checked.
    let coded = o.code.is_some() || coder.is_some() || o.uncoded;
    if !o.memos
        && !o.uncoded_matches
        && !streams(o)
        && let Some((_, _, found)) = Index::open_fresh_then(root, coded, |index, light| {
            find(light, None, index, coder, o)
        })
    {
        return show(found?, o);
    }
    let fresh = || {
        if coded {
            Index::open_fresh_coded(root)
        } else {
            Index::open_fresh(root)
        }
    };
    if !o.memos
        && streams(o)
        && let Some((index, light)) = fresh()
    {
        return answer(&light, None, &index, coder, o);
    }
    let loaded_at = SystemTime::now();
    let project = load_searchable(root)?;
    if let Some(c) = coder {
        check_coder(&project, c).map_err(search_failed)?;
    }
    if o.memos {
        return memos(&project, coder, o);
    }
    let mut index = open_index(&project)?;
    // Only a cache for the next search: failing to write it changes nothing now.
    let _ = index.remember_sources(&project, loaded_at);
    answer(&project, Some(&project), &index, coder, o)
}

/// Every hit as JSON, streamed (`answer_all`), rather than found first and then shown.
fn streams(o: &SearchOpt) -> bool {
    o.json && o.limit == 0 && !o.uncoded_matches
}

/// The search and its output. `full` is the loaded project when there is one (never on the
/// fresh path); `--uncoded-matches` needs it for the codings.
fn answer<S: Source>(
    project: &S,
    full: Option<&Project>,
    index: &Index,
    coder: Option<&str>,
    o: &SearchOpt,
) -> Result<()> {
    if streams(o) {
        if let Some(c) = coder {
            check_coder(project, c).map_err(search_failed)?;
        }
        return answer_all(project, index, &query_of(coder, o)?, o);
    }
    show(find(project, full, index, coder, o)?, o)
}

fn query_of(coder: Option<&str>, o: &SearchOpt) -> Result<Query> {
    Ok(Query {
        text: o.query.clone(),
        code: if o.uncoded_matches {
            None
        } else {
            o.code.clone()
        },
        coder: if o.uncoded_matches {
            None
        } else {
            coder.map(str::to_string)
        },
        uncoded: o.uncoded,
        limit: if o.uncoded_matches { 0 } else { o.limit },
        rank: o.rank.parse().map_err(|e: String| anyhow::anyhow!(e))?,
        ..filters_query(&o.filters)?
    })
}

/// The hits to show, found without showing anything.
fn find<S: Source>(
    project: &S,
    full: Option<&Project>,
    index: &Index,
    coder: Option<&str>,
    o: &SearchOpt,
) -> Result<Hits> {
    if let Some(c) = coder {
        check_coder(project, c).map_err(search_failed)?;
    }
    let query = query_of(coder, o)?;
    let mut hits = match search_all(project, index, &query) {
        Ok(hits) => hits,
        Err(e) => return Err(search_failed(e)),
    };
    if o.uncoded_matches
        && let Some(project) = full
    {
        let code = match &o.code {
            Some(c) => match project.codebook.resolve(c) {
                Some(code) => Some(code.id.clone()),
                None => {
                    return Err(search_failed(SearchError::Filter(
                        project.codebook.unknown_code(c),
                    )));
                }
            },
            None => None,
        };
        let by = CodedBy {
            coder,
            code: code.as_deref(),
        };
        let mut kept = keep_uncoded_matches(project, std::mem::take(&mut hits.hits), by);
        hits.total = kept.len();
        if o.limit > 0 {
            kept.truncate(o.limit);
        }
        hits.hits = kept;
    }
    Ok(hits)
}

fn show(hits: Hits, o: &SearchOpt) -> Result<()> {
    for note in &hits.notes {
        eprintln!("codewerk: note: {note}");
    }
    if o.json {
        // Serialised straight from the hits, not through a `serde_json::Value` of each.
        #[derive(serde::Serialize)]
        struct Out<'a> {
            query: &'a str,
            total: usize,
            hits: &'a [Hit],
        }
        return print_json(&Out {
            query: &o.query,
            total: hits.total,
            hits: &hits.hits,
        });
    }
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for h in &hits.hits {
        out.write_all(render(h, colour).as_bytes())?;
    }
    match hits.total {
        0 => writeln!(out, "No hits for {}.", o.query)?,
        n if n == hits.hits.len() => writeln!(out, "{n} hit(s).")?,
        n => writeln!(
            out,
            "{} of {n} hits shown (--limit {}).",
            hits.hits.len(),
            o.limit
        )?,
    }
    out.flush()?;
    Ok(())
}

/// `search --memos`: the memos that match, with the passage or code they belong to.
fn memos(project: &Project, coder: Option<&str>, o: &SearchOpt) -> Result<()> {
    let f = &o.filters;
    if f.group.is_some()
        || f.school.is_some()
        || f.school_type.is_some()
        || f.speaker.is_some()
        || !f.attr.is_empty()
    {
        return Err(invalid(
            "--memos takes --coder and --code, not respondent or speaker filters",
        ));
    }
    // The transcripts' words split the compounds of the memos too.
    let index = open_index(project)?;
    let hits = search_memos(
        project,
        Some(&index),
        &o.query,
        coder,
        o.code.as_deref(),
        o.limit,
    )
    .map_err(search_failed)?;
    for note in &hits.notes {
        eprintln!("codewerk: note: {note}");
    }
    if o.json {
        return print_json(&json!({"query": o.query, "total": hits.total, "hits": hits.hits}));
    }
    let mut out = String::new();
    for h in &hits.hits {
        let m = &h.memo;
        use codewerk::core::index::memos::MemoKind;
        let place = match m.kind {
            MemoKind::Passage => format!(
                "passage memo on {} {}, {}",
                m.transcript,
                m.start.unwrap_or_default(),
                m.code_name
            ),
            MemoKind::Transcript => format!("transcript memo on {}", m.transcript),
            MemoKind::Logbook => format!("logbook {}", m.date),
            MemoKind::Code => format!("code memo, {}", m.code_name),
        };
        out += &format!(
            "{place}, by {}  score {:.2}\n    {}\n",
            m.coder, h.score, h.snippet.marked
        );
    }
    print!("{out}");
    match hits.total {
        0 => println!("No memos match {}.", o.query),
        n if n == hits.hits.len() => println!("{n} memo(s)."),
        n => println!(
            "{} of {n} memos shown (--limit {}).",
            hits.hits.len(),
            o.limit
        ),
    }
    Ok(())
}

/// Every hit as JSON, streamed: each made and written as its transcript is read (see
/// `core::index::stream`), in transcript order.
fn answer_all<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    query: &Query,
    o: &SearchOpt,
) -> Result<()> {
    use serde::ser::{Serialize, SerializeSeq, Serializer};
    let all = all_hits(project, index, query).map_err(search_failed)?;
    for note in &all.notes {
        eprintln!("codewerk: note: {note}");
    }
    struct Stream<'a, S: ?Sized> {
        all: &'a AllHits,
        project: &'a S,
    }
    impl<S: Source + ?Sized> Serialize for Stream<'_, S> {
        fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
            let mut seq = z.serialize_seq(Some(self.all.len()))?;
            self.all
                .for_each(self.project, |h| seq.serialize_element(h))?;
            seq.end()
        }
    }
    #[derive(serde::Serialize)]
    #[serde(bound = "")]
    struct Out<'a, S: Source + ?Sized> {
        query: &'a str,
        total: usize,
        hits: Stream<'a, S>,
    }
    print_json(&Out {
        query: &o.query,
        total: all.total,
        hits: Stream { all: &all, project },
    })
}

/// Load the project for searching: problems elsewhere (a bad journal line) do not stop a
/// search, but the user is told that transcripts that failed to load are not searched.
pub fn load_searchable(root: &Path) -> Result<Project> {
    let project = load(root)?;
    let errors = project.problems.iter().filter(|p| p.is_error()).count();
    if errors > 0 {
        eprintln!(
            "codewerk: warning: the project has {errors} error(s) (see `codewerk check`); \
             transcripts that failed to load are not searched"
        );
    }
    Ok(project)
}

/// Open the index, with a progress line on a terminal and a note when it was (re)built.
pub fn open_index(project: &Project) -> Result<Index> {
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last = Instant::now();
    let mut shown = false;
    let mut progress = |p: Progress| {
        if !tty || started.elapsed() < Duration::from_millis(300) {
            return;
        }
        if p.phase == Phase::Indexing
            && last.elapsed() < Duration::from_millis(100)
            && p.done < p.total
        {
            return;
        }
        last = Instant::now();
        shown = true;
        let what = match p.phase {
            Phase::Indexing => format!("indexing transcripts {}/{}", p.done, p.total),
            Phase::Committing => "writing the search index".to_string(),
        };
        eprint!("\r\x1b[2K{what}");
        let _ = std::io::stderr().flush();
    };
    let result = Index::open(project, &mut progress);
    if shown {
        eprint!("\r\x1b[2K");
    }
    let (index, report) = result?;
    for w in &report.warnings {
        eprintln!("codewerk: warning: {w}");
    }
    if let Some(msg) = report.message() {
        eprintln!(
            "codewerk: {msg} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(index)
}

pub fn filters_query(f: &SearchFilters) -> Result<Query> {
    let mut attributes = Vec::new();
    for a in &f.attr {
        let Some((k, v)) = a.split_once('=') else {
            return Err(invalid(format!("--attr takes NAME=VALUE, not \"{a}\"")));
        };
        attributes.push((
            k.trim().to_lowercase().replace(' ', "_"),
            v.trim().to_string(),
        ));
    }
    Ok(Query {
        group: f.group.clone(),
        school_type: f.school_type.clone(),
        school: f.school.clone(),
        speaker: f.speaker.clone(),
        attributes,
        ..Default::default()
    })
}

/// A bad query or filter: say why, exit 2. Anything else is an error (exit 1).
pub fn search_failed(e: SearchError) -> anyhow::Error {
    match e {
        SearchError::Syntax { .. } => invalid(format!(
            "{e}\ncodewerk: query syntax: words, \"a phrase\", AND, OR, NOT, prefix*, ( ); see \
             \"Searching the transcripts\" in the README"
        )),
        SearchError::Filter(_) => invalid(e.to_string()),
        SearchError::Index(e) => anyhow::anyhow!("search index: {e}"),
    }
}

fn render(h: &Hit, colour: bool) -> String {
    let speaker = h
        .speaker
        .as_deref()
        .map(|s| format!(" {s}:"))
        .unwrap_or_default();
    let mut place = vec![h.group.as_str()];
    if !h.school.is_empty() {
        place.push(&h.school);
    }
    if !h.school_type.is_empty() {
        place.push(&h.school_type);
    }
    let head = format!(
        "{} ({}){speaker} {}-{}  score {:.2}",
        h.transcript,
        place.join(", "),
        h.start,
        h.end,
        h.score
    );
    let snippet = if colour {
        let mut s = String::new();
        let mut ranges = h.snippet.matches.iter().peekable();
        for (i, c) in h.snippet.text.chars().enumerate() {
            if ranges.peek().is_some_and(|r| r.start == i) {
                s += "\x1b[1;33m";
            }
            s.push(c);
            if ranges.peek().is_some_and(|r| r.end == i + 1) {
                s += "\x1b[0m";
                ranges.next();
            }
        }
        s
    } else {
        h.snippet.marked.clone()
    };
    if colour {
        format!("\x1b[1m{head}\x1b[0m\n    {snippet}\n")
    } else {
        format!("{head}\n    {snippet}\n")
    }
}

/// `codewerk bench-corpus DIR`: write a synthetic project for benchmarks.
pub fn bench_corpus(o: &BenchCorpusOpt) -> Result<()> {
    let started = Instant::now();
    let stats = codewerk::core::index::synth::write_corpus(&o.dir, o.transcripts, o.words, o.seed)?;
    println!(
        "wrote {} transcripts, {:.1} MB, to {} in {:.1} s",
        stats.transcripts,
        stats.bytes as f64 / 1e6,
        o.dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

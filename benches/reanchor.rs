#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Re-anchoring after transcript edits, measured as a tester would: the demo project's codings
//! plus a coder with thousands of short codings ("ja", "nee", "meldcode", "Veilig Thuis", ...),
//! each transcript edited at random (one edit kind at a time, the truth of every character
//! tracked), then every coding judged: at its true new place, flagged for review, or wrong.
//! The old algorithm (nearest occurrence of the text) is judged on the same edits.
//!
//! `cargo bench --bench reanchor` (about a minute). `REANCHOR_TRIALS=n` edits per transcript
//! and kind (default 4).

#[path = "../tests/common/edits.rs"]
mod edits;

use codewerk::core::coding::Coding;
use codewerk::core::project::Project;
use codewerk::core::transcript::Transcript;
use edits::{Edited, KINDS, Kind, Rng, Tally, judge, reanchor, reanchor_old};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Short texts a coder codes wherever they occur (the codings that went wrong before).
const SHORT: &[&str] = &[
    "ja",
    "Ja",
    "nee",
    "Nee",
    "meldcode",
    "Veilig Thuis",
    "eh",
    "zorgen",
    "mentor",
    "ouders",
];

fn short_codings(t: &Transcript) -> Vec<Coding> {
    let mut out = Vec::new();
    for s in SHORT {
        let n = s.chars().count();
        for at in t.find_all(s) {
            // Whole words only, as a coder would select them.
            let before = at.checked_sub(1).map(|b| t.slice(b, at));
            let after = t.slice(at + n, at + n + 1);
            let word = |x: &str| x.chars().next().is_some_and(char::is_alphanumeric);
            if !before.is_some_and(word) && !word(after) {
                out.push(Coding::quoted(t, "kort", at, at + n));
            }
        }
    }
    out
}

#[derive(Default)]
struct Row {
    new: Tally,
    old: Tally,
    transcripts: usize,
    time: Duration,
    max: Duration,
}

fn main() {
    let trials: u64 = std::env::var("REANCHOR_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = match Project::load(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot load the demo project: {:?}", e.problems);
            std::process::exit(2);
        }
    };
    // Every demo coding, as if made on the text as it is now, plus the short-coding coder.
    let mut per_transcript: Vec<(&Transcript, Vec<Coding>)> = Vec::new();
    let (mut demo, mut short) = (0, 0);
    for t in &project.transcripts {
        let mut cs: Vec<Coding> = project
            .coders
            .values()
            .flat_map(|s| s.of_transcript(&t.id))
            .filter(|c| !c.anchor.is_flagged() && t.slice(c.start, c.end) == c.text)
            .map(|c| Coding {
                version: Some(t.version().to_string()),
                ..c.clone()
            })
            .collect();
        demo += cs.len();
        let s = short_codings(t);
        short += s.len();
        cs.extend(s);
        per_transcript.push((t, cs));
    }
    println!(
        "{} transcripts, {} demo codings + {} short codings, {} edit(s) per transcript and kind",
        per_transcript.len(),
        demo,
        short,
        trials
    );

    let mut rows: BTreeMap<Kind, Row> = BTreeMap::new();
    for &kind in KINDS {
        let row = rows.entry(kind).or_default();
        for (ti, (t, cs)) in per_transcript.iter().enumerate() {
            let coded: Vec<(usize, usize)> = cs.iter().map(|c| (c.start, c.end)).collect();
            for trial in 0..trials {
                let mut rng = Rng::new((ti as u64) << 32 | trial << 8 | kind as u64);
                let mut ed = Edited::new(t.text());
                ed.edit(&mut rng, kind, &coded);
                let file = ed.file();
                let truth = ed.truth(t.len_chars());
                let started = Instant::now();
                let (nt, placed) = reanchor(t.text(), &file, cs);
                let took = started.elapsed();
                let chars: Vec<char> = nt.text().chars().collect();
                let old = reanchor_old(&file, cs);
                for ((o, p), q) in cs.iter().zip(&placed).zip(&old) {
                    row.new.add(judge(o, p, &chars, &truth));
                    row.old.add(judge(o, q, &chars, &truth));
                }
                row.transcripts += 1;
                row.time += took;
                row.max = row.max.max(took);
            }
        }
    }

    println!();
    println!(
        "| edit | codings | placed exactly | flagged | wrong | old: wrong | ms per transcript (mean / max) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut total = Row::default();
    for (kind, r) in &rows {
        let n = r.new.placed + r.new.flagged + r.new.wrong;
        println!(
            "| {kind:?} | {n} | {} | {} | {} | {} | {:.2} / {:.1} |",
            r.new.placed,
            r.new.flagged,
            r.new.wrong,
            r.old.wrong,
            r.time.as_secs_f64() * 1000.0 / r.transcripts.max(1) as f64,
            r.max.as_secs_f64() * 1000.0
        );
        total.new.add(r.new);
        total.old.add(r.old);
        total.transcripts += r.transcripts;
        total.time += r.time;
        total.max = total.max.max(r.max);
    }
    let n = total.new.placed + total.new.flagged + total.new.wrong;
    println!(
        "| all | {n} | {} | {} | {} | {} | {:.2} / {:.1} |",
        total.new.placed,
        total.new.flagged,
        total.new.wrong,
        total.old.wrong,
        total.time.as_secs_f64() * 1000.0 / total.transcripts.max(1) as f64,
        total.max.as_secs_f64() * 1000.0
    );

    // A very long transcript (100,000 words) with thousands of codings: stays linear.
    let mut rng = Rng::new(7);
    let big = edits::transcript(&mut rng, 4000);
    let bt = Transcript::from_text("BIG", Path::new("big.txt"), big.clone());
    let mut cs = short_codings(&bt);
    cs.truncate(20_000);
    for (k, c) in cs.iter_mut().enumerate() {
        c.id = k as u64 + 1;
    }
    let coded: Vec<(usize, usize)> = cs.iter().map(|c| (c.start, c.end)).collect();
    for kind in [Kind::Insert, Kind::MoveParagraph, Kind::Reorder] {
        let mut ed = Edited::new(&big);
        for _ in 0..5 {
            ed.edit(&mut rng, kind, &coded);
        }
        let truth = ed.truth(bt.len_chars());
        let started = Instant::now();
        let (nt, placed) = reanchor(&big, &ed.file(), &cs);
        let took = started.elapsed();
        let chars: Vec<char> = nt.text().chars().collect();
        let mut tally = Tally::default();
        for (o, p) in cs.iter().zip(&placed) {
            tally.add(judge(o, p, &chars, &truth));
        }
        println!(
            "long transcript ({} words, {} chars), {} codings, 5 x {kind:?}: {:.0} ms; placed {}, \
             flagged {}, wrong {}",
            bt.word_count(),
            bt.len_chars(),
            cs.len(),
            took.as_secs_f64() * 1000.0,
            tally.placed,
            tally.flagged,
            tally.wrong
        );
    }
    if total.new.wrong > 0 {
        std::process::exit(1);
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Benchmark: agreement of two coders on a generated project the size of the demo (45
//! transcripts of ~6,000 words, 30 codes, 2 coders x 800 codings), in release mode:
//!
//!     cargo bench --bench agreement
//!
//! Or on a real project: CODEWERK_BENCH_PROJECT=. CODEWERK_BENCH_CODERS=student,onderzoeker
//! cargo bench --bench agreement

use codewerk::core::agreement::{By, Comparison, Options};
use codewerk::core::coding::{Anchor, Coding, Journal, Op};
use codewerk::core::project::Project;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: [&str; 24] = [
    "de",
    "leerling",
    "zorg",
    "één",
    "melding",
    "mentor",
    "coördinator",
    "thuis",
    "signalen",
    "gesprek",
    "ik",
    "wij",
    "ouders",
    "hè",
    "daarna",
    "privé",
    "ideeën",
    "reële",
    "twijfel",
    "school",
    "meldcode",
    "vertrouwen",
    "ĳverig",
    "situatie",
];

fn generate(root: &Path, transcripts: usize, words: usize, codes: usize, codings: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    std::fs::create_dir_all(root.join("codebook")).unwrap();
    std::fs::create_dir_all(root.join("transcripts")).unwrap();
    let mut cb = String::from(
        "{\"deelvragen\": [{\"number\": 1, \"title\": \"Een\"}, {\"number\": 2, \"title\": \"Twee\"}, \
         {\"number\": 3, \"title\": \"Drie\"}], \"codes\": [",
    );
    for c in 0..codes {
        if c > 0 {
            cb.push(',');
        }
        write!(
            cb,
            "{{\"id\": \"code-{c}\", \"name\": \"Code {c}\", \"deelvraag\": {}, \
             \"colour_name\": \"kleur\", \"colour\": \"#{:06X}\"}}",
            c % 3 + 1,
            (c * 0x050F2A) % 0xFFFFFF
        )
        .unwrap();
    }
    cb.push_str("]}");
    std::fs::write(root.join("codebook/codebook.json"), cb).unwrap();
    let groups = ["docent", "zorgcoördinator", "leidinggevende"];
    let mut csv = String::from("id,file,group\n");
    let mut lens = Vec::new();
    for t in 0..transcripts {
        let mut text = String::new();
        let mut n = 0;
        while n < words {
            text.push_str(if (n / 80) % 2 == 0 { "I: " } else { "R: " });
            for _ in 0..80 {
                text.push_str(WORDS[rng.below(WORDS.len())]);
                text.push(' ');
            }
            text.push_str("\n\n");
            n += 80;
        }
        lens.push(text.chars().count());
        std::fs::write(root.join(format!("transcripts/T{t:02}.txt")), text).unwrap();
        writeln!(csv, "T{t:02},T{t:02}.txt,{}", groups[t % 3]).unwrap();
    }
    std::fs::write(root.join("transcripts/respondents.csv"), csv).unwrap();

    // Coder A: `codings` passages of 50..600 characters. Coder B: the same with 60% exact,
    // 25% with moved boundaries, 15% left out, plus 15% passages of their own.
    let mk = |t: usize, code: usize, start: usize, end: usize| Coding {
        id: 0,
        transcript: format!("T{t:02}"),
        code: format!("code-{code}"),
        start,
        end,
        text: String::new(),
        memo: None,
        version: None,
        anchor: Anchor::Exact,
        line: 0,
    };
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..codings {
        let t = rng.below(transcripts);
        let code = rng.below(codes);
        let len = 50 + rng.below(550);
        let start = rng.below(lens[t] - len);
        a.push(mk(t, code, start, start + len));
        match rng.below(100) {
            0..60 => b.push(mk(t, code, start, start + len)),
            60..85 => {
                let s = start.saturating_sub(rng.below(40)) + rng.below(40);
                b.push(mk(t, code, s, (s + len + rng.below(60)).min(lens[t])));
            }
            _ => {}
        }
    }
    for _ in 0..codings * 15 / 100 {
        let t = rng.below(transcripts);
        let len = 50 + rng.below(550);
        let start = rng.below(lens[t] - len);
        b.push(mk(t, rng.below(codes), start, start + len));
    }
    // Journal lines quote their text, as real ones do.
    let project = Project::load(root).unwrap();
    for (coder, list) in [("student", a), ("onderzoeker", b)] {
        let mut j = Journal::open(&root.join("codings"), coder).unwrap();
        let ops = list
            .into_iter()
            .map(|mut c| {
                c.text = project
                    .transcript(&c.transcript)
                    .unwrap()
                    .slice(c.start, c.end)
                    .to_string();
                Op::Add(c)
            })
            .collect();
        j.record(ops).unwrap();
    }
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t0 = Instant::now();
            std::hint::black_box(f());
            t0.elapsed()
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<44} median {:8.3} ms   min {:8.3} ms   max {:8.3} ms   ({runs} runs)",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1])
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (root, coders) = match std::env::var("CODEWERK_BENCH_PROJECT") {
        Ok(p) => {
            let coders = std::env::var("CODEWERK_BENCH_CODERS")
                .unwrap_or_else(|_| "student,onderzoeker".into())
                .split(',')
                .map(str::to_string)
                .collect::<Vec<_>>();
            (std::path::PathBuf::from(p), coders)
        }
        Err(_) => {
            generate(dir.path(), 45, 6000, 30, 800);
            (
                dir.path().to_path_buf(),
                vec!["student".to_string(), "onderzoeker".to_string()],
            )
        }
    };
    let project = Project::load(&root).unwrap();
    let chars: usize = project
        .transcripts
        .iter()
        .map(codewerk::Transcript::len_chars)
        .sum();
    let codings: Vec<usize> = coders
        .iter()
        .map(|c| project.coders[c].codings.len())
        .collect();
    println!(
        "project: {} transcripts, {chars} characters, {} codes; codings per coder: {codings:?}",
        project.transcripts.len(),
        project.codebook.codes.len()
    );
    let cmp = Comparison::from_project(&project, &coders, Options::default()).unwrap();
    let r = cmp.report(By::Code);
    println!(
        "pooled: kappa {:?}, alpha {:?}, alpha nominal {:?}, segments {}/{}, disagreements {}",
        r.pooled.kappa,
        r.pooled.alpha,
        r.pooled.alpha_nominal,
        r.pooled.segments.matched,
        r.pooled.segments.matched + r.pooled.segments.unmatched,
        r.pooled.disagreements
    );
    let runs = 50;
    time("index + report by code (all measures)", runs, || {
        Comparison::from_project(&project, &coders, Options::default())
            .unwrap()
            .report(By::Code)
    });
    time("report by transcript", runs, || cmp.report(By::Transcript));
    time("report by group", runs, || cmp.report(By::Group));
    time("all disagreements (every code)", runs, || {
        cmp.all_disagreements()
    });
    time("Project::load (for comparison)", 10, || {
        Project::load(&root).unwrap()
    });
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Key-to-frame time of the TUI: handle one key and draw the whole screen, on a generated
//! transcript of 100,000 words with 2,000 codings (and, for comparison, a 3,000-word one).
//! Run with `cargo bench --bench tui`; prints median, p99 and max per transcript size.

use codewerk::core::coding::{Coding, Journal, Op};
use codewerk::core::project::Project;
use codewerk::tui::app::{App, Msg};
use codewerk::tui::draw;
use codewerk::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::time::Instant;

const WORDS: &[&str] = &[
    "leerling",
    "leerlingen",
    "zorgen",
    "zorg",
    "thuis",
    "ouders",
    "moeder",
    "vader",
    "mentor",
    "coördinator",
    "signalen",
    "signaal",
    "meldcode",
    "gesprek",
    "gesprekken",
    "eh",
    "nou",
    "ja",
    "dat",
    "is",
    "een",
    "de",
    "het",
    "van",
    "en",
    "ik",
    "wij",
    "hebben",
    "gezien",
    "blauwe",
    "plekken",
    "verzuim",
    "honger",
    "kleding",
    "één",
    "keer",
    "Veilig",
    "Thuis",
    "school",
    "klas",
];

fn make_project(dir: &std::path::Path, words: usize) {
    std::fs::create_dir_all(dir.join("codebook")).unwrap();
    std::fs::create_dir_all(dir.join("transcripts")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/codebook/codebook.json"),
        dir.join("codebook/codebook.json"),
    )
    .unwrap();
    let mut text = String::new();
    let mut seed: u64 = 42;
    let mut w = 0;
    let mut turn = 0;
    while w < words {
        text.push_str(if turn % 2 == 0 { "I: " } else { "R: " });
        let len = if turn % 2 == 0 {
            12
        } else {
            40 + (seed % 160) as usize
        };
        for i in 0..len {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(WORDS[(seed >> 33) as usize % WORDS.len()]);
            text.push_str(if i % 11 == 10 { ". " } else { " " });
        }
        w += len;
        turn += 1;
        text.push_str("\n\n");
    }
    std::fs::write(dir.join("transcripts/T.txt"), &text).unwrap();
    std::fs::write(
        dir.join("transcripts/respondents.csv"),
        "id,file,group\nT,T.txt,docent\n",
    )
    .unwrap();
}

fn add_codings(dir: &std::path::Path, n: usize) {
    let project = Project::load(dir).unwrap();
    let t = &project.transcripts[0];
    let codes: Vec<String> = project
        .codebook
        .codes
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let step = t.len_chars() / n;
    let ops: Vec<Op> = (0..n)
        .map(|i| {
            let start = i * step;
            let end = (start + 300).min(t.len_chars());
            Op::Add(Coding::quoted(t, &codes[i % codes.len()], start, end))
        })
        .collect();
    let mut j = Journal::open(&dir.join("codings"), "bench").unwrap();
    j.record(ops).unwrap();
}

fn measure(words: usize, codings: usize) {
    let dir = tempfile::tempdir().unwrap();
    make_project(dir.path(), words);
    add_codings(dir.path(), codings);
    let (w, h) = (160, 50);
    let project = Project::load(dir.path()).unwrap();
    let open = Instant::now();
    let mut app = App::new(project, "bench", Theme::dark(true), Rect::new(0, 0, w, h));
    let open_ms = open.elapsed().as_secs_f64() * 1e3;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| draw::draw(f, &app)).unwrap();
    // A coder's mix: lines, words, sentences, turns, pages, jumps, selecting.
    let script = "jjjjkkwwwbb))(}}{ ]][ jjjjjjjjjjjjjj}}}}}}}}}}";
    let mut times = Vec::new();
    for round in 0..60 {
        for c in script.chars() {
            let key = match c {
                ' ' => KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
                c => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            };
            let t0 = Instant::now();
            app.handle(Msg::Key(key));
            term.draw(|f| draw::draw(f, &app)).unwrap();
            times.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        if round % 20 == 19 {
            app.handle(Msg::Key(KeyEvent::new(
                KeyCode::Char('g'),
                KeyModifiers::NONE,
            )));
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    println!(
        "{words:>7} words, {codings:>4} codings, {} wrapped lines: open {open_ms:.1} ms; \
         key-to-frame over {} keys: median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        app.layout.lines.len(),
        times.len(),
        pct(0.5),
        pct(0.99),
        times.last().unwrap()
    );
}

fn main() {
    measure(3_000, 60);
    measure(100_000, 2_000);
}

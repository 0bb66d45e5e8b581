#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Key-to-frame time of the TUI: handle one key and draw the whole screen, on a generated
//! transcript of 100,000 words with 2,000 codings (and, for comparison, a 3,000-word one).
//! Then typing a query in the search view at 10,000 transcripts (the `codewerk bench-corpus`
//! generator, kept in `target/bench-corpus/tui-search-N/`): per-key latency with the search on
//! the index worker, against the search's own time and against searching on the key (as before
//! the worker). Then opening the agreement, matrix and clusters views at 10,000 transcripts
//! with two coders: how long the key holds up the UI thread when the view is computed on the
//! key (no job channel: the work runs at once, as before the background jobs) and when it is
//! computed on a thread of its own, and when the view arrives.
//! Run with `cargo bench --bench tui [-- --transcripts N --words W] [-- --only views]`.

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

fn pcts(mut times: Vec<f64>) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize];
    (pct(0.5), pct(0.99), *times.last().unwrap())
}

fn measure_search(n: usize, words: usize) {
    use codewerk::core::index::Index;
    use codewerk::core::index::search::{Query, search_all};
    use codewerk::tui::app::{Job, View};
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-corpus")
        .join(format!("tui-search-{n}-{words}"));
    if !dir.join("transcripts").join("respondents.csv").exists() {
        codewerk::core::index::synth::write_corpus(&dir, n, words, 1).unwrap();
    }
    let project = std::sync::Arc::new(Project::load(&dir).unwrap());
    let t0 = Instant::now();
    let (index, _) = Index::open(&project, &mut |_| {}).unwrap();
    let open_s = t0.elapsed().as_secs_f64();
    // What a coder types, a key at a time; every prefix is a query.
    // Common words, or-ed: each prefix from "de" on matches most units,
    // so that the search itself is slow enough to show whether it holds up the keys.
    let typed = "de OR het OR ik OR een";
    let prefixes: Vec<String> = (1..=typed.chars().count())
        .map(|k| typed.chars().take(k).collect())
        .collect();
    // The search's own time for each prefix, measured alone.
    let mut own = Vec::new();
    for q in &prefixes {
        let query = Query {
            text: q.clone(),
            limit: 200,
            ..Query::default()
        };
        let t = Instant::now();
        let _ = search_all(&*project, &index, &query);
        own.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (w, h) = (160, 50);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let run = |index: Index, worker: bool, term: &mut Terminal<TestBackend>| {
        let mut app = App::new(
            std::sync::Arc::clone(&project),
            "bench",
            Theme::dark(true),
            Rect::new(0, 0, w, h),
        );
        let (tx, rx) = std::sync::mpsc::channel();
        if worker {
            app.set_job_channel(tx);
        }
        app.handle(Msg::Job(Job::IndexReady(Ok((Box::new(index), None)))));
        app.handle(Msg::Key(KeyEvent::new(
            KeyCode::Char('/'),
            KeyModifiers::NONE,
        )));
        let mut per_key = Vec::new();
        let started = Instant::now();
        for c in typed.chars() {
            let t = Instant::now();
            app.handle(Msg::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
            term.draw(|f| draw::draw(f, &app)).unwrap();
            per_key.push(t.elapsed().as_secs_f64() * 1e3);
            // As the event loop does between keys: take what the worker answered.
            while let Ok(job) = rx.try_recv() {
                app.handle(Msg::Job(job));
            }
            // A fast typist: a key every 60 ms.
            std::thread::sleep(std::time::Duration::from_millis(60));
        }
        let searching = |app: &App| matches!(&app.view, Some(View::Search(v)) if v.searching);
        while searching(&app) {
            let job = rx.recv().unwrap();
            app.handle(Msg::Job(job));
        }
        let last = started.elapsed().as_secs_f64() * 1e3 - 60.0 * typed.chars().count() as f64;
        let total = match &app.view {
            Some(View::Search(v)) => v.total,
            _ => 0,
        };
        (per_key, last, total)
    };
    let (own50, own99, own_max) = pcts(own);
    println!(
        "search view at {n} transcripts x {words} words (index opened in {open_s:.1} s), \
         typing \"{typed}\" ({} keys, one per 60 ms):",
        prefixes.len()
    );
    println!(
        "  the search alone, per prefix: median {own50:.2} ms, p99 {own99:.2} ms, max {own_max:.2} ms"
    );
    // Searching on the key (no worker), as before the worker: the index is dropped with the
    // app, so it can be opened again below.
    let (per_key, _, total) = run(index, false, &mut term);
    let (k50, k99, kmax) = pcts(per_key);
    println!(
        "  key-to-frame, search on the key (no worker): median {k50:.3} ms, p99 {k99:.3} ms, \
         max {kmax:.3} ms ({total} hits)"
    );
    let (index, _) = Index::open(&project, &mut |_| {}).unwrap();
    let (per_key, last, total) = run(index, true, &mut term);
    let (k50, k99, kmax) = pcts(per_key);
    println!(
        "  key-to-frame, search on the index worker: median {k50:.3} ms, p99 {k99:.3} ms, \
         max {kmax:.3} ms; last hits ({total}) shown about {last:.1} ms after the last key"
    );
}

/// Two coders' codings on every transcript of the project in `dir`: four passages each, the
/// second coder's shifted a little and now and then with another code, so that the agreement
/// has overlaps, disagreements and codes only one coder used.
fn two_coders(dir: &std::path::Path) {
    let project = Project::load(dir).unwrap();
    let codes: Vec<String> = project
        .codebook
        .codes
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    for (coder, shift) in [("a", 0usize), ("b", 7)] {
        let mut ops = Vec::new();
        for t in &project.transcripts {
            let len = t.len_chars();
            for k in 0..4 {
                let start = (len / 4) * k + next(len / 8) + shift;
                let end = (start + 40 + next(200)).min(len);
                if start + 1 >= end {
                    continue;
                }
                let code = &codes[if coder == "b" && next(5) == 0 {
                    next(codes.len())
                } else {
                    (k * 3 + t.id.len()) % codes.len()
                }];
                ops.push(Op::Add(Coding::quoted(t, code, start, end)));
            }
        }
        let mut j = Journal::open(&dir.join("codings"), coder).unwrap();
        j.record(ops).unwrap();
    }
}

fn measure_views(n: usize, words: usize) {
    use codewerk::tui::app::View;
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-corpus")
        .join(format!("tui-views-{n}-{words}"));
    if !dir.join("codings").join("b.jsonl").exists() {
        codewerk::core::index::synth::write_corpus(&dir, n, words, 1).unwrap();
        two_coders(&dir);
    }
    let project = std::sync::Arc::new(Project::load(&dir).unwrap());
    let codings: usize = project.coders.values().map(|c| c.codings.len()).sum();
    println!(
        "views at {n} transcripts x {words} words, {codings} codings of 2 coders \
         (UI thread: the key's handling and the frame after it):"
    );
    let (w, h) = (160, 50);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    for (key, name) in [('A', "agreement"), ('M', "matrix"), ('C', "clusters")] {
        for worker in [false, true] {
            let mut app = App::new(
                std::sync::Arc::clone(&project),
                "a",
                Theme::dark(true),
                Rect::new(0, 0, w, h),
            );
            let (tx, rx) = std::sync::mpsc::channel();
            if worker {
                app.set_job_channel(tx);
            }
            let t = Instant::now();
            app.handle(Msg::Key(KeyEvent::new(
                KeyCode::Char(key),
                KeyModifiers::NONE,
            )));
            term.draw(|f| draw::draw(f, &app)).unwrap();
            let blocked = t.elapsed().as_secs_f64() * 1e3;
            while matches!(app.view, Some(View::Computing(_))) {
                let job = rx.recv().unwrap();
                app.handle(Msg::Job(job));
            }
            let shown = t.elapsed().as_secs_f64() * 1e3;
            assert!(app.view.is_some(), "{name}: {:?}", app.message);
            println!(
                "  {name:9} {}: UI thread blocked {blocked:8.1} ms, view shown after {shown:8.1} ms",
                if worker {
                    "in the background"
                } else {
                    "on the key       "
                }
            );
        }
    }
}

/// The machine's own noise, measured in the same run: a fixed piece of work about as long as a
/// key's median, timed as often as the keys are. Its p99 is what the key-to-frame p99 can be
/// compared with when other processes share the cores.
fn reference() {
    let mut times = Vec::new();
    for _ in 0..2760 {
        let t = Instant::now();
        let mut x: u64 = 1;
        for i in 0..400_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        std::hint::black_box(x);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (p50, p99, max) = pcts(times);
    println!(
        "reference (fixed busy loop, same run): median {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms; \
         load average {}",
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    if args.iter().any(|a| a == "views") {
        reference();
        return measure_views(arg("--transcripts", 10_000), arg("--words", 600));
    }
    reference();
    measure(3_000, 60);
    measure(100_000, 2_000);
    reference();
    measure_search(arg("--transcripts", 10_000), arg("--words", 3_000));
    measure_views(arg("--transcripts", 10_000), 600);
}

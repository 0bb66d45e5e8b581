#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Search benchmark: `cargo bench --bench search [-- --transcripts N] [-- --skip-large]`.
//!
//! Generates synthetic corpora (45 and N = 10,000 transcripts of ~3,000 Dutch words) under
//! `target/bench-corpus/`, then measures for each: index build time and MB/s, the time to open
//! an up-to-date index, p50/p99 latency of 20 realistic queries (in-process, with snippets, as the
//! TUI calls it), the same queries answered by `rg` over the same files (ratio), and the peak RSS
//! of an indexing and of a search process (`codewerk search` under /usr/bin/time -v).
//! Also the build time of the demo project (the repository root). Figures go to stdout and to
//! `target/bench-corpus/results.md`.

use codewerk::core::index::{Index, Query, search, synth};
use codewerk::core::project::Project;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// (tantivy query, an rg regex finding the same words; for AND queries rg gets the first term,
/// a lower bound on its work since it cannot require both in one turn).
const QUERIES: [(&str, &str); 20] = [
    ("meldcode", r"meldcode"),
    ("\"Veilig Thuis\"", r"Veilig Thuis"),
    ("signalen", r"signa(al|len)\b"),
    ("coordinator", r"\bco[öo]rdinator"),
    ("kindermishandeling AND melden", r"kindermishandeling"),
    ("zorg*", r"\bzorg\w*"),
    ("\"niet pluis\"", r"niet pluis"),
    ("leerlingen", r"\bleerling(en)?\b"),
    ("ouders NOT school", r"\bouders\b"),
    ("mentor AND gesprek", r"\bmentor"),
    ("\"huiselijk geweld\"", r"huiselijk geweld"),
    ("vertrouwen", r"\bvertrouwen\b"),
    ("verwijzen OR doorverwijzen", r"verwijzen"),
    ("mishandeling AND (vermoeden OR zorgen)", r"mishandeling"),
    ("aandachtsfunctionaris", r"aandachtsfunctionaris(sen)?"),
    ("ideeën", r"\bidee[eë]n\b"),
    ("gescheiden ouders", r"\bgescheiden\b"),
    ("\"blauwe plekken\"", r"blauwe plekken"),
    ("situaties", r"\bsituaties?\b"),
    ("financiële", r"\bfinanci(eel|ële|ele)\b"),
];

const RUNS: usize = 100;
const RG_RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --all-targets` does not: then do nothing, for a
    // 10,000-transcript corpus is no test. `--run` runs it anyway (e.g. in a debug build).
    if !args.iter().any(|a| a == "--bench" || a == "--run") {
        println!("search benchmark: run with `cargo bench --bench search`");
        return;
    }
    let large: usize = args
        .iter()
        .position(|a| a == "--transcripts")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let skip_large = args.iter().any(|a| a == "--skip-large");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let base = root.join("target").join("bench-corpus");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_codewerk"));
    let mut report = String::new();
    let _ = writeln!(report, "# codewerk search benchmark\n");
    let _ = writeln!(
        report,
        "machine: {} cores, load average at start {}; {}; binary {}\n",
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_default(),
        rg_version(),
        bin.display()
    );

    // The demo project: build time only (its corpus is still being written).
    if root.join("transcripts").join("respondents.csv").exists() {
        let started = Instant::now();
        let p = Project::load(&root).expect("demo project loads");
        let load = started.elapsed();
        let (build, bytes, units) = build(&p);
        let _ = writeln!(
            report,
            "## demo project ({} transcripts, {:.2} MB)\n\nload {:.0} ms; index build {:.0} ms \
             ({:.1} MB/s, {units} units)\n",
            p.transcripts.len(),
            bytes as f64 / 1e6,
            ms(load),
            ms(build),
            bytes as f64 / 1e6 / build.as_secs_f64()
        );
        println!("{report}");
    }

    let mut sizes = vec![45];
    if !skip_large {
        sizes.push(large);
    }
    for n in sizes {
        let dir = base.join(format!("corpus-{n}"));
        ensure_corpus(&dir, n);
        let section = bench_corpus(&dir, n, &bin);
        println!("{section}");
        report += &section;
    }
    let out = base.join("results.md");
    std::fs::write(&out, &report).expect("write results");
    println!("(written to {})", out.display());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn rg_version() -> String {
    Command::new("rg")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| "rg not installed".into())
}

fn ensure_corpus(dir: &Path, n: usize) {
    let marker = dir.join(".complete");
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let started = Instant::now();
    let stats = synth::write_corpus(dir, n, 3000, 42).expect("write corpus");
    std::fs::write(&marker, "").unwrap();
    println!(
        "generated {n} transcripts ({:.1} MB) in {:.1} s",
        stats.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
}

/// Build the index from scratch; (time, text bytes, units).
fn build(p: &Project) -> (Duration, u64, u64) {
    let dir = codewerk::core::index::index_dir(p);
    let _ = std::fs::remove_dir_all(&dir);
    let bytes: u64 = p.transcripts.iter().map(|t| t.text().len() as u64).sum();
    let started = Instant::now();
    let (ix, report) = Index::open(p, &mut |_| {}).expect("index builds");
    let took = started.elapsed();
    assert!(report.rebuilt.is_some());
    (took, bytes, ix.num_units())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn bench_corpus(dir: &Path, n: usize, bin: &Path) -> String {
    let mut out = String::new();
    let started = Instant::now();
    let p = Project::load(dir).expect("corpus loads");
    let load = started.elapsed();
    let words: usize = p
        .transcripts
        .iter()
        .map(codewerk::Transcript::word_count)
        .sum();
    let (build_time, bytes, units) = build(&p);
    let started = Instant::now();
    let (ix, report) = Index::open(&p, &mut |_| {}).expect("index opens");
    let reopen = started.elapsed();
    assert!(!report.changed(), "{report:?}");
    let index_bytes: u64 = std::fs::read_dir(ix.dir.as_ref().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    let _ = writeln!(
        out,
        "## {n} transcripts ({:.1} MB of text, {:.1} M words, {units} units)\n",
        bytes as f64 / 1e6,
        words as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "- project load (read + split turns): {:.2} s\n- index build: {:.2} s = {:.1} MB/s \
         (index on disk {:.0} MB)\n- open when up to date (hash check): {:.0} ms\n",
        load.as_secs_f64(),
        build_time.as_secs_f64(),
        bytes as f64 / 1e6 / build_time.as_secs_f64(),
        index_bytes as f64 / 1e6,
        ms(reopen)
    );

    // Query latency, in-process, top 20 with snippets.
    let mut all: Vec<f64> = Vec::new();
    let _ = writeln!(
        out,
        "| query | hits | p50 ms | p99 ms | rg ms | rg / p50 |\n|---|---:|---:|---:|---:|---:|"
    );
    let mut ratios = Vec::new();
    let mut worst_p99: f64 = 0.0;
    for (q, rg_pattern) in QUERIES {
        let query = Query {
            text: q.into(),
            limit: 20,
            ..Default::default()
        };
        let total = codewerk::core::index::search_all(&p, &ix, &query)
            .expect("query runs")
            .total;
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let hits = search(&p, &ix, &query).unwrap();
                std::hint::black_box(hits);
                ms(t.elapsed())
            })
            .collect();
        all.extend(&times);
        times.sort_by(f64::total_cmp);
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        worst_p99 = worst_p99.max(p99);
        let rg = rg_time(rg_pattern, &dir.join("transcripts"));
        let ratio = rg.map(|r| r / p50);
        if let Some(r) = ratio {
            ratios.push(r);
        }
        let _ = writeln!(
            out,
            "| `{q}` | {total} | {p50:.2} | {p99:.2} | {} | {} |",
            rg.map_or("-".into(), |r| format!("{r:.0}")),
            ratio.map_or("-".into(), |r| format!("{r:.0}x"))
        );
    }
    all.sort_by(f64::total_cmp);
    ratios.sort_by(f64::total_cmp);
    let _ = writeln!(
        out,
        "\nall {} query runs: p50 {:.2} ms, p99 {:.2} ms, worst per-query p99 {:.2} ms; \
         rg/tantivy ratio min {:.0}x, median {:.0}x\n",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        worst_p99,
        ratios.first().copied().unwrap_or(0.0),
        ratios.get(ratios.len() / 2).copied().unwrap_or(0.0),
    );

    // Peak RSS of whole processes.
    drop(ix);
    let idx = codewerk::core::index::index_dir(&p);
    let _ = std::fs::remove_dir_all(&idx);
    let mb = |k: Option<u64>| k.map_or("?".into(), |k| format!("{:.0}", k as f64 / 1024.0));
    let (t_index, rss_index) = time_v(bin, dir, &["search", "meldcode", "--limit", "20"]);
    let (t_search, rss_search) = time_v(bin, dir, &["search", "meldcode", "--limit", "20"]);
    let (t_check, rss_check) = time_v(bin, dir, &["check"]);
    let _ = writeln!(
        out,
        "- `codewerk search` process that builds the index: {t_index:.2} s wall, peak RSS {} MB\n\
         - `codewerk search` process, index up to date: {t_search:.2} s wall, peak RSS {} MB\n\
         - for comparison `codewerk check` (loads the project, no index): {t_check:.2} s wall, \
         peak RSS {} MB\n",
        mb(rss_index),
        mb(rss_search),
        mb(rss_check),
    );
    out
}

/// Median wall time of `rg -i -c PATTERN DIR` in ms.
fn rg_time(pattern: &str, dir: &Path) -> Option<f64> {
    let mut times = Vec::new();
    for _ in 0..RG_RUNS {
        let t = Instant::now();
        let status = Command::new("rg")
            .args(["-i", "-c", "--no-messages", pattern])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        if status.code() == Some(2) {
            return None;
        }
        times.push(ms(t.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

/// Run `codewerk -p DIR ARGS` under /usr/bin/time -v: (wall s, peak RSS KiB).
fn time_v(bin: &Path, dir: &Path, args: &[&str]) -> (f64, Option<u64>) {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(bin)
        .arg("-p")
        .arg(dir)
        .args(args)
        .stdout(Stdio::null())
        .output();
    let wall = t.elapsed().as_secs_f64();
    let rss = out.ok().and_then(|o| {
        String::from_utf8_lossy(&o.stderr).lines().find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
                .map(str::trim)
                .and_then(|v| v.parse().ok())
        })
    });
    (wall, rss)
}

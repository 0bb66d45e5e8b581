#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property test of the whole step through the core: random transcripts full of names (Dutch
//! words, accents, NFD, possessives) and random codings of two coders; after pseudonymisation
//! every coding quotes the new text at its offsets and no real name is left anywhere, and the
//! reverse gives back every file byte for byte.

use codewerk::core::project::Project;
use codewerk::core::pseudonym::project as pseudo;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::copy;

const WORDS: &[&str] = &[
    "ja",
    "nee",
    "de",
    "Jan",
    "jan",
    "Jan's",
    "Jan’s",
    "van",
    "Emma",
    "EMMA",
    "meldcode",
    "José",
    "Jose\u{301}",
    "coördinator",
    "één",
    "Vries",
    "Jansen",
    "Marjan",
    "\n",
    "\n\nR:",
    ",",
    "Kees",
];
const NAMES: &str = "real,pseudonym\nJan,Piet\nJan de Vries,Kees Bakker\nJosé,Joost\nEmma,Sara\n";

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 5..80)
        .prop_map(|ws| format!("R: {}\n", ws.join(" ")))
}

fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for dir in ["transcripts", "codings"] {
        for e in fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() && !p.to_string_lossy().ends_with(".lock") {
                out.insert(p.clone(), fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn journal(coder: &str, texts: &[(&str, &str)], cuts: &[(usize, usize, usize, bool)]) -> String {
    let mut out = String::new();
    for (i, &(which, s, len, memo)) in cuts.iter().enumerate() {
        let (id, text) = texts[which % texts.len()];
        // Offsets count the text as codewerk loads it (BOM off, LF, NFC), as the TUI makes them.
        let text = codewerk::core::transcript::normalise(text);
        let chars: Vec<char> = text.chars().collect();
        let s = s % chars.len();
        let e = (s + len).min(chars.len());
        if s >= e {
            continue;
        }
        let quote: String = chars[s..e].iter().collect();
        let mut rec = serde_json::json!({
            "seq": i + 1, "at": "2026-11-01T10:00:00Z", "coder": coder, "op": "add",
            "id": i + 1, "transcript": id, "code": "signalen", "start": s, "end": e,
            "text": quote,
        });
        if memo {
            rec["memo"] = "met Emma en José besproken".into();
        }
        // With its checksum, as codewerk writes it: the rewritten line must keep a right one.
        let mut rec: codewerk::core::coding::Record = serde_json::from_value(rec).unwrap();
        rec.seal();
        out += &serde_json::to_string(&rec).unwrap();
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn every_coding_is_exact_after_and_reverse_restores(
        t1 in text(),
        t2 in text(),
        a in prop::collection::vec((0usize..2, 0usize..500, 1usize..30, any::<bool>()), 1..25),
        b in prop::collection::vec((0usize..2, 0usize..500, 1usize..30, any::<bool>()), 0..10),
    ) {
        let dir = copy("valid");
        let root = dir.path();
        fs::write(root.join("transcripts/T1.txt"), &t1).unwrap();
        fs::write(root.join("transcripts/T2.txt"), &t2).unwrap();
        let texts = [("T1", t1.as_str()), ("T2", t2.as_str())];
        fs::write(root.join("codings/ana.jsonl"), journal("ana", &texts, &a)).unwrap();
        fs::write(root.join("codings/bo.jsonl"), journal("bo", &texts, &b)).unwrap();
        fs::write(root.join("names.csv"), NAMES).unwrap();
        let before = tree(root);
        let old = Project::load(root).unwrap();
        prop_assume!(!old.has_errors());
        let counts: Vec<usize> = old.coders.values().map(|c| c.codings.len()).collect();

        let plan = pseudo::plan(root, &root.join("names.csv"), true).unwrap();
        let key = root.join("key");
        pseudo::apply(plan, &key).unwrap();

        let new = Project::load(root).unwrap();
        prop_assert!(new.problems.is_empty(), "{:?}", new.problems);
        for state in old.coders.values().chain(new.coders.values()) {
            prop_assert!(state.unsealed.is_empty(), "{:?}", state.unsealed);
        }
        let after: Vec<usize> = new.coders.values().map(|c| c.codings.len()).collect();
        prop_assert_eq!(&counts, &after);
        for state in new.coders.values() {
            for c in state.codings.values() {
                let t = new.transcript(&c.transcript).unwrap();
                prop_assert_eq!(t.slice(c.start, c.end), c.text.as_str());
            }
        }
        let (names, _) = pseudo::read_names(&root.join("names.csv")).unwrap();
        // Each coding covers the same words as before: outside the names and pseudonyms the
        // text is the same, and a pseudonym is covered whole or not at all.
        for (coder, state) in &old.coders {
            for c in state.codings.values() {
                let n = &new.coders[coder].codings[&c.id];
                let t = old.transcript(&c.transcript).unwrap();
                let (_, map) = names.rewrite(t.text());
                let rest = |text: &str, from: usize, to: usize, reps: &[(usize, usize)]| {
                    text.chars()
                        .enumerate()
                        .filter(|&(i, _)| from <= i && i < to)
                        .filter(|&(i, _)| !reps.iter().any(|&(a, b)| a <= i && i < b))
                        .map(|(_, ch)| ch)
                        .collect::<String>()
                };
                let olds: Vec<(usize, usize)> =
                    map.reps.iter().map(|r| (r.old_start, r.old_end)).collect();
                let news: Vec<(usize, usize)> =
                    map.reps.iter().map(|r| (r.new_start, r.new_end)).collect();
                let nt = new.transcript(&c.transcript).unwrap();
                prop_assert_eq!(
                    rest(t.text(), c.start, c.end, &olds),
                    rest(nt.text(), n.start, n.end, &news)
                );
                for &(a, b) in &news {
                    let inside = n.start < b && a < n.end;
                    prop_assert!(!inside || (n.start <= a && b <= n.end));
                }
            }
        }
        let left = pseudo::scan(root, &names);
        prop_assert!(left.is_empty(), "{:?}", left);

        pseudo::reverse(root, &key).unwrap();
        prop_assert_eq!(tree(root), before);
    }
}

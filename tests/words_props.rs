#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Word frequencies against an independent recount, on random small projects.

use codewerk::core::project::Project;
use codewerk::core::stopwords::StopWords;
use codewerk::core::words::{WordsOptions, compare, frequencies};
use proptest::prelude::*;
use std::collections::HashMap;

const WORDS: &[&str] = &[
    "meldcode",
    "Meldcode",
    "MELDCODE",
    "coördinator",
    "coordinator",
    "één",
    "de",
    "het",
    "ja",
    "ouders",
    "signaal",
    "signalen",
    "leerling",
    "kind",
    "ik",
    "ab",
    "zorg",
    "2017",
    "Veilig",
    "thuis",
];
const SEPS: &[&str] = &[" ", ", ", ". ", "? ", " - ", "\n"];

/// A turn: interviewer or not, and (word, separator) indices.
type Turn = (bool, Vec<(usize, usize)>);

fn turn() -> impl Strategy<Value = Turn> {
    (
        any::<bool>(),
        prop::collection::vec((0..WORDS.len(), 0..SEPS.len()), 1..12),
    )
}

fn write_project(dir: &std::path::Path, transcripts: &[Vec<Turn>]) -> Vec<String> {
    std::fs::create_dir_all(dir.join("codebook")).unwrap();
    std::fs::create_dir_all(dir.join("transcripts")).unwrap();
    std::fs::write(
        dir.join("codebook/codebook.json"),
        r#"{"deelvragen": [{"number": 1, "title": "X", "question": "?"}], "codes": []}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("project.json"),
        r#"{"groups": [{"id": "docent", "plural": "docenten"}, {"id": "ouder"}]}"#,
    )
    .unwrap();
    let mut csv = "id,file,group,school,school_type\n".to_string();
    let mut texts = Vec::new();
    for (i, turns) in transcripts.iter().enumerate() {
        let group = if i % 2 == 0 { "docent" } else { "ouder" };
        csv += &format!("T{i},T{i}.txt,{group},S,x\n");
        let mut text = String::new();
        for (interviewer, words) in turns {
            text += if *interviewer { "I: " } else { "R: " };
            for (w, s) in words {
                text += WORDS[*w];
                // A line break inside a turn would end it: keep turns one paragraph.
                text += SEPS[*s].replace('\n', " ").as_str();
            }
            text += "\n\n";
        }
        std::fs::write(dir.join(format!("transcripts/T{i}.txt")), &text).unwrap();
        texts.push(text);
    }
    std::fs::write(dir.join("transcripts/respondents.csv"), csv).unwrap();
    texts
}

/// The independent count: paragraphs not starting with `I:`, split at anything not a letter or
/// digit, lower case, accents folded by hand, stop words and short words dropped.
fn recount(text: &str, stop: &StopWords) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for para in text.split("\n\n") {
        let Some(body) = para.strip_prefix("R: ") else {
            continue;
        };
        for w in body.split(|c: char| !c.is_alphanumeric()) {
            let w = w.to_lowercase().replace('ö', "o").replace('é', "e");
            if w.chars().count() < 3 || !w.chars().any(char::is_alphabetic) || stop.contains(&w) {
                continue;
            }
            *out.entry(w).or_default() += 1;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn counts_equal_an_independent_recount(
        transcripts in prop::collection::vec(prop::collection::vec(turn(), 1..6), 2..5)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let texts = write_project(dir.path(), &transcripts);
        let p = Project::load(dir.path()).unwrap();
        let stop = StopWords::builtin();
        let f = frequencies(&p, &WordsOptions::default(), &stop).unwrap();
        let mut expected: HashMap<String, (usize, usize)> = HashMap::new();
        let mut per_group: HashMap<(String, usize), usize> = HashMap::new();
        for (i, t) in texts.iter().enumerate() {
            for (w, n) in recount(t, &stop) {
                let e = expected.entry(w.clone()).or_default();
                e.0 += n;
                e.1 += 1;
                *per_group.entry((w, i % 2)).or_default() += n;
            }
        }
        let got: HashMap<String, (usize, usize)> =
            f.words.iter().map(|w| (w.key.clone(), (w.count, w.respondents))).collect();
        prop_assert_eq!(&got, &expected);
        // Parts in the project's group order; their counts add up to the word's.
        prop_assert_eq!(f.parts[0].value.as_str(), "docent");
        for w in &f.words {
            prop_assert_eq!(w.parts.iter().map(|c| c.count).sum::<usize>(), w.count);
            for (k, c) in w.parts.iter().enumerate() {
                prop_assert!(c.respondents <= f.parts[k].respondents);
                prop_assert_eq!(c.count, per_group.get(&(w.key.clone(), k)).copied().unwrap_or(0));
            }
        }
        // Most frequent first.
        prop_assert!(f.words.windows(2).all(|p| p[0].count >= p[1].count));
        // Keyness: only over-represented words, G² never negative, largest first.
        let k = compare(&f, "docenten").unwrap();
        let (c, d) = (f.parts[0].words as f64, (f.total_words - f.parts[0].words) as f64);
        for r in &k {
            prop_assert!(r.g2 >= -1e-9);
            prop_assert!(r.count as f64 * d > r.rest as f64 * c);
        }
        prop_assert!(k.windows(2).all(|p| p[0].g2 >= p[1].g2));
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Properties of the code tree: roll-ups against an independent recount, and merge then undo
//! giving back the codebook exactly.

use codewerk::core::codebook::Codebook;
use codewerk::core::codebook_history as history;
use codewerk::core::export::{Filter, Tally};
use codewerk::core::project::Project;
use codewerk::core::summary::code_stats;
use proptest::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

const TEXT: &str = "R: Een twee drie vier vijf zes zeven acht negen tien elf twaalf dertien.\n";

/// `parents[i]`: None, or an index below i (so the tree has no cycles); `codings`:
/// (respondent, code) pairs; `n_resp` respondents.
fn write_project(dir: &Path, parents: &[Option<usize>], n_resp: usize, codings: &[(usize, usize)]) {
    std::fs::create_dir_all(dir.join("codebook")).unwrap();
    std::fs::create_dir_all(dir.join("transcripts")).unwrap();
    std::fs::create_dir_all(dir.join("codings")).unwrap();
    std::fs::write(
        dir.join("project.json"),
        r#"{"name": "p", "groups": [{"id": "docent", "plural": "docenten"}, {"id": "leider", "plural": "leiders"}]}"#,
    )
    .unwrap();
    let codes: Vec<String> = parents
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let parent = p.map(|p| format!(r#", "parent": "c{p}""#)).unwrap_or_default();
            format!(
                r##"{{"id": "c{i}", "name": "Code {i}", "deelvraag": 1, "colour_name": "x", "colour": "#112233"{parent}}}"##
            )
        })
        .collect();
    std::fs::write(
        dir.join("codebook/codebook.json"),
        format!(
            r#"{{"deelvragen": [{{"number": 1, "title": "Een"}}], "codes": [{}]}}"#,
            codes.join(",\n")
        ),
    )
    .unwrap();
    let mut csv = "id,file,group,school,school_type\n".to_string();
    for r in 0..n_resp {
        let group = if r % 2 == 0 { "docent" } else { "leider" };
        csv += &format!("T{r},T{r}.txt,{group},S,\n");
        std::fs::write(dir.join(format!("transcripts/T{r}.txt")), TEXT).unwrap();
    }
    std::fs::write(dir.join("transcripts/respondents.csv"), csv).unwrap();
    let mut journal = String::new();
    for (n, (r, c)) in codings.iter().enumerate() {
        // Different places, so no two codings are the same line.
        let start = 3 + (n % 8) * 4;
        let text: String = TEXT.chars().skip(start).take(3).collect();
        journal += &serde_json::json!({
            "seq": n + 1, "at": "2026-11-01T10:00:00Z", "coder": "ann", "op": "add",
            "id": n + 1, "transcript": format!("T{r}"), "code": format!("c{c}"),
            "start": start, "end": start + 3, "text": text
        })
        .to_string();
        journal.push('\n');
    }
    std::fs::write(dir.join("codings/ann.jsonl"), journal).unwrap();
}

fn tree_and_codings() -> impl Strategy<Value = (Vec<Option<usize>>, usize, Vec<(usize, usize)>)> {
    (1usize..9, 1usize..6).prop_flat_map(|(n_codes, n_resp)| {
        let parents = (0..n_codes)
            .map(|i| {
                if i == 0 {
                    Just(None).boxed()
                } else {
                    prop_oneof![Just(None), (0..i).prop_map(Some)].boxed()
                }
            })
            .collect::<Vec<_>>();
        (
            parents,
            Just(n_resp),
            proptest::collection::vec((0..n_resp, 0..n_codes), 0..25),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn roll_up_is_the_union_of_the_subtree((parents, n_resp, codings) in tree_and_codings()) {
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), &parents, n_resp, &codings);
        let p = Project::load(dir.path()).unwrap();
        prop_assert!(!p.has_errors(), "{:?}", p.problems);
        // The independent recount: each coding counts for its code and every ancestor,
        // walking the generated parent indices (not the codebook's tree functions).
        let mut own: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        let mut rolled: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for &(r, c) in &codings {
            own.entry(c).or_default().insert(r);
            let mut at = Some(c);
            while let Some(x) = at {
                rolled.entry(x).or_default().insert(r);
                at = parents[x];
            }
        }
        let stats = code_stats(&p, "ann", true);
        prop_assert_eq!(stats.codes.len(), parents.len());
        for s in &stats.codes {
            let i: usize = s.code[1..].parse().unwrap();
            prop_assert_eq!(s.respondents, own.get(&i).map_or(0, BTreeSet::len));
            prop_assert_eq!(s.with_subcodes.respondents, rolled.get(&i).map_or(0, BTreeSet::len));
            prop_assert!(s.with_subcodes.respondents >= s.respondents);
            prop_assert!(s.with_subcodes.passages >= s.passages);
            for (g, rg) in s.by_group.iter().zip(&s.with_subcodes.by_group) {
                prop_assert!(rg.respondents >= g.respondents);
            }
        }
        // The exports count the same way (the Tally behind summary, report and matrix).
        let sel = Filter { include_interviewer: true, ..Filter::default() }.resolve(&p).unwrap();
        let tally = Tally::new(&sel, "ann");
        for (c, code) in sel.codes.iter().enumerate() {
            let i: usize = code.id[1..].parse().unwrap();
            let n = sel.count_with_subcodes(&tally, c, |_| true);
            prop_assert_eq!(n.respondents, rolled.get(&i).map_or(0, BTreeSet::len));
            prop_assert!(n.respondents >= sel.count(&tally, c, |_| true).respondents);
        }
        // Tree order: every sub-code comes after its parent.
        let pos: HashMap<&str, usize> =
            sel.codes.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        for code in &sel.codes {
            if let Some(parent) = &code.parent {
                prop_assert!(pos[parent.as_str()] < pos[code.id.as_str()]);
            }
        }
    }

    #[test]
    fn merge_then_undo_is_the_identity(
        (parents, n_resp, codings) in tree_and_codings(),
        a in 0usize..9,
        b in 0usize..9,
    ) {
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), &parents, n_resp, &codings);
        let path = Project::codebook_path(dir.path());
        let (a, b) = (a % parents.len(), b % parents.len());
        let before = std::fs::read(&path).unwrap();
        let loaded = Codebook::load(&path).unwrap();
        let merged = history::change(&path, "ann", "merge", |cb| {
            cb.merge(&format!("c{a}"), &format!("c{b}"))
        });
        let a_in_b = loaded.subtree(&format!("c{a}")).iter().any(|c| c.id == format!("c{b}"));
        match merged {
            Err(_) => {
                prop_assert!(a_in_b, "only a merge into itself or a sub-code is refused");
                prop_assert_eq!(std::fs::read(&path).unwrap(), before);
            }
            Ok(_) => {
                prop_assert!(!a_in_b);
                // Every coding of a now counts as b, for the stats too.
                let p = Project::load(dir.path()).unwrap();
                prop_assert!(!p.has_errors(), "{:?}", p.problems);
                let of = |id: &str| code_stats(&p, "ann", true).codes.iter()
                    .find(|s| s.code == id).map(|s| s.passages);
                let expect = codings.iter().filter(|(_, c)| *c == a || *c == b).count();
                prop_assert_eq!(of(&format!("c{b}")), Some(expect));
                prop_assert_eq!(of(&format!("c{a}")), None);
                history::undo(&path, "ann", &|_| 0).unwrap();
                let back: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                prop_assert_eq!(back, serde_json::from_slice::<serde_json::Value>(&before).unwrap());
                prop_assert_eq!(Codebook::load(&path).unwrap(), loaded);
            }
        }
    }
}

//! Tests of the comparison engine: hand-computed cases, and properties checked against a naive
//! one-flag-per-character reference implementation.

use super::*;
use crate::core::coding::{Anchor, CoderState, Coding};
use crate::core::transcript::Transcript;
use proptest::prelude::*;
use std::path::Path;

fn state(name: &str, codings: &[(&str, &str, usize, usize)]) -> CoderState {
    let mut s = CoderState::new(name);
    for (i, &(t, code, start, end)) in codings.iter().enumerate() {
        let id = i as u64 + 1;
        s.codings.insert(
            id,
            Coding {
                id,
                transcript: t.into(),
                code: code.into(),
                start,
                end,
                text: String::new(),
                memo: None,
                version: None,
                anchor: Anchor::Exact,
                line: 0,
            },
        );
    }
    s
}

fn input<'a>(lens: &[(&str, usize, &str)], coders: Vec<&'a CoderState>) -> Input<'a> {
    Input {
        transcripts: lens
            .iter()
            .map(|&(id, len, group)| TranscriptInfo {
                id: id.into(),
                len,
                group: group.into(),
            })
            .collect(),
        codes: ["a", "b", "c"]
            .iter()
            .map(|c| CodeInfo {
                id: c.to_string(),
                name: format!("Code {}", c.to_uppercase()),
            })
            .collect(),
        groups: vec![
            ("docent".into(), "docenten".into()),
            ("leiding".into(), "leidinggevenden".into()),
        ],
        coders,
    }
}

fn close(x: Option<f64>, y: f64) -> bool {
    x.is_some_and(|x| (x - y).abs() < 1e-9)
}

#[test]
fn hand_computed_single_code() {
    // 100 characters; A codes 10..30, B codes 20..40.
    // both 10, A only 10, B only 10, neither 70: p_o = .8, p_e = .2*.2 + .8*.8 = .68,
    // kappa = .12/.32 = .375. Alpha: n = 200, n_1 = 40, Σo_cc = 160:
    // 1 - 199 * 40 / (40000 - 1600 - 25600) = 0.378125.
    let a = state("ann", &[("T1", "a", 10, 30)]);
    let b = state("bob", &[("T1", "a", 20, 40)]);
    let cmp = Comparison::new(
        input(&[("T1", 100, "docent")], vec![&a, &b]),
        Options::default(),
    )
    .unwrap();
    let r = cmp.report(By::Code);
    assert_eq!(r.codes, vec!["a"]);
    let row = &r.rows[0];
    assert_eq!(
        row.table,
        Table2 {
            both: 10,
            a_only: 10,
            b_only: 10,
            neither: 70
        }
    );
    assert!(close(row.percent, 80.0));
    assert!(close(row.kappa, 0.375));
    assert!(close(row.alpha, 0.378125));
    assert_eq!(row.alpha_nominal, row.alpha);
    // Overlap 10 of 30: no passage matches at 90%, nor at 34%; at 33% both do.
    assert_eq!((row.segments.matched, row.segments.unmatched), (0, 2));
    assert_eq!(row.segments.percent, Some(0.0));
    // One code compared: Brennan & Prediger needs two.
    assert_eq!(row.segments.kappa_bp, None);
    assert_eq!(
        row.coders[0],
        CoderBase {
            coder: "ann".into(),
            passages: 1,
            coded_chars: 20
        }
    );
    assert_eq!(row.disagreements, 1);
    assert_eq!(r.pooled.kappa, row.kappa);
    let loose = Options {
        overlap: 33.0,
        ..Options::default()
    };
    let cmp = Comparison::new(input(&[("T1", 100, "docent")], vec![&a, &b]), loose).unwrap();
    assert_eq!(cmp.report(By::Code).rows[0].segments.matched, 2);
}

#[test]
fn nominal_alpha_by_hand() {
    // 10 characters. A: a 0..5, b 3..8. B: a 0..5, b 5..8.
    // Values A: {a} x3, {a,b} x2, {b} x3, {} x2; B: {a} x5, {b} x3, {} x2.
    // Characters 3 and 4 disagree; n = 20, Σo_cc = 16, n_c = 8, 2, 6, 4 (Σ n_c² = 120):
    // alpha = 1 - 19 * 4 / (400 - 120) = 0.728571...
    let a = state("ann", &[("T1", "a", 0, 5), ("T1", "b", 3, 8)]);
    let b = state("bob", &[("T1", "a", 0, 5), ("T1", "b", 5, 8)]);
    let cmp = Comparison::new(
        input(&[("T1", 10, "docent")], vec![&a, &b]),
        Options::default(),
    )
    .unwrap();
    let r = cmp.report(By::Transcript);
    assert!(close(r.pooled.alpha_nominal, 1.0 - 76.0 / 280.0));
    assert_eq!(r.rows[0].alpha_nominal, r.pooled.alpha_nominal);
    // Pooled over codes (20 units): both 8, A only 2, B only 0, neither 10.
    assert_eq!(
        r.pooled.table,
        Table2 {
            both: 8,
            a_only: 2,
            b_only: 0,
            neither: 10
        }
    );
    assert_eq!(r.pooled.units, 20);
    assert_eq!(r.pooled.characters, 10);
    // Segments: a matches (2 passages), b 3..8 vs 5..8 = 60%: 2 unmatched. 2 codes: chance .5.
    assert_eq!(
        (r.pooled.segments.matched, r.pooled.segments.unmatched),
        (2, 2)
    );
    assert!(close(r.pooled.segments.kappa_bp, 0.0));
}

#[test]
fn three_coders_binary_alpha_by_hand() {
    // 10 characters: A 0..4, B 0..4, C 0..2.
    // chars 0-1: (1,1,1); 2-3: (1,1,0); 4-9: (0,0,0). n = 30, Σo_cc = 6 + 2 + 18 = 26,
    // n_1 = 10, n_0 = 20: alpha = 1 - 29 * 4 / (900 - 100 - 400) = 0.71.
    let a = state("ann", &[("T1", "a", 0, 4)]);
    let b = state("bob", &[("T1", "a", 0, 4)]);
    let c = state("cas", &[("T1", "a", 0, 2)]);
    let cmp = Comparison::new(
        input(&[("T1", 10, "docent")], vec![&a, &b, &c]),
        Options::default(),
    )
    .unwrap();
    let r = cmp.report(By::Code);
    assert!(close(r.rows[0].alpha, 0.71));
    // Kappa is A vs B: identical.
    assert_eq!(r.rows[0].kappa, Some(1.0));
    assert_eq!(r.rows[0].coders.len(), 3);
    assert_eq!(r.rows[0].coders[2].coded_chars, 2);
}

#[test]
fn transcripts_compared_only_when_every_coder_worked_on_them() {
    let mut a = state("ann", &[("T1", "a", 0, 10), ("T2", "a", 0, 10)]);
    let b = state("bob", &[("T1", "a", 0, 10)]);
    a.done.insert("T3".into());
    let lens = [
        ("T1", 50, "docent"),
        ("T2", 50, "docent"),
        ("T3", 50, "leiding"),
        ("T4", 50, "leiding"),
    ];
    let cmp = Comparison::new(input(&lens, vec![&a, &b]), Options::default()).unwrap();
    let r = cmp.report(By::Code);
    assert_eq!(r.transcripts, vec!["T1"]);
    assert_eq!(r.transcripts_total, 4);
    assert_eq!(
        r.not_compared,
        vec![
            NotCompared {
                transcript: "T2".into(),
                coded_by: vec!["ann".into()]
            },
            NotCompared {
                transcript: "T3".into(),
                coded_by: vec!["ann".into()]
            },
        ]
    );
    assert_eq!(r.rows[0].kappa, Some(1.0));
    // A coder who marks a transcript done without coding anything has coded nothing there.
    let mut b2 = b.clone();
    b2.done.insert("T2".into());
    let cmp = Comparison::new(input(&lens, vec![&a, &b2]), Options::default()).unwrap();
    let r = cmp.report(By::Code);
    assert_eq!(r.transcripts, vec!["T1", "T2"]);
    assert_eq!(
        r.rows[0].table,
        Table2 {
            both: 10,
            a_only: 10,
            b_only: 0,
            neither: 80
        }
    );
    // All transcripts, as NVivo: the uncoded ones count as agreement on "not coded".
    let all = Options {
        scope: Scope::AllTranscripts,
        ..Options::default()
    };
    let cmp = Comparison::new(input(&lens, vec![&a, &b]), all).unwrap();
    let r = cmp.report(By::Group);
    assert_eq!(r.transcripts.len(), 4);
    assert!(r.not_compared.is_empty());
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.rows[1].label, "leidinggevenden");
    assert_eq!(
        r.rows[1].percent, None,
        "nothing coded in the leiding transcripts"
    );
    assert_eq!(r.pooled.table.total(), 200);
}

#[test]
fn unused_code_is_undefined_not_perfect() {
    let a = state("ann", &[("T1", "a", 0, 10)]);
    let b = state("bob", &[("T1", "a", 0, 10)]);
    let opts = Options {
        codes: vec!["a".into(), "Code C".into()],
        ..Options::default()
    };
    let cmp = Comparison::new(input(&[("T1", 40, "docent")], vec![&a, &b]), opts).unwrap();
    let r = cmp.report(By::Code);
    assert_eq!(r.codes, vec!["a", "c"]);
    let c = &r.rows[1];
    assert_eq!(
        (c.percent, c.kappa, c.alpha, c.alpha_nominal),
        (None, None, None, None)
    );
    assert_eq!((c.segments.percent, c.segments.kappa_bp), (None, None));
    assert_eq!(c.table.neither, 40);
    assert_eq!(r.rows[0].kappa, Some(1.0));
    // Nothing coded at all: the pooled row is undefined too.
    let a = state("ann", &[]);
    let mut b = state("bob", &[]);
    b.done.insert("T1".into());
    let mut a2 = a.clone();
    a2.done.insert("T1".into());
    let cmp = Comparison::new(
        input(&[("T1", 40, "docent")], vec![&a2, &b]),
        Options::default(),
    )
    .unwrap();
    let r = cmp.report(By::Code);
    assert!(r.rows.is_empty());
    assert_eq!(
        (
            r.pooled.percent,
            r.pooled.kappa,
            r.pooled.alpha,
            r.pooled.alpha_nominal
        ),
        (None, None, None, None)
    );
}

#[test]
fn units_are_unicode_scalar_values() {
    let t = Transcript::from_text(
        "T1",
        Path::new("t.txt"),
        "R: één ĳsje, graag.\n".to_string(),
    );
    assert_eq!(t.len_chars(), 20);
    assert!(t.text().len() > 20);
    let at = t.text().chars().position(|c| c == 'é').unwrap();
    let a = state("ann", &[("T1", "a", at, at + 3)]);
    let b = state("bob", &[("T1", "a", at, at + 9)]);
    let cmp = Comparison::new(
        input(&[("T1", t.len_chars(), "docent")], vec![&a, &b]),
        Options::default(),
    )
    .unwrap();
    let r = cmp.report(By::Code);
    assert_eq!(r.rows[0].characters, 20);
    assert_eq!(
        r.rows[0].table,
        Table2 {
            both: 3,
            a_only: 0,
            b_only: 6,
            neither: 11
        }
    );
    assert_eq!(r.rows[0].coders[0].coded_chars, 3);
}

#[test]
fn errors_are_explained() {
    let a = state("ann", &[]);
    let b = state("bob", &[]);
    let err = |coders: Vec<&CoderState>, opts: Options| {
        Comparison::new(input(&[("T1", 5, "docent")], coders), opts).unwrap_err()
    };
    assert_eq!(
        err(vec![&a], Options::default()),
        AgreementError::TooFewCoders
    );
    assert_eq!(
        err(vec![&a, &a], Options::default()),
        AgreementError::DuplicateCoder("ann".into())
    );
    let bad = Options {
        overlap: 0.0,
        ..Options::default()
    };
    assert_eq!(err(vec![&a, &b], bad), AgreementError::BadOverlap(0.0));
    let unknown = Options {
        codes: vec!["zz".into()],
        ..Options::default()
    };
    assert_eq!(
        err(vec![&a, &b], unknown),
        AgreementError::UnknownCode("zz".into())
    );
}

#[test]
fn disagreements_and_agreed_passages() {
    let a = state(
        "ann",
        &[
            ("T1", "a", 0, 10),
            ("T1", "a", 20, 30),
            ("T1", "b", 40, 50),
            ("T2", "a", 0, 5),
        ],
    );
    let b = state(
        "bob",
        &[
            ("T1", "a", 0, 10),
            ("T1", "a", 22, 30),
            ("T1", "c", 60, 70),
            ("T2", "a", 0, 5),
        ],
    );
    let lens = [("T1", 100, "docent"), ("T2", 100, "docent")];
    let cmp = Comparison::new(input(&lens, vec![&a, &b]), Options::default()).unwrap();
    let d = cmp.disagreements("a");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, Kind::BoundaryDiffers);
    assert_eq!(
        d[0].ranges,
        vec![DiffRange {
            start: 20,
            end: 22,
            coded_by: Side::A
        }]
    );
    assert_eq!(cmp.disagreements("Code B")[0].kind, Kind::AOnly);
    assert_eq!(cmp.disagreements("c")[0].kind, Kind::BOnly);
    assert!(cmp.disagreements("nope").is_empty());
    let all = cmp.all_disagreements();
    assert_eq!(
        all.iter().map(|c| c.items.len()).collect::<Vec<_>>(),
        vec![1, 1, 1]
    );
    let in_t1 = cmp.transcript_disagreements("T1");
    assert_eq!(
        in_t1.iter().map(|d| d.start).collect::<Vec<_>>(),
        vec![20, 40, 60]
    );
    let agreed: Vec<(String, usize)> = cmp
        .agreed_passages()
        .iter()
        .map(|c| (c.transcript.clone(), c.start))
        .collect();
    assert_eq!(agreed, vec![("T1".to_string(), 0), ("T2".to_string(), 0)]);
    let r = cmp.report(By::Code);
    assert_eq!(
        r.rows.iter().map(|r| r.disagreements).collect::<Vec<_>>(),
        vec![1, 1, 1]
    );
    assert_eq!(r.pooled.disagreements, 3);
    // Worst first: b and c (kappa 0 or below) before a.
    assert_eq!(r.worst_first().last().unwrap().key, "a");
}

#[test]
fn orphaned_codings_are_left_out_and_counted() {
    let a = state("ann", &[("T1", "a", 0, 10)]);
    let mut b = state("bob", &[("T1", "a", 0, 10), ("T1", "a", 50, 60)]);
    b.codings.get_mut(&2).unwrap().anchor = Anchor::Orphaned;
    let cmp = Comparison::new(
        input(&[("T1", 100, "docent")], vec![&a, &b]),
        Options::default(),
    )
    .unwrap();
    let r = cmp.report(By::Code);
    assert_eq!(r.orphaned_excluded, 1);
    assert_eq!(r.rows[0].kappa, Some(1.0));
}

// ---- properties, against a naive reference ----

const CODES: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
struct Case {
    texts: Vec<String>,
    /// Per coder: (transcript, code, start, end) in characters.
    coders: Vec<Vec<(usize, usize, usize, usize)>>,
}

fn case(max_coders: usize) -> impl Strategy<Value = Case> {
    let text = proptest::collection::vec(
        prop::sample::select(vec!['a', 'é', 'ë', 'ĳ', ' ', '\n', '€']),
        1..40,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>());
    let texts = proptest::collection::vec(text, 1..4);
    let coding = (0usize..4, 0usize..3, 0usize..40, 1usize..25);
    let coder = proptest::collection::vec(coding, 0..8);
    (texts, proptest::collection::vec(coder, 2..=max_coders)).prop_map(|(texts, raw)| {
        let coders = raw
            .into_iter()
            .map(|list| {
                list.into_iter()
                    .filter_map(|(t, code, s, l)| {
                        let t = t % texts.len();
                        let len = texts[t].chars().count();
                        let start = s % len;
                        let end = (start + l).min(len);
                        (start < end).then_some((t, code, start, end))
                    })
                    .collect()
            })
            .collect();
        Case { texts, coders }
    })
}

fn states(case: &Case) -> Vec<CoderState> {
    case.coders
        .iter()
        .enumerate()
        .map(|(k, list)| {
            let v: Vec<(String, &str, usize, usize)> = list
                .iter()
                .map(|&(t, c, s, e)| (format!("T{t}"), CODES[c], s, e))
                .collect();
            let refs: Vec<(&str, &str, usize, usize)> = v
                .iter()
                .map(|(t, c, s, e)| (t.as_str(), *c, *s, *e))
                .collect();
            let mut st = state(&format!("coder{k}"), &refs);
            // Every coder has looked at every transcript, so all are compared.
            for t in 0..case.texts.len() {
                st.done.insert(format!("T{t}"));
            }
            st
        })
        .collect()
}

fn case_input<'a>(case: &Case, coders: Vec<&'a CoderState>) -> Input<'a> {
    let lens: Vec<(String, usize)> = case
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("T{i}"), t.chars().count()))
        .collect();
    let refs: Vec<(&str, usize, &str)> = lens
        .iter()
        .map(|(id, l)| (id.as_str(), *l, "docent"))
        .collect();
    input(&refs, coders)
}

/// One flag per character: the obvious, slow computation.
fn naive(case: &Case, code: usize) -> (Table2, Coincidence) {
    let mut table = Table2::default();
    let mut coin = Coincidence::new();
    for (t, text) in case.texts.iter().enumerate() {
        for ch in 0..text.chars().count() {
            let flags: Vec<u32> = case
                .coders
                .iter()
                .map(|list| {
                    list.iter()
                        .any(|&(tt, c, s, e)| tt == t && c == code && s <= ch && ch < e)
                        as u32
                })
                .collect();
            match (flags[0], flags[1]) {
                (1, 1) => table.both += 1,
                (1, 0) => table.a_only += 1,
                (0, 1) => table.b_only += 1,
                _ => table.neither += 1,
            }
            coin.add_unit(&flags);
        }
    }
    (table, coin)
}

fn naive_nominal(case: &Case, codes: &[usize]) -> Coincidence {
    let mut coin = Coincidence::new();
    let mut ids: HashMap<Vec<usize>, u32> = HashMap::new();
    for (t, text) in case.texts.iter().enumerate() {
        for ch in 0..text.chars().count() {
            let values: Vec<u32> = case
                .coders
                .iter()
                .map(|list| {
                    let set: Vec<usize> = codes
                        .iter()
                        .copied()
                        .filter(|&code| {
                            list.iter()
                                .any(|&(tt, c, s, e)| tt == t && c == code && s <= ch && ch < e)
                        })
                        .collect();
                    let n = ids.len() as u32;
                    *ids.entry(set).or_insert(n)
                })
                .collect();
            coin.add_unit(&values);
        }
    }
    coin
}

fn same(x: Option<f64>, y: Option<f64>) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sweep_equals_per_character_reference(case in case(3)) {
        let sts = states(&case);
        let refs: Vec<&CoderState> = sts.iter().collect();
        let cmp = Comparison::new(case_input(&case, refs), Options::default()).unwrap();
        let r = cmp.report(By::Code);
        let chars: usize = case.texts.iter().map(|t| t.chars().count()).sum();
        prop_assert_eq!(r.pooled.characters as usize, chars);
        let mut used = Vec::new();
        for row in &r.rows {
            let code = CODES.iter().position(|c| *c == row.key).unwrap();
            used.push(code);
            let (table, coin) = naive(&case, code);
            prop_assert_eq!(row.table, table);
            prop_assert!(same(row.kappa, table.kappa()));
            prop_assert!(same(row.alpha, coin.alpha()), "{:?} vs {:?}", row.alpha, coin.alpha());
        }
        let nominal = naive_nominal(&case, &used);
        prop_assert!(same(r.pooled.alpha_nominal, nominal.alpha()), "{:?} vs {:?}", r.pooled.alpha_nominal, nominal.alpha());
    }

    #[test]
    fn identical_codings_agree_perfectly(case in case(2)) {
        let mut case = case;
        case.coders[1] = case.coders[0].clone();
        prop_assume!(!case.coders[0].is_empty());
        let sts = states(&case);
        let cmp = Comparison::new(case_input(&case, vec![&sts[0], &sts[1]]), Options::default()).unwrap();
        let r = cmp.report(By::Code);
        prop_assert!(!r.rows.is_empty());
        for row in r.rows.iter().chain([&r.pooled]) {
            // Unless a code covers every character (no variation: undefined), all are 1.
            if row.table.neither > 0 {
                prop_assert_eq!(row.kappa, Some(1.0));
                prop_assert_eq!(row.alpha, Some(1.0));
            }
            prop_assert_eq!(row.percent, Some(100.0));
            prop_assert_eq!(row.segments.percent, Some(100.0));
            prop_assert_eq!(row.disagreements, 0);
        }
        prop_assert!(cmp.all_disagreements().iter().all(|c| c.items.is_empty()));
    }

    #[test]
    fn swapping_coders_changes_no_measure(case in case(2), by in prop::sample::select(vec![By::Code, By::Transcript, By::Group])) {
        let sts = states(&case);
        let ab = Comparison::new(case_input(&case, vec![&sts[0], &sts[1]]), Options::default()).unwrap().report(by);
        let ba = Comparison::new(case_input(&case, vec![&sts[1], &sts[0]]), Options::default()).unwrap().report(by);
        prop_assert_eq!(ab.rows.len(), ba.rows.len());
        for (x, y) in ab.rows.iter().chain([&ab.pooled]).zip(ba.rows.iter().chain([&ba.pooled])) {
            prop_assert!(same(x.percent, y.percent));
            prop_assert!(same(x.kappa, y.kappa));
            prop_assert!(same(x.alpha, y.alpha));
            prop_assert!(same(x.alpha_nominal, y.alpha_nominal));
            prop_assert!(same(x.segments.percent, y.segments.percent));
            prop_assert!(same(x.segments.kappa_bp, y.segments.kappa_bp));
            prop_assert_eq!(x.segments.matched, y.segments.matched);
            prop_assert_eq!(x.disagreements, y.disagreements);
            prop_assert_eq!((x.table.a_only, x.table.b_only), (y.table.b_only, y.table.a_only));
            prop_assert_eq!(&x.coders[0], &y.coders[1]);
        }
    }

    #[test]
    fn code_neither_coder_used_is_undefined(case in case(3)) {
        let mut case = case;
        for list in &mut case.coders {
            list.retain(|&(_, code, _, _)| code != 2);
        }
        let sts = states(&case);
        let refs: Vec<&CoderState> = sts.iter().collect();
        let opts = Options { codes: vec!["c".into()], ..Options::default() };
        let r = Comparison::new(case_input(&case, refs), opts).unwrap().report(By::Code);
        let row = &r.rows[0];
        prop_assert_eq!((row.percent, row.kappa, row.alpha, row.alpha_nominal), (None, None, None, None));
        prop_assert_eq!(row.segments.percent, None);
        prop_assert_eq!(r.pooled.kappa, None);
    }

    #[test]
    fn units_are_characters_not_bytes(case in case(2)) {
        let sts = states(&case);
        let r = Comparison::new(case_input(&case, vec![&sts[0], &sts[1]]), Options::default()).unwrap().report(By::Transcript);
        for (row, text) in r.rows.iter().zip(&case.texts) {
            prop_assert_eq!(row.characters as usize, text.chars().count());
            prop_assert_eq!(row.table.total(), row.units);
        }
    }
}

#[test]
fn overlapping_passages_of_one_coder_are_one_segment_unless_kept_apart() {
    // A codes [3,13) and [8,18), B codes [3,18): the characters agree fully.
    let a = state("ann", &[("T1", "a", 3, 13), ("T1", "a", 8, 18)]);
    let b = state("bob", &[("T1", "a", 3, 18)]);
    let merged = Comparison::new(
        input(&[("T1", 100, "docent")], vec![&a, &b]),
        Options::default(),
    )
    .unwrap();
    let row = &merged.report(By::Code).rows[0];
    assert!(close(row.kappa, 1.0));
    assert_eq!((row.segments.matched, row.segments.unmatched), (2, 0));
    let apart = Comparison::new(
        input(&[("T1", 100, "docent")], vec![&a, &b]),
        Options {
            merge_overlapping: false,
            ..Options::default()
        },
    )
    .unwrap();
    let row = &apart.report(By::Code).rows[0];
    assert!(close(row.kappa, 1.0));
    assert_eq!(
        row.segments.matched, 0,
        "no passage of A overlaps B's by 90%"
    );
    // Touching passages are two segments either way.
    let t = state("tim", &[("T1", "a", 3, 10), ("T1", "a", 10, 18)]);
    let touching = Comparison::new(
        input(&[("T1", 100, "docent")], vec![&t, &b]),
        Options::default(),
    )
    .unwrap();
    let row = &touching.report(By::Code).rows[0];
    assert_eq!(row.segments.matched + row.segments.unmatched, 3);
}

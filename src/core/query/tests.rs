use super::*;
use crate::core::export::testutil;

fn q(p: &Project, s: &str) -> Expr {
    parse(s, &p.codebook).unwrap()
}

fn err(p: &Project, s: &str) -> QueryError {
    parse(s, &p.codebook).unwrap_err()
}

#[test]
fn parser_binds_and_tighter_than_or_and_near_tightest() {
    let dir = tempfile::tempdir().unwrap();
    let p = testutil::project(dir.path());
    let code = |i| Box::new(Expr::Code(i));
    assert_eq!(
        q(&p, "niet-pluis OR signalen AND twijfel"),
        Expr::Or(code(0), Box::new(Expr::And(code(1), code(2))))
    );
    assert_eq!(
        q(&p, "NOT niet-pluis NEAR signalen"),
        Expr::Not(Box::new(Expr::Near(code(0), code(1))))
    );
    assert_eq!(
        q(
            &p,
            "(\"Niet pluis GEVOEL\" OR signalen) FOLLOWED-BY Twijfel"
        ),
        Expr::FollowedBy(Box::new(Expr::Or(code(0), code(1))), code(2))
    );
}

#[test]
fn parser_errors_say_where_and_suggest_codes() {
    let dir = tempfile::tempdir().unwrap();
    let p = testutil::project(dir.path());
    let e = err(&p, "niet-pluis AND");
    assert_eq!(e.column, 15, "{e}");
    let e = err(&p, "niet-pluis signalen");
    assert_eq!(e.column, 12, "{e}");
    let e = err(&p, "(niet-pluis OR signalen");
    assert_eq!(e.column, 1, "{e}");
    let e = err(&p, "niet-pluis AND sginalen");
    assert_eq!(e.column, 16);
    assert!(
        e.message
            .contains("did you mean: \"Signalen herkennen\" (signalen)"),
        "{e}"
    );
    let e = err(&p, "xyzzy");
    assert!(
        e.message.contains("known: niet-pluis, signalen, twijfel"),
        "{e}"
    );
    assert_eq!(err(&p, "\"niet").column, 1);
    assert!(err(&p, "").message.contains("empty"));
    assert!(err(&p, &"(".repeat(40)).message.contains("deep"));
}

#[test]
fn scopes_count_respondents_turns_and_passages() {
    let dir = tempfile::tempdir().unwrap();
    let p = testutil::project(dir.path());
    let facts = Facts::new(&p, "ann", false).unwrap();
    let all: Vec<usize> = (0..p.respondents.len()).collect();
    // A-D1 has niet-pluis twice, A-Z niet-pluis and signalen (not overlapping, same turn).
    let m = facts.run(&q(&p, "niet-pluis"), Scope::Respondent, &all);
    assert_eq!(m.respondents, BTreeSet::from([0, 1]));
    let m = facts.run(
        &q(&p, "niet-pluis AND NOT signalen"),
        Scope::Respondent,
        &all,
    );
    assert_eq!(m.respondents, BTreeSet::from([0]));
    let m = facts.run(&q(&p, "niet-pluis NEAR signalen"), Scope::Respondent, &all);
    assert_eq!(m.respondents, BTreeSet::from([1]));
    let m = facts.run(
        &q(&p, "niet-pluis FOLLOWED-BY signalen"),
        Scope::Respondent,
        &all,
    );
    assert_eq!(
        m.respondents,
        BTreeSet::from([1]),
        "De coördinator … signalen"
    );
    let m = facts.run(
        &q(&p, "signalen FOLLOWED-BY niet-pluis"),
        Scope::Respondent,
        &all,
    );
    assert!(m.respondents.is_empty());
    // Passage scope: the two passages do not overlap, so AND finds none.
    let m = facts.run(&q(&p, "niet-pluis AND signalen"), Scope::Passage, &all);
    assert!(m.passages.is_empty());
    let m = facts.run(&q(&p, "niet-pluis"), Scope::Passage, &all);
    assert_eq!(m.passages.len(), 3);
    // Turn scope: A-D1's two passages are in two turns; NOT counts respondent turns only.
    let m = facts.run(&q(&p, "niet-pluis"), Scope::Turn, &all);
    assert_eq!(m.turns.len(), 3);
    let m = facts.run(&q(&p, "NOT niet-pluis"), Scope::Turn, &all);
    assert_eq!(m.turns.len(), 2, "B-D1's and B-D2's answers");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]
    /// Whatever the codings: A AND B ⊆ A, and |A AND NOT B| + |A AND B| = |A| at respondent
    /// level (and at the other scopes); respondent results equal a recount from the codings.
    #[test]
    fn query_algebra_holds(
        codings in proptest::collection::vec((0usize..4, 0usize..3, 0usize..40, 1usize..12), 0..30),
        a in 0usize..3, b in 0usize..3, op in 0usize..3,
    ) {
        use crate::core::coding::{Anchor, CoderState};
        use proptest::{prop_assert, prop_assert_eq};
        let dir = tempfile::tempdir().unwrap();
        let mut p = testutil::project(dir.path());
        let mut state = CoderState::new("prop");
        for (i, &(t, c, start, len)) in codings.iter().enumerate() {
            let n = p.transcripts[t].len_chars();
            let start = start.min(n - 1);
            let end = (start + len).min(n);
            let id = i as u64 + 1;
            state.codings.insert(id, Coding {
                id, transcript: p.respondents[t].id.clone(), code: p.codebook.codes[c].id.clone(),
                start, end, text: p.transcripts[t].slice(start, end).to_string(), memo: None,
                version: None, anchor: Anchor::Exact, line: 0,
            });
        }
        p.coders.insert("prop".into(), state);
        let facts = Facts::new(&p, "prop", true).unwrap();
        let all: Vec<usize> = (0..p.respondents.len()).collect();
        let ids = ["niet-pluis", "signalen", "twijfel"];
        let b_expr = match op {
            0 => ids[b].to_string(),
            1 => format!("({} NEAR {})", ids[b], ids[(b + 1) % 3]),
            _ => format!("({} FOLLOWED-BY {})", ids[(b + 1) % 3], ids[b]),
        };
        for scope in [Scope::Respondent, Scope::Turn, Scope::Passage] {
            let size = |s: &str| {
                let m = facts.run(&q(&p, s), scope, &all);
                match scope {
                    Scope::Respondent => m.respondents.len(),
                    Scope::Turn => m.turns.len(),
                    Scope::Passage => m.passages.len(),
                }
            };
            let na = size(ids[a]);
            let and = size(&format!("{} AND {b_expr}", ids[a]));
            let and_not = size(&format!("{} AND NOT {b_expr}", ids[a]));
            prop_assert!(and <= na);
            prop_assert_eq!(and + and_not, na, "{:?}", scope);
            let or = size(&format!("{} OR {b_expr}", ids[a]));
            prop_assert_eq!(or, na + size(&b_expr) - and);
        }
        // Independent recount at respondent level, straight from the codings.
        let has = |r: usize, code: &str| p.coders["prop"].codings.values()
            .any(|c| c.transcript == p.respondents[r].id && c.code == code);
        let m = facts.run(&q(&p, &format!("{} AND NOT {}", ids[a], ids[b])), Scope::Respondent, &all);
        let recount: BTreeSet<usize> = all.iter().copied().filter(|&r| has(r, ids[a]) && !has(r, ids[b])).collect();
        prop_assert_eq!(m.respondents, recount);
    }
}

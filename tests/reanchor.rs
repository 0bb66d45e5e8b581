#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Re-anchoring through random edits: every coding is either at its true new place or flagged;
//! none is on other text or on another occurrence of its text.

#[path = "common/edits.rs"]
mod edits;

use codewerk::core::coding::Anchor;
use edits::{Edited, KINDS, Kind, Rng, Tally, codings, judge, reanchor, transcript};
use proptest::prelude::*;

/// One random case: a transcript, codings on it, `kinds` edits; the tally of outcomes.
fn run(seed: u64, kinds: &[Kind]) -> (Tally, String) {
    let mut rng = Rng::new(seed);
    let paragraphs = 4 + rng.below(20);
    let old = transcript(&mut rng, paragraphs);
    let cs = codings(&mut rng, &old, 30);
    let coded: Vec<(usize, usize)> = cs.iter().map(|c| (c.start, c.end)).collect();
    let mut ed = Edited::new(&old);
    for &k in kinds {
        ed.edit(&mut rng, k, &coded);
    }
    let truth = ed.truth(old.chars().count());
    let (t, placed) = reanchor(&old, &ed.file(), &cs);
    let new_chars: Vec<char> = t.text().chars().collect();
    let old_chars: Vec<char> = old.chars().collect();
    let around = |v: &[char], a: usize, b: usize| -> String {
        v[a.saturating_sub(30).min(v.len())..(b + 30).min(v.len())]
            .iter()
            .collect()
    };
    let mut tally = Tally::default();
    let mut report = String::new();
    for (o, p) in cs.iter().zip(&placed) {
        let v = judge(o, p, &new_chars, &truth);
        if v.wrong > 0 {
            report += &format!(
                "coding {:?} at {}..{} placed at {}..{} ({:?}), truth {:?}\n  old {:?}\n  new {:?}\n",
                o.text,
                o.start,
                o.end,
                p.start,
                p.end,
                p.anchor,
                &truth[o.start..o.end],
                around(&old_chars, o.start, o.end),
                around(&new_chars, p.start, p.end),
            );
        }
        tally.add(v);
    }
    (tally, report)
}

fn kind() -> impl Strategy<Value = Kind> {
    (0..KINDS.len()).prop_map(|i| KINDS[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_coding_lands_on_the_wrong_words(seed in any::<u64>(), kinds in proptest::collection::vec(kind(), 1..5)) {
        let (tally, report) = run(seed, &kinds);
        prop_assert_eq!(tally.wrong, 0, "seed {} kinds {:?}:\n{}", seed, kinds, report);
    }
}

#[test]
fn every_edit_kind_alone_places_or_flags() {
    for &k in KINDS {
        let mut total = Tally::default();
        for seed in 0..150 {
            let (t, report) = run(seed, &[k]);
            assert_eq!(t.wrong, 0, "{k:?} seed {seed}:\n{report}");
            total.add(t);
        }
        // Most codings are far from a single edit and must simply move with the text.
        if !matches!(k, Kind::Reorder) {
            assert!(
                total.placed * 10 >= (total.placed + total.flagged) * 8,
                "{k:?}: too few placed: {total:?}"
            );
        }
    }
}

#[test]
fn a_file_saved_as_nfd_loses_no_coding() {
    for seed in 0..40 {
        let (t, report) = run(seed, &[Kind::Nfd]);
        assert_eq!((t.wrong, t.flagged), (0, 0), "seed {seed}: {t:?}\n{report}");
    }
}

/// The cases of the issue, by hand.
mod examples {
    use super::*;
    use codewerk::core::transcript::Transcript;
    use std::path::Path;

    fn coding_of(text: &str, needle: &str, occurrence: usize) -> codewerk::core::coding::Coding {
        let t = Transcript::from_text("T", Path::new("t"), text.to_string());
        let at = t.find_all(needle)[occurrence];
        codewerk::core::coding::Coding::quoted(&t, "c", at, at + needle.chars().count())
    }

    const OLD: &str = "I: Heeft u wel eens gebeld?\n\nR: Ja. We hebben toen Veilig Thuis gebeld, \
                       want de meldcode zegt dat.\n\nI: En daarna?\n\nR: Ja, nee. Daarna niets meer \
                       van Veilig Thuis gehoord, ja.\n";

    #[test]
    fn an_inserted_paragraph_moves_every_ja_exactly() {
        let new = OLD.replace(
            "I: En daarna?",
            "I: Ja?\n\nR: Ja ja, ja. Nee.\n\nI: En daarna?",
        );
        for occ in 0..3 {
            let c = coding_of(OLD, "Ja", occ.min(1));
            let (t, placed) = reanchor(OLD, &new, std::slice::from_ref(&c));
            let p = &placed[0];
            if !p.anchor.is_flagged() {
                assert_eq!(t.slice(p.start, p.end), "Ja");
                let expect = if c.start < OLD.find("I: En").unwrap() {
                    c.start
                } else {
                    c.start + new.chars().count() - OLD.chars().count()
                };
                assert_eq!(p.start, expect, "{p:?}");
            }
        }
    }

    #[test]
    fn a_coding_whose_text_was_deleted_is_flagged_not_moved() {
        // The second "Veilig Thuis" goes; the first one is still there.
        let c = coding_of(OLD, "Veilig Thuis", 1);
        let new = OLD.replace(" van Veilig Thuis gehoord", " gehoord");
        let (_, placed) = reanchor(OLD, &new, &[c]);
        assert!(placed[0].anchor.is_flagged(), "{:?}", placed[0]);
    }

    #[test]
    fn a_stuttered_word_makes_its_coding_ambiguous_or_exact() {
        let c = coding_of(OLD, "Ja", 1);
        let new = OLD.replace("R: Ja, nee.", "R: Ja, Ja, nee.");
        let (_, placed) = reanchor(OLD, &new, std::slice::from_ref(&c));
        match &placed[0].anchor {
            Anchor::Ambiguous { candidates } => assert!(candidates.len() >= 2),
            Anchor::Moved { .. } => assert_eq!(placed[0].start, c.start),
            other => panic!("{other:?}"),
        }
    }

    /// Places that must hold for codings `(old start, text)` after `old` became `new`: each
    /// coding is flagged or at `expect` (None: its text is gone).
    fn check(old: &str, new: &str, codings: &[(usize, &str, Option<usize>)]) -> Vec<Anchor> {
        let t = Transcript::from_text("T", Path::new("t"), old.to_string());
        let cs: Vec<_> = codings
            .iter()
            .map(|&(at, text, _)| {
                assert_eq!(t.slice(at, at + text.chars().count()), text);
                codewerk::core::coding::Coding::quoted(&t, "c", at, at + text.chars().count())
            })
            .collect();
        let (_, placed) = reanchor(old, new, &cs);
        for (p, &(at, text, expect)) in placed.iter().zip(codings) {
            if !p.anchor.is_flagged() {
                assert_eq!(Some(p.start), expect, "{text:?} at {at}: {p:?}");
            }
        }
        placed.into_iter().map(|p| p.anchor).collect()
    }

    #[test]
    fn one_of_three_repeated_words_deleted_leaves_the_others_flagged_or_right() {
        let head = "R: Nou, toen heb ik dat met de mentor besproken, en die zei ";
        let tail = " tegen mij, dus dat was dan dat. Daarna hebben we niets meer gehoord.\n";
        let old = format!("{head}ja ja ja{tail}");
        let new = format!("{head}ja ja{tail}");
        let h = head.chars().count();
        // The first "ja " is the one deleted; the others move three to the left.
        let anchors = check(
            &old,
            &new,
            &[
                (h, "ja", None),
                (h + 3, "ja", Some(h)),
                (h + 6, "ja", Some(h + 3)),
            ],
        );
        assert!(anchors[0].is_flagged(), "{anchors:?}");
    }

    #[test]
    fn a_repeated_paragraph_is_not_carried_onto_its_twin() {
        let q =
            "I: Kunt u daar iets meer over vertellen, bijvoorbeeld hoe dat toen precies ging?\n\n";
        let old = format!(
            "R: Eerste antwoord.\n\n{q}R: Tweede antwoord, over de meldcode.\n\n{q}R: Derde.\n"
        );
        // The second answer and the question after it are deleted.
        let new = format!("R: Eerste antwoord.\n\n{q}R: Derde.\n");
        let first = old.find("I: Kunt").unwrap();
        let second = old.rfind("I: Kunt").unwrap();
        let text = "Kunt u daar iets meer over vertellen";
        let anchors = check(
            &old,
            &new,
            &[(first + 3, text, Some(first + 3)), (second + 3, text, None)],
        );
        assert!(anchors[1].is_flagged(), "{anchors:?}");
    }

    #[test]
    fn a_long_quote_across_a_paragraph_break_spelled_anew_by_a_reorder_is_flagged() {
        // "denk?\n\nR: Ik misschien" spans the break between the first two paragraphs and
        // occurs once. The reorder parts them, and puts two other paragraphs together that
        // spell the same text: once in each version, but not the same words.
        let paras = [
            "I: Dat denk?",
            "R: Ik misschien ik signalen.",
            "I: Nee nee, niet denk?",
            "R: Zeker ja.",
            "I: Toen?",
            "R: Ik misschien ja de thuis.",
        ];
        let join = |order: &[usize]| -> String {
            order
                .iter()
                .map(|&i| paras[i])
                .collect::<Vec<_>>()
                .join("\n\n")
                + "\n"
        };
        let old = join(&[0, 1, 2, 3, 4, 5]);
        let new = join(&[1, 3, 0, 4, 2, 5]);
        let text = "denk?\n\nR: Ik misschien";
        assert_eq!(old.matches(text).count(), 1);
        assert_eq!(new.matches(text).count(), 1);
        let at = old.find(text).unwrap();
        let anchors = check(&old, &new, &[(at, text, None)]);
        assert!(anchors[0].is_flagged(), "{anchors:?}");
    }

    #[test]
    fn a_quote_across_a_break_is_not_placed_where_twins_of_its_paragraphs_meet() {
        // The coding spans the break between paragraphs 0 and 1. Paragraph 2 is a twin of 0,
        // and paragraph 5 begins as 1 does. The reorder parts 0 from 1 and puts 2 before 5:
        // the quote and all the context it had around it are there again, but of other
        // paragraphs.
        let paras = [
            "I: Zeg het maar, wat denk?",
            "R: Ik misschien ik signalen ja ja, dat wel.",
            "I: Zeg het maar, wat denk?",
            "R: Nou, zeker.",
            "I: En toen?",
            "R: Ik misschien ik signalen ja ja, of niet.",
            "I: Dank u.",
        ];
        let join = |order: &[usize]| -> String {
            order
                .iter()
                .map(|&i| paras[i])
                .collect::<Vec<_>>()
                .join("\n\n")
                + "\n"
        };
        let old = join(&[0, 1, 2, 3, 4, 5, 6]);
        let new = join(&[0, 3, 4, 1, 2, 5, 6]);
        let text = "denk?\n\nR: Ik misschien ik";
        assert_eq!(old.matches(text).count(), 1);
        assert_eq!(new.matches(text).count(), 1);
        let at = old.find(text).unwrap();
        let anchors = check(&old, &new, &[(at, text, None)]);
        assert!(anchors[0].is_flagged(), "{anchors:?}");
    }

    #[test]
    fn a_quote_across_a_break_is_not_placed_on_the_turn_of_a_twin() {
        // The coding spans the break between turns 0 and 1. Turn 4 is a twin of 0, and 7
        // begins as 1 does. After each reorder the quote occurs once, with all the context it
        // had around it, but its second half is the start of turn 7 ("of niet"), not of turn 1
        // ("dat wel"): other words.
        let paras = [
            "I: Zeg het maar, wat denk?",
            "R: Ik misschien ik signalen ja ja, dat wel.",
            "I: Hoe ging dat verder?",
            "R: Nou, zeker.",
            "I: Zeg het maar, wat denk?",
            "R: Dat weet ik niet meer.",
            "I: En toen?",
            "R: Ik misschien ik signalen ja ja, of niet.",
            "I: Dank u.",
        ];
        let join = |order: &[usize]| -> String {
            order
                .iter()
                .map(|&i| paras[i])
                .collect::<Vec<_>>()
                .join("\n\n")
                + "\n"
        };
        let old = join(&[0, 1, 2, 3, 4, 5, 6, 7, 8]);
        let text = "denk?\n\nR: Ik misschien ik";
        let at = old.find(text).unwrap();
        // Turn 0 before turn 7, and turn 4 before turn 7.
        for order in [[1, 5, 2, 4, 6, 3, 0, 7, 8], [2, 5, 6, 1, 4, 7, 3, 0, 8]] {
            let new = join(&order);
            assert_eq!(new.matches(text).count(), 1);
            let anchors = check(&old, &new, &[(at, text, None)]);
            assert!(anchors[0].is_flagged(), "{order:?}: {anchors:?}");
        }
    }

    #[test]
    fn a_quote_across_a_break_moves_with_its_two_paragraphs() {
        let paras: Vec<&str> = OLD.trim_end().split("\n\n").collect();
        let new = format!(
            "{}\n\n{}\n\n{}\n\n{}\n",
            paras[2], paras[3], paras[0], paras[1]
        );
        let text = "gebeld?\n\nR: Ja. We hebben";
        let c = coding_of(OLD, text, 0);
        let (t, placed) = reanchor(OLD, &new, &[c]);
        assert!(
            matches!(placed[0].anchor, Anchor::Moved { .. }),
            "{placed:?}"
        );
        let expect = new.find(text).unwrap();
        assert_eq!(placed[0].start, expect);
        assert_eq!(t.slice(placed[0].start, placed[0].end), text);
    }

    #[test]
    fn a_reordered_file_carries_long_quotes() {
        let paras: Vec<&str> = OLD.trim_end().split("\n\n").collect();
        let new = format!(
            "{}\n\n{}\n\n{}\n\n{}\n",
            paras[2], paras[3], paras[0], paras[1]
        );
        let c = coding_of(OLD, "We hebben toen Veilig Thuis gebeld", 0);
        let (t, placed) = reanchor(OLD, &new, &[c]);
        assert!(matches!(placed[0].anchor, Anchor::Moved { .. }));
        assert_eq!(
            t.slice(placed[0].start, placed[0].end),
            "We hebben toen Veilig Thuis gebeld"
        );
        assert_eq!(placed[0].version.as_deref(), Some(t.version()));
    }
}

/// Many more random cases than the property test: `STRESS=20000 cargo test --release --test
/// reanchor stress -- --ignored`.
#[test]
#[ignore]
fn stress() {
    let n: u64 = std::env::var("STRESS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let mut wrong = 0;
    for seed in 0..n {
        let mut rng = Rng::new(seed ^ 0xdead_beef);
        let kinds: Vec<Kind> = (0..1 + rng.below(5)).map(|_| *rng.pick(KINDS)).collect();
        let (t, report) = run(seed, &kinds);
        if t.wrong > 0 {
            wrong += 1;
            eprintln!("seed {seed} {kinds:?}:\n{report}");
        }
    }
    assert_eq!(wrong, 0);
}

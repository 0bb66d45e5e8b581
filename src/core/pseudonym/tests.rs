use super::*;
use proptest::prelude::*;

fn names(rows: &[(&str, &str)]) -> Names {
    Names::new(
        rows.iter()
            .enumerate()
            .map(|(i, (r, p))| NamePair {
                real: r.to_string(),
                pseudonym: p.to_string(),
                line: i + 1,
            })
            .collect(),
    )
}

#[test]
fn whole_words_case_and_accents_folded() {
    let n = names(&[("José", "Kees")]);
    let (out, _) = n.rewrite("jose, JOSÉ en Jose\u{301}! Josefien en nojose blijven.");
    assert_eq!(out, "Kees, Kees en Kees! Josefien en nojose blijven.");
}

#[test]
fn longest_name_wins_and_spaces_may_vary() {
    let n = names(&[("Jan", "Piet"), ("Jan de Vries", "Kees Bakker")]);
    let (out, map) = n.rewrite("Jan de Vries zei tegen Jan:\nJAN  DE\nVRIES");
    assert_eq!(out, "Kees Bakker zei tegen Piet:\nKees Bakker");
    assert_eq!(map.reps.len(), 3);
}

#[test]
fn dutch_possessives_and_apostrophes() {
    let n = names(&[("Jan", "Piet"), ("D'Souza", "Smit")]);
    assert_eq!(
        n.replace("Jan's fiets, Jan’s boek"),
        "Piet's fiets, Piet’s boek"
    );
    assert_eq!(n.replace("mevrouw D’Souza"), "mevrouw Smit");
    // Inside a word it is no name.
    assert_eq!(n.replace("Janssen en Marjan"), "Janssen en Marjan");
}

#[test]
fn offsets_carry_and_widen() {
    let n = names(&[("Jan", "Pieternel")]);
    let old = "ik zag Jan gisteren";
    let (new, map) = n.rewrite(old);
    assert_eq!(new, "ik zag Pieternel gisteren");
    // Before the name, after it, spanning it.
    assert_eq!((map.map_start(0), map.map_end(2)), (0, 2));
    assert_eq!((map.map_start(11), map.map_end(19)), (17, 25));
    assert_eq!((map.map_start(3), map.map_end(10)), (3, 16));
    // Starting or ending inside the name widens to the whole pseudonym.
    assert_eq!((map.map_start(8), map.map_end(9)), (7, 16));
    assert_eq!((map.map_start(8), map.map_end(13)), (7, 19));
    // A coding ending just before the name does not take it in.
    assert_eq!(map.map_end(7), 7);
}

#[test]
fn names_file_tolerates_bom_crlf_semicolons() {
    let n = Names::parse(
        Path::new("n.csv"),
        "\u{feff}real;pseudonym\r\nJan de Vries;Kees\r\n\r\nEmma;Sara\r\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(n.pairs.len(), 2);
    assert_eq!(n.pairs[1].real, "Emma");
    assert_eq!(n.pairs[1].line, 4);
}

#[test]
fn names_file_errors_name_the_line() {
    let err = Names::parse(
        Path::new("n.csv"),
        b"real,pseudonym\nJan,Piet\nEmma\njan,Kees\nSara,Jan\n",
    )
    .unwrap_err();
    let msgs: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let all = msgs.join("\n");
    assert!(
        all.contains("n.csv:3: error: a row needs a real name"),
        "{all}"
    );
    assert!(
        all.contains("n.csv:4: error: \"jan\" is listed before, on line 2"),
        "{all}"
    );
    assert!(
        all.contains("n.csv:5: error: the pseudonym \"Jan\" contains"),
        "{all}"
    );
}

const WORDS: &[&str] = &[
    "ja",
    "nee",
    "de",
    "Jan",
    "jan",
    "Jan's",
    "van",
    "Emma",
    "EMMA",
    "meldcode",
    "José",
    "Jose\u{301}",
    "coördinator",
    "één",
    "Veilig",
    "Thuis",
    "Jansen",
    "Vries",
    "\n",
    "’",
];

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 1..60).prop_map(|ws| ws.join(" "))
}

proptest! {
    #[test]
    fn codings_quote_the_new_text_and_map_back(
        text in text_strategy(),
        cuts in prop::collection::vec((0usize..400, 1usize..40), 0..20),
    ) {
        let n = names(&[
            ("Jan", "Pieter"),
            ("Jan de Vries", "K"),
            ("Emma", "Ed"),
            ("José", "Joost"),
            ("Veilig Thuis", "Zorg Centrum"),
        ]);
        let chars: Vec<char> = text.chars().collect();
        let (new, map) = n.rewrite(&text);
        let new_chars: Vec<char> = new.chars().collect();
        prop_assert!(n.find(&new).is_empty(), "a name is left in {new:?}");
        let back = map.inverse();
        for (s, len) in cuts {
            if chars.is_empty() { break; }
            let s = s % chars.len();
            let e = (s + len).min(chars.len());
            if s >= e { continue; }
            let (ns, ne) = (map.map_start(s), map.map_end(e));
            prop_assert!(ns < ne && ne <= new_chars.len());
            // Unless it was widened, the coding maps back to exactly where it was.
            let cut_name = map.reps.iter().any(|r| (r.old_start < s && s < r.old_end) || (r.old_start < e && e < r.old_end));
            if !cut_name {
                prop_assert_eq!((back.map_start(ns), back.map_end(ne)), (s, e));
            }
            // Outside the names the text is the same, character for character.
            for (i, &c) in chars.iter().enumerate().take(e).skip(s) {
                if !map.reps.iter().any(|r| r.old_start <= i && i < r.old_end) {
                    prop_assert_eq!(new_chars[map.map_start(i)], c);
                }
            }
        }
    }
}

#[test]
fn hyphenated_names_and_no_break_spaces() {
    let n = names(&[
        ("Jan", "Piet"),
        ("Jan-Willem", "Sem"),
        ("Anne Marie", "Eva"),
    ]);
    assert_eq!(n.replace("Jan-Willem en Jan-Peter"), "Sem en Piet-Peter");
    assert_eq!(n.replace("anne\u{a0}marie"), "Eva");
}

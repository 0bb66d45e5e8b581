use super::import::tests_api::{map_unit, mapped_text};
use super::*;
use crate::core::codebook::{Codebook, normalise_guid};
use proptest::prelude::*;
use std::path::Path;

#[test]
fn guids_compare_without_braces_and_case() {
    assert_eq!(
        normalise_guid("{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}").as_deref(),
        Some("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    );
    assert_eq!(normalise_guid("code-001-aaaa"), None);
    assert_eq!(normalise_guid("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeeg"), None);
    let g = random_guid();
    assert!(normalise_guid(&g).is_some());
    assert_eq!(stable_guid("x"), stable_guid("x"));
    assert_ne!(stable_guid("x"), stable_guid("y"));
}

const OLD: &str = r##"{"deelvragen":[{"number":1,"title":"Een"}],
"codes":[{"id":"a","name":"A","deelvraag":1,"colour_name":"x","colour":"#FFEE00"}]}"##;

#[test]
fn old_codebooks_load_and_new_fields_are_checked() {
    let cb = Codebook::parse(Path::new("c.json"), OLD).unwrap();
    assert_eq!(
        (cb.codes[0].guid.as_ref(), cb.codes[0].parent.as_ref()),
        (None, None)
    );
    // Saving an old codebook writes no new fields.
    assert!(!cb.to_json().unwrap().contains("guid"));
    let bad = r##"{"deelvragen":[{"number":1,"title":"Een"}],
"codes":[{"id":"a","name":"A","deelvraag":1,"colour_name":"x","colour":"#FFEE00","parent":"b","guid":"nope"},
{"id":"b","name":"B","deelvraag":1,"colour_name":"x","colour":"#FFEE00","parent":"a"},
{"id":"c","name":"C","deelvraag":1,"colour_name":"x","colour":"#FFEE00","parent":"zz"}]}"##;
    let msgs: Vec<String> = Codebook::parse(Path::new("c.json"), bad)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    let all = msgs.join("\n");
    assert!(all.contains("is not a GUID"), "{all}");
    assert!(all.contains("\"a\" is its own ancestor"), "{all}");
    assert!(all.contains("\"b\" is its own ancestor"), "{all}");
    assert!(all.contains("parent \"zz\" is not a code"), "{all}");
    let dup = r##"{"deelvragen":[{"number":1,"title":"Een"}],
"codes":[{"id":"a","name":"A","deelvraag":1,"colour_name":"x","colour":"#FFEE00","guid":"{11111111-2222-3333-4444-555555555555}"},
{"id":"b","name":"B","deelvraag":1,"colour_name":"x","colour":"#FFEE00","guid":"11111111-2222-3333-4444-555555555555"}]}"##;
    let msgs = Codebook::parse(Path::new("c.json"), dup).unwrap_err();
    assert!(msgs[0].message.contains("used by another code"));
}

#[test]
fn xml_text_is_escaped_and_empty_lists_left_out() {
    let qda = Qda {
        name: "a & \"b\"\n".into(),
        origin: "t".into(),
        codes: vec![QdaCode {
            guid: stable_guid("c"),
            name: "<x>".into(),
            codable: true,
            ..QdaCode::default()
        }],
        ..Qda::default()
    };
    let xml = write::project_xml(&qda);
    assert!(xml.contains("name=\"a &amp; &quot;b&quot;&#10;\""));
    assert!(xml.contains("name=\"&lt;x&gt;\""));
    for empty in [
        "<Users",
        "<Sources",
        "<Notes",
        "<Sets",
        "<Cases",
        "<Variables",
    ] {
        assert!(!xml.contains(empty), "{empty}");
    }
}

fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a", "b", " ", "\r\n", "\n", "é", "e\u{301}", "😀", "👍🏽", "’", "ö", "o\u{308}", "x",
    ])
}

proptest! {
    /// Under every unit, a position at a character boundary of the file maps to the same place
    /// of the normalised text, and a range between ASCII characters quotes the normalised
    /// slice of the file.
    #[test]
    fn positions_map_the_same_under_every_unit(pieces in prop::collection::vec(piece(), 0..40)) {
        let raw: String = pieces.concat();
        let chars: Vec<char> = raw.chars().collect();
        let text = mapped_text(&raw);
        let mut u16 = 0i64;
        let mut cp_lf = 0i64;
        let mut u16_lf = 0i64;
        for i in 0..=chars.len() {
            let inside_crlf = i > 0 && chars[i - 1] == '\r' && chars.get(i) == Some(&'\n');
            let a = map_unit(&raw, false, false, i as i64);
            prop_assert_eq!(a, map_unit(&raw, true, false, u16));
            if !inside_crlf {
                prop_assert_eq!(a, map_unit(&raw, false, true, cp_lf));
                prop_assert_eq!(a, map_unit(&raw, true, true, u16_lf));
            }
            prop_assert!(a.is_some_and(|a| a <= text.chars().count()));
            if let Some(c) = chars.get(i) {
                u16 += c.len_utf16() as i64;
                if !(*c == '\r' && chars.get(i + 1) == Some(&'\n')) {
                    cp_lf += 1;
                    u16_lf += c.len_utf16() as i64;
                }
            }
        }
        let first = chars.iter().position(char::is_ascii);
        let last = chars.iter().rposition(char::is_ascii);
        if let (Some(s), Some(e)) = (first, last)
            && s <= e
            && !(e > 0 && chars[e - 1] == '\r' && chars[e] == '\n')
        {
            use unicode_normalization::UnicodeNormalization;
            let fs = map_unit(&raw, false, false, s as i64).unwrap();
            let fe = map_unit(&raw, false, false, e as i64).unwrap();
            let quoted: String = text.chars().skip(fs).take(fe - fs).collect();
            let slice: String = chars[s..e].iter().collect();
            let want: String = slice.replace("\r\n", "\n").nfc().collect();
            prop_assert_eq!(quoted, want);
        }
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used)]
//! REFI-QDA export and import on the real binary: schema validity (xmllint), every sample of
//! `../shared/refi-qda/samples` with its codings on the right words, each quirk of NOTES.md,
//! round trips, and hostile packages.

use codewerk::core::project::Project;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

mod common;
use common::{codewerk, demo, json_of};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The peers' sample files live in the team's shared folder beside the checkout (CI lays a
/// copy there too); they are not committed (SOURCES.md).
fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("CODEWERK_REFI_SAMPLES")
        .map_or_else(|| repo().join("../shared/refi-qda/samples"), PathBuf::from);
    if dir.is_dir() {
        Some(dir)
    } else {
        // On CI the samples must be there: a skipped test there would pass without testing.
        assert!(
            std::env::var_os("CI").is_none(),
            "no REFI-QDA samples at {}",
            dir.display()
        );
        eprintln!(
            "\n*** SKIPPED: no REFI-QDA samples at {} (set CODEWERK_REFI_SAMPLES) ***\n",
            dir.display()
        );
        None
    }
}

fn xmllint() -> bool {
    let ok = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "xmllint is missing on CI: .ci/run installs libxml2-utils"
    );
    if !ok {
        eprintln!(
            "\n*** SKIPPED SCHEMA VALIDATION: xmllint is not installed \
             (apt-get install -y libxml2-utils) ***\n"
        );
    }
    ok
}

fn validate(xml: &[u8], schema: &str) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("doc.xml");
    std::fs::write(&f, xml).unwrap();
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(repo().join("tests/fixtures/refi").join(schema))
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{schema}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn qde_of(qdpx: &Path) -> Vec<u8> {
    let bytes = std::fs::read(qdpx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = zip.by_name("project.qde").unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut f, &mut out).unwrap();
    out
}

fn export(project: &Path, what: &str, out: &Path) {
    codewerk(project)
        .args(["export", what, "--out"])
        .arg(out)
        .assert()
        .success();
}

fn import(file: &Path, into: &Path, extra: &[&str]) -> serde_json::Value {
    json_of(
        codewerk(Path::new("."))
            .args(["import", "qdpx", "--json", "--into"])
            .arg(into)
            .arg(file)
            .args(extra),
    )
}

/// Everything a round trip must keep, by name (ids and GUIDs of passages may change).
fn canonical(root: &Path) -> BTreeSet<String> {
    let p = Project::load(root).unwrap();
    assert!(!p.has_errors(), "{:?}", p.problems);
    let cb = &p.codebook;
    let name = |id: &str| cb.code(id).map(|c| c.name.clone()).unwrap_or_default();
    let mut out = BTreeSet::new();
    for d in &cb.deelvragen {
        out.insert(format!("dv {} {} {}", d.number, d.title, d.question));
    }
    for c in &cb.codes {
        out.insert(format!(
            "code {} dv{} cat {:?} {} parent {:?} guid {:?} {}",
            c.name,
            c.deelvraag,
            c.category,
            c.colour,
            c.parent.as_deref().map(name),
            c.guid,
            c.description
        ));
    }
    for (coder, s) in &p.coders {
        for c in s.codings.values() {
            out.insert(format!(
                "coding {coder} {} {} {}..{} {:?} {:?}",
                c.transcript,
                name(&c.code),
                c.start,
                c.end,
                c.text,
                c.memo
            ));
        }
        for (code, memo) in &s.code_memos {
            out.insert(format!("codememo {coder} {} {memo}", name(code)));
        }
    }
    for (r, t) in p.respondents.iter().zip(&p.transcripts) {
        out.insert(format!(
            "resp {} {} {} {} {:?} text {}",
            r.id,
            r.group,
            r.school,
            r.school_type,
            r.attributes,
            t.text()
        ));
    }
    out
}

fn codings(root: &Path) -> Vec<codewerk::core::coding::Coding> {
    let p = Project::load(root).unwrap();
    p.coders
        .values()
        .flat_map(|s| s.codings.values().cloned())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Export

#[test]
fn the_demo_exports_a_valid_qdc_and_qdpx_with_stable_guids() {
    let d = demo();
    let qdc = d.path().join("a.qdc");
    let qdpx = d.path().join("a.qdpx");
    export(d.path(), "qdc", &qdc);
    export(d.path(), "qdpx", &qdpx);
    let xml = std::fs::read_to_string(&qdc).unwrap();
    assert!(xml.contains("isCodable=\"false\" ") || xml.contains("isCodable=\"false\">"));
    assert!(xml.contains("name=\"Deelvraag 1: Signaleren en handelen\""));
    assert!(xml.contains("color=\"#FFE135\""));
    // GUIDs were stored: a second export is byte for byte the same.
    let qdc2 = d.path().join("b.qdc");
    let qdpx2 = d.path().join("b.qdpx");
    export(d.path(), "qdc", &qdc2);
    export(d.path(), "qdpx", &qdpx2);
    assert_eq!(std::fs::read(&qdc).unwrap(), std::fs::read(&qdc2).unwrap());
    assert_eq!(
        std::fs::read(&qdpx).unwrap(),
        std::fs::read(&qdpx2).unwrap()
    );
    let cb = std::fs::read_to_string(d.path().join("codebook/codebook.json")).unwrap();
    assert_eq!(cb.matches("\"guid\"").count(), 20);
    let qde = qde_of(&qdpx);
    let text = String::from_utf8(qde.clone()).unwrap();
    assert!(text.contains("<User guid="));
    assert!(text.contains("<Variable guid=") && text.contains("name=\"school_type\""));
    assert!(text.contains("<Case guid="));
    assert!(text.contains("plainTextPath=\"internal://"));
    assert!(text.contains("<Note guid="));
    if xmllint() {
        validate(xml.as_bytes(), "Codebook.xsd");
        validate(&qde, "Project.xsd");
    }
}

#[test]
fn export_qdpx_takes_several_coders_and_refuses_an_unknown_one() {
    let d = demo();
    let out = d.path().join("one.qdpx");
    codewerk(d.path())
        .args(["export", "qdpx", "--coder", "student", "--out"])
        .arg(&out)
        .assert()
        .success();
    let qde = String::from_utf8(qde_of(&out)).unwrap();
    assert_eq!(qde.matches("<User ").count(), 1);
    let both = d.path().join("both.qdpx");
    codewerk(d.path())
        .args([
            "export",
            "qdpx",
            "--coder",
            "student",
            "--coder",
            "onderzoeker",
            "--out",
        ])
        .arg(&both)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(qde_of(&both))
            .unwrap()
            .matches("<User ")
            .count(),
        2
    );
    codewerk(d.path())
        .args(["export", "qdpx", "--coder", "nobody", "--out"])
        .arg(d.path().join("x.qdpx"))
        .assert()
        .code(2);
    // An existing file is not overwritten.
    codewerk(d.path())
        .args(["export", "qdpx", "--out"])
        .arg(&out)
        .assert()
        .failure();
}

// ---------------------------------------------------------------------------------------
// Round trips

#[test]
fn the_demo_round_trips_losslessly() {
    let d = demo();
    let first = d.path().join("1.qdpx");
    export(d.path(), "qdpx", &first);
    let a = d.path().join("a");
    import(&first, &a, &["--group-variable", "group"]);
    let second = d.path().join("2.qdpx");
    export(&a, "qdpx", &second);
    let b = d.path().join("b");
    import(&second, &b, &["--group-variable", "group"]);
    let (ca, cb) = (canonical(&a), canonical(&b));
    assert_eq!(ca, cb);
    // And against the original: the same codings, texts, memos and attributes.
    let orig: BTreeSet<String> = canonical(d.path())
        .into_iter()
        .filter(|l| l.starts_with("coding") || l.starts_with("resp") || l.starts_with("codememo"))
        .collect();
    let back: BTreeSet<String> = ca
        .into_iter()
        .filter(|l| l.starts_with("coding") || l.starts_with("resp") || l.starts_with("codememo"))
        .collect();
    assert_eq!(orig.len(), back.len());
    assert_eq!(orig, back);
    // The codebook: names, colours, categories, deelvragen.
    let pa = Project::load(&a).unwrap();
    let po = Project::load(d.path()).unwrap();
    assert_eq!(pa.codebook.deelvragen, po.codebook.deelvragen);
    for c in &po.codebook.codes {
        let back = pa.codebook.resolve(&c.name).unwrap();
        assert_eq!(
            (back.colour, &back.category, back.deelvraag, &back.guid),
            (c.colour, &c.category, c.deelvraag, &c.guid)
        );
    }
}

/// A small project with emoji, combining marks, CRLF and a sub-code.
fn tricky_project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir_all(p.join("codebook")).unwrap();
    std::fs::create_dir_all(p.join("transcripts")).unwrap();
    std::fs::write(
        p.join("codebook/codebook.json"),
        r##"{"deelvragen":[{"number":1,"title":"Eén","question":"Hoe?"}],
"codes":[{"id":"a","name":"Zorg ’s nachts","deelvraag":1,"category":"Signaleren","colour_name":"geel","colour":"#FFE135"},
{"id":"b","name":"Sub","deelvraag":1,"category":"Signaleren","colour_name":"rood","colour":"#AA0000","parent":"a"}]}"##,
    )
    .unwrap();
    std::fs::write(
        p.join("transcripts/respondents.csv"),
        "id,file,group,school,school_type,leeftijd\nR1,R1.txt,docent,School A,vmbo,41\n",
    )
    .unwrap();
    // CRLF and a decomposed ë on disk: codewerk reads it as LF (NFC is the importer's job).
    std::fs::write(
        p.join("transcripts/R1.txt"),
        "I: Hoe gaat het? 😀\r\n\r\nR: De coördinator 👍🏽 zei één ding: het gaat goed.\r\n",
    )
    .unwrap();
    let t = "I: Hoe gaat het? 😀\n\nR: De coördinator 👍🏽 zei één ding: het gaat goed.\n";
    let chars: Vec<char> = t.chars().collect();
    let find = |s: &str| {
        let cs: Vec<char> = s.chars().collect();
        (0..chars.len())
            .find(|&i| chars[i..].starts_with(&cs))
            .unwrap()
    };
    let s1 = find("De coördinator");
    let e1 = s1 + "De coördinator 👍🏽".chars().count();
    let s2 = find("één ding");
    let e2 = s2 + "één ding".chars().count();
    std::fs::create_dir_all(p.join("codings")).unwrap();
    let rec = |seq: u64, code: &str, s: usize, e: usize, text: &str, memo: &str| {
        format!(
            r#"{{"seq":{seq},"at":"2026-11-28T18:33:41Z","coder":"ann","op":"add","id":{seq},"transcript":"R1","code":"{code}","start":{s},"end":{e},"text":"{text}","memo":"{memo}"}}"#
        )
    };
    let journal = format!(
        "{}\n{}\n{}\n",
        rec(
            1,
            "a",
            s1,
            e1,
            "De coördinator 👍🏽",
            "met “aanhalingstekens” & <tags>"
        ),
        rec(2, "b", s2, e2, "één ding", "regel 1\\nregel 2"),
        r#"{"seq":3,"at":"2026-11-28T18:33:41Z","coder":"ann","op":"code_memo","code":"a","before":null,"after":"memo over de code"}"#
    );
    std::fs::write(p.join("codings/ann.jsonl"), journal).unwrap();
    d
}

#[test]
fn a_project_with_emoji_combining_marks_and_crlf_round_trips() {
    let d = tricky_project();
    let orig = canonical(d.path());
    let first = d.path().join("1.qdpx");
    export(d.path(), "qdpx", &first);
    if xmllint() {
        validate(&qde_of(&first), "Project.xsd");
    }
    let a = d.path().join("a");
    import(&first, &a, &["--group-variable", "group"]);
    let second = d.path().join("2.qdpx");
    export(&a, "qdpx", &second);
    let b = d.path().join("b");
    import(&second, &b, &["--group-variable", "group"]);
    assert_eq!(canonical(&a), canonical(&b));
    let keep = |s: BTreeSet<String>| -> BTreeSet<String> {
        s.into_iter().filter(|l| !l.starts_with("code ")).collect()
    };
    assert_eq!(keep(orig), keep(canonical(&a)));
    let pa = Project::load(&a).unwrap();
    let sub = pa.codebook.resolve("Sub").unwrap();
    assert_eq!(
        sub.parent.as_deref(),
        Some(pa.codebook.resolve("Zorg ’s nachts").unwrap().id.as_str())
    );
}

// ---------------------------------------------------------------------------------------
// The samples

fn sample(name: &str) -> Option<PathBuf> {
    samples().map(|d| d.join(name))
}

fn quotes_of(root: &Path) -> Vec<(String, String, usize, usize)> {
    let p = Project::load(root).unwrap();
    assert!(!p.has_errors(), "{:?}", p.problems);
    let cb = &p.codebook;
    codings(root)
        .into_iter()
        .map(|c| {
            (
                cb.code(&c.code).unwrap().name.clone(),
                c.text.clone(),
                c.start,
                c.end,
            )
        })
        .collect()
}

#[test]
fn nvivo_windows_utf16_crlf_bom_and_capital_sources_folder() {
    let Some(f) = sample("nvivo-win-12.6_oltas.qdpx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["written"]["codings"], 97);
    let unit = r["positions"][0]["unit"].as_str().unwrap();
    assert_eq!(unit, "UTF-16 code units, CRLF counted as 2");
    let q = quotes_of(&into);
    // Before it lie many emoji (2 UTF-16 units each) and CRLFs (2 each).
    assert!(q.iter().any(|(_, t, s, _)| *s == 2483
        && t == "Mi az a fityesznek? Akkor írják át amikor akarják 🤣🤣🤣"));
    assert!(
        q.iter()
            .any(|(_, t, ..)| t.starts_with("Na mi van? Nem mertétek kötelezővé tenni?"))
    );
    assert!(q.iter().any(|(_, t, ..)| {
        t.starts_with("Természetesen a transzhumanista ügynök szándékosan nem beszél arról")
            && t.ends_with("watch?v=cxUp2aWkEnk&t=454s")
    }));
    // The text is LF, without BOM.
    let text = std::fs::read_to_string(into.join("transcripts/videos_selection.txt")).unwrap();
    assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
}

#[test]
fn nvivo_mac_utf16_positions_land_on_the_same_words() {
    let Some(f) = sample("nvivo-mac-12.7.0_OltasSzkepticizmus_17June.qdpx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["written"]["codings"], 297);
    let q = quotes_of(&into);
    assert!(
        q.iter()
            .any(|(_, t, ..)| t == "Nem tehetik kötelezővé! 😡😡")
    );
    assert!(q.iter().any(|(_, t, s, e)| (*s, *e) == (220, 396)
        && t.starts_with("Na mi van? Nem mertétek kötelezővé tenni?")));
    assert!(q.iter().any(|(_, t, ..)| {
        t.starts_with("CDC announces 79% of all U.S. omicron cases have occurred in")
    }));
    // The unit was detected from the selections, not only assumed from the origin.
    let positions = r["positions"].to_string();
    assert!(
        positions.contains("294/297 on word boundaries"),
        "{positions}"
    );
}

#[test]
fn nvivo_mac_15_empty_sources_are_listed_and_nested_codes_kept() {
    let Some(f) = sample("nvivo-mac-15.0.0_qc_nvivo_project.qdpx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["written"]["codes"], 262);
    let skipped = r["skipped"].to_string();
    assert!(skipped.contains("is empty"), "{skipped}");
    let p = Project::load(&into).unwrap();
    let programming = p.codebook.resolve("programming").unwrap();
    let competencies = p
        .codebook
        .code(programming.parent.as_deref().unwrap())
        .unwrap();
    assert_eq!(competencies.name, "competencies");
}

#[test]
fn qc_paths_without_scheme_and_several_codings_per_selection() {
    let Some(f) = sample("qc-1.3.2_demo.qdpx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["read"]["selections"], 158);
    assert_eq!(r["written"]["codings"], 205);
    let q = quotes_of(&into);
    assert!(q.iter().any(|(code, t, s, e)| code == "fun"
        && (*s, *e) == (320, 400)
        && t == "This district goal is engage every student in joyful, purposeful learning that \n"));
    assert!(into.join("transcripts/board_2017.txt").exists());
}

#[test]
fn maxqda_codes_colours_descriptions_and_sets_listed() {
    let Some(f) = sample("maxqda-24.7.0_ICLS_Conf_Themes_ALL_just10.qdpx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["written"]["codes"], 307);
    assert_eq!(r["written"]["sources"], 10);
    assert!(r["converted"].to_string().contains("2 set(s) of sources"));
    let p = Project::load(&into).unwrap();
    assert!(
        p.respondents
            .iter()
            .all(|r| r.attribute("sets").is_some_and(|s| !s.is_empty()))
    );
    let c = p.codebook.resolve("THEME - Affinity Spaces (Gee)").unwrap();
    assert_eq!(c.colour.to_string(), "#EF8256");
    assert!(c.description.starts_with("Apply this code when"));
    assert!(c.parent.is_some());
}

#[test]
fn atlas_ti_samples_import() {
    let Some(blank) = sample("atlasti-win-23.2.3_blank-atlas-project.qdpx") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    import(&blank, &d.path().join("blank"), &[]);
    let target = sample("atlasti-win-23.2.3_target-atlas-project.qdpx").unwrap();
    let r = import(&target, &d.path().join("t"), &[]);
    assert_eq!(r["written"]["codes"], 3);
    let p = Project::load(&d.path().join("t")).unwrap();
    let child = p.codebook.resolve("2022-05-10T02:05:59Z 19e4dce").unwrap();
    assert_eq!(
        p.codebook
            .code(child.parent.as_deref().unwrap())
            .unwrap()
            .name,
        "Commits"
    );
}

#[test]
fn taguette_codebook_with_empty_sets_merges() {
    let Some(f) = sample("taguette-1.4.1_uto_tag_codebook.qdc") else {
        return;
    };
    let d = demo();
    let v = json_of(codewerk(d.path()).args(["import", "qdc", "--json"]).arg(&f));
    assert_eq!(v["written"]["codes"], 3);
    let p = Project::load(d.path()).unwrap();
    assert!(!p.has_errors());
    let c = p.codebook.resolve("Variables").unwrap();
    assert_eq!(
        c.guid.as_deref(),
        Some("DD1B8AD4-9B6E-5BE2-BD0B-FDE7DEAFDDA4")
    );
    assert_eq!(c.deelvraag, 4);
    // Importing it again adds nothing: same GUID, same code.
    let out = codewerk(d.path())
        .args(["import", "qdc", "--json"])
        .arg(&f)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["written"]["codes"], 0);
}

// ---------------------------------------------------------------------------------------
// Quirks and hostile packages, made here

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const G1: &str = "11111111-2222-3333-4444-555555555555";
const G2: &str = "{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}";

fn qde(ns: &str, selections: &str) -> String {
    format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{ns}" name="t" origin="Test 1">
<Users><User guid="{G1}" name="Ann Smit"/></Users>
<CodeBook><Codes><Code guid="{G2}" name="Zorg" isCodable="true" color="#f00"/></Codes></CodeBook>
<Sources><TextSource guid="99999999-2222-3333-4444-555555555555" name="R 1" plainTextPath="internal://src.txt">
{selections}
</TextSource></Sources>
</Project>"##
    )
}

fn sel(s: i64, e: i64) -> String {
    format!(
        r#"<PlainTextSelection guid="{}" startPosition="{s}" endPosition="{e}" creatingUser="{G1}"><Coding guid="22222222-2222-3333-4444-555555555555"><CodeRef targetGUID="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"/></Coding></PlainTextSelection>"#,
        format_args!("33333333-2222-3333-4444-{:012}", s)
    )
}

fn write_qdpx(dir: &Path, entries: &[(&str, &[u8])]) -> PathBuf {
    let f = dir.join("in.qdpx");
    std::fs::write(&f, zip_of(entries)).unwrap();
    f
}

fn import_fails(f: &Path, into: &Path) -> String {
    let out = codewerk(Path::new("."))
        .args(["import", "qdpx", "--into"])
        .arg(into)
        .arg(f)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn braced_guids_a_qde_of_another_name_and_old_namespaces() {
    let d = tempfile::tempdir().unwrap();
    let text = "\u{feff}Hallo wereld, zorg om de coördinator.";
    for (i, ns) in ["urn:QDA-XML:project:0:10", "urn:QDA-XML:project:1:0", ""]
        .iter()
        .enumerate()
    {
        let xml = qde(ns, &sel(6, 12));
        let xml = if ns.is_empty() {
            xml.replace(" xmlns=\"\"", "")
        } else {
            xml
        };
        let f = write_qdpx(
            d.path(),
            &[
                ("Trial.qde", xml.as_bytes()),
                ("Sources/SRC.TXT", text.as_bytes()),
            ],
        );
        let into = d.path().join(format!("p{i}"));
        let r = import(&f, &into, &[]);
        assert!(r["converted"].to_string().contains("Trial.qde"));
        let q = quotes_of(&into);
        assert_eq!(q, vec![("Zorg".to_string(), "wereld".to_string(), 6, 12)]);
        let p = Project::load(&into).unwrap();
        assert_eq!(p.codebook.codes[0].colour.to_string(), "#FF0000");
        assert!(p.coders.contains_key("Ann-Smit"));
    }
}

#[test]
fn decomposed_text_is_made_nfc_and_positions_follow() {
    let d = tempfile::tempdir().unwrap();
    // "coo\u{308}rdinator": the ö as o + combining diaeresis, one code point more.
    let text = "De coo\u{308}rdinator zegt één ding.";
    let start = 3;
    let end = 3 + "coo\u{308}rdinator".chars().count() as i64;
    let xml = qde("urn:QDA-XML:project:1.0", &sel(start, end));
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", text.as_bytes()),
        ],
    );
    let into = d.path().join("p");
    import(&f, &into, &[]);
    let q = quotes_of(&into);
    assert_eq!(q[0].1, "coördinator");
    assert_eq!((q[0].2, q[0].3), (3, 14));
}

#[test]
fn selections_outside_the_text_or_backwards_are_listed_not_imported() {
    let d = tempfile::tempdir().unwrap();
    let text = "Kort.";
    let sels = format!("{}{}{}", sel(0, 4), sel(3, 1), sel(2, 999));
    let xml = qde("urn:QDA-XML:project:1.0", &sels);
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", text.as_bytes()),
        ],
    );
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["written"]["codings"], 1);
    let skipped = r["skipped"].to_string();
    assert!(skipped.contains("2 selection(s)"), "{skipped}");
    assert!(
        skipped.contains("3..1") && skipped.contains("2..999"),
        "{skipped}"
    );
}

#[test]
fn duplicate_guids_are_listed() {
    let d = tempfile::tempdir().unwrap();
    let xml = qde("urn:QDA-XML:project:1.0", &sel(0, 5)).replace(
        r##"color="#f00"/>"##,
        &format!(r##"color="#f00"/><Code guid="{G2}" name="Tweede" isCodable="true"/>"##),
    );
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", b"Hallo wereld"),
        ],
    );
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert!(r["skipped"].to_string().contains("used twice"));
    assert_eq!(quotes_of(&into)[0].0, "Zorg");
}

#[test]
fn paths_escaping_the_sources_folder_are_not_followed() {
    let d = tempfile::tempdir().unwrap();
    for (path, why) in [
        ("internal://../../etc/passwd", "escapes the sources folder"),
        ("/etc/passwd", "escapes the sources folder"),
        ("absolute:///etc/passwd", "external file"),
    ] {
        let xml = qde("urn:QDA-XML:project:1.0", "").replace("internal://src.txt", path);
        let f = write_qdpx(
            d.path(),
            &[("project.qde", xml.as_bytes()), ("../evil.txt", b"x")],
        );
        let into = d.path().join("p");
        let out = codewerk(Path::new("."))
            .args(["import", "qdpx", "--json", "--dry-run"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["written"]["sources"], 0, "{path}");
        let skipped = v["skipped"].to_string();
        assert!(
            skipped.contains("R 1") && skipped.contains(why),
            "{path}: {v}"
        );
        assert!(!into.exists());
    }
    assert!(!d.path().join("evil.txt").exists());
    assert!(!d.path().parent().unwrap().join("evil.txt").exists());
}

#[test]
fn symlink_entries_are_not_followed() {
    let d = tempfile::tempdir().unwrap();
    let xml = qde("urn:QDA-XML:project:1.0", &sel(0, 2));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("project.qde", opts).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.add_symlink("sources/src.txt", "/etc/passwd", opts)
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let f = d.path().join("l.qdpx");
    std::fs::write(&f, bytes).unwrap();
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["written"]["sources"], 0);
    assert!(r["skipped"].to_string().contains("symbolic link"));
}

#[test]
fn entities_doctype_and_malformed_xml_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project name="&x;"/>"#;
    let f = write_qdpx(d.path(), &[("project.qde", xxe.as_bytes())]);
    let err = import_fails(&f, &d.path().join("p"));
    assert!(err.contains("DOCTYPE"), "{err}");
    let f = write_qdpx(
        d.path(),
        &[("project.qde", b"<Project name=\"t\"><Users></Project>")],
    );
    let err = import_fails(&f, &d.path().join("p"));
    assert!(err.contains("XML error"), "{err}");
    let f = write_qdpx(d.path(), &[("project.qde", b"<Project name=\"&bogus;\"/>")]);
    import_fails(&f, &d.path().join("p"));
    let f = write_qdpx(d.path(), &[("readme.txt", b"hi")]);
    let err = import_fails(&f, &d.path().join("p"));
    assert!(err.contains("no .qde"), "{err}");
    assert!(!d.path().join("p").exists());
}

#[test]
fn a_decompression_bomb_and_too_many_entries_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let zeros = vec![b' '; 300 * 1024 * 1024];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("project.qde", opts).unwrap();
    zip.write_all(b"<Project name=\"t\">").unwrap();
    zip.write_all(&zeros).unwrap();
    zip.write_all(b"</Project>").unwrap();
    drop(zeros);
    let f = d.path().join("bomb.qdpx");
    std::fs::write(&f, zip.finish().unwrap().into_inner()).unwrap();
    let err = import_fails(&f, &d.path().join("p"));
    assert!(err.contains("decompression bomb"), "{err}");
    let names: Vec<String> = (0..10_001).map(|i| format!("sources/{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let f = write_qdpx(d.path(), &entries);
    let err = import_fails(&f, &d.path().join("p"));
    assert!(err.contains("entries"), "{err}");
}

#[test]
fn an_existing_project_is_left_untouched() {
    let d = tempfile::tempdir().unwrap();
    let target = d.path().join("p");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "mine").unwrap();
    let xml = qde("urn:QDA-XML:project:1.0", &sel(0, 5));
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", b"Hallo wereld"),
        ],
    );
    let err = import_fails(&f, &target);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 1);
    // Nothing was left next to it either.
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
    // An empty folder is fine.
    let empty = d.path().join("e");
    std::fs::create_dir(&empty).unwrap();
    import(&f, &empty, &[]);
    assert!(empty.join("codebook/codebook.json").exists());
}

fn with_case(xml: &str) -> String {
    xml.replace(
        "<Sources>",
        r#"<Variables><Variable guid="44444444-2222-3333-4444-555555555555" name="Rol" typeOfVariable="Text"/><Variable guid="55555555-2222-3333-4444-555555555555" name="Age group" typeOfVariable="Text"/></Variables>
<Cases><Case guid="66666666-2222-3333-4444-555555555555" name="c"><VariableValue><VariableRef targetGUID="44444444-2222-3333-4444-555555555555"/><TextValue>docent</TextValue></VariableValue><VariableValue><VariableRef targetGUID="55555555-2222-3333-4444-555555555555"/><TextValue>40-50</TextValue></VariableValue><SourceRef targetGUID="99999999-2222-3333-4444-555555555555"/></Case></Cases>
<Sources>"#,
    )
}

#[test]
fn the_group_comes_from_the_variable_asked_for() {
    let d = tempfile::tempdir().unwrap();
    let xml = with_case(&qde("urn:QDA-XML:project:1.0", &sel(0, 5)));
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", b"Hallo wereld"),
        ],
    );
    let into = d.path().join("p");
    import(&f, &into, &["--group-variable", "rol"]);
    let p = Project::load(&into).unwrap();
    assert_eq!(p.respondents[0].group, "docent");
    assert_eq!(p.respondents[0].attribute("age_group"), Some("40-50"));
    let into2 = d.path().join("q");
    let r = import(&f, &into2, &[]);
    assert!(r["converted"].to_string().contains("\\\"respondent\\\""));
    let p = Project::load(&into2).unwrap();
    assert_eq!(p.respondents[0].group, "respondent");
    assert_eq!(p.respondents[0].attribute("rol"), Some("docent"));
    let err = import_fails_with(&f, &d.path().join("r"), &["--group-variable", "nope"]);
    assert!(err.contains("Rol"), "{err}");
}

fn import_fails_with(f: &Path, into: &Path, extra: &[&str]) -> String {
    let out = codewerk(Path::new("."))
        .args(["import", "qdpx", "--into"])
        .arg(into)
        .arg(f)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn qdc_clash_rules_same_guid_same_name_colour_kept() {
    let d = demo();
    let cb = std::fs::read_to_string(d.path().join("codebook/codebook.json")).unwrap();
    let qdc = format!(
        r##"<?xml version="1.0"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="ATLAS.ti">
<Codes>
<Code guid="{G1}" name="niet PLUIS gevoel" isCodable="true" color="#000000"/>
<Code guid="{G2}" name="Nieuw" isCodable="true"><Code guid="77777777-2222-3333-4444-555555555555" name="Nieuwer" isCodable="true"/></Code>
</Codes><Sets/></CodeBook>"##
    );
    let f = d.path().join("x.qdc");
    std::fs::write(&f, qdc).unwrap();
    let v = json_of(
        codewerk(d.path())
            .args(["import", "qdc", "--json", "--deelvraag", "2"])
            .arg(&f),
    );
    assert_eq!(v["written"]["codes"], 2);
    assert!(v["skipped"].to_string().contains("ours (#FFE135) kept"));
    let p = Project::load(d.path()).unwrap();
    assert!(!p.has_errors());
    let ours = p.codebook.resolve("Niet pluis gevoel").unwrap();
    assert_eq!(ours.colour.to_string(), "#FFE135");
    assert_eq!(ours.guid.as_deref(), Some(G1));
    let n = p.codebook.resolve("Nieuwer").unwrap();
    assert_eq!(n.deelvraag, 2);
    assert_eq!(
        n.parent.as_deref(),
        Some(p.codebook.resolve("Nieuw").unwrap().id.as_str())
    );
    assert_ne!(
        cb,
        std::fs::read_to_string(d.path().join("codebook/codebook.json")).unwrap()
    );
}

#[test]
fn atlas_ti_crlf_counted_as_one_is_detected() {
    let d = tempfile::tempdir().unwrap();
    let lines = [
        "I: Wat merkt u?",
        "R: Soms komt een leerling zonder ontbijt.",
        "I: En dan?",
        "R: Dan bel ik de ouders op.",
    ];
    let text = lines.join("\r\n");
    let lf = lines.join("\n");
    let at = |needle: &str| lf.chars().count() - lf[lf.find(needle).unwrap()..].chars().count();
    let mut sels = String::new();
    for w in ["leerling zonder ontbijt", "bel ik de ouders", "En dan?"] {
        let s = at(w) as i64;
        sels.push_str(&sel(s, s + w.chars().count() as i64));
    }
    let xml = qde("urn:QDA-XML:project:1.0", &sels).replace("Test 1", "ATLAS.ti 23");
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", text.as_bytes()),
        ],
    );
    let into = d.path().join("p");
    let r = import(&f, &into, &[]);
    assert_eq!(r["positions"][0]["unit"], "code points, CRLF counted as 1");
    let mut q: Vec<String> = quotes_of(&into).into_iter().map(|q| q.1).collect();
    q.sort();
    assert_eq!(
        q,
        ["En dan?", "bel ik de ouders", "leerling zonder ontbijt"]
    );
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.file_name().unwrap().to_string_lossy().ends_with(".lock") {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_qdpx_extends_the_current_project_all_or_nothing() {
    let d = demo();
    let before = Project::load(d.path()).unwrap();
    let passages: usize = before.coders.values().map(|s| s.codings.len()).sum();
    let files = tempfile::tempdir().unwrap();
    let xml = with_case(&qde("urn:QDA-XML:project:1.0", &sel(0, 5)));
    let f = write_qdpx(
        files.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", b"Hallo wereld"),
        ],
    );
    // A broken package changes nothing.
    let bad = files.path().join("bad.qdpx");
    std::fs::write(
        &bad,
        zip_of(&[("project.qde", b"<Project name=\"t\"><Users></Project>")]),
    )
    .unwrap();
    let snap = snapshot(d.path());
    codewerk(d.path())
        .args(["import", "qdpx"])
        .arg(&bad)
        .assert()
        .code(2);
    assert_eq!(snap, snapshot(d.path()));
    // The demo declares its groups: "respondent" is not one of them.
    let out = codewerk(d.path())
        .args(["import", "qdpx"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--group-variable"));
    assert_eq!(snap, snapshot(d.path()));
    for round in 0..2 {
        let out = codewerk(d.path())
            .args(["import", "qdpx", "--json", "--group-variable", "Rol"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let after = Project::load(d.path()).unwrap();
        assert!(!after.has_errors(), "{:?}", after.problems);
        assert_eq!(
            after.respondents.len(),
            before.respondents.len() + round + 1
        );
        let zorg = after.codebook.resolve("Zorg").unwrap();
        assert_eq!(zorg.deelvraag, 4);
        let ann = &after.coders["Ann-Smit"];
        assert_eq!(ann.codings.len(), round + 1);
        assert!(
            ann.codings
                .values()
                .all(|c| c.text == "Hallo" && c.code == zorg.id)
        );
        let total: usize = after.coders.values().map(|s| s.codings.len()).sum();
        assert_eq!(total, passages + round + 1);
    }
    let after = Project::load(d.path()).unwrap();
    assert!(after.respondent("R-1").is_some() && after.respondent("R-1-2").is_some());
    // The old rows kept their attributes.
    let r = after.respondent("A-L").unwrap();
    assert_eq!(r.attribute("functie"), Some("locatiedirecteur"));
    // Nothing left next to the project.
    let leftovers: Vec<_> = std::fs::read_dir(d.path().parent().unwrap())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.contains(".import-") || n.contains(".before-import-")
        })
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn the_report_lists_every_element_left_out_with_its_count() {
    let d = tempfile::tempdir().unwrap();
    let extra = r#"<PDFSource guid="12121212-2222-3333-4444-555555555555" path="internal://x.pdf"><PDFSelection guid="13131313-2222-3333-4444-555555555555" page="1" firstX="0" firstY="0" secondX="1" secondY="1"/></PDFSource>
<AudioSource guid="14141414-2222-3333-4444-555555555555" path="internal://x.mp3"/>
<VideoSource guid="15151515-2222-3333-4444-555555555555" path="relative:///x.mp4"/>
</Sources>
<Links><Link guid="16161616-2222-3333-4444-555555555555"/><Link guid="17171717-2222-3333-4444-555555555555"/></Links>
<Graphs><Graph guid="18181818-2222-3333-4444-555555555555"/></Graphs>
<Vendor/>"#;
    let xml = qde("urn:QDA-XML:project:1.0", &sel(0, 5)).replacen("</Sources>", extra, 1);
    let f = write_qdpx(
        d.path(),
        &[
            ("project.qde", xml.as_bytes()),
            ("sources/src.txt", b"Hallo wereld"),
        ],
    );
    let out = codewerk(Path::new("."))
        .args(["import", "qdpx", "--into"])
        .arg(d.path().join("p"))
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "1 × PDF sources (with their selections and codings)",
        "1 × PDF selections",
        "1 × audio sources",
        "1 × video sources",
        "2 × links",
        "1 × graphs",
        "1 × unknown elements <Vendor>",
        "Positions of R-1: code points",
    ] {
        assert!(text.contains(line), "{line} not in:\n{text}");
    }
    let p = Project::load(&d.path().join("p")).unwrap();
    assert_eq!(p.transcripts.len(), 1);
}

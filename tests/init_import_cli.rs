#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `codewerk init`, `import transcripts` and `respondents` on the real binary: a new project
//! from nothing, interviews in every format brought in, refusals that leave the project
//! byte-identical.

use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;
use common::{codewerk, fixture, json_of};

/// The binary without a project argument.
fn bare() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("codewerk").unwrap();
    cmd.env_remove("CODEWERK_CODER")
        .env_remove("CODEWERK_PROJECT")
        .env("USER", "tester");
    cmd
}

/// A new project in `<tmp>/studie` with two groups and two school types.
fn new_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("studie");
    bare()
        .arg("init")
        .arg(&root)
        .args(["--name", "Meldcode één"])
        .args(["--group", "docent=docenten"])
        .args(["--group", "zorgcoördinator=zorgcoördinatoren"])
        .args(["--school-type", "vmbo", "--school-type", "havo-vwo"])
        .args(["--deelvraag", "1=Signaleren", "--deelvraag", "2=Knelpunten"])
        .assert()
        .success();
    (dir, root)
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(p.clone(), Vec::new());
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const TXT: &str = "Speaker 1: Wat doet de coördinator bij een signaal?\r\n\r\nSpeaker 2: Eén ding: hij belt ’s avonds de ouders.\r\n";

const SRT: &str = "1\n00:00:01,000 --> 00:00:04,000\nInterviewer: Hoe merk je dat?\n\n2\n00:12:31,500 --> 00:12:35,000\nRespondent: Aan het gedrag van de leerling.\n\n";

/// A .docx as Word structures it: styles, a paragraph's runs split mid-word.
fn docx(path: &Path) {
    common::docx::write(
        path,
        r#"<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:t xml:space="preserve">I: Wat is de rol van de coö</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>rdinator?</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">R: Eén aanspreekpunt voor </w:t></w:r><w:r><w:t>de hele school.</w:t></w:r></w:p>"#,
    );
}

#[test]
fn init_creates_a_valid_empty_project() {
    let (_dir, root) = new_project();
    for f in [
        "project.json",
        "codebook/codebook.json",
        "transcripts/respondents.csv",
        ".gitignore",
    ] {
        assert!(root.join(f).is_file(), "{f}");
    }
    assert!(root.join("codings").is_dir() && root.join("exports").is_dir());
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/respondents.csv")).unwrap(),
        "id,file,group,school,school_type\n"
    );
    let settings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("project.json")).unwrap()).unwrap();
    assert_eq!(settings["groups"][1]["plural"], "zorgcoördinatoren");
    assert_eq!(settings["interviewer_labels"][0], "I");
    let gitignore = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(gitignore.contains("/.codewerk/") && gitignore.contains("codings/.*.lock"));
    let v = json_of(codewerk(&root).args(["check", "--json"]));
    assert_eq!(v["valid"], true);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["transcripts"], 0);
    assert_eq!(v["summary"]["name"], "Meldcode één");
}

#[test]
fn init_without_options_uses_defaults_and_the_project_folder() {
    let dir = tempfile::tempdir().unwrap();
    codewerk(dir.path())
        .arg("init")
        .write_stdin("")
        .assert()
        .success()
        .stdout(predicate::str::contains("import transcripts"));
    codewerk(dir.path()).arg("check").assert().success();
    let settings = std::fs::read_to_string(dir.path().join("project.json")).unwrap();
    assert!(settings.contains("\"respondent\""), "{settings}");
}

#[test]
fn init_refuses_a_project_and_a_non_empty_folder_and_overwrites_nothing() {
    let (_dir, root) = new_project();
    let before = snapshot(&root);
    bare()
        .arg("init")
        .arg(&root)
        .arg("--force")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already holds a codewerk project"));
    assert_eq!(snapshot(&root), before);

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notities.txt", "van mij");
    write(dir.path(), ".gitignore", "target/\n");
    bare()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not empty"));
    assert!(!dir.path().join("project.json").exists());
    bare()
        .arg("init")
        .arg(dir.path())
        .arg("--force")
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notities.txt")).unwrap(),
        "van mij"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        "target/\n"
    );
    codewerk(dir.path()).arg("check").assert().success();
}

#[test]
fn init_with_a_starting_codebook_and_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture("valid").join("codebook/codebook.json");
    bare()
        .arg("init")
        .arg(dir.path().join("a"))
        .arg("--codebook")
        .arg(&good)
        .args(["--group", "docent", "--group", "zorgcoördinator"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("a/codebook/codebook.json")).unwrap(),
        std::fs::read(&good).unwrap()
    );
    codewerk(&dir.path().join("a"))
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("3 codes in 2 deelvragen"));

    let bad = write(
        dir.path(),
        "bad.json",
        "{\"deelvragen\": [], \"codes\": [1]}",
    );
    bare()
        .arg("init")
        .arg(dir.path().join("b"))
        .arg("--codebook")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json"));
    assert!(!dir.path().join("b/project.json").exists());
    assert!(!dir.path().join("b/codebook/codebook.json").exists());
}

#[test]
fn import_txt_and_srt_with_speakers_group_and_attributes() {
    let (dir, root) = new_project();
    let src = dir.path().join("interviews");
    let a = write(&src, "Docent A.txt", TXT);
    let b = write(&src, "zc-b.srt", SRT);
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&a)
        .args(["--speakers", "Speaker 1=I,Speaker 2=R"])
        .args([
            "--group",
            "docent",
            "--school",
            "School A",
            "--school-type",
            "vmbo",
        ])
        .args(["--attr", "geslacht=v", "--attr", "jaren ervaring=12"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 1 transcript"));
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&b)
        .args(["--speakers", "Respondent=R"])
        .args(["--group", "zorgcoördinator", "--id", "ZC-B"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/Docent-A.txt")).unwrap(),
        "I: Wat doet de coördinator bij een signaal?\n\nR: Eén ding: hij belt ’s avonds de ouders.\n"
    );
    let zc = std::fs::read_to_string(root.join("transcripts/ZC-B.txt")).unwrap();
    assert!(
        zc.contains("Interviewer: [00:00:01] Hoe merk je dat?"),
        "{zc}"
    );
    assert!(
        zc.contains("R: [00:12:31] Aan het gedrag van de leerling."),
        "{zc}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/respondents.csv")).unwrap(),
        "id,file,group,school,school_type,geslacht,jaren_ervaring\n\
         Docent-A,Docent-A.txt,docent,School A,vmbo,v,12\n\
         ZC-B,ZC-B.txt,zorgcoördinator,,,,\n"
    );
    codewerk(&root)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("Transcripts: 2"))
        .stdout(predicate::str::contains("No problems found."));
    // Search skips the timestamp: "00" is in the file but not in any spoken text.
    codewerk(&root)
        .args(["search", "gedrag", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ZC-B"));
    codewerk(&root)
        .args(["search", "00", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"ZC-B\"").not());
}

#[test]
fn import_docx_with_runs_split_mid_word() {
    let (dir, root) = new_project();
    let src = dir.path().join("in");
    std::fs::create_dir_all(&src).unwrap();
    docx(&src.join("Interview 3.docx"));
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(src.join("Interview 3.docx"))
        .args(["--group", "docent"])
        .assert()
        .success();
    let text = std::fs::read_to_string(root.join("transcripts/Interview-3.txt")).unwrap();
    assert_eq!(
        text,
        "I: Wat is de rol van de coördinator?\n\nR: Eén aanspreekpunt voor de hele school.\n"
    );
    codewerk(&root).arg("check").assert().success();
}

#[test]
fn unknown_group_or_school_type_lists_the_known_ones_and_writes_nothing() {
    let (dir, root) = new_project();
    let a = write(&dir.path().join("in"), "a.txt", TXT);
    let before = snapshot(&root);
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&a)
        .args(["--group", "conciërge"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a.txt: error: unknown group \"conciërge\" (known: docent, zorgcoördinator)",
        ))
        .stderr(predicate::str::contains("nothing was imported"));
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&a)
        .args(["--group", "docent", "--school-type", "mbo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown school type \"mbo\" (known: vmbo, havo-vwo)",
        ));
    // Two groups declared and none given: which one must be said.
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&a)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no respondent group: give --group (known: docent, zorgcoördinator)",
        ));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn one_bad_file_imports_nothing_and_names_it() {
    let (dir, root) = new_project();
    let src = dir.path().join("in");
    write(&src, "a.txt", TXT);
    write(&src, "b.srt", SRT);
    write(&src, "c-leeg.txt", "\n  \n");
    let before = snapshot(&root);
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&src)
        .args(["--group", "docent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("c-leeg.txt: error:"))
        .stderr(predicate::str::contains("a.txt").not())
        .stderr(predicate::str::contains("nothing was imported"));
    assert_eq!(snapshot(&root), before, "the project is byte-identical");
    // Also a file of an unknown type given by name, and one that does not exist.
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(src.join("a.txt"))
        .arg(write(&src, "x.pdf", "%PDF"))
        .arg(src.join("weg.txt"))
        .args(["--group", "docent"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "x.pdf: error: unsupported file type",
        ))
        .stderr(predicate::str::contains("weg.txt: error: cannot read"));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn nothing_is_overwritten_and_replace_reimports() {
    let (dir, root) = new_project();
    let a = write(&dir.path().join("in"), "a.txt", TXT);
    let import = |extra: &[&str]| {
        let mut c = codewerk(&root);
        c.args(["import", "transcripts"])
            .arg(&a)
            .args(["--group", "docent"])
            .args(extra);
        c
    };
    import(&[]).assert().success();
    let before = snapshot(&root);
    import(&[])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("transcript \"a\" already exists"))
        .stderr(predicate::str::contains("--replace"));
    assert_eq!(snapshot(&root), before);

    // A file of that name that no row lists and that holds other text is not overwritten...
    write(&root.join("transcripts"), "b.txt", "R: van iemand anders\n");
    let before = snapshot(&root);
    import(&["--id", "b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("transcripts/b.txt exists already"));
    assert_eq!(snapshot(&root), before);
    // ...but one left by an interrupted import (the same text) is adopted.
    std::fs::remove_file(root.join("transcripts/b.txt")).unwrap();
    let rendered = std::fs::read(root.join("transcripts/a.txt")).unwrap();
    std::fs::write(root.join("transcripts/b.txt"), &rendered).unwrap();
    codewerk(&root)
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "b.txt: warning: transcript file is not listed",
        ));
    import(&["--id", "b"]).assert().success();
    codewerk(&root)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("No problems found."));

    // --replace: the new text, the row's attributes kept.
    codewerk(&root)
        .args(["respondents", "set", "a", "geslacht=m"])
        .assert()
        .success();
    write(
        a.parent().unwrap(),
        "a.txt",
        "I: Nieuwe vraag?\n\nR: Nieuw antwoord.\n",
    );
    import(&["--replace"])
        .assert()
        .success()
        .stdout(predicate::str::contains("replaces"));
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/a.txt")).unwrap(),
        "I: Nieuwe vraag?\n\nR: Nieuw antwoord.\n"
    );
    let csv = std::fs::read_to_string(root.join("transcripts/respondents.csv")).unwrap();
    assert!(csv.contains("a,a.txt,docent,,,m"), "{csv}");
    import(&["--replace", "--id", "nieuw"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no transcript \"nieuw\" to replace",
        ));
}

#[test]
fn dry_run_writes_nothing_and_shows_format_speakers_turns_words() {
    let (dir, root) = new_project();
    let src = dir.path().join("in");
    write(&src, "a.txt", TXT);
    write(&src, "b.srt", SRT);
    let before = snapshot(&root);
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&src)
        .args([
            "--group",
            "docent",
            "--dry-run",
            "--speakers",
            "Speaker 1=I,Speaker 2=R",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "a.txt: text → transcripts/a.txt, id a, group docent",
        ))
        .stdout(predicate::str::contains(
            "b.srt: SubRip subtitles (.srt) → transcripts/b.txt",
        ))
        .stdout(predicate::str::contains(
            "2 turns, 15 words; speakers: Speaker 1 → I (1 turn), Speaker 2 → R (1 turn)",
        ))
        .stdout(predicate::str::contains("with timestamps"))
        .stdout(predicate::str::contains(
            "Would import 2 transcript(s); nothing was written",
        ));
    assert_eq!(snapshot(&root), before);
}

#[test]
fn json_output_describes_every_file() {
    let (dir, root) = new_project();
    let src = dir.path().join("in");
    write(&src, "a.txt", TXT);
    let v = json_of(
        codewerk(&root)
            .args(["import", "transcripts"])
            .arg(&src)
            .args(["--group", "docent", "--json", "--speakers", "Speaker 2=R"]),
    );
    assert_eq!(v["dry_run"], false);
    assert_eq!(v["imported"], 1);
    let t = &v["transcripts"][0];
    assert_eq!(t["id"], "a");
    assert_eq!(t["format"], "text");
    assert_eq!(t["turns"], 2);
    assert_eq!(t["words"], 15);
    assert_eq!(t["row"]["group"], "docent");
    assert_eq!(t["speakers"][1]["to"], "R");
    assert_eq!(t["speakers"][0]["to"], "Speaker 1");
}

#[test]
fn respondents_file_gives_values_per_file() {
    let (dir, root) = new_project();
    let src = dir.path().join("in");
    write(&src, "a.txt", TXT);
    write(&src, "b.txt", TXT);
    // In the folder it describes, and left out of the import itself.
    write(
        &src,
        "respondenten.csv",
        "file;id;group;school_type;functie\na.txt;D1;docent;vmbo;mentor\nb.txt;Z1;zorgcoördinator;havo-vwo;zorgcoördinator\n",
    );
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&src)
        .arg("--respondents")
        .arg(src.join("respondenten.csv"))
        .args(["--school", "School A"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/respondents.csv")).unwrap(),
        "id,file,group,school,school_type,functie\n\
         D1,D1.txt,docent,School A,vmbo,mentor\n\
         Z1,Z1.txt,zorgcoördinator,School A,havo-vwo,zorgcoördinator\n"
    );
    codewerk(&root).arg("check").assert().success();
    // Without --respondents the table is taken for a transcript, and the error says what to do.
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&src)
        .args(["--group", "docent", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give it with --respondents"));
    // A file the table does not list is refused, not imported with the wrong attributes.
    write(&src, "c.txt", TXT);
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(src.join("c.txt"))
        .arg("--respondents")
        .arg(src.join("respondenten.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("c.txt: error: not listed in"));
}

#[test]
fn replace_keeps_codings_by_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("studie");
    bare()
        .arg("init")
        .arg(&root)
        .arg("--codebook")
        .arg(fixture("valid").join("codebook/codebook.json"))
        .args(["--group", "docent"])
        .assert()
        .success();
    let a = write(
        &dir.path().join("in"),
        "a.txt",
        "I: Vraag?\n\nR: Dat voelde niet pluis.\n",
    );
    let import = |extra: &[&str]| {
        codewerk(&root)
            .args(["import", "transcripts"])
            .arg(&a)
            .args(extra)
            .assert()
            .success();
    };
    import(&[]);
    let quotes = write(
        dir.path(),
        "q.jsonl",
        r#"{"transcript": "a", "code": "niet-pluis", "quote": "Dat voelde niet pluis."}"#,
    );
    codewerk(&root)
        .args(["import", "quotes"])
        .arg(&quotes)
        .assert()
        .success();
    write(
        &dir.path().join("in"),
        "a.txt",
        "I: Een langere vraag, eerst?\n\nR: Eh. Dat voelde niet pluis.\n",
    );
    import(&["--replace"]);
    codewerk(&root)
        .arg("check")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "carried to the new text with certainty",
        ));
    let out = codewerk(&root)
        .args(["export", "quotes", "-o", "-", "--format", "json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Dat voelde niet pluis."));
}

#[test]
fn respondents_list_and_set() {
    let (dir, root) = new_project();
    let a = write(&dir.path().join("in"), "a.txt", TXT);
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&a)
        .args(["--group", "docent", "--school", "School A"])
        .assert()
        .success();
    codewerk(&root)
        .args([
            "respondents",
            "set",
            "a",
            "school_type=vmbo",
            "functie=mentor en coördinator",
        ])
        .assert()
        .success();
    codewerk(&root)
        .arg("respondents")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "id  group   school    school_type  words  functie",
        ))
        .stdout(predicate::str::contains(
            "a   docent  School A  vmbo         15     mentor en coördinator",
        ));
    let out = codewerk(&root)
        .args(["respondents", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["respondents"][0]["attributes"]["functie"],
        "mentor en coördinator"
    );
    assert_eq!(v["respondents"][0]["school_type"], "vmbo");

    let before = snapshot(&root);
    for (args, message) in [
        (
            vec!["a", "group=conciërge"],
            "unknown group \"conciërge\" (known: docent, zorgcoördinator)",
        ),
        (
            vec!["a", "school_type=mbo"],
            "unknown school type \"mbo\" (known: vmbo, havo-vwo)",
        ),
        (vec!["x", "functie=y"], "no respondent \"x\" (known: a)"),
        (vec!["a", "id=b"], "cannot be set"),
        (vec!["a", "group="], "unknown group \"\" (known: docent"),
        (vec!["a", "functie"], "is not NAME=VALUE"),
    ] {
        codewerk(&root)
            .args(["respondents", "set"])
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
    assert_eq!(snapshot(&root), before);
    codewerk(&root).arg("check").assert().success();
}

#[test]
fn a_folder_of_every_format_imports_and_checks() {
    let (dir, root) = new_project();
    let src = dir.path().join("alles");
    std::fs::create_dir_all(&src).unwrap();
    let ingest = fixture("ingest");
    std::fs::copy(ingest.join("interview-word.docx"), src.join("word.docx")).unwrap();
    std::fs::copy(ingest.join("interview-pandoc.odt"), src.join("open.odt")).unwrap();
    write(
        &src,
        "teams.vtt",
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Jan de Vries>Hoe merk je dat?</v>\n\n00:01:05.000 --> 00:01:09.000\n<v Eva>Aan één leerling.</v>\n",
    );
    write(
        &src,
        "whisper.json",
        r#"{"segments": [{"start": 0.0, "end": 2.5, "text": " Eén vraag over de coördinator.", "speaker": "SPEAKER_00"}, {"start": 4.5, "end": 6.0, "text": " Ja, ’prima’.", "speaker": "SPEAKER_01"}]}"#,
    );
    write(
        &src,
        "tabel.csv",
        "spreker,tekst,start\nI,Wat doet u?,00:00:01\nR,Ik signaleer.,00:00:04\n",
    );
    write(
        &src,
        "tabel2.tsv",
        "speaker\ttext\nI\tEn dan?\nR\tDan bel ik.\n",
    );
    write(&src, "win.txt", "");
    std::fs::write(
        src.join("win.txt"),
        b"I: Co\xf6rdinator?\r\n\r\nR: Ja, \x92t klopt.\r\n",
    )
    .unwrap();
    let v = json_of(
        codewerk(&root)
            .args(["import", "transcripts"])
            .arg(&src)
            .args([
                "--group",
                "docent",
                "--speakers",
                "SPEAKER_00=I,SPEAKER_01=R,Jan de Vries=I,Eva=R",
            ])
            .args(["--json"]),
    );
    let formats: Vec<&str> = v["transcripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        ["odt", "csv", "tsv", "vtt", "whisper_json", "text", "docx"]
    );
    let read =
        |id: &str| std::fs::read_to_string(root.join(format!("transcripts/{id}.txt"))).unwrap();
    assert!(
        read("teams").contains("I: [00:00:01] Hoe merk je dat?"),
        "{}",
        read("teams")
    );
    assert!(
        read("teams").contains("R: [00:01:05] Aan één leerling."),
        "{}",
        read("teams")
    );
    assert!(
        read("whisper").starts_with("I: [00:00:00] Eén vraag over de coördinator."),
        "{}",
        read("whisper")
    );
    assert!(
        read("win").contains("I: Coördinator?\n\nR: Ja, ’t klopt."),
        "{}",
        read("win")
    );
    assert!(
        read("tabel").contains("R: [00:00:04] Ik signaleer."),
        "{}",
        read("tabel")
    );
    assert!(read("word").contains("coördinator"), "{}", read("word"));
    assert!(
        read("open").contains("R: Eén ding vooral: praten met leerlingen."),
        "{}",
        read("open")
    );
    // NFC and LF everywhere.
    for t in v["transcripts"].as_array().unwrap() {
        let text = read(t["id"].as_str().unwrap());
        assert!(!text.contains('\r') && !text.contains("o\u{308}"), "{text}");
    }
    codewerk(&root)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("Transcripts: 7"))
        .stdout(predicate::str::contains("No problems found."));
}

#[test]
fn hostile_files_are_named_with_the_reason_and_nothing_is_written() {
    let (dir, root) = new_project();
    let src = dir.path().join("kwaad");
    std::fs::create_dir_all(&src).unwrap();
    write(&src, "goed.txt", TXT);
    std::fs::write(src.join("kapot.docx"), b"PK\x03\x04 truncated").unwrap();
    std::fs::write(
        src.join("binair.txt"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00",
    )
    .unwrap();
    write(&src, "fout.json", "{\"segments\": [");
    common::docx::write(&src.join("leeg.docx"), "");
    let before = snapshot(&root);
    let out = codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&src)
        .args(["--group", "docent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for name in [
        "kapot.docx: error:",
        "binair.txt: error:",
        "fout.json: error:",
        "leeg.docx: error:",
    ] {
        assert!(err.contains(name), "{name} in {err}");
    }
    assert!(!err.contains("goed.txt"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(snapshot(&root), before);
}

#[test]
fn the_projects_interviewer_labels_are_what_autocode_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("studie");
    bare()
        .arg("init")
        .arg(&root)
        .arg("--codebook")
        .arg(fixture("valid").join("codebook/codebook.json"))
        .args(["--group", "docent", "--interviewer-label", "Onderzoeker"])
        .assert()
        .success();
    let a = write(
        &dir.path().join("in"),
        "a.txt",
        "Onderzoeker: Hoe werkt de meldcode?\n\nI: De meldcode werkt goed.\n\nOnderzoeker: En de meldcode thuis?\n",
    );
    codewerk(&root)
        .args(["import", "transcripts"])
        .arg(&a)
        .assert()
        .success();
    let v = json_of(codewerk(&root).args([
        "autocode",
        "meldcode",
        "--code",
        "niet-pluis",
        "--dry-run",
        "--json",
    ]));
    // "Onderzoeker" is this project's interviewer; "I" is not, here.
    assert_eq!(
        (v["hits"].as_u64(), v["interviewer_hits"].as_u64()),
        (Some(1), Some(2))
    );
}

/// A new user looks in `--help` for how to bring interviews in: `import` must say it.
#[test]
fn help_says_that_import_brings_in_transcripts() {
    let out = assert_cmd::Command::cargo_bin("codewerk")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let line = help
        .lines()
        .find(|l| l.trim_start().starts_with("import "))
        .unwrap();
    assert!(line.contains("Import interviews as transcripts"), "{line}");
}

/// `check` on a project just made: no empty "by school type:" line, "1 deelvraag".
#[test]
fn check_on_a_new_project_says_its_counts_in_the_right_number() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nieuw");
    bare()
        .arg("init")
        .arg(&p)
        .args(["--no-input", "--group", "docent=docenten"])
        .assert()
        .success();
    let out = String::from_utf8(common::stdout_of(codewerk(&p).arg("check"))).unwrap();
    assert!(out.contains("Codebook: 0 codes in 1 deelvraag\n"), "{out}");
    assert!(!out.contains("by school type"), "{out}");
}

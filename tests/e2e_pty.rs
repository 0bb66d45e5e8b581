#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End to end: the real binary in a pseudo-terminal, driven by keystrokes, its screen read back
//! through a terminal emulator (vt100). Checks that a coding made in the TUI is in the journal
//! after quitting and reopening, and after a kill -9 right after the screen showed it.

mod common;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Tui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    fn open(project: &Path, coder: &str) -> Tui {
        let project = project.as_os_str();
        Tui::spawn(&[
            "--project".as_ref(),
            project,
            "--coder".as_ref(),
            coder.as_ref(),
        ])
    }

    /// codewerk with these arguments in a pseudo-terminal.
    fn spawn(args: &[&std::ffi::OsStr]) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_codewerk"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(30, 120, 0)));
        let feed = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        Tui {
            child,
            writer,
            screen,
            _master: pair.master,
        }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.contents().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("screen never showed {needle:?}:\n{}", self.contents());
    }

    fn keys(&mut self, keys: &str) {
        for k in keys.chars() {
            write!(self.writer, "{k}").unwrap();
            self.writer.flush().unwrap();
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("codewerk did not exit");
    }
}

fn journal(project: &Path, coder: &str) -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(project.join(format!("codings/{coder}.jsonl"))).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn code_a_passage_quit_reopen_and_find_it() {
    let dir = common::copy("valid");
    let mut tui = Tui::open(dir.path(), "e2e");
    tui.wait_for("T1 · docent");
    // Next turn, select its first sentence, apply code 1.
    tui.keys("}s1");
    tui.wait_for("Niet pluis gevoel applied");
    tui.keys("q");
    tui.wait_exit();
    let lines = journal(dir.path(), "e2e");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["text"], "Ja, eh, soms.");
    assert_eq!(lines[0]["code"], "niet-pluis");

    let mut again = Tui::open(dir.path(), "e2e");
    again.wait_for("T1 · docent");
    // The codebook shows the coding: 1 in this transcript, 1 in all.
    again.wait_for("Niet pluis gevoel          1/1");
    again.keys("]");
    again.wait_for("│  Niet pluis gevoel");
    again.keys("q");
    again.wait_exit();
}

#[test]
fn kill_9_right_after_an_action_loses_nothing() {
    let dir = common::copy("valid");
    let mut tui = Tui::open(dir.path(), "e2e");
    tui.wait_for("T1 · docent");
    tui.keys("}}}s3");
    tui.wait_for("Knelpunten applied");
    let pid = tui.child.process_id().unwrap() as i32;
    // SAFETY: sending a signal to our own child process.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    tui.wait_exit();
    let lines = journal(dir.path(), "e2e");
    assert_eq!(
        lines.len(),
        1,
        "the coding shown on screen is in the journal"
    );
    assert_eq!(lines[0]["text"], "Dan ga ik naar de coördinator.");
    // And codewerk opens again as that coder: the lock died with the process.
    let mut again = Tui::open(dir.path(), "e2e");
    again.wait_for("T1 · docent");
    assert!(!again.contents().contains("READ-ONLY"));
    again.keys("q");
    again.wait_exit();
}

#[test]
fn second_instance_is_read_only_with_a_clear_message() {
    let dir = common::copy("valid");
    let mut first = Tui::open(dir.path(), "e2e");
    first.wait_for("T1 · docent");
    let mut second = Tui::open(dir.path(), "e2e");
    second.wait_for("READ-ONLY");
    second.wait_for("already open in another codewerk");
    second.keys("q");
    second.wait_exit();
    first.keys("q");
    first.wait_exit();
}

#[test]
fn a_paste_into_a_memo_and_wrong_code_undo_right_code() {
    let dir = common::copy("valid");
    let mut tui = Tui::open(dir.path(), "e2e");
    tui.wait_for("T1 · docent");
    // Wrong code, undo, right code: the same sentence ends up with code 2 only.
    tui.keys("}s1");
    tui.wait_for("Niet pluis gevoel applied");
    tui.keys("u");
    tui.wait_for("undid");
    tui.keys("2");
    tui.wait_for("Signalen herkennen applied");
    // A memo pasted as the terminal brackets it: its newline and digits stay text.
    tui.keys("m");
    tui.wait_for("Memo on");
    write!(tui.writer, "\x1b[200~eerste regel\n3 ]] x\x1b[201~").unwrap();
    tui.writer.flush().unwrap();
    // The memo editor keeps the paste's line break; Ctrl-s saves.
    tui.wait_for("3 ]] x");
    assert!(tui.contents().contains("eerste regel"));
    tui.keys("\x13");
    tui.wait_for("memo saved");
    tui.keys("q");
    tui.wait_exit();
    let project = codewerk::core::project::Project::load(dir.path()).unwrap();
    let state = &project.coders["e2e"];
    let codings: Vec<_> = state.codings.values().collect();
    assert_eq!(codings.len(), 1, "{codings:?}");
    assert_eq!(codings[0].code, "signalen");
    assert_eq!(codings[0].text, "Ja, eh, soms.");
    assert_eq!(codings[0].memo.as_deref(), Some("eerste regel\n3 ]] x"));
}

#[test]
fn a_symlinked_lock_file_opens_read_only_and_leaves_its_target_alone() {
    let dir = common::copy("valid");
    let target = dir.path().join("precious.txt");
    std::fs::write(&target, "research data").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("codings/.e2e.lock")).unwrap();
    let mut tui = Tui::open(dir.path(), "e2e");
    tui.wait_for("READ-ONLY");
    tui.wait_for("symbolic link");
    tui.keys("q");
    tui.wait_exit();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "research data");
    assert!(!dir.path().join("codings/e2e.jsonl").exists());
}

/// A new study from nothing: init, import a folder of Word, subtitle and text interviews,
/// check, add a code and code a passage in the TUI, and find the quote in the export.
#[test]
fn new_study_init_import_code_and_export() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("studie");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_codewerk"))
            .arg("--project")
            .arg(&root)
            .args(args)
            .env("USER", "e2e")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&[
        "init",
        "--group",
        "docent=docenten",
        "--deelvraag",
        "1=Signaleren",
    ]);
    let src = tmp.path().join("interviews");
    std::fs::create_dir_all(&src).unwrap();
    common::docx::write(
        &src.join("1 word.docx"),
        &common::docx::paragraphs(&[
            "I: Wat is de rol van de coördinator?",
            "R: Eén aanspreekpunt voor de hele school. Dat werkt goed.",
        ]),
    );
    std::fs::write(
        src.join("2-teams.srt"),
        "1\n00:00:01,000 --> 00:00:03,000\nSpeaker 1: Hoe merk je dat?\n\n2\n00:00:04,000 --> 00:00:09,000\nSpeaker 2: Aan het gedrag.\n",
    )
    .unwrap();
    std::fs::write(src.join("3-tekst.txt"), "I: En dan?\n\nR: Dan bel ik.\n").unwrap();
    let out = run(&[
        "import",
        "transcripts",
        src.to_str().unwrap(),
        "--speakers",
        "Speaker 1=I,Speaker 2=R",
    ]);
    assert!(out.contains("Imported 3 transcript(s)"), "{out}");
    assert!(run(&["check"]).contains("Transcripts: 3"));

    let mut tui = Tui::open(&root, "e2e");
    tui.wait_for("1-word · docent");
    tui.keys("n");
    // Name; the deelvraag and the proposed colour are filled in; no parent.
    for field in ["Rol zorg", "", "", ""] {
        tui.keys(field);
        tui.keys("\r");
    }
    tui.wait_for("code \"Rol zorg\" added");
    tui.keys("}s1");
    tui.wait_for("Rol zorg applied");
    tui.keys("q");
    tui.wait_exit();

    let csv = run(&["export", "quotes", "-o", "-"]);
    assert!(
        csv.contains("Eén aanspreekpunt voor de hele school."),
        "{csv}"
    );
    assert!(csv.contains("Rol zorg"), "{csv}");
    assert!(
        !csv.contains("Dat werkt goed"),
        "only the sentence is coded: {csv}"
    );
}

/// On a terminal, init asks for what its options do not give, and import asks how to write
/// speaker labels the project does not use.
#[test]
fn init_and_import_ask_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("studie");
    let mut init = Tui::spawn(&["init".as_ref(), root.as_os_str()]);
    for (question, answer) in [
        ("Project name", "Mijn studie"),
        ("Respondent groups", "docent=docenten, mentor=mentoren"),
        ("School types", "vmbo, havo"),
        ("Speaker labels of the interviewer", ""),
        ("Deelvragen", "Signaleren; Knelpunten"),
    ] {
        init.wait_for(question);
        init.keys(answer);
        init.keys("\r");
    }
    init.wait_for("Created a codewerk project");
    init.wait_exit();
    let settings = std::fs::read_to_string(root.join("project.json")).unwrap();
    assert!(settings.contains("\"Mijn studie\"") && settings.contains("\"mentoren\""));
    assert!(settings.contains("\"havo\"") && settings.contains("\"Interviewer\""));
    let codebook = std::fs::read_to_string(root.join("codebook/codebook.json")).unwrap();
    assert!(codebook.contains("\"Knelpunten\""), "{codebook}");

    let src = tmp.path().join("x.txt");
    std::fs::write(
        &src,
        "Speaker 1: Wat doet u?\n\nSpeaker 2: Ik ben mentor.\n",
    )
    .unwrap();
    let mut import = Tui::spawn(&[
        "--project".as_ref(),
        root.as_os_str(),
        "import".as_ref(),
        "transcripts".as_ref(),
        src.as_os_str(),
        "--group".as_ref(),
        "mentor".as_ref(),
    ]);
    import.wait_for("Speaker 1 (1 turn,");
    import.keys("I\r");
    import.wait_for("Speaker 2 (1 turn,");
    import.keys("R\r");
    import.wait_for("Imported 1 transcript");
    import.wait_exit();
    assert_eq!(
        std::fs::read_to_string(root.join("transcripts/x.txt")).unwrap(),
        "I: Wat doet u?\n\nR: Ik ben mentor.\n"
    );
}

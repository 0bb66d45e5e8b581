//! Tests of `read()` across formats: normalisation, detection and the no-panic property.

use super::*;

#[test]
fn detect_by_extension() {
    assert_eq!(detect(Path::new("a.TXT")), Ok(Format::Text));
    assert_eq!(detect(Path::new("a.docx")), Ok(Format::Docx));
    assert_eq!(detect(Path::new("a.VTT")), Ok(Format::Vtt));
    assert_eq!(
        detect(Path::new("a.pdf")),
        Err(IngestError::UnsupportedType)
    );
    assert_eq!(
        detect(Path::new("noext")),
        Err(IngestError::UnsupportedType)
    );
}

#[test]
fn text_read_is_normalised() {
    // Decomposed "ö" (o + combining diaeresis) comes out composed; CRLF, tabs and blank lines
    // inside a turn are normalised; empty turns dropped.
    let got = read(
        Path::new("x.txt"),
        "I:\tDe coo\u{308}rdinator?\r\n\r\n\r\nR:   Eén  ding.  \r\n\r\nR:\r\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(got.format, Format::Text);
    assert_eq!(
        got.turns,
        vec![
            RawTurn::new(Some("I".into()), None, "De coördinator?"),
            RawTurn::new(Some("R".into()), None, "Eén ding."),
        ]
    );
    assert_eq!(got.speakers(), vec!["I", "R"]);
    assert_eq!(got.word_count(), 4);
}

#[test]
fn errors_become_problems_naming_file_and_line() {
    let e = read(Path::new("t.srt"), b"1\n00:00:0x --> 00:00:01,000\nx\n").unwrap_err();
    let p = e.problem(Path::new("t.srt"));
    assert_eq!((p.line, p.column), (Some(2), None));
    assert!(p.to_string().starts_with("t.srt:2"), "{p}");
    let e = read(Path::new("t.txt"), "één\n\u{e9}".as_bytes()).map(|_| ());
    assert!(e.is_ok());
    let e = read(Path::new("t.txt"), b"\xc3\xa9\n\xe9").unwrap_err();
    let p = e.problem(Path::new("t.txt"));
    assert_eq!((p.line, p.column), (Some(2), Some(1)));
    let p = IngestError::Empty.problem(Path::new("a.docx"));
    assert_eq!(p.line, None);
    assert!(p.is_error());
}

#[test]
fn empty_documents_are_empty() {
    for (name, bytes) in [
        ("a.txt", &b""[..]),
        ("a.txt", b"\n\n  \n"),
        ("a.txt", b"\xef\xbb\xbf"),
        ("a.srt", b"\n"),
    ] {
        assert_eq!(
            read(Path::new(name), bytes),
            Err(IngestError::Empty),
            "{name}"
        );
    }
}

#[test]
fn srt_read() {
    let got = read(
        Path::new("x.srt"),
        b"1\n00:00:01,000 --> 00:00:02,000\nR: Ja.\n",
    )
    .unwrap();
    assert_eq!(got.format, Format::Srt);
    assert_eq!(
        got.turns,
        vec![RawTurn::new(Some("R".into()), Some(1.0), "Ja.")]
    );
}

mod no_panic {
    use super::super::docx::tests::{W, docx, zip_of};
    use super::*;
    use proptest::prelude::*;

    const BODY: &str = "<w:p><w:r><w:t>I: De co</w:t></w:r><w:r><w:t>ördinator?</w:t></w:r></w:p>\
         <w:tbl><w:tr><w:tc><w:p><w:r><w:t>R</w:t></w:r></w:p></w:tc><w:tc><w:p><w:ins><w:r><w:t>Eén.</w:t></w:r></w:ins></w:p></w:tc></w:tr></w:tbl>";

    fn valid_docx() -> Vec<u8> {
        docx(BODY, &[])
    }

    /// One document that both readers find text in (WordprocessingML and ODF elements).
    fn valid_document_xml() -> String {
        format!(
            r#"<w:document xmlns:w="{W}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><w:body>{BODY}<text:p>R: Ja<text:s text:c="2"/>&amp; nee</text:p></w:body></w:document>"#
        )
    }

    /// What every reader promises about its output.
    fn check_normalised(got: &Ingested) {
        use unicode_normalization::is_nfc;
        assert!(!got.turns.is_empty());
        for t in &got.turns {
            assert!(!t.text.is_empty());
            assert_eq!(t.text, t.text.trim());
            assert!(is_nfc(&t.text), "{:?}", t.text);
            assert!(
                !t.text.contains('\r') && !t.text.contains("\n\n"),
                "{:?}",
                t.text
            );
            assert!(
                !t.text.chars().any(|c| c.is_control() && c != '\n'),
                "{:?}",
                t.text
            );
            if let Some(s) = &t.speaker {
                assert!(!s.is_empty() && is_nfc(s) && !s.contains('\n'));
            }
            if let Some(start) = t.start {
                assert!(start.is_finite() && start >= 0.0);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any bytes, read as any format: an error or turns, never a panic.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            for format in Format::ALL {
                let _ = read_as(format, &bytes);
            }
        }

        /// Text-like input (the parsers' interesting paths): labels, times, cue lines, JSON
        /// and CSV punctuation in random order.
        #[test]
        fn random_text_never_panics(s in "([A-Za-zéö’ 0-9:,;.\\[\\]()<>{}\"\\\\/_\n\t-]|-->|WEBVTT|NOTE|00:00:01,000|<v |\\{\\\\an8\\}|o\u{308}|\r)*") {
            for format in Format::ALL {
                if let Ok(got) = read_as(format, s.as_bytes()) {
                    check_normalised(&got);
                }
            }
        }

        /// A valid document.xml with bytes flipped, inside a valid zip: the XML paths.
        #[test]
        fn mutated_document_xml_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        ) {
            let mut xml = valid_document_xml().into_bytes();
            for (at, b) in flips {
                let i = at.index(xml.len());
                xml[i] = b;
            }
            let z = zip_of(&[("word/document.xml", &xml), ("content.xml", &xml)]);
            for format in [Format::Docx, Format::Odt] {
                if let Ok(got) = read_as(format, &z) {
                    check_normalised(&got);
                }
            }
        }

        /// A valid .docx with bytes flipped, cut or inserted.
        #[test]
        fn mutated_docx_never_panics(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            do_cut in any::<bool>(),
        ) {
            let mut bytes = valid_docx();
            for (at, b) in flips {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if do_cut {
                bytes.truncate(cut.index(bytes.len()));
            }
            let _ = read_as(Format::Docx, &bytes);
            let _ = read_as(Format::Odt, &bytes);
        }
    }

    #[test]
    fn the_valid_docx_reads() {
        let got = read_as(Format::Docx, &valid_docx()).unwrap();
        assert_eq!(got.turns.len(), 2);
        assert_eq!(got.turns[0].text, "De coördinator?");
        assert_eq!(got.turns[1].speaker.as_deref(), Some("R"));
    }
}

mod fixtures {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/ingest/",
                $name
            ))
        };
    }

    fn turn(speaker: Option<&str>, text: &str) -> RawTurn {
        RawTurn::new(speaker.map(str::to_string), None, text)
    }

    #[test]
    fn word_interview_with_styles_split_runs_table_and_tracked_changes() {
        let got = read(
            Path::new("interview-word.docx"),
            fixture!("interview-word.docx"),
        )
        .unwrap();
        assert_eq!(got.format, Format::Docx);
        assert_eq!(
            got.turns,
            vec![
                turn(None, "Interview D1"),
                turn(None, "Datum: 12 maart 2025"),
                turn(
                    Some("I"),
                    "Kunt u iets vertellen over uw rol als zorgcoördinator?"
                ),
                turn(
                    Some("R"),
                    "Ja. Ik ben sinds één jaar de coördinator, en dat is ’best’ veel werk."
                ),
                turn(Some("I"), "En hoe bevalt dat?"),
                turn(Some("R"), "Goed. Echt.\nAl is het druk."),
                turn(Some("I"), "Wat doet u precies op een dag?"),
                turn(Some("R"), "Eén ding vooral: gesprekken met leerlingen."),
                turn(Some("I"), "Dank u. Dit was pagina 1."),
                turn(None, "Einde opname."),
            ]
        );
        assert_eq!(
            got.notes,
            vec![
                "tracked changes taken as accepted",
                "1 comment left out",
                "1 header left out",
                "1 footer left out"
            ]
        );
    }

    #[test]
    fn pandoc_docx_and_odt_read_alike() {
        let docx = read_as(Format::Docx, fixture!("interview-pandoc.docx")).unwrap();
        let odt = read_as(Format::Odt, fixture!("interview-pandoc.odt")).unwrap();
        assert_eq!(docx.turns, odt.turns);
        assert_eq!(docx.turns.len(), 6);
        assert_eq!(
            docx.turns[2],
            turn(
                Some("R"),
                "Ik ben zorgcoördinator, al één jaar. Dat is ’best’ pittig."
            )
        );
        assert_eq!(
            docx.turns[4],
            turn(Some("R"), "Eén ding vooral: praten met leerlingen.")
        );
        assert_eq!(odt.notes, vec!["1 footer left out"]);
    }

    #[test]
    fn shared_word_samples() {
        let got = read_as(Format::Docx, fixture!("blk-paras-and-tables.docx")).unwrap();
        let texts: Vec<&str> = got.turns.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
                "Text before",
                "Table",
                "Between",
                "Text after",
                "Donec semper facilisis metus finibus malesuada."
            ]
        );
        assert_eq!(
            got.notes,
            vec![
                "1 table read cell by cell (not speaker | text)",
                "1 header left out",
                "1 footer left out"
            ]
        );
        let got = read_as(Format::Docx, fixture!("comments-rich-para.docx")).unwrap();
        assert_eq!(got.turns.len(), 7);
        assert_eq!(got.turns[2].text, "Other document text.");
        assert_eq!(got.notes, vec!["4 comments left out"]);
        let got = read_as(Format::Docx, fixture!("hdr-header-footer.docx")).unwrap();
        assert_eq!(got.notes, vec!["1 header left out", "1 footer left out"]);
        // A document that is only an empty table.
        assert_eq!(
            read_as(Format::Docx, fixture!("tbl-2x2-table.docx")),
            Err(IngestError::Empty)
        );
    }

    #[test]
    fn a_docx_is_not_an_odt_and_the_reverse() {
        assert_eq!(
            read_as(Format::Odt, fixture!("interview-word.docx")),
            Err(IngestError::MissingPart {
                part: "content.xml",
                kind: "OpenDocument"
            })
        );
        assert_eq!(
            read_as(Format::Docx, fixture!("interview-pandoc.odt")),
            Err(IngestError::MissingPart {
                part: "word/document.xml",
                kind: "Word"
            })
        );
        // A .docx renamed .txt is named for what it is.
        assert!(matches!(
            read(Path::new("x.txt"), fixture!("interview-word.docx")),
            Err(IngestError::WrongFormat(m)) if m.starts_with("a zip package")
        ));
        // An old .doc (an OLE compound file) renamed .docx.
        let mut ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec();
        ole.extend([0u8; 504]);
        assert!(matches!(
            read(Path::new("x.docx"), &ole),
            Err(IngestError::WrongFormat(m)) if m.starts_with("an old Word")
        ));
    }
}

/// The project's own transcripts, read as plain text imports, give the turns codewerk itself
/// sees in them: same speakers, same text.
#[test]
fn demo_transcripts_read_as_codewerk_reads_them() {
    use crate::core::transcript::Transcript;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("transcripts");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let ours = read(&path, &bytes).unwrap();
        let theirs = Transcript::from_bytes("x", &path, &bytes).unwrap();
        let want: Vec<(Option<String>, String)> = theirs
            .turns()
            .iter()
            .map(|t| {
                (
                    t.speaker.clone(),
                    clean_text(theirs.slice(t.body_start, t.end)),
                )
            })
            .collect();
        let got: Vec<(Option<String>, String)> = ours
            .turns
            .iter()
            .map(|t| (t.speaker.clone(), t.text.clone()))
            .collect();
        assert_eq!(got, want, "{}", path.display());
        assert_eq!(ours.word_count(), theirs.word_count(), "{}", path.display());
        files += 1;
    }
    assert!(files >= 10, "{files}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn label() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "I",
            "R",
            "Interviewer",
            "Respondent 2",
            "Speaker 1",
            "SPEAKER_00",
            "Jan de Vries",
        ])
    }

    /// Words that never make a line look like a label, header or timestamp.
    fn body() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "ja",
                "één",
                "coördinator",
                "’t",
                "school,",
                "nee.",
                "Dus",
                "10",
                "zei:",
                "(lacht)",
            ]),
            1..12,
        )
        .prop_map(|w| w.join(" "))
        .prop_filter("starts like a label", |b| !b.starts_with("Dus zei:"))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Labelled paragraphs, in any encoding codewerk reads, come back as the same turns.
        #[test]
        fn labelled_paragraphs_read_back(
            turns in prop::collection::vec((label(), body()), 1..8),
            crlf in any::<bool>(),
            encoding in 0..3u8,
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let text: String = turns
                .iter()
                .map(|(l, b)| format!("{l}: {b}{nl}{nl}"))
                .collect();
            let bytes = match encoding {
                0 => text.clone().into_bytes(),
                1 => [&b"\xef\xbb\xbf"[..], text.as_bytes()].concat(),
                _ => {
                    let mut v = vec![0xff, 0xfe];
                    v.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                    v
                }
            };
            let got = read(Path::new("t.txt"), &bytes).unwrap();
            let want: Vec<RawTurn> = turns
                .iter()
                .map(|(l, b)| RawTurn::new(Some(l.to_string()), None, b.clone()))
                .collect();
            prop_assert_eq!(got.turns, want);
        }
    }
}

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
    use super::super::docx::tests::docx;
    use super::*;
    use proptest::prelude::*;

    fn valid_docx() -> Vec<u8> {
        docx(
            "<w:p><w:r><w:t>I: De co</w:t></w:r><w:r><w:t>ördinator?</w:t></w:r></w:p>\
             <w:tbl><w:tr><w:tc><w:p><w:r><w:t>R</w:t></w:r></w:p></w:tc><w:tc><w:p><w:ins><w:r><w:t>Eén.</w:t></w:r></w:ins></w:p></w:tc></w:tr></w:tbl>",
            &[],
        )
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
        fn random_text_never_panics(s in "([A-Za-zéö’ 0-9:,;.\\[\\]()<>{}\"\\\\/_\n\t-]|-->|WEBVTT|NOTE|00:00:01,000|<v |\\{\\\\an8\\})*") {
            for format in Format::ALL {
                let _ = read_as(format, s.as_bytes());
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
        // A .docx renamed .txt is binary.
        assert!(matches!(
            read(Path::new("x.txt"), fixture!("interview-word.docx")),
            Err(IngestError::Binary { .. })
        ));
    }
}

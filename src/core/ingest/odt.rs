//! OpenDocument text (.odt): the paragraphs, headings and tables of `content.xml` in order.
//!
//! Whitespace follows the ODF rules: runs of spaces, tabs and newlines in the XML are one
//! space; `text:s` stands for spaces, `text:tab` for a tab (read as a space) and
//! `text:line-break` for a line break. Tracked changes are read as accepted: the deleted text,
//! kept in `text:tracked-changes`, is dropped. Annotations (comments) and notes (footnotes and
//! endnotes) are left out, with a note; so are headers and footers, which live in
//! `styles.xml`.

use super::blocks::Blocks;
use super::text;
use super::xml::{Node, Ns, Package, Xml, attr, tolerate};
use super::{IngestError, Limits, RawTurn};

const CONTENT: &str = "content.xml";
const STYLES: &str = "styles.xml";

/// More than this many spaces from one `text:s` is not a document anyone wrote.
const MAX_SPACES: usize = 1000;

pub(crate) fn read(
    bytes: &[u8],
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Vec<RawTurn>, IngestError> {
    let mut pkg = Package::open(bytes, limits)?;
    let content = pkg.part(CONTENT)?.ok_or(IngestError::MissingPart {
        part: CONTENT,
        kind: "OpenDocument",
    })?;
    let mut xml = Xml::new(&content, CONTENT, limits)?;
    let mut blocks = Blocks::default();
    let mut tracked = false;
    let mut annotations = 0usize;
    let mut footnotes = 0usize;
    // Whether text directly inside the innermost open element is document text: true inside
    // paragraphs and their spans, false in drawing titles, descriptions and the like.
    let mut text_here: Vec<bool> = Vec::new();
    loop {
        let node = xml.next()?;
        match node {
            Node::Eof => break,
            Node::Text(t) => {
                if text_here.last() == Some(&true) {
                    blocks.text(&t);
                }
            }
            Node::Open {
                ns,
                name,
                start,
                empty,
            } => {
                let parent = text_here.last().copied().unwrap_or(false);
                let mut skip = false;
                match (ns, name.as_str()) {
                    (Ns::OdfText, "p" | "h") => blocks.start_para(),
                    (Ns::OdfText, "s") => {
                        let n = attr(&start, "c")
                            .and_then(|c| c.trim().parse::<usize>().ok())
                            .unwrap_or(1)
                            .min(MAX_SPACES);
                        blocks.text(&" ".repeat(n));
                    }
                    (Ns::OdfText, "tab") => blocks.tab(),
                    (Ns::OdfText, "line-break") => blocks.line_break(),
                    (Ns::OdfText, "tracked-changes") => {
                        tracked = true;
                        skip = true;
                    }
                    (Ns::OdfText, "change" | "change-start" | "change-end") => tracked = true,
                    (Ns::OdfText, "note") => {
                        footnotes += 1;
                        skip = true;
                    }
                    (Ns::OdfText, "sequence-decls" | "variable-decls" | "user-field-decls") => {
                        skip = true;
                    }
                    (Ns::OdfOffice, "annotation") => {
                        annotations += 1;
                        skip = true;
                    }
                    (Ns::OdfTable, "table") => blocks.start_table(),
                    (Ns::OdfTable, "table-row") => blocks.start_row(),
                    (Ns::OdfTable, "table-cell" | "covered-table-cell") => blocks.start_cell(),
                    _ => {}
                }
                if empty {
                    close(&mut blocks, ns, &name);
                } else if skip {
                    xml.skip_element()?;
                } else {
                    let here = match ns {
                        Ns::OdfText if matches!(name.as_str(), "p" | "h") => true,
                        Ns::OdfText => parent,
                        _ => false,
                    };
                    text_here.push(here);
                }
            }
            Node::Close { ns, name } => {
                text_here.pop();
                close(&mut blocks, ns, &name);
            }
        }
    }
    let plain_tables = blocks.plain_tables;
    let items = blocks.finish();

    let (headers, footers) = match pkg.part(STYLES)? {
        Some(styles) => tolerate(count_headers(&styles, limits), STYLES, notes)?.unwrap_or((0, 0)),
        None => (0, 0),
    };
    if tracked {
        notes.push("tracked changes taken as accepted".to_string());
    }
    if plain_tables > 0 {
        notes.push(format!(
            "{plain_tables} {} read cell by cell (not speaker | text)",
            if plain_tables == 1 { "table" } else { "tables" }
        ));
    }
    for (n, one, many) in [
        (annotations, "comment", "comments"),
        (footnotes, "note", "notes"),
        (headers, "header", "headers"),
        (footers, "footer", "footers"),
    ] {
        if n > 0 {
            notes.push(format!("{n} {} left out", if n == 1 { one } else { many }));
        }
    }
    Ok(text::turns_from_items(items))
}

fn close(blocks: &mut Blocks, ns: Ns, name: &str) {
    match (ns, name) {
        (Ns::OdfText, "p" | "h") => blocks.end_para(),
        (Ns::OdfTable, "table") => blocks.end_table(),
        (Ns::OdfTable, "table-row") => blocks.end_row(),
        (Ns::OdfTable, "table-cell" | "covered-table-cell") => blocks.end_cell(),
        _ => {}
    }
}

/// Headers and footers with text in `styles.xml` (the master pages).
fn count_headers(bytes: &[u8], limits: &Limits) -> Result<(usize, usize), IngestError> {
    let mut xml = Xml::new(bytes, STYLES, limits)?;
    let (mut headers, mut footers) = (0, 0);
    // (is header, has text) of the header/footer we are in.
    let mut current: Option<(bool, bool)> = None;
    let mut depth = 0usize;
    loop {
        match xml.next()? {
            Node::Eof => return Ok((headers, footers)),
            Node::Open {
                ns: Ns::OdfStyle,
                name,
                empty: false,
                ..
            } if current.is_none()
                && (name.starts_with("header") || name.starts_with("footer"))
                && !name.ends_with("-style") =>
            {
                current = Some((name.starts_with("header"), false));
                depth = 1;
            }
            Node::Open { empty: false, .. } if current.is_some() => depth += 1,
            Node::Close { .. } if current.is_some() => {
                depth -= 1;
                if depth == 0
                    && let Some((is_header, has_text)) = current.take()
                    && has_text
                {
                    if is_header {
                        headers += 1;
                    } else {
                        footers += 1;
                    }
                }
            }
            Node::Text(t) if !t.trim().is_empty() => {
                if let Some(c) = current.as_mut() {
                    c.1 = true;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::docx::tests::zip_of;
    use super::super::{Format, read_with};
    use super::*;

    const NS: &str = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/""#;

    fn content_xml(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.3"><office:automatic-styles/><office:body><office:text>{body}</office:text></office:body></office:document-content>"#
        )
    }

    fn odt(body: &str, styles: Option<&str>) -> Vec<u8> {
        let content = content_xml(body);
        let styles = styles.map(|s| {
            format!(r#"<office:document-styles {NS}><office:master-styles><style:master-page style:name="Standard">{s}</style:master-page></office:master-styles></office:document-styles>"#)
        });
        let mut entries: Vec<(&str, &[u8])> = vec![
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", content.as_bytes()),
        ];
        if let Some(s) = &styles {
            entries.push(("styles.xml", s.as_bytes()));
        }
        zip_of(&entries)
    }

    fn turns(bytes: &[u8]) -> Result<(Vec<RawTurn>, Vec<String>), IngestError> {
        read_with(Format::Odt, bytes, &Limits::DEFAULT).map(|i| (i.turns, i.notes))
    }

    #[test]
    fn paragraphs_spaces_tabs_and_breaks() {
        let body = r#"<text:h text:outline-level="1">Interview A</text:h>
            <text:p text:style-name="P1">I: De <text:span text:style-name="T1">co</text:span>ördinator
               zei<text:s text:c="3"/>’één’.</text:p>
            <text:list><text:list-item><text:p>R: Ja<text:tab/>zeker<text:line-break/>en meer.</text:p></text:list-item></text:list>
            <text:p><draw:frame><svg:title>Plaatje</svg:title></draw:frame>R: Na het plaatje.</text:p>"#;
        let (t, notes) = turns(&odt(body, None)).unwrap();
        assert_eq!(
            t,
            vec![
                RawTurn::new(None, None, "Interview A"),
                RawTurn::new(Some("I".into()), None, "De coördinator zei ’één’."),
                RawTurn::new(Some("R".into()), None, "Ja zeker\nen meer."),
                RawTurn::new(Some("R".into()), None, "Na het plaatje."),
            ]
        );
        assert!(notes.is_empty());
    }

    #[test]
    fn tracked_changes_annotations_notes_headers() {
        let body = r#"<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><office:change-info><dc:creator>A</dc:creator></office:change-info><text:p>weggehaald</text:p></text:deletion></text:changed-region><text:changed-region text:id="c2"><text:insertion/></text:changed-region></text:tracked-changes>
            <text:p>R: Dit is <text:change text:change-id="c1"/><text:change-start text:change-id="c2"/>nieuw<text:change-end text:change-id="c2"/>.<office:annotation><dc:creator>B</dc:creator><text:p>Een opmerking</text:p></office:annotation> En meer<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>Voetnoot</text:p></text:note-body></text:note>.</text:p>"#;
        let styles = r#"<style:header><text:p>Vertrouwelijk</text:p></style:header><style:footer><text:p/></style:footer>"#;
        let (t, notes) = turns(&odt(body, Some(styles))).unwrap();
        assert_eq!(
            t,
            vec![RawTurn::new(
                Some("R".into()),
                None,
                "Dit is nieuw. En meer."
            )]
        );
        assert_eq!(
            notes,
            vec![
                "tracked changes taken as accepted".to_string(),
                "1 comment left out".to_string(),
                "1 note left out".to_string(),
                "1 header left out".to_string(),
            ]
        );
    }

    #[test]
    fn speaker_tables() {
        let row = |a: &str, b: &str| {
            format!(
                "<table:table-row><table:table-cell><text:p>{a}</text:p></table:table-cell><table:table-cell><text:p>{b}</text:p></table:table-cell></table:table-row>"
            )
        };
        let body = format!(
            "<table:table table:name=\"T1\"><table:table-column table:number-columns-repeated=\"2\"/><table:table-header-rows>{}</table:table-header-rows>{}{}</table:table>",
            row("Spreker", "Tekst"),
            row("Interviewer", "Wat doet de coördinator?"),
            row("Respondent", "Eén ding.")
        );
        let (t, _) = turns(&odt(&body, None)).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[1],
            RawTurn::new(Some("Respondent".into()), None, "Eén ding.")
        );
    }

    #[test]
    fn hostile_packages() {
        assert_eq!(
            turns(&zip_of(&[("mimetype", b"x")])),
            Err(IngestError::MissingPart {
                part: "content.xml",
                kind: "OpenDocument"
            })
        );
        let xxe = r#"<!DOCTYPE x [<!ENTITY e SYSTEM "http://example.org/">]><x>&e;</x>"#;
        assert_eq!(
            turns(&zip_of(&[("content.xml", xxe.as_bytes())])),
            Err(IngestError::Doctype {
                part: "content.xml"
            })
        );
        assert_eq!(
            turns(&odt("<text:p> </text:p>", None)),
            Err(IngestError::Empty)
        );
        assert!(matches!(turns(b"not a zip"), Err(IngestError::Zip(_))));
        let deep = format!("<a>{}{}</a>", "<b>".repeat(2000), "</b>".repeat(2000));
        assert!(matches!(
            turns(&zip_of(&[("content.xml", deep.as_bytes())])),
            Err(IngestError::TooDeep {
                part: "content.xml",
                ..
            })
        ));
        assert_eq!(
            turns(&zip_of(&[("content.xml", b"<a>co\xf6rdinator</a>")])),
            Err(IngestError::XmlNotUtf8 {
                part: "content.xml",
                offset: 5
            })
        );
        // A broken styles.xml only costs the header count.
        let content = content_xml("<text:p>R: ja</text:p>");
        let z = zip_of(&[
            ("content.xml", content.as_bytes()),
            ("styles.xml", b"<a><b></a>"),
        ]);
        let (t, notes) = turns(&z).unwrap();
        assert_eq!(t[0].text, "ja");
        assert!(notes[0].starts_with("styles.xml is broken"), "{notes:?}");
    }
}

//! Reading REFI-QDA XML leniently: any `urn:QDA-XML:*` namespace version or none, children in
//! any order, unknown elements counted rather than fatal. The XML goes through the ingest
//! guards (no DOCTYPE, no entities beyond the predefined ones, depth capped).

use super::{
    Qda, QdaCase, QdaCode, QdaCoding, QdaNote, QdaSelection, QdaSet, QdaSource, QdaUser,
    QdaVariable, SourceKind,
};
use crate::core::codebook::Rgb;
use crate::core::ingest::xml::{Node, Xml};
use crate::core::ingest::{IngestError, Limits};

/// A parsed element: local name, attributes (local names), children and direct text.
#[derive(Debug, Default)]
pub(crate) struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<El>,
    pub text: String,
}

impl El {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn kids<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn kid<'a>(&'a self, name: &'a str) -> Option<&'a El> {
        self.kids(name).next()
    }
    fn kid_text(&self, name: &str) -> String {
        self.kid(name).map(|e| e.text.clone()).unwrap_or_default()
    }
}

/// The attributes; a value with an unknown entity or a broken reference is an error (a name
/// silently lost would be a code or a source silently renamed).
fn attrs_of(
    start: &quick_xml::events::BytesStart<'_>,
    part: &'static str,
) -> Result<Vec<(String, String)>, IngestError> {
    let mut out = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| IngestError::Xml {
            part,
            offset: 0,
            message: e.to_string(),
        })?;
        let k = a.key.as_ref();
        // Namespace declarations are not data.
        if k == "xmlns" || k.starts_with("xmlns:") {
            continue;
        }
        let key = a.key.local_name().as_ref().to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| IngestError::Xml {
                part,
                offset: 0,
                message: format!("attribute {key} of <{}>: {e}", start.local_name().as_ref()),
            })?
            .into_owned();
        out.push((key, value));
    }
    Ok(out)
}

/// Parse a whole document into a tree (the guards of `Xml` apply).
pub(crate) fn parse(bytes: &[u8], part: &'static str) -> Result<El, IngestError> {
    let mut xml = Xml::new(bytes, part, &Limits::DEFAULT)?;
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        match xml.next()? {
            Node::Open {
                name, start, empty, ..
            } => {
                let el = El {
                    name,
                    attrs: attrs_of(&start, part)?,
                    ..El::default()
                };
                if empty {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(el);
                    }
                } else {
                    stack.push(el);
                }
            }
            Node::Close { .. } => {
                if stack.len() > 1
                    && let Some(el) = stack.pop()
                    && let Some(top) = stack.last_mut()
                {
                    top.children.push(el);
                }
            }
            Node::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            Node::Eof => break,
        }
    }
    let mut doc = stack.into_iter().next().unwrap_or_default();
    Ok(doc.children.pop().unwrap_or_default())
}

/// `#RRGGBB` or `#RGB`, either case.
pub(crate) fn parse_color(s: &str) -> Option<Rgb> {
    let hex = s.trim().strip_prefix('#')?;
    if hex.len() == 3 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        let d: Vec<u8> = hex
            .chars()
            .filter_map(|c| c.to_digit(16).map(|v| (v * 17) as u8))
            .collect();
        return Some(Rgb(d[0], d[1], d[2]));
    }
    Rgb::parse(&format!("#{hex}"))
}

fn note_refs(el: &El) -> Vec<String> {
    el.kids("NoteRef")
        .filter_map(|n| n.attr("targetGUID").map(str::to_string))
        .collect()
}

fn code(el: &El) -> QdaCode {
    QdaCode {
        guid: el.attr("guid").unwrap_or_default().to_string(),
        name: el.attr("name").unwrap_or_default().to_string(),
        codable: !matches!(el.attr("isCodable").map(str::trim), Some("false" | "0")),
        color: el.attr("color").and_then(parse_color),
        description: el.kid_text("Description"),
        notes: note_refs(el),
        children: el.kids("Code").map(code).collect(),
    }
}

fn codings(el: &El) -> Vec<QdaCoding> {
    el.kids("Coding")
        .filter_map(|c| {
            Some(QdaCoding {
                guid: c.attr("guid").unwrap_or_default().to_string(),
                code: c.kid("CodeRef")?.attr("targetGUID")?.to_string(),
                user: c.attr("creatingUser").map(str::to_string),
                notes: note_refs(c),
            })
        })
        .collect()
}

fn values(el: &El) -> Vec<(String, String)> {
    el.kids("VariableValue")
        .filter_map(|v| {
            let var = v.kid("VariableRef")?.attr("targetGUID")?.to_string();
            let value = v
                .children
                .iter()
                .find(|c| c.name.ends_with("Value"))
                .map(|c| c.text.trim().to_string())
                .unwrap_or_default();
            Some((var, value))
        })
        .collect()
}

fn bump(qda: &mut Qda, what: &str, n: usize) {
    if n > 0 {
        *qda.unread.entry(what.to_string()).or_default() += n;
    }
}

/// Integer positions; the schema says xsd:integer, so a sign or a fraction is an error (None).
fn position(s: Option<&str>) -> Option<i64> {
    s?.trim().parse().ok()
}

fn source(qda: &mut Qda, el: &El) -> QdaSource {
    let kind = match el.name.as_str() {
        "PictureSource" => SourceKind::Picture,
        "PDFSource" => SourceKind::Pdf,
        "AudioSource" => SourceKind::Audio,
        "VideoSource" => SourceKind::Video,
        _ => SourceKind::Text,
    };
    let mut selections = Vec::new();
    let mut bad = 0;
    for s in el.kids("PlainTextSelection") {
        match (
            position(s.attr("startPosition")),
            position(s.attr("endPosition")),
        ) {
            (Some(start), Some(end)) => selections.push(QdaSelection {
                guid: s.attr("guid").unwrap_or_default().to_string(),
                start,
                end,
                user: s.attr("creatingUser").map(str::to_string),
                description: s.kid_text("Description").trim().to_string(),
                codings: codings(s),
                notes: note_refs(s),
            }),
            _ => bad += 1,
        }
    }
    bump(qda, "text selections without integer positions", bad);
    for (name, what) in [
        ("PictureSelection", "picture selections"),
        ("PDFSelection", "PDF selections"),
        ("AudioSelection", "audio selections"),
        ("VideoSelection", "video selections"),
        ("Transcript", "media transcripts"),
    ] {
        let n = el.kids(name).count();
        bump(qda, what, n);
    }
    QdaSource {
        guid: el.attr("guid").unwrap_or_default().to_string(),
        name: el.attr("name").unwrap_or_default().to_string(),
        kind,
        plain_text_path: el
            .attr("plainTextPath")
            .or_else(|| el.attr("path"))
            .map(str::to_string),
        text: el.kid("PlainTextContent").map(|t| t.text.clone()),
        selections,
        codings: codings(el),
        notes: note_refs(el),
        values: values(el),
        user: el.attr("creatingUser").map(str::to_string),
    }
}

/// A `Project` or `CodeBook` root into the model.
/// The root of the XML is not a REFI-QDA document.
#[derive(Debug, thiserror::Error)]
#[error("the root element is <{0}>, not <Project> or <CodeBook>: not a REFI-QDA file")]
pub(crate) struct NotRefi(String);

pub(crate) fn model(root: &El) -> Result<Qda, NotRefi> {
    if root.name != "Project" && root.name != "CodeBook" {
        return Err(NotRefi(root.name.clone()));
    }
    let mut qda = Qda {
        name: root.attr("name").unwrap_or_default().to_string(),
        origin: root.attr("origin").unwrap_or_default().to_string(),
        description: root.kid_text("Description"),
        project_notes: note_refs(root),
        ..Qda::default()
    };
    let codes_el = if root.name == "CodeBook" {
        root.kid("Codes")
    } else {
        root.kid("CodeBook").and_then(|c| c.kid("Codes"))
    };
    if let Some(codes) = codes_el {
        qda.codes = codes.kids("Code").map(code).collect();
    }
    if let Some(users) = root.kid("Users") {
        qda.users = users
            .kids("User")
            .map(|u| QdaUser {
                guid: u.attr("guid").unwrap_or_default().to_string(),
                name: u
                    .attr("name")
                    .or_else(|| u.attr("id"))
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect();
    }
    if let Some(vars) = root.kid("Variables") {
        qda.variables = vars
            .kids("Variable")
            .map(|v| QdaVariable {
                guid: v.attr("guid").unwrap_or_default().to_string(),
                name: v.attr("name").unwrap_or_default().to_string(),
                kind: v.attr("typeOfVariable").unwrap_or("Text").to_string(),
            })
            .collect();
    }
    if let Some(cases) = root.kid("Cases") {
        qda.cases = cases
            .kids("Case")
            .map(|c| QdaCase {
                guid: c.attr("guid").unwrap_or_default().to_string(),
                name: c.attr("name").unwrap_or_default().to_string(),
                values: values(c),
                sources: c
                    .kids("SourceRef")
                    .filter_map(|s| s.attr("targetGUID").map(str::to_string))
                    .collect(),
                selections: c.kids("SelectionRef").count(),
                code_refs: c.kids("CodeRef").count(),
            })
            .collect();
    }
    if let Some(sources) = root.kid("Sources") {
        let list: Vec<&El> = sources.children.iter().collect();
        for el in list {
            if el.name.ends_with("Source") {
                let s = source(&mut qda, el);
                qda.sources.push(s);
            }
        }
    }
    if let Some(notes) = root.kid("Notes") {
        qda.notes = notes
            .kids("Note")
            .map(|n| QdaNote {
                guid: n.attr("guid").unwrap_or_default().to_string(),
                name: n.attr("name").unwrap_or_default().to_string(),
                user: n.attr("creatingUser").map(str::to_string),
                text: n.kid_text("PlainTextContent"),
                plain_text_path: n.attr("plainTextPath").map(str::to_string),
            })
            .collect();
    }
    if let Some(sets) = root.kid("Sets") {
        qda.sets = sets
            .kids("Set")
            .map(|s| {
                let members = |name: &str| -> Vec<String> {
                    s.kids(name)
                        .filter_map(|m| {
                            m.attr("targetGUID")
                                .or_else(|| m.attr("guid"))
                                .map(str::to_string)
                        })
                        .collect()
                };
                QdaSet {
                    guid: s.attr("guid").unwrap_or_default().to_string(),
                    name: s.attr("name").unwrap_or_default().to_string(),
                    codes: members("MemberCode"),
                    sources: members("MemberSource"),
                    notes: members("MemberNote"),
                }
            })
            .collect();
    }
    let known: &[&str] = &[
        "Users",
        "CodeBook",
        "Codes",
        "Variables",
        "Cases",
        "Sources",
        "Notes",
        "Links",
        "Sets",
        "Graphs",
        "Description",
        "NoteRef",
    ];
    for c in &root.children {
        if !known.contains(&c.name.as_str()) {
            bump(&mut qda, &format!("unknown elements <{}>", c.name), 1);
        }
    }
    let links = root.kid("Links").map_or(0, |l| l.kids("Link").count());
    bump(&mut qda, "links", links);
    let graphs = root.kid("Graphs").map_or(0, |g| g.kids("Graph").count());
    bump(&mut qda, "graphs", graphs);
    Ok(qda)
}

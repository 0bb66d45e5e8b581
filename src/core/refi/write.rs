//! Writing REFI-QDA XML strictly: children in the order of the schemas' sequences, no empty
//! containers (the schemas require at least one child), `#RRGGBB` colours, UTF-8 without BOM.

use super::{Qda, QdaCode, QdaCoding, QdaSelection, QdaSource};

pub const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
pub const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";

struct Out {
    s: String,
    depth: usize,
}

fn esc(text: &str, attr: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            // An attribute value's line breaks and tabs are normalised to spaces by every
            // parser unless written as references; a CR in content is lost the same way.
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            // Not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl Out {
    fn new() -> Self {
        Out {
            s: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.s.push_str("  ");
        }
    }

    fn attrs(&mut self, attrs: &[(&str, Option<&str>)]) {
        for (k, v) in attrs {
            if let Some(v) = v {
                self.s.push(' ');
                self.s.push_str(k);
                self.s.push_str("=\"");
                self.s.push_str(&esc(v, true));
                self.s.push('"');
            }
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, Option<&str>)]) {
        self.indent();
        self.s.push('<');
        self.s.push_str(name);
        self.attrs(attrs);
        self.s.push_str(">\n");
        self.depth += 1;
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, Option<&str>)]) {
        self.indent();
        self.s.push('<');
        self.s.push_str(name);
        self.attrs(attrs);
        self.s.push_str("/>\n");
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.indent();
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }

    /// An element holding text (no indentation inside: the text is kept exactly).
    fn text(&mut self, name: &str, text: &str) {
        self.indent();
        self.s.push('<');
        self.s.push_str(name);
        self.s.push('>');
        self.s.push_str(&esc(text, false));
        self.s.push_str("</");
        self.s.push_str(name);
        self.s.push_str(">\n");
    }
}

fn code(out: &mut Out, c: &QdaCode, with_notes: bool) {
    let color = c.color.map(|c| c.to_string());
    let attrs = [
        ("guid", Some(c.guid.as_str())),
        ("name", Some(c.name.as_str())),
        ("isCodable", Some(if c.codable { "true" } else { "false" })),
        ("color", color.as_deref()),
    ];
    let has_notes = with_notes && !c.notes.is_empty();
    if c.description.is_empty() && !has_notes && c.children.is_empty() {
        out.empty("Code", &attrs);
        return;
    }
    out.open("Code", &attrs);
    if !c.description.is_empty() {
        out.text("Description", &c.description);
    }
    if with_notes {
        for n in &c.notes {
            out.empty("NoteRef", &[("targetGUID", Some(n))]);
        }
    }
    for child in &c.children {
        code(out, child, with_notes);
    }
    out.close("Code");
}

/// A `.qdc` codebook.
pub fn codebook_xml(qda: &Qda) -> String {
    let mut out = Out::new();
    out.open(
        "CodeBook",
        &[
            ("xmlns", Some(CODEBOOK_NS)),
            ("origin", Some(qda.origin.as_str())),
        ],
    );
    out.open("Codes", &[]);
    for c in &qda.codes {
        code(&mut out, c, false);
    }
    out.close("Codes");
    out.close("CodeBook");
    out.s
}

fn coding(out: &mut Out, c: &QdaCoding) {
    out.open(
        "Coding",
        &[("guid", Some(&c.guid)), ("creatingUser", c.user.as_deref())],
    );
    out.empty("CodeRef", &[("targetGUID", Some(&c.code))]);
    out.close("Coding");
}

fn selection(out: &mut Out, s: &QdaSelection) {
    let (start, end) = (s.start.to_string(), s.end.to_string());
    out.open(
        "PlainTextSelection",
        &[
            ("guid", Some(&s.guid)),
            ("startPosition", Some(&start)),
            ("endPosition", Some(&end)),
            ("creatingUser", s.user.as_deref()),
        ],
    );
    if !s.description.is_empty() {
        out.text("Description", &s.description);
    }
    for c in &s.codings {
        coding(out, c);
    }
    for n in &s.notes {
        out.empty("NoteRef", &[("targetGUID", Some(n))]);
    }
    out.close("PlainTextSelection");
}

fn source(out: &mut Out, s: &QdaSource) {
    out.open(
        "TextSource",
        &[
            ("guid", Some(&s.guid)),
            ("name", Some(&s.name)),
            ("plainTextPath", s.plain_text_path.as_deref()),
            ("creatingUser", s.user.as_deref()),
        ],
    );
    for sel in &s.selections {
        selection(out, sel);
    }
    for c in &s.codings {
        coding(out, c);
    }
    for n in &s.notes {
        out.empty("NoteRef", &[("targetGUID", Some(n))]);
    }
    for (var, value) in &s.values {
        variable_value(out, var, value);
    }
    out.close("TextSource");
}

fn variable_value(out: &mut Out, var: &str, value: &str) {
    out.open("VariableValue", &[]);
    out.empty("VariableRef", &[("targetGUID", Some(var))]);
    out.text("TextValue", value);
    out.close("VariableValue");
}

/// `project.qde`: Users, CodeBook, Variables, Cases, Sources, Notes, Sets, Description.
pub fn project_xml(qda: &Qda) -> String {
    let mut out = Out::new();
    out.open(
        "Project",
        &[
            ("xmlns", Some(PROJECT_NS)),
            ("name", Some(qda.name.as_str())),
            ("origin", Some(qda.origin.as_str())),
        ],
    );
    if !qda.users.is_empty() {
        out.open("Users", &[]);
        for u in &qda.users {
            out.empty("User", &[("guid", Some(&u.guid)), ("name", Some(&u.name))]);
        }
        out.close("Users");
    }
    if !qda.codes.is_empty() {
        out.open("CodeBook", &[]);
        out.open("Codes", &[]);
        for c in &qda.codes {
            code(&mut out, c, true);
        }
        out.close("Codes");
        out.close("CodeBook");
    }
    if !qda.variables.is_empty() {
        out.open("Variables", &[]);
        for v in &qda.variables {
            out.empty(
                "Variable",
                &[
                    ("guid", Some(&v.guid)),
                    ("name", Some(&v.name)),
                    ("typeOfVariable", Some(&v.kind)),
                ],
            );
        }
        out.close("Variables");
    }
    if !qda.cases.is_empty() {
        out.open("Cases", &[]);
        for c in &qda.cases {
            out.open("Case", &[("guid", Some(&c.guid)), ("name", Some(&c.name))]);
            for (var, value) in &c.values {
                variable_value(&mut out, var, value);
            }
            for s in &c.sources {
                out.empty("SourceRef", &[("targetGUID", Some(s))]);
            }
            out.close("Case");
        }
        out.close("Cases");
    }
    if !qda.sources.is_empty() {
        out.open("Sources", &[]);
        for s in &qda.sources {
            source(&mut out, s);
        }
        out.close("Sources");
    }
    if !qda.notes.is_empty() {
        out.open("Notes", &[]);
        for n in &qda.notes {
            out.open(
                "Note",
                &[
                    ("guid", Some(&n.guid)),
                    ("name", Some(&n.name)),
                    ("creatingUser", n.user.as_deref()),
                ],
            );
            out.text("PlainTextContent", &n.text);
            out.close("Note");
        }
        out.close("Notes");
    }
    if !qda.sets.is_empty() {
        out.open("Sets", &[]);
        for set in &qda.sets {
            out.open(
                "Set",
                &[("guid", Some(&set.guid)), ("name", Some(&set.name))],
            );
            for c in &set.codes {
                out.empty("MemberCode", &[("targetGUID", Some(c))]);
            }
            for s in &set.sources {
                out.empty("MemberSource", &[("targetGUID", Some(s))]);
            }
            out.close("Set");
        }
        out.close("Sets");
    }
    if !qda.description.is_empty() {
        out.text("Description", &qda.description);
    }
    for n in &qda.project_notes {
        out.empty("NoteRef", &[("targetGUID", Some(n))]);
    }
    out.close("Project");
    out.s
}

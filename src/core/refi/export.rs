//! A project as REFI-QDA: the codebook as a `.qdc`, everything as a `.qdpx`.

use super::write::{codebook_xml, project_xml};
use super::{
    Qda, QdaCase, QdaCode, QdaCoding, QdaNote, QdaSelection, QdaSource, QdaUser, QdaVariable,
    RefiError, random_guid, stable_guid,
};
use crate::core::codebook::{Code, Codebook};
use crate::core::fsutil;
use crate::core::project::Project;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

pub(crate) const ORIGIN: &str = concat!("codewerk ", env!("CARGO_PKG_VERSION"));

/// What an export wrote (and what it could not carry).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportSummary {
    pub codes: usize,
    pub sources: usize,
    pub selections: usize,
    pub memos: usize,
    pub cases: usize,
    pub users: Vec<String>,
    /// Codes that got their GUID now (saved in codebook.json).
    pub guids_assigned: usize,
    /// Not representable in REFI-QDA, with counts ("transcripts marked done").
    pub left_out: Vec<String>,
    /// Sources with characters outside the BMP: NVivo counts those as 2 and will shift.
    pub astral_warning: Vec<String>,
}

/// The deelvraag's parent code name; import recognises it again.
pub(crate) fn deelvraag_code_name(number: u32, title: &str) -> String {
    if title.is_empty() {
        format!("Deelvraag {number}")
    } else {
        format!("Deelvraag {number}: {title}")
    }
}

/// Give every code without a GUID one, and store it: a GUID must be the same at every export.
/// Under the codebook's lock and from the file as it is now, as `Codebook::add_code` does, so
/// that a code another coder added meanwhile is not lost.
pub fn ensure_guids(codebook: &mut Codebook) -> Result<usize, RefiError> {
    if codebook.codes.iter().all(|c| c.guid.is_some()) {
        return Ok(0);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |err| RefiError::Io { path, err }
    };
    let lock_path = codebook.path.with_file_name(".codebook.lock");
    let lock = fsutil::no_follow(
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true),
    )
    .open(&lock_path)
    .map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    if codebook.path.exists() {
        let on_disk = Codebook::load(&codebook.path).map_err(|ps| {
            RefiError::Project(format!(
                "the codebook on disk is not valid, not changing it: {}",
                ps.first().map(ToString::to_string).unwrap_or_default()
            ))
        })?;
        *codebook = on_disk;
    }
    let missing = codebook.codes.update(|codes| {
        let mut missing = 0;
        for c in codes {
            if c.guid.is_none() {
                c.guid = Some(random_guid());
                missing += 1;
            }
        }
        missing
    });
    if missing > 0 {
        codebook.save().map_err(io(&codebook.path))?;
    }
    Ok(missing)
}

fn code_guid(c: &Code) -> String {
    c.guid
        .clone()
        .unwrap_or_else(|| stable_guid(&format!("code:{}", c.id)))
}

/// The code tree: deelvraag › category › code › sub-codes (by `parent`).
fn code_tree(cb: &Codebook, notes: &dyn Fn(&str) -> Vec<String>) -> Vec<QdaCode> {
    fn node(cb: &Codebook, c: &Code, notes: &dyn Fn(&str) -> Vec<String>) -> QdaCode {
        QdaCode {
            guid: code_guid(c),
            name: c.name.clone(),
            codable: true,
            color: Some(c.colour),
            description: c.description.clone(),
            notes: notes(&c.id),
            children: cb
                .codes
                .iter()
                .filter(|x| x.parent.as_deref() == Some(c.id.as_str()))
                .map(|x| node(cb, x, notes))
                .collect(),
        }
    }
    let mut roots = Vec::new();
    for d in &cb.deelvragen {
        // A sub-code sits under its parent, wherever that is; the rest under its category.
        let top: Vec<&Code> = cb
            .codes_of(d.number)
            .filter(|c| c.parent.as_ref().is_none_or(|p| cb.code(p).is_none()))
            .collect();
        let mut children = Vec::new();
        let mut categories: Vec<&str> = Vec::new();
        for c in &top {
            match c.category.as_deref() {
                None => children.push(node(cb, c, notes)),
                Some(cat) if !categories.contains(&cat) => {
                    categories.push(cat);
                    children.push(QdaCode {
                        guid: stable_guid(&format!("category:{}:{cat}", d.number)),
                        name: cat.to_string(),
                        codable: false,
                        children: top
                            .iter()
                            .filter(|x| x.category.as_deref() == Some(cat))
                            .map(|x| node(cb, x, notes))
                            .collect(),
                        ..QdaCode::default()
                    });
                }
                Some(_) => {}
            }
        }
        roots.push(QdaCode {
            guid: stable_guid(&format!("deelvraag:{}", d.number)),
            name: deelvraag_code_name(d.number, &d.title),
            codable: false,
            description: d.question.clone(),
            children,
            ..QdaCode::default()
        });
    }
    roots
}

pub(crate) fn source_guid(transcript: &str) -> String {
    stable_guid(&format!("source:{transcript}"))
}

fn user_guid(coder: &str) -> String {
    stable_guid(&format!("user:{coder}"))
}

/// Build the model of the whole project for the given coders (all if empty).
pub(crate) fn build(project: &Project, coders: &[String]) -> (Qda, ExportSummary) {
    let mut summary = ExportSummary::default();
    let chosen: Vec<&String> = project
        .coders
        .keys()
        .filter(|c| coders.is_empty() || coders.contains(c))
        .collect();
    let mut qda = Qda {
        name: if project.settings.name.is_empty() {
            "codewerk project".to_string()
        } else {
            project.settings.name.clone()
        },
        origin: ORIGIN.to_string(),
        description: project.settings.description.clone(),
        ..Qda::default()
    };
    for coder in &chosen {
        qda.users.push(QdaUser {
            guid: user_guid(coder),
            name: (*coder).clone(),
        });
        summary.users.push((*coder).clone());
    }
    // Code memos are per coder: each a Note by its coder, referenced from the code.
    let mut code_notes: Vec<(String, String)> = Vec::new();
    for coder in &chosen {
        let state = &project.coders[*coder];
        for (code, memo) in &state.code_memos {
            if memo.is_empty() || project.codebook.code(code).is_none() {
                continue;
            }
            let guid = stable_guid(&format!("codememo:{coder}:{code}"));
            qda.notes.push(QdaNote {
                guid: guid.clone(),
                name: format!("Memo by {coder} on code {code}"),
                user: Some(user_guid(coder)),
                text: memo.clone(),
                plain_text_path: None,
            });
            code_notes.push((code.clone(), guid));
        }
    }
    let notes_of = |id: &str| -> Vec<String> {
        code_notes
            .iter()
            .filter(|(c, _)| c == id)
            .map(|(_, g)| g.clone())
            .collect()
    };
    qda.codes = code_tree(&project.codebook, &notes_of);
    summary.codes = project.codebook.codes.len();

    // Variables: the three fixed columns, then every further attribute as it first appears.
    let mut var_names: Vec<String> = vec!["group".into(), "school".into(), "school_type".into()];
    for r in &project.respondents {
        for (k, _) in &r.attributes {
            if !var_names.contains(k) {
                var_names.push(k.clone());
            }
        }
    }
    let var_guid = |name: &str| stable_guid(&format!("variable:{name}"));
    qda.variables = var_names
        .iter()
        .map(|n| QdaVariable {
            guid: var_guid(n),
            name: n.clone(),
            kind: "Text".into(),
        })
        .collect();

    let mut coding_notes: Vec<QdaNote> = Vec::new();
    let mut done = 0;
    let mut orphaned = 0;
    for (r, t) in project.respondents.iter().zip(&project.transcripts) {
        let sguid = source_guid(&r.id);
        let mut selections: Vec<(usize, usize, &str, &str, QdaSelection)> = Vec::new();
        for coder in &chosen {
            let state = &project.coders[*coder];
            if state.done.contains(&r.id) {
                done += 1;
            }
            for c in state.of_transcript(&r.id) {
                let Some(code) = project.codebook.code(&c.code) else {
                    continue;
                };
                // Its offsets no longer quote its text: exporting them would code other words.
                if c.anchor == crate::core::coding::Anchor::Orphaned {
                    orphaned += 1;
                    continue;
                }
                let key = format!("{coder}:{}", c.id);
                let mut notes = Vec::new();
                if let Some(memo) = c.memo.as_deref().filter(|m| !m.is_empty()) {
                    let guid = stable_guid(&format!("memo:{key}"));
                    coding_notes.push(QdaNote {
                        guid: guid.clone(),
                        name: format!("Memo by {coder} on {} {}..{}", r.id, c.start, c.end),
                        user: Some(user_guid(coder)),
                        text: memo.to_string(),
                        plain_text_path: None,
                    });
                    notes.push(guid);
                }
                selections.push((
                    c.start,
                    c.end,
                    coder.as_str(),
                    code.id.as_str(),
                    QdaSelection {
                        guid: stable_guid(&format!("selection:{key}")),
                        start: c.start as i64,
                        end: c.end as i64,
                        user: Some(user_guid(coder)),
                        description: String::new(),
                        codings: vec![QdaCoding {
                            guid: stable_guid(&format!("coding:{key}")),
                            code: code_guid(code),
                            user: Some(user_guid(coder)),
                            notes: Vec::new(),
                        }],
                        notes,
                    },
                ));
            }
        }
        // Same bytes at every export: order by position, then coder and code, not by id.
        selections.sort_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
        summary.selections += selections.len();
        if t.text().chars().any(|c| c as u32 > 0xFFFF) {
            summary.astral_warning.push(r.id.clone());
        }
        qda.sources.push(QdaSource {
            guid: sguid.clone(),
            name: r.id.clone(),
            plain_text_path: Some(format!("internal://{sguid}.txt")),
            text: Some(t.text().to_string()),
            selections: selections.into_iter().map(|s| s.4).collect(),
            ..QdaSource::default()
        });
        let mut values = Vec::new();
        let fixed = [
            ("group", r.group.as_str()),
            ("school", r.school.as_str()),
            ("school_type", r.school_type.as_str()),
        ];
        for (name, value) in fixed
            .into_iter()
            .chain(r.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            if !value.is_empty() {
                values.push((var_guid(name), value.to_string()));
            }
        }
        qda.cases.push(QdaCase {
            guid: stable_guid(&format!("case:{}", r.id)),
            name: r.id.clone(),
            values,
            sources: vec![sguid],
            ..QdaCase::default()
        });
    }
    summary.sources = qda.sources.len();
    summary.cases = qda.cases.len();
    // Coding memos first, in source order, then code memos: the order of the file is stable.
    coding_notes.append(&mut qda.notes);
    qda.notes = coding_notes;
    summary.memos = qda.notes.len();
    if orphaned > 0 {
        summary.left_out.push(format!(
            "{orphaned} passage(s) whose text is no longer in their transcript (run `codewerk \
             check` and fix them)"
        ));
    }
    if done > 0 {
        summary.left_out.push(format!(
            "{done} transcript(s) marked done (REFI-QDA has no such mark)"
        ));
    }
    if !project.settings.groups.is_empty() {
        summary.left_out.push(
            "the group plurals of project.json (the group is exported as a case variable)".into(),
        );
    }
    (qda, summary)
}

/// Write `bytes` to `out`: a new file (never over an existing one unless `force`).
fn write_out(out: &Path, bytes: &[u8], force: bool) -> Result<(), RefiError> {
    let result = if force {
        fsutil::write_atomic(out, bytes)
    } else {
        fsutil::write_new(out, bytes)
    };
    result.map_err(|err| RefiError::Io {
        path: out.to_path_buf(),
        err,
    })
}

/// The codebook as a `.qdc`. GUIDs missing from codebook.json are made and saved first.
pub fn export_qdc(
    project: &mut Project,
    out: &Path,
    force: bool,
) -> Result<ExportSummary, RefiError> {
    let assigned = ensure_guids(&mut project.codebook)?;
    let qda = Qda {
        origin: ORIGIN.to_string(),
        codes: code_tree(&project.codebook, &|_| Vec::new()),
        ..Qda::default()
    };
    write_out(out, codebook_xml(&qda).as_bytes(), force)?;
    Ok(ExportSummary {
        codes: project.codebook.codes.len(),
        guids_assigned: assigned,
        left_out: vec!["code memos (a .qdc holds none; export qdpx carries them)".into()],
        ..ExportSummary::default()
    })
}

/// The bytes of a `.qdpx`: `project.qde` and `sources/<guid>.txt`, with fixed timestamps so
/// that the same project gives the same file.
pub(crate) fn qdpx_bytes(qda: &Qda) -> Result<Vec<u8>, std::io::Error> {
    use zip::write::SimpleFileOptions;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let io = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    zip.start_file("project.qde", options).map_err(io)?;
    zip.write_all(project_xml(qda).as_bytes())?;
    for s in &qda.sources {
        if let (Some(text), Some(path)) = (&s.text, &s.plain_text_path) {
            let name = path.strip_prefix("internal://").unwrap_or(path);
            zip.start_file(format!("sources/{name}"), options)
                .map_err(io)?;
            zip.write_all(text.as_bytes())?;
        }
    }
    Ok(zip.finish().map_err(io)?.into_inner())
}

/// The whole project (codings of `coders`, all if empty) as a `.qdpx`.
pub fn export_qdpx(
    project: &mut Project,
    coders: &[String],
    out: &Path,
    force: bool,
) -> Result<ExportSummary, RefiError> {
    if let Some(c) = coders.iter().find(|c| !project.coders.contains_key(*c)) {
        let known: Vec<&str> = project.coders.keys().map(String::as_str).collect();
        return Err(RefiError::Project(format!(
            "coder \"{c}\" has no codings in this project (coders: {})",
            known.join(", ")
        )));
    }
    let assigned = ensure_guids(&mut project.codebook)?;
    let (qda, mut summary) = build(project, coders);
    summary.guids_assigned = assigned;
    let bytes = qdpx_bytes(&qda).map_err(|err| RefiError::Io {
        path: out.to_path_buf(),
        err,
    })?;
    write_out(out, &bytes, force)?;
    Ok(summary)
}

//! The filters of a search (group, school, speaker, attributes, code, coder) as tantivy
//! clauses, with the values named as the user types them (case and accents ignored). The
//! respondent and speaker filters are terms of the index; the code filters are the codings
//! (`coded`).

use super::Index;
use super::coded::{CodedUnits, Counted};
use super::query::{BoxQuery, Query, SearchError};
use super::source::{Source, distinct};
use crate::core::text::fold_key as fold;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};

pub(super) fn filters<S: Source + ?Sized>(
    project: &S,
    index: &Index,
    q: &Query,
) -> Result<Vec<(Occur, BoxQuery)>, SearchError> {
    let f = &index.fields;
    let term = |field, value: &str| -> Box<dyn tantivy::query::Query> {
        let tq = TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        );
        Box::new(ConstScoreQuery::new(Box::new(tq), 0.0))
    };
    // One value: its term; several (`--speaker int` naming `Int` and `INT`): any of them.
    let any = |field, values: Vec<String>| -> BoxQuery {
        if values.len() == 1 {
            return term(field, &values[0]);
        }
        let terms = values
            .iter()
            .map(|v| (Occur::Should, term(field, v)))
            .collect();
        Box::new(BooleanQuery::new(terms))
    };
    let mut out = Vec::new();
    if let Some(g) = &q.group {
        let groups = resolve("group", g, &project.groups(), |g| {
            let plural = project.settings().group(g).map_or(g, |g| g.plural());
            vec![g.to_string(), plural.to_string()]
        })?;
        out.push((Occur::Must, any(f.group, groups)));
    }
    if let Some(s) = &q.school_type {
        let types = resolve("school type", s, &project.school_types(), |t| {
            vec![t.to_string()]
        })?;
        out.push((Occur::Must, any(f.school_type, types)));
    }
    if let Some(s) = &q.school {
        let schools = distinct(project.respondents().iter().map(|r| r.school.as_str()));
        let schools = resolve("school", s, &schools, |s| vec![s.to_string()])?;
        out.push((Occur::Must, any(f.school, schools)));
    }
    if let Some(s) = &q.speaker {
        let labels = project.speaker_labels(index);
        let labels = resolve("speaker label", s, &labels, |l| vec![l.to_string()])?;
        out.push((Occur::Must, any(f.speaker, labels)));
    }
    for (k, v) in &q.attributes {
        let names = distinct(
            project
                .respondents()
                .iter()
                .flat_map(|r| r.attributes.iter().map(|(k, _)| k.as_str())),
        );
        let name = k.trim().to_lowercase().replace(' ', "_");
        let name = resolve("attribute", &name, &names, |n| vec![n.to_string()])?.remove(0);
        let values = distinct(project.respondents().iter().filter_map(|r| {
            r.attributes
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        }));
        let what = format!("value of attribute {name}");
        let values = resolve(&what, v.trim(), &values, |v| vec![v.to_string()])?;
        let terms = values.iter().map(|v| format!("{name}={v}")).collect();
        out.push((Occur::Must, any(f.attribute, terms)));
    }
    let code = match &q.code {
        Some(c) => match project.codebook().resolve(c) {
            Some(code) => Some(code.id.clone()),
            None => return Err(SearchError::Filter(project.codebook().unknown_code(c))),
        },
        None => None,
    };
    // Coded: by the codings the source read now, not by the index (see `coded`).
    if code.is_some() || q.coder.is_some() || q.uncoded {
        let counted = Counted {
            code: code.as_deref(),
            coder: q.coder.as_deref(),
        };
        let coded: BoxQuery = Box::new(CodedUnits::new(project, f, counted)?);
        let occur = if q.uncoded {
            Occur::MustNot
        } else {
            Occur::Must
        };
        out.push((occur, coded));
    }
    Ok(out)
}

/// The values of `all` that `value` names: the value itself if it is one, else every value one
/// of whose `names` (the value itself, a group's plural) equals it with case and accents ignored.
/// None is an error listing the known values, as `export` does.
fn resolve(
    what: &str,
    value: &str,
    all: &[String],
    names: impl Fn(&str) -> Vec<String>,
) -> Result<Vec<String>, SearchError> {
    if all.iter().any(|a| a == value) {
        return Ok(vec![value.to_string()]);
    }
    let folded = fold(value);
    let found: Vec<String> = all
        .iter()
        .filter(|a| names(a).iter().any(|n| n == value || fold(n) == folded))
        .cloned()
        .collect();
    if found.is_empty() {
        let known = if all.is_empty() {
            "none".to_string()
        } else {
            all.join(", ")
        };
        return Err(SearchError::Filter(format!(
            "unknown {what} \"{value}\" (known: {known})"
        )));
    }
    Ok(found)
}

/// A coder named as a search filter must have codings in the project (a journal): otherwise
/// `--coder nobody --uncoded` would quietly be every unit. The error lists the known coders.
pub fn check_coder<S: Source + ?Sized>(project: &S, coder: &str) -> Result<(), SearchError> {
    let known = project.coder_names();
    if known.contains(&coder) {
        return Ok(());
    }
    let known = if known.is_empty() {
        "none: nobody has coded yet".to_string()
    } else {
        known.join(", ")
    };
    Err(SearchError::Filter(format!(
        "unknown coder \"{coder}\" (known: {known})"
    )))
}

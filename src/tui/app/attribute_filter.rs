//! The transcript list's attribute filter (`a`).

use crate::core::text::fold_key as fold_field;

/// The list's attribute filter: `name=value` compares one column (names and values case- and
/// accent-insensitive; group, school, school_type and id count as columns too); plain text is
/// looked for in every column.
pub struct AttributeFilter {
    name: Option<String>,
    value: String,
}

impl AttributeFilter {
    pub fn parse(filter: &str) -> AttributeFilter {
        match filter.split_once('=') {
            Some((name, value)) => AttributeFilter {
                name: Some(fold_field(name)),
                value: fold_field(value),
            },
            None => AttributeFilter {
                name: None,
                value: fold_field(filter),
            },
        }
    }

    pub fn matches(&self, r: &crate::core::respondents::Respondent) -> bool {
        let mut columns = [
            ("id", r.id.as_str()),
            ("group", r.group.as_str()),
            ("school", r.school.as_str()),
            ("school_type", r.school_type.as_str()),
        ]
        .into_iter()
        .chain(r.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        match &self.name {
            Some(name) => {
                columns.any(|(k, v)| fold_field(k) == *name && fold_field(v) == self.value)
            }
            None => columns.any(|(_, v)| fold_field(v).contains(&self.value)),
        }
    }
}

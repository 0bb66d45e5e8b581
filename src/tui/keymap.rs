//! The default keys, as one table: (panel, key) -> action. The help overlay, the hint bar and
//! `codewerk keys` (which the README's key table comes from) all read this table.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Focus {
    List,
    Text,
    Codebook,
}

impl Focus {
    pub fn name(self) -> &'static str {
        match self {
            Focus::List => "transcript list",
            Focus::Text => "transcript",
            Focus::Codebook => "codebook",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// None: in every panel.
    pub focus: Option<Focus>,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
}

const fn k(focus: Option<Focus>, code: KeyCode, action: Action) -> Binding {
    Binding {
        focus,
        code,
        mods: KeyModifiers::NONE,
        action,
    }
}

const fn ctrl(focus: Option<Focus>, c: char, action: Action) -> Binding {
    Binding {
        focus,
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
        action,
    }
}

use Action as A;
use Focus::{Codebook as CB, List as L, Text as T};
use KeyCode::Char as C;

pub const BINDINGS: &[Binding] = &[
    k(None, C('q'), A::Quit),
    k(None, C('?'), A::Help),
    k(None, KeyCode::Tab, A::FocusNext),
    k(None, KeyCode::BackTab, A::FocusPrev),
    k(None, C('z'), A::TogglePanels),
    k(None, C('u'), A::Undo),
    ctrl(None, 'z', A::Undo),
    k(None, C('U'), A::Redo),
    ctrl(None, 'r', A::Redo),
    k(None, C('n'), A::NewCode),
    k(None, C('o'), A::ToggleLayer),
    k(None, C('A'), A::OpenAgreement),
    k(None, C('/'), A::OpenSearch),
    k(None, C('C'), A::OpenClusters),
    k(None, C('M'), A::OpenMatrix),
    k(None, C('R'), A::OpenReview),
    k(None, KeyCode::Esc, A::ClearSelection),
    // Transcript.
    k(Some(T), KeyCode::Left, A::Left),
    k(Some(T), C('h'), A::Left),
    k(Some(T), KeyCode::Right, A::Right),
    k(Some(T), C('l'), A::Right),
    k(Some(T), KeyCode::Up, A::Up),
    k(Some(T), C('k'), A::Up),
    k(Some(T), KeyCode::Down, A::Down),
    k(Some(T), C('j'), A::Down),
    k(Some(T), C('w'), A::WordNext),
    k(Some(T), C('b'), A::WordPrev),
    k(Some(T), C(')'), A::SentenceNext),
    k(Some(T), C('('), A::SentencePrev),
    k(Some(T), C('}'), A::TurnNext),
    k(Some(T), C('{'), A::TurnPrev),
    k(Some(T), KeyCode::PageDown, A::PageDown),
    k(Some(T), C(' '), A::PageDown),
    k(Some(T), KeyCode::PageUp, A::PageUp),
    k(Some(T), C('g'), A::Top),
    k(Some(T), KeyCode::Home, A::Top),
    k(Some(T), C('G'), A::Bottom),
    k(Some(T), KeyCode::End, A::Bottom),
    k(Some(T), C('v'), A::ToggleSelect),
    k(Some(T), C('s'), A::SelectSentence),
    k(Some(T), C('t'), A::SelectTurn),
    k(Some(T), C('1'), A::ApplyHotkey(1)),
    k(Some(T), C('2'), A::ApplyHotkey(2)),
    k(Some(T), C('3'), A::ApplyHotkey(3)),
    k(Some(T), C('4'), A::ApplyHotkey(4)),
    k(Some(T), C('5'), A::ApplyHotkey(5)),
    k(Some(T), C('6'), A::ApplyHotkey(6)),
    k(Some(T), C('7'), A::ApplyHotkey(7)),
    k(Some(T), C('8'), A::ApplyHotkey(8)),
    k(Some(T), C('9'), A::ApplyHotkey(9)),
    k(Some(T), C('0'), A::ApplyHotkey(10)),
    k(Some(T), KeyCode::Enter, A::ApplySelectedCode),
    k(Some(T), C('x'), A::RemoveCode),
    k(Some(T), KeyCode::Delete, A::RemoveCode),
    k(Some(T), C('e'), A::EditBounds),
    k(Some(T), C('m'), A::MemoPassage),
    k(Some(T), C('d'), A::ToggleDone),
    k(Some(T), C(']'), A::NextCoded),
    k(Some(T), C('['), A::PrevCoded),
    k(Some(T), C('>'), A::NextOfCode),
    k(Some(T), C('<'), A::PrevOfCode),
    k(Some(T), C('.'), A::NextUncodedTurn),
    k(Some(T), C('f'), A::FilterCodes),
    // Transcript list.
    k(Some(L), KeyCode::Up, A::ListUp),
    k(Some(L), C('k'), A::ListUp),
    k(Some(L), KeyCode::Down, A::ListDown),
    k(Some(L), C('j'), A::ListDown),
    k(Some(L), KeyCode::Enter, A::OpenSelected),
    k(Some(L), C('r'), A::CycleGroup),
    k(Some(L), C('s'), A::CycleSchoolType),
    k(Some(L), C('a'), A::FilterByAttribute),
    k(Some(L), C('d'), A::ToggleDone),
    // Codebook.
    k(Some(CB), KeyCode::Up, A::CodeUp),
    k(Some(CB), C('k'), A::CodeUp),
    k(Some(CB), KeyCode::Down, A::CodeDown),
    k(Some(CB), C('j'), A::CodeDown),
    k(Some(CB), KeyCode::Enter, A::ApplySelectedCode),
    k(Some(CB), C('f'), A::FilterCodes),
    k(Some(CB), C('/'), A::FilterCodes),
    k(Some(CB), C('m'), A::MemoCode),
    k(Some(CB), C('>'), A::NextOfCode),
    k(Some(CB), C('<'), A::PrevOfCode),
];

/// The action for a key in a panel: the panel's own binding first, then a global one.
pub fn lookup(focus: Focus, key: KeyEvent) -> Option<Action> {
    // Shifted characters arrive with SHIFT set on some terminals and not on others.
    let mods = key.modifiers - KeyModifiers::SHIFT;
    let hit = |b: &&Binding| b.code == key.code && b.mods == mods;
    BINDINGS
        .iter()
        .filter(|b| b.focus == Some(focus))
        .find(hit)
        .or_else(|| BINDINGS.iter().filter(|b| b.focus.is_none()).find(hit))
        .map(|b| b.action)
}

pub fn key_name(b: &Binding) -> String {
    let key = match b.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Delete => "Del".into(),
        other => format!("{other:?}"),
    };
    if b.mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{key}")
    } else {
        key
    }
}

/// The hint bar of a panel, most used first: (keys, short label), the keys read from the
/// table above so that the bar can never name a key that does something else.
pub fn hints(focus: Focus) -> Vec<(String, &'static str)> {
    let wanted: &[(Action, &str)] = match focus {
        Focus::Text => &[
            (A::Help, "help"),
            (A::ToggleSelect, "select"),
            (A::SelectSentence, "sentence"),
            (A::SelectTurn, "turn"),
            (A::ApplyHotkey(1), "code"),
            (A::FilterCodes, "find code"),
            (A::RemoveCode, "remove"),
            (A::MemoPassage, "memo"),
            (A::Undo, "undo"),
            (A::NextCoded, "next coded"),
            (A::FocusNext, "panel"),
            (A::TogglePanels, "panels"),
            (A::Quit, "quit"),
        ],
        Focus::List => &[
            (A::Help, "help"),
            (A::ListDown, "move"),
            (A::OpenSelected, "open"),
            (A::CycleGroup, "group"),
            (A::CycleSchoolType, "school type"),
            (A::FilterByAttribute, "attribute"),
            (A::ToggleDone, "done"),
            (A::FocusNext, "panel"),
            (A::Quit, "quit"),
        ],
        Focus::Codebook => &[
            (A::Help, "help"),
            (A::CodeDown, "move"),
            (A::ApplySelectedCode, "apply"),
            (A::FilterCodes, "filter"),
            (A::MemoCode, "memo"),
            (A::NextOfCode, "next passage"),
            (A::NewCode, "new code"),
            (A::FocusNext, "panel"),
            (A::Quit, "quit"),
        ],
    };
    wanted
        .iter()
        .filter_map(|&(action, label)| {
            let key = match action {
                A::ApplyHotkey(_) => "1-0".to_string(),
                A::ListDown | A::CodeDown => "↑↓".to_string(),
                _ => key_name(binding_for(focus, action)?),
            };
            Some((key, label))
        })
        .collect()
}

/// The first key that does `action` in a panel (its own binding, or a global one it does not
/// shadow).
pub fn binding_for(focus: Focus, action: Action) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| {
        b.action == action
            && (b.focus == Some(focus) || b.focus.is_none())
            && lookup(focus, KeyEvent::new(b.code, b.mods)) == Some(action)
    })
}

/// Keys grouped per panel, with one line per action: ("j / ↓", "cursor one line down").
pub fn help_table() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let panels: [(Option<Focus>, &str); 4] = [
        (None, "Everywhere"),
        (Some(Focus::Text), "Transcript"),
        (Some(Focus::List), "Transcript list"),
        (Some(Focus::Codebook), "Codebook"),
    ];
    panels
        .iter()
        .map(|(focus, title)| {
            let mut rows: Vec<(String, &'static str)> = Vec::new();
            let mut seen: Vec<Action> = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.focus == *focus) {
                let action = match b.action {
                    A::ApplyHotkey(_) => A::ApplyHotkey(0),
                    a => a,
                };
                if let Some(i) = seen.iter().position(|a| *a == action) {
                    if !matches!(action, A::ApplyHotkey(_)) {
                        rows[i].0 = format!("{} / {}", rows[i].0, key_name(b));
                    }
                } else {
                    seen.push(action);
                    let name = if matches!(action, A::ApplyHotkey(_)) {
                        "1…9, 0".into()
                    } else {
                        key_name(b)
                    };
                    rows.push((name, action.describe()));
                }
            }
            (*title, rows)
        })
        .collect()
}

/// The key table as Markdown, for the README.
pub fn markdown() -> String {
    let mut out = String::new();
    for (title, rows) in help_table() {
        out += &format!("**{title}**\n\n| key | action |\n|---|---|\n");
        for (key, desc) in rows {
            out += &format!("| `{}` | {desc} |\n", key.replace('|', "\\|"));
        }
        out.push('\n');
    }
    for view in super::views::VIEWS {
        out += &format!("**{}**\n\n| key | action |\n|---|---|\n", view.title);
        for (key, desc) in view.keys {
            out += &format!("| `{key}` | {desc} |\n");
        }
        out.push('\n');
    }
    out.push_str(
        "**Mouse**: click to put the cursor (also into a highlight), drag to select, \
                  wheel to scroll, click a transcript to open it, click a code to apply it to \
                  the selection (or to highlight it).\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hint_names_a_key_that_does_it() {
        for focus in [Focus::Text, Focus::List, Focus::Codebook] {
            let hints = hints(focus);
            assert!(hints.len() >= 6, "{focus:?}");
            assert_eq!(hints[0].0, "?", "help comes first");
            for (key, label) in hints {
                if key == "1-0" || key == "↑↓" {
                    continue;
                }
                let b = BINDINGS
                    .iter()
                    .find(|b| key_name(b) == key && (b.focus == Some(focus) || b.focus.is_none()))
                    .unwrap_or_else(|| panic!("{key} ({label}) is no key in {focus:?}"));
                assert_eq!(
                    lookup(focus, KeyEvent::new(b.code, b.mods)),
                    Some(b.action),
                    "{key} ({label}) in {focus:?}"
                );
            }
        }
    }

    #[test]
    fn panel_keys_win_over_global_ones() {
        let key = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(lookup(Focus::Text, key), Some(A::Down));
        assert_eq!(lookup(Focus::List, key), Some(A::ListDown));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Focus::Codebook, q), Some(A::Quit));
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Focus::Text, shifted), Some(A::Bottom));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_panel() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.focus == b.focus && a.code == b.code && a.mods == b.mods),
                    "{:?} bound twice",
                    a.code
                );
            }
        }
    }
}

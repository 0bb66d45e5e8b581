//! The default keys, as data: one layer per panel, mode and view, each binding key -> action.
//! The help overlay, the hint bar and `codewerk keys` (which the README's key table comes
//! from) are all generated from these tables; adding a key is one line here and a handler.

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

/// A layer of keys: one per panel, mode and full-screen view. A key is looked up in the
/// layer that has the input and then in the layers it falls back to (`Layer::chain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Keys of the coding screen whatever panel has the focus.
    Global,
    Text,
    /// The transcript while a passage's boundaries are edited.
    Editing,
    List,
    Codebook,
    Help,
    /// A one-line text field: memos, new code, attribute filter.
    Input,
    /// The multi-line memo editor (`m`, `L`): keys other than these edit the text.
    MemoEditor,
    /// Typing a code's name in the codebook (`f`).
    CodeFilter,
    /// Which of the overlapping passages to remove (`x`).
    PickPassage,
    Search,
    Kwic,
    Words,
    Agreement,
    Clusters,
    Matrix,
    Review,
    Cooccurrence,
    Memos,
}

/// Every layer, in the order of the help overlay and the README.
pub const LAYERS: &[Layer] = &[
    Layer::Global,
    Layer::Text,
    Layer::Editing,
    Layer::List,
    Layer::Codebook,
    Layer::Help,
    Layer::Input,
    Layer::MemoEditor,
    Layer::CodeFilter,
    Layer::PickPassage,
    Layer::Search,
    Layer::Kwic,
    Layer::Words,
    Layer::Agreement,
    Layer::Clusters,
    Layer::Matrix,
    Layer::Review,
    Layer::Cooccurrence,
    Layer::Memos,
];

impl Layer {
    pub fn of(focus: Focus) -> Layer {
        match focus {
            Focus::List => Layer::List,
            Focus::Text => Layer::Text,
            Focus::Codebook => Layer::Codebook,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Layer::Global => "Everywhere",
            Layer::Text => "Transcript",
            Layer::Editing => "Editing a passage's boundaries (e)",
            Layer::List => "Transcript list",
            Layer::Codebook => "Codebook",
            Layer::Help => "Help",
            Layer::Input => "Text fields (memos, new code, attribute filter)",
            Layer::MemoEditor => "Writing a memo (m, L): a text editor",
            Layer::CodeFilter => "Finding a code (f)",
            Layer::PickPassage => "Choosing which passage (x, m or e on overlapping passages)",
            Layer::Search => "Search view (/)",
            Layer::Kwic => "Keyword in context (Ctrl-w in the search view)",
            Layer::Words => "Word frequencies (W)",
            Layer::Agreement => "Agreement view (A)",
            Layer::Clusters => "Clusters view (C)",
            Layer::Matrix => "Code matrix view (M)",
            Layer::Review => "Review view (R): codings a transcript edit left unplaced",
            Layer::Cooccurrence => "Co-occurrence view (O)",
            Layer::Memos => "Memo view (N): every memo",
        }
    }

    /// The layers a key is looked for in, this one first.
    pub fn chain(self) -> &'static [Layer] {
        match self {
            Layer::Text => &[Layer::Text, Layer::Global],
            Layer::Editing => &[Layer::Editing, Layer::Text, Layer::Global],
            Layer::List => &[Layer::List, Layer::Global],
            Layer::Codebook => &[Layer::Codebook, Layer::Global],
            Layer::Global => &[Layer::Global],
            Layer::Help => &[Layer::Help],
            Layer::Input => &[Layer::Input],
            Layer::MemoEditor => &[Layer::MemoEditor],
            Layer::CodeFilter => &[Layer::CodeFilter],
            Layer::PickPassage => &[Layer::PickPassage],
            Layer::Search => &[Layer::Search],
            Layer::Kwic => &[Layer::Kwic],
            Layer::Words => &[Layer::Words],
            Layer::Agreement => &[Layer::Agreement],
            Layer::Clusters => &[Layer::Clusters],
            Layer::Matrix => &[Layer::Matrix],
            Layer::Review => &[Layer::Review],
            Layer::Cooccurrence => &[Layer::Cooccurrence],
            Layer::Memos => &[Layer::Memos],
        }
    }

    /// Layers that take text: a plain character no binding claims is typed (`Action::Type`).
    /// The description is the help's line for typing.
    pub fn typing(self) -> Option<&'static str> {
        match self {
            Layer::Input => Some("the field's text"),
            Layer::MemoEditor => Some(
                "the memo: Enter a new line, arrows and Home/End move, Ctrl-u undo, paste keeps line breaks",
            ),
            Layer::CodeFilter => Some("part of a code's name (accents optional)"),
            Layer::Memos => {
                Some("text to find in the memos, their passages, codes and transcripts")
            }
            Layer::Search => {
                Some("words, \"phrases\", AND OR NOT, prefix*; results update as you type")
            }
            _ => None,
        }
    }

    /// Layers that any unbound key closes (the help, the picker).
    pub fn unbound_closes(self) -> bool {
        matches!(self, Layer::Help | Layer::PickPassage)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub layer: Layer,
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub action: Action,
    /// What the key does in this layer, when it says more than the action's own description.
    pub desc: Option<&'static str>,
}

impl Binding {
    const fn says(mut self, desc: &'static str) -> Binding {
        self.desc = Some(desc);
        self
    }

    pub fn describe(&self) -> &'static str {
        self.desc.unwrap_or_else(|| self.action.describe())
    }
}

const fn k(layer: Layer, code: KeyCode, action: Action) -> Binding {
    Binding {
        layer,
        code,
        mods: KeyModifiers::NONE,
        action,
        desc: None,
    }
}

const fn ctrl(layer: Layer, c: char, action: Action) -> Binding {
    Binding {
        layer,
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
        action,
        desc: None,
    }
}

use Action as A;
use KeyCode::Char as C;
use KeyCode::{Backspace, Down, End, Enter, Esc, Home, Left, PageDown, PageUp, Right, Up};
use Layer::{
    Agreement as AG, Clusters as CL, CodeFilter as CF, Codebook as CB, Cooccurrence as CO,
    Editing as ED, Global as G, Help as HE, Input as IN, Kwic as KW, List as L, Matrix as MX,
    MemoEditor as ME, Memos as MM, PickPassage as PR, Review as RV, Search as SE, Text as T,
    Words as WO,
};

pub const BINDINGS: &[Binding] = &[
    k(G, C('q'), A::Quit),
    ctrl(G, 'c', A::Quit),
    k(G, C('?'), A::Help),
    k(G, KeyCode::Tab, A::FocusNext),
    k(G, KeyCode::BackTab, A::FocusPrev),
    k(G, C('z'), A::TogglePanels),
    k(G, C('u'), A::Undo),
    ctrl(G, 'z', A::Undo),
    k(G, C('U'), A::Redo),
    ctrl(G, 'r', A::Redo),
    k(G, C('n'), A::NewCode),
    k(G, C('Z'), A::UndoCodebook),
    k(G, C('L'), A::LogbookEntry),
    k(G, C('o'), A::ToggleLayer),
    k(G, C('A'), A::OpenAgreement),
    k(G, C('/'), A::OpenSearch),
    k(G, C('C'), A::OpenClusters),
    k(G, C('M'), A::OpenMatrix),
    k(G, C('R'), A::OpenReview),
    k(G, C('O'), A::OpenCooccurrence),
    k(G, C('N'), A::OpenMemos),
    k(G, C('W'), A::OpenWords),
    k(G, Esc, A::ClearSelection),
    // Transcript.
    k(T, Left, A::Left),
    k(T, C('h'), A::Left),
    k(T, Right, A::Right),
    k(T, C('l'), A::Right),
    k(T, Up, A::Up),
    k(T, C('k'), A::Up),
    k(T, Down, A::Down),
    k(T, C('j'), A::Down),
    k(T, C('w'), A::WordNext),
    k(T, C('b'), A::WordPrev),
    k(T, C(')'), A::SentenceNext),
    k(T, C('('), A::SentencePrev),
    k(T, C('}'), A::TurnNext),
    k(T, C('{'), A::TurnPrev),
    k(T, PageDown, A::PageDown),
    k(T, C(' '), A::PageDown),
    k(T, PageUp, A::PageUp),
    k(T, C('g'), A::Top),
    k(T, Home, A::Top),
    k(T, C('G'), A::Bottom),
    k(T, End, A::Bottom),
    k(T, C('v'), A::ToggleSelect),
    k(T, C('s'), A::SelectSentence),
    k(T, C('t'), A::SelectTurn),
    k(T, C('1'), A::ApplyHotkey(1)),
    k(T, C('2'), A::ApplyHotkey(2)),
    k(T, C('3'), A::ApplyHotkey(3)),
    k(T, C('4'), A::ApplyHotkey(4)),
    k(T, C('5'), A::ApplyHotkey(5)),
    k(T, C('6'), A::ApplyHotkey(6)),
    k(T, C('7'), A::ApplyHotkey(7)),
    k(T, C('8'), A::ApplyHotkey(8)),
    k(T, C('9'), A::ApplyHotkey(9)),
    k(T, C('0'), A::ApplyHotkey(10)),
    k(T, Enter, A::ApplySelectedCode),
    k(T, C('x'), A::RemoveCode),
    k(T, KeyCode::Delete, A::RemoveCode),
    k(T, C('e'), A::EditBounds),
    k(T, C('m'), A::MemoPassage),
    k(T, C('K'), A::ToggleKeyQuote),
    k(T, C('d'), A::ToggleDone),
    k(T, C(']'), A::NextCoded),
    k(T, C('['), A::PrevCoded),
    k(T, C('>'), A::NextOfCode),
    k(T, C('<'), A::PrevOfCode),
    k(T, C('.'), A::NextUncodedTurn),
    k(T, C('f'), A::FilterCodes),
    // Editing a passage's boundaries: the motions move its end.
    k(ED, C('v'), A::ToggleSelect).says("set the start here (swap the moving end)"),
    k(ED, Enter, A::ApplySelectedCode).says("save the new boundaries"),
    k(ED, Esc, A::ClearSelection).says("cancel the edit"),
    // Transcript list.
    k(L, Up, A::ListUp),
    k(L, C('k'), A::ListUp),
    k(L, Down, A::ListDown),
    k(L, C('j'), A::ListDown),
    k(L, Enter, A::OpenSelected),
    k(L, C('r'), A::CycleGroup),
    k(L, C('s'), A::CycleSchoolType),
    k(L, C('a'), A::FilterByAttribute),
    k(L, C('d'), A::ToggleDone),
    k(L, C('m'), A::MemoTranscript),
    // Codebook.
    k(CB, Up, A::CodeUp),
    k(CB, C('k'), A::CodeUp),
    k(CB, Down, A::CodeDown),
    k(CB, C('j'), A::CodeDown),
    k(CB, Enter, A::ApplySelectedCode),
    k(CB, C('f'), A::FilterCodes),
    k(CB, C('/'), A::FilterCodes),
    k(CB, C('m'), A::MemoCode),
    k(CB, C('a'), A::AddSubcode),
    k(CB, C('r'), A::RenameCode),
    k(CB, C('c'), A::RecolourCode),
    k(CB, C('e'), A::DescribeCode),
    k(CB, C('p'), A::MoveCode),
    k(CB, C('J'), A::MergeCode),
    k(CB, C('d'), A::DeleteCode),
    k(CB, C('>'), A::NextOfCode),
    k(CB, C('<'), A::PrevOfCode),
    // Help (any other key closes it).
    k(HE, Down, A::Down).says("scroll down"),
    k(HE, C('j'), A::Down).says("scroll down"),
    k(HE, PageDown, A::Down).says("scroll down"),
    k(HE, Up, A::Up).says("scroll up"),
    k(HE, C('k'), A::Up).says("scroll up"),
    k(HE, PageUp, A::Up).says("scroll up"),
    k(HE, Esc, A::Close).says("close the help (as any other key)"),
    // Text fields.
    k(IN, Enter, A::Choose).says("save"),
    k(IN, Esc, A::Close).says("cancel"),
    k(IN, Backspace, A::DeleteChar),
    // The memo editor.
    ctrl(ME, 's', A::Choose).says("save the memo"),
    k(ME, Esc, A::Close).says("cancel (the memo is not saved)"),
    // Finding a code.
    k(CF, Enter, A::Choose).says("apply the code to the selection (or highlight it)"),
    k(CF, Esc, A::Close).says("cancel"),
    k(CF, Backspace, A::DeleteChar),
    k(CF, Up, A::CodeUp),
    k(CF, Down, A::CodeDown),
    // Choosing which passage x, m or e is for (any other key cancels).
    k(PR, C('1'), A::Pick(1)),
    k(PR, C('2'), A::Pick(2)),
    k(PR, C('3'), A::Pick(3)),
    k(PR, C('4'), A::Pick(4)),
    k(PR, C('5'), A::Pick(5)),
    k(PR, C('6'), A::Pick(6)),
    k(PR, C('7'), A::Pick(7)),
    k(PR, C('8'), A::Pick(8)),
    k(PR, C('9'), A::Pick(9)),
    k(PR, Esc, A::Close).says("choose none"),
    // Search view.
    k(SE, Up, A::Up).says("previous hit"),
    k(SE, Down, A::Down).says("next hit"),
    k(SE, Enter, A::Choose)
        .says("show the hit in the transcript, match selected (a digit codes it)"),
    ctrl(SE, 'g', A::CycleGroup),
    ctrl(SE, 't', A::CycleSchoolType),
    ctrl(SE, 'n', A::ToggleUncoded),
    ctrl(SE, 's', A::CycleSpeaker),
    ctrl(SE, 'o', A::ToggleRank),
    ctrl(SE, 'x', A::MarkHit),
    ctrl(SE, 'k', A::AutocodeHits),
    ctrl(SE, 'w', A::OpenKwic),
    k(SE, Backspace, A::DeleteChar),
    k(SE, Esc, A::Close).says("close the view"),
    // Keyword in context.
    k(KW, Up, A::Up).says("previous occurrence"),
    k(KW, Down, A::Down).says("next occurrence"),
    k(KW, PageUp, A::PageUp),
    k(KW, PageDown, A::PageDown),
    k(KW, Enter, A::Choose).says("show the occurrence in the transcript, selected"),
    k(KW, C('s'), A::CycleSort),
    k(KW, Esc, A::Close).says("close the view"),
    k(KW, C('q'), A::Quit).says("close the view"),
    // Word frequencies.
    k(WO, Up, A::Up).says("previous word"),
    k(WO, Down, A::Down).says("next word"),
    k(WO, PageUp, A::PageUp),
    k(WO, PageDown, A::PageDown),
    k(WO, Enter, A::Choose).says("the word in context"),
    k(WO, C('s'), A::ToggleStems),
    k(WO, C('b'), A::CycleBy),
    k(WO, C('c'), A::CycleCompare),
    k(WO, Esc, A::Close).says("close the view"),
    k(WO, C('q'), A::Quit).says("close the view"),
    // Agreement view.
    k(AG, Up, A::Up).says("move up"),
    k(AG, C('k'), A::Up).says("move up"),
    k(AG, Down, A::Down).says("move down"),
    k(AG, C('j'), A::Down).says("move down"),
    k(AG, Enter, A::Choose).says("list the code's disagreements / jump to one"),
    k(AG, C('a'), A::DecideA),
    k(AG, C('b'), A::DecideB),
    k(AG, C('2'), A::DecideBoth),
    k(AG, C('0'), A::DecideNeither),
    k(AG, C('?'), A::Help),
    k(AG, Esc, A::Close).says("back / close the view"),
    k(AG, C('q'), A::Quit).says("close the view"),
    // Clusters view.
    k(CL, Up, A::Up).says("previous quote"),
    k(CL, C('k'), A::Up).says("previous quote"),
    k(CL, Down, A::Down).says("next quote"),
    k(CL, C('j'), A::Down).says("next quote"),
    k(CL, PageUp, A::PageUp).says("a page of quotes up"),
    k(CL, PageDown, A::PageDown).says("a page of quotes down"),
    k(CL, Home, A::Top).says("first quote"),
    k(CL, End, A::Bottom).says("last quote"),
    k(CL, Left, A::Left).says("previous code"),
    k(CL, C('h'), A::Left).says("previous code"),
    k(CL, Right, A::Right).says("next code"),
    k(CL, C('l'), A::Right).says("next code"),
    k(CL, C('d'), A::NextDeelvraag).says("first code of the next deelvraag"),
    k(CL, C('g'), A::CycleGroup),
    k(CL, C('s'), A::CycleSchoolType),
    k(CL, C('t'), A::ToggleColumns).says("clusters per group × school type (toggle)"),
    k(CL, Enter, A::Choose).says("show the quote in its transcript"),
    k(CL, C('x'), A::Export).says("export these quotes as CSV"),
    k(CL, C('X'), A::ExportExcel).says("export these quotes as CSV for Excel"),
    k(CL, C('?'), A::Help),
    k(CL, Esc, A::Close).says("close the view (back to the matrix)"),
    k(CL, C('q'), A::Quit).says("close the view"),
    // Code matrix view.
    k(MX, Up, A::Up).says("cell above"),
    k(MX, C('k'), A::Up).says("cell above"),
    k(MX, Down, A::Down).says("cell below"),
    k(MX, C('j'), A::Down).says("cell below"),
    k(MX, Left, A::Left).says("cell left"),
    k(MX, C('h'), A::Left).says("cell left"),
    k(MX, Right, A::Right).says("cell right"),
    k(MX, C('l'), A::Right).says("cell right"),
    k(MX, PageUp, A::PageUp).says("ten rows up"),
    k(MX, PageDown, A::PageDown).says("ten rows down"),
    k(MX, Enter, A::Choose).says("the cell's quotes (clusters view)"),
    k(MX, C('t'), A::ToggleColumns).says("columns: group, group × type, school type"),
    k(MX, C('d'), A::NextDeelvraag).says("only the codes of one deelvraag (cycle)"),
    k(MX, C('a'), A::FilterAttribute),
    k(MX, C('w'), A::FilterQuery)
        .says("only respondents for whom a code query holds (\"of M\" counts them)"),
    k(MX, C('b'), A::CycleSplit),
    k(MX, C('x'), A::Export).says("export the summary as CSV"),
    k(MX, C('X'), A::ExportExcel).says("export the summary as CSV for Excel"),
    k(MX, C('?'), A::Help),
    k(MX, Esc, A::Close).says("close the view"),
    k(MX, C('q'), A::Quit).says("close the view"),
    // Review view.
    k(RV, Up, A::Up).says("previous coding to review"),
    k(RV, C('k'), A::Up).says("previous coding to review"),
    k(RV, Down, A::Down).says("next coding to review"),
    k(RV, C('j'), A::Down).says("next coding to review"),
    k(RV, Left, A::Left).says("previous candidate place"),
    k(RV, C('h'), A::Left).says("previous candidate place"),
    k(RV, Right, A::Right).says("next candidate place"),
    k(RV, C('l'), A::Right).says("next candidate place"),
    k(RV, Enter, A::Choose).says("show the candidate (or the old place) in the text"),
    k(RV, C('a'), A::AcceptPlace),
    k(RV, C('x'), A::DropCoding),
    k(RV, C('u'), A::Undo).says("undo the last accept or drop"),
    k(RV, C('U'), A::Redo).says("redo"),
    k(RV, C('?'), A::Help),
    k(RV, Esc, A::Close).says("close the view"),
    k(MM, Up, A::Up).says("previous memo"),
    k(MM, Down, A::Down).says("next memo"),
    k(MM, Enter, A::Choose).says("go to what the memo is about"),
    k(MM, KeyCode::Tab, A::ToggleColumns).says("kind: all, logbook, transcript, code, passage"),
    k(MM, Backspace, A::DeleteChar),
    k(MM, Esc, A::Close).says("close the view"),
    k(RV, C('q'), A::Quit).says("close the view"),
    // Co-occurrence view.
    k(CO, Up, A::Up).says("cell above / previous passage"),
    k(CO, C('k'), A::Up).says("cell above / previous passage"),
    k(CO, Down, A::Down).says("cell below / next passage"),
    k(CO, C('j'), A::Down).says("cell below / next passage"),
    k(CO, Left, A::Left).says("cell left"),
    k(CO, C('h'), A::Left).says("cell left"),
    k(CO, Right, A::Right).says("cell right"),
    k(CO, C('l'), A::Right).says("cell right"),
    k(CO, PageUp, A::PageUp).says("ten rows up"),
    k(CO, PageDown, A::PageDown).says("ten rows down"),
    k(CO, Enter, A::Choose).says("the cell's passages / show one in the text"),
    k(CO, C('u'), A::ToggleColumns).says("unit: respondents, turns, overlapping passages"),
    k(CO, C('g'), A::CycleGroup),
    k(CO, C('?'), A::Help),
    k(CO, Esc, A::Close).says("back / close the view"),
    k(CO, C('q'), A::Quit).says("close the view"),
];

/// The key-hint bar of each layer, most used first: the actions and a short label. The keys
/// shown are read from `BINDINGS`, so the bar can never name a key that does something else.
/// Several actions in one hint show their keys side by side ("↑↓").
pub const HINTS: &[(Layer, &[Action], &str)] = &[
    (T, &[A::Help], "help"),
    (T, &[A::ToggleSelect], "select"),
    (T, &[A::SelectSentence], "sentence"),
    (T, &[A::SelectTurn], "turn"),
    (T, &[A::ApplyHotkey(1), A::ApplyHotkey(10)], "code"),
    (T, &[A::FilterCodes], "find code"),
    (T, &[A::RemoveCode], "remove"),
    (T, &[A::MemoPassage], "memo"),
    (T, &[A::Undo], "undo"),
    (T, &[A::NextCoded], "next coded"),
    (T, &[A::FocusNext], "panel"),
    (T, &[A::TogglePanels], "panels"),
    (T, &[A::Quit], "quit"),
    (ED, &[A::ToggleSelect], "start here"),
    (ED, &[A::ApplySelectedCode], "save"),
    (ED, &[A::ClearSelection], "cancel"),
    (L, &[A::Help], "help"),
    (L, &[A::ListUp, A::ListDown], "move"),
    (L, &[A::OpenSelected], "open"),
    (L, &[A::CycleGroup], "group"),
    (L, &[A::CycleSchoolType], "school type"),
    (L, &[A::FilterByAttribute], "attribute"),
    (L, &[A::ToggleDone], "done"),
    (L, &[A::FocusNext], "panel"),
    (L, &[A::Quit], "quit"),
    (CB, &[A::Help], "help"),
    (CB, &[A::CodeUp, A::CodeDown], "move"),
    (CB, &[A::ApplySelectedCode], "apply"),
    (CB, &[A::FilterCodes], "filter"),
    (CB, &[A::MemoCode], "memo"),
    (CB, &[A::NextOfCode], "next passage"),
    (CB, &[A::NewCode], "new code"),
    (CB, &[A::AddSubcode], "sub-code"),
    (CB, &[A::FocusNext], "panel"),
    (CB, &[A::Quit], "quit"),
    (CB, &[A::MergeCode], "merge"),
    (CB, &[A::DescribeCode], "define"),
    (CB, &[A::UndoCodebook], "undo codebook"),
    (HE, &[A::Up, A::Down], "scroll"),
    (HE, &[A::Close], "close"),
    (ME, &[A::Choose], "save"),
    (ME, &[A::Close], "cancel"),
    (IN, &[A::Choose], "save"),
    (IN, &[A::Close], "cancel"),
    (CF, &[A::CodeUp, A::CodeDown], "move"),
    (CF, &[A::Choose], "apply"),
    (CF, &[A::Close], "cancel"),
    (PR, &[A::Pick(1), A::Pick(9)], "pick"),
    (PR, &[A::Close], "cancel"),
    (SE, &[A::Up, A::Down], "hits"),
    (SE, &[A::Choose], "show & select"),
    (SE, &[A::CycleGroup], "group"),
    (SE, &[A::CycleSchoolType], "type"),
    (SE, &[A::CycleSpeaker], "speaker"),
    (SE, &[A::ToggleUncoded], "not coded"),
    (SE, &[A::AutocodeHits], "code all"),
    (SE, &[A::OpenKwic], "in context"),
    (SE, &[A::Close], "close"),
    (KW, &[A::Up, A::Down], "move"),
    (KW, &[A::Choose], "show & select"),
    (KW, &[A::CycleSort], "sort"),
    (KW, &[A::Close], "close"),
    (WO, &[A::Up, A::Down], "move"),
    (WO, &[A::Choose], "in context"),
    (WO, &[A::ToggleStems], "stems"),
    (WO, &[A::CycleBy], "by"),
    (WO, &[A::CycleCompare], "compare"),
    (WO, &[A::Close], "close"),
    (AG, &[A::Up, A::Down], "move"),
    (AG, &[A::Choose], "open"),
    (AG, &[A::DecideA], "accept A"),
    (AG, &[A::DecideB], "accept B"),
    (AG, &[A::DecideBoth], "both"),
    (AG, &[A::DecideNeither], "neither"),
    (AG, &[A::Close], "close"),
    (CL, &[A::Up, A::Down], "quotes"),
    (CL, &[A::Left, A::Right], "code"),
    (CL, &[A::NextDeelvraag], "deelvraag"),
    (CL, &[A::CycleGroup], "group"),
    (CL, &[A::CycleSchoolType], "type"),
    (CL, &[A::ToggleColumns], "split by type"),
    (CL, &[A::Choose], "show in text"),
    (CL, &[A::Export], "export"),
    (CL, &[A::Close], "close"),
    (CL, &[A::ExportExcel], "CSV for Excel"),
    (CL, &[A::Help], "all keys"),
    (MX, &[A::Up, A::Down, A::Left, A::Right], "cell"),
    (MX, &[A::Choose], "quotes"),
    (MX, &[A::ToggleColumns], "columns"),
    (MX, &[A::NextDeelvraag], "deelvraag"),
    (MX, &[A::FilterAttribute], "attribute"),
    (MX, &[A::FilterQuery], "query"),
    (MX, &[A::Close], "close"),
    (MX, &[A::Help], "all keys"),
    (MX, &[A::Export], "export summary"),
    (MX, &[A::ExportExcel], "CSV for Excel"),
    (RV, &[A::Up, A::Down], "coding"),
    (RV, &[A::Left, A::Right], "candidate"),
    (RV, &[A::Choose], "show"),
    (RV, &[A::AcceptPlace], "accept"),
    (RV, &[A::DropCoding], "drop"),
    (RV, &[A::Close], "close"),
    (CO, &[A::Up, A::Down, A::Left, A::Right], "cell"),
    (CO, &[A::Choose], "passages"),
    (CO, &[A::ToggleColumns], "unit"),
    (CO, &[A::CycleGroup], "group"),
    (CO, &[A::Close], "close"),
    (CO, &[A::Help], "all keys"),
    (MM, &[A::Up, A::Down], "move"),
    (MM, &[A::Choose], "go to"),
    (MM, &[A::ToggleColumns], "kind"),
    (MM, &[A::Close], "close"),
];

/// The action for a key in a layer: its own binding first, then those of the layers it falls
/// back to; in a layer that takes text, an unclaimed plain character is typed; in the help
/// and the picker any other key closes.
pub fn resolve(layer: Layer, key: KeyEvent) -> Option<Action> {
    if let Some(a) = lookup(layer, key) {
        return Some(a);
    }
    if layer.typing().is_some()
        && let KeyCode::Char(c) = key.code
        && !key.modifiers.contains(KeyModifiers::CONTROL)
    {
        return Some(A::Type(c));
    }
    layer.unbound_closes().then_some(A::Close)
}

/// The bound action for a key in a layer (its own bindings, then its fallbacks).
pub fn lookup(layer: Layer, key: KeyEvent) -> Option<Action> {
    // Shifted characters arrive with SHIFT set on some terminals and not on others.
    let mods = key.modifiers - KeyModifiers::SHIFT;
    layer.chain().iter().find_map(|l| {
        BINDINGS
            .iter()
            .find(|b| b.layer == *l && b.code == key.code && b.mods == mods)
            .map(|b| b.action)
    })
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
        KeyCode::Backspace => "Backspace".into(),
        other => format!("{other:?}"),
    };
    if b.mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{key}")
    } else {
        key
    }
}

fn is_arrow(code: KeyCode) -> bool {
    matches!(code, Up | Down | Left | Right)
}

/// The hint bar of a layer: (keys, short label), read from `HINTS` and `BINDINGS`.
pub fn hints(layer: Layer) -> Vec<(String, &'static str)> {
    HINTS
        .iter()
        .filter(|(l, _, _)| *l == layer)
        .filter_map(|&(_, actions, label)| {
            let keys = match actions {
                [one] => key_name(binding_for(layer, *one)?),
                many => {
                    // Arrows side by side ("↑↓"), other keys as a range ("1-0").
                    let found: Vec<&Binding> = many
                        .iter()
                        .map(|a| arrow_binding_for(layer, *a))
                        .collect::<Option<_>>()?;
                    let names: Vec<String> = found.iter().map(|b| key_name(b)).collect();
                    if found.iter().all(|b| is_arrow(b.code)) {
                        names.concat()
                    } else {
                        names.join("-")
                    }
                }
            };
            Some((keys, label))
        })
        .collect()
}

/// A border title's key line: the layer's hints for `actions` (all when empty), as
/// " Enter show · Esc close ".
pub fn hint_text(layer: Layer, actions: &[Action]) -> String {
    let wanted: Vec<&(Layer, &[Action], &str)> = HINTS
        .iter()
        .filter(|(l, a, _)| *l == layer && (actions.is_empty() || actions.contains(&a[0])))
        .collect();
    let all = hints(layer);
    let shown: Vec<String> = HINTS
        .iter()
        .filter(|(l, _, _)| *l == layer)
        .zip(all)
        .filter(|(h, _)| wanted.contains(h))
        .map(|(_, (k, label))| format!("{k} {label}"))
        .collect();
    format!(" {} ", shown.join(" · "))
}

/// The key to name in a message ("u to undo"): the first that does `action` in `layer`.
pub fn key(layer: Layer, action: Action) -> String {
    binding_for(layer, action).map_or_else(|| "?".to_string(), key_name)
}

/// The first key that does `action` in a layer (its own binding, or one of a fallback layer
/// that it does not shadow).
pub fn binding_for(layer: Layer, action: Action) -> Option<&'static Binding> {
    BINDINGS.iter().find(|b| {
        b.action == action
            && layer.chain().contains(&b.layer)
            && lookup(layer, KeyEvent::new(b.code, b.mods)) == Some(action)
    })
}

/// As `binding_for`, preferring an arrow key.
fn arrow_binding_for(layer: Layer, action: Action) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| {
            b.action == action
                && is_arrow(b.code)
                && layer.chain().contains(&b.layer)
                && lookup(layer, KeyEvent::new(b.code, b.mods)) == Some(action)
        })
        .or_else(|| binding_for(layer, action))
}

/// Keys grouped per layer, one line per thing they do: ("j / ↓", "cursor one line down").
pub fn help_table() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    LAYERS
        .iter()
        .map(|&layer| {
            let mut rows: Vec<(String, &'static str)> = Vec::new();
            let mut seen: Vec<(Action, &str)> = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.layer == layer) {
                // Numbered actions are one row.
                let action = match b.action {
                    A::ApplyHotkey(_) => A::ApplyHotkey(0),
                    A::Pick(_) => A::Pick(0),
                    a => a,
                };
                let desc = b.describe();
                // Keys that say the same are one row ("Esc / q  close the view").
                if let Some(i) = seen.iter().position(|s| s.1 == desc) {
                    if !matches!(action, A::ApplyHotkey(_) | A::Pick(_)) {
                        rows[i].0 = format!("{} / {}", rows[i].0, key_name(b));
                    }
                } else {
                    seen.push((action, desc));
                    let name = match action {
                        A::ApplyHotkey(_) => "1…9, 0".into(),
                        A::Pick(_) => "1…9".into(),
                        _ => key_name(b),
                    };
                    rows.push((name, desc));
                }
            }
            if let Some(typed) = layer.typing() {
                rows.insert(0, ("type".into(), typed));
            }
            (layer.title(), rows)
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
    out.push_str(MOUSE);
    out
}

/// What the mouse does (not a key: no layer of its own).
pub const MOUSE: &str = "**Mouse**: click to put the cursor (also into a highlight), drag to \
                         select, wheel to scroll, click a transcript to open it, click a code \
                         to apply it to the selection (or to highlight it).\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hint_names_a_key_that_does_it() {
        for &layer in LAYERS {
            let hints = hints(layer);
            let wanted = HINTS.iter().filter(|(l, _, _)| *l == layer).count();
            assert_eq!(hints.len(), wanted, "{layer:?}: a hint names no key");
            for (l, actions, label) in HINTS.iter().filter(|(l, _, _)| *l == layer) {
                for a in *actions {
                    let b = binding_for(*l, *a)
                        .unwrap_or_else(|| panic!("{label} ({a:?}) has no key in {layer:?}"));
                    assert_eq!(
                        resolve(layer, KeyEvent::new(b.code, b.mods)),
                        Some(*a),
                        "{label} in {layer:?}"
                    );
                }
            }
        }
        for focus in [Focus::Text, Focus::List, Focus::Codebook] {
            assert_eq!(hints(Layer::of(focus))[0].0, "?", "help comes first");
        }
    }

    #[test]
    fn panel_keys_win_over_global_ones() {
        let key = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(lookup(Layer::Text, key), Some(A::Down));
        assert_eq!(lookup(Layer::List, key), Some(A::ListDown));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(lookup(Layer::Codebook, q), Some(A::Quit));
        // A view's q closes it; in the search view q is typed.
        assert_eq!(
            resolve(Layer::Matrix, q),
            Some(A::Quit),
            "q closes the view (see on_view_action)"
        );
        assert_eq!(resolve(Layer::Search, q), Some(A::Type('q')));
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(Layer::Text, shifted), Some(A::Bottom));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_panel() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.layer == b.layer && a.code == b.code && a.mods == b.mods),
                    "{:?} bound twice",
                    a.code
                );
            }
        }
    }
}

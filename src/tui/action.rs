//! Everything the user can do, as data: the keymap, the help overlay, the key-hint bar and the
//! README's key table all speak these names. `App::update` is the only place they take effect.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    // Moving the cursor in the transcript.
    Left,
    Right,
    Up,
    Down,
    WordNext,
    WordPrev,
    SentenceNext,
    SentencePrev,
    TurnNext,
    TurnPrev,
    PageDown,
    PageUp,
    Top,
    Bottom,
    // Selecting.
    ToggleSelect,
    SelectSentence,
    SelectTurn,
    ClearSelection,
    // Coding.
    ApplyHotkey(u8),
    ApplySelectedCode,
    RemoveCode,
    EditBounds,
    MemoPassage,
    MemoCode,
    NewCode,
    Undo,
    Redo,
    ToggleDone,
    // Jumping.
    NextCoded,
    PrevCoded,
    NextOfCode,
    PrevOfCode,
    NextUncodedTurn,
    // Transcript list.
    ListUp,
    ListDown,
    OpenSelected,
    CycleGroup,
    CycleSchoolType,
    // Codebook panel.
    CodeUp,
    CodeDown,
    FilterCodes,
    // Layers.
    ToggleLayer,
}

impl Action {
    /// What the help overlay and the README say about the action.
    pub fn describe(self) -> &'static str {
        use Action::*;
        match self {
            Quit => "quit (everything is already saved)",
            Help => "show or hide this help",
            FocusNext => "next panel",
            FocusPrev => "previous panel",
            Left => "cursor one character left",
            Right => "cursor one character right",
            Up => "cursor one line up",
            Down => "cursor one line down",
            WordNext => "next word",
            WordPrev => "previous word",
            SentenceNext => "next sentence",
            SentencePrev => "previous sentence",
            TurnNext => "next speaker turn",
            TurnPrev => "previous speaker turn",
            PageDown => "page down",
            PageUp => "page up",
            Top => "start of the transcript",
            Bottom => "end of the transcript",
            ToggleSelect => "start a selection here / drop it",
            SelectSentence => "select the sentence under the cursor",
            SelectTurn => "select the whole turn under the cursor",
            ClearSelection => "clear the selection / close a popup",
            ApplyHotkey(_) => "apply code 1…9, 0 to the selection",
            ApplySelectedCode => "apply the highlighted code to the selection",
            RemoveCode => "remove the code under the cursor",
            EditBounds => "edit the passage's boundaries (Enter saves)",
            MemoPassage => "memo on the passage under the cursor",
            MemoCode => "write a memo on the highlighted code",
            NewCode => "add a new (inductive) code to the codebook",
            Undo => "undo the last coding action",
            Redo => "redo",
            ToggleDone => "mark this transcript done / not done",
            NextCoded => "next coded passage",
            PrevCoded => "previous coded passage",
            NextOfCode => "next passage of the highlighted code",
            PrevOfCode => "previous passage of the highlighted code",
            NextUncodedTurn => "next respondent turn with no code",
            ListUp => "previous transcript",
            ListDown => "next transcript",
            OpenSelected => "open the highlighted transcript",
            CycleGroup => "filter by respondent group (cycle)",
            CycleSchoolType => "filter by school type (cycle)",
            CodeUp => "previous code",
            CodeDown => "next code",
            FilterCodes => "find a code by typing; Enter applies it",
            ToggleLayer => "show another coder as a second layer (cycle)",
        }
    }
}

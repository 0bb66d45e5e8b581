//! Full-screen views over the coding screen: each holds its own state, handles its own keys and
//! tells the app what to do through an `Outcome` (it never reaches into the app's state).

pub mod agreement;
pub mod search;

use ratatui::style::{Color, Style};

/// What a view asks of the app after a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing for the app to do.
    Stay,
    /// Close the view, back to coding.
    Close,
    /// Close the view and show a stretch of a transcript, optionally with another coder's
    /// codings as the second layer.
    Jump {
        transcript: String,
        start: usize,
        end: usize,
        layer: Option<String>,
    },
    /// Close the view and select a stretch of a transcript, ready to be coded.
    Select {
        transcript: String,
        start: usize,
        end: usize,
    },
    /// A line for the status bar.
    Say(String, bool),
}

/// The keys of one view, for the help overlay and the README.
pub struct ViewKeys {
    pub title: &'static str,
    pub keys: &'static [(&'static str, &'static str)],
}

pub const VIEWS: &[ViewKeys] = &[search::KEYS, agreement::KEYS];

/// Colour for an agreement coefficient: red below 0.4, yellow below 0.6, light green below 0.8.
pub fn coefficient_style(value: Option<f64>) -> Style {
    match value {
        None => Style::default().fg(Color::DarkGray),
        Some(v) if v < 0.4 => Style::default().fg(Color::LightRed),
        Some(v) if v < 0.6 => Style::default().fg(Color::Yellow),
        Some(v) if v < 0.8 => Style::default().fg(Color::LightGreen),
        Some(_) => Style::default().fg(Color::Green),
    }
}

pub fn fmt_coefficient(value: Option<f64>) -> String {
    value.map_or_else(|| "undef.".to_string(), |v| format!("{v:.3}"))
}

//! Colours on the terminal: true colour where the terminal says it has it (COLORTERM), else the
//! nearest of the 256 xterm colours. Text on a code's colour is black or white by contrast.

use crate::core::codebook::Rgb;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub truecolor: bool,
}

impl Theme {
    /// Detect from the environment, as terminals advertise 24-bit colour through COLORTERM.
    pub fn detect() -> Theme {
        let ct = std::env::var("COLORTERM")
            .unwrap_or_default()
            .to_lowercase();
        Theme {
            truecolor: ct.contains("truecolor") || ct.contains("24bit"),
        }
    }

    pub fn color(&self, c: Rgb) -> Color {
        if self.truecolor {
            Color::Rgb(c.0, c.1, c.2)
        } else {
            Color::Indexed(nearest_256(c))
        }
    }

    /// A code's highlight: its colour as background, black or white text on it.
    pub fn highlight(&self, c: Rgb) -> Style {
        Style::default()
            .bg(self.color(c))
            .fg(self.color(c.readable_foreground()))
    }

    pub fn interviewer(&self) -> Style {
        Style::default()
            .fg(Color::Gray)
            .add_modifier(Modifier::ITALIC)
    }

    pub fn speaker_label(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn selection(&self) -> Style {
        Style::default()
            .bg(self.color(Rgb(60, 80, 150)))
            .fg(Color::White)
    }

    pub fn cursor(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            Style::default().fg(Color::Cyan)
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    pub fn dim(&self) -> Style {
        Style::default().fg(Color::DarkGray)
    }

    pub fn error(&self) -> Style {
        Style::default()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD)
    }
}

/// Nearest xterm-256 colour: the 6x6x6 cube or the 24-step grey ramp, whichever is closer.
pub fn nearest_256(c: Rgb) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest_level = |v: u8| {
        (0..6)
            .min_by_key(|&i| (i32::from(LEVELS[i]) - i32::from(v)).abs())
            .unwrap_or(0)
    };
    let (r, g, b) = (nearest_level(c.0), nearest_level(c.1), nearest_level(c.2));
    let cube = Rgb(LEVELS[r], LEVELS[g], LEVELS[b]);
    let cube_index = 16 + 36 * r as u8 + 6 * g as u8 + b as u8;
    let avg = (u32::from(c.0) + u32::from(c.1) + u32::from(c.2)) / 3;
    let grey_step = ((avg.saturating_sub(8)) / 10).min(23) as u8;
    let grey_level = 8 + 10 * grey_step;
    let grey = Rgb(grey_level, grey_level, grey_level);
    if dist(c, grey) < dist(c, cube) {
        232 + grey_step
    } else {
        cube_index
    }
}

fn dist(a: Rgb, b: Rgb) -> i32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_256_maps_primaries_and_greys() {
        assert_eq!(nearest_256(Rgb(255, 0, 0)), 196);
        assert_eq!(nearest_256(Rgb(0, 0, 0)), 16);
        assert_eq!(nearest_256(Rgb(128, 128, 128)), 244);
    }
}

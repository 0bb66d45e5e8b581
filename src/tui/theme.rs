//! Colours on the terminal: true colour where the terminal says it has it (COLORTERM), else the
//! nearest of the 256 xterm colours. Text on a code's colour is black or white by contrast.
//!
//! Two palettes: dark (light text on a dark terminal, the default) and light (for a white
//! terminal, where grey interviewer text and pale code swatches such as "geel 3" would all but
//! vanish). Chosen by `--theme`/`CODEWERK_THEME`, else from the terminal's `COLORFGBG`.

use crate::core::codebook::Rgb;
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub truecolor: bool,
    /// The terminal's background is light.
    pub light: bool,
}

impl Theme {
    pub const fn dark(truecolor: bool) -> Theme {
        Theme {
            truecolor,
            light: false,
        }
    }

    /// Detect from the environment, as terminals advertise 24-bit colour through COLORTERM and
    /// (some) their colours through COLORFGBG ("0;15": black on white). `choice` is the user's
    /// setting: "light", "dark" or "auto" (None).
    pub fn detect(choice: Option<&str>) -> Theme {
        let ct = std::env::var("COLORTERM")
            .unwrap_or_default()
            .to_lowercase();
        let light = match choice.map(str::to_ascii_lowercase).as_deref() {
            Some("light") => true,
            Some("dark") => false,
            _ => std::env::var("COLORFGBG")
                .ok()
                .is_some_and(|v| background_is_light(&v)),
        };
        Theme {
            truecolor: ct.contains("truecolor") || ct.contains("24bit"),
            light,
        }
    }

    /// A code's colour swatch (`██`). On a light terminal a pale colour is darkened until it
    /// stands out from the white around it.
    pub fn swatch(&self, c: Rgb) -> Style {
        let mut c = c;
        if self.light {
            // Luminance is not linear in the channels: darken in steps (at most ~20).
            while c.luminance() > PALE {
                let f = |v: u8| (f64::from(v) * 0.9) as u8;
                c = Rgb(f(c.0), f(c.1), f(c.2));
            }
        }
        Style::default().fg(self.color(c))
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
        let grey = if self.light {
            self.color(Rgb(90, 90, 90))
        } else {
            Color::Gray
        };
        Style::default().fg(grey).add_modifier(Modifier::ITALIC)
    }

    pub fn speaker_label(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn selection(&self) -> Style {
        if self.light {
            Style::default()
                .bg(self.color(Rgb(170, 200, 255)))
                .fg(Color::Black)
        } else {
            Style::default()
                .bg(self.color(Rgb(60, 80, 150)))
                .fg(Color::White)
        }
    }

    pub fn cursor(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.light) {
            (true, false) => Style::default().fg(Color::Cyan),
            (true, true) => Style::default().fg(Color::Blue),
            (false, false) => Style::default().fg(Color::DarkGray),
            (false, true) => Style::default().fg(Color::Gray),
        }
    }

    pub fn dim(&self) -> Style {
        if self.light {
            Style::default().fg(self.color(Rgb(100, 100, 100)))
        } else {
            Style::default().fg(Color::DarkGray)
        }
    }

    pub fn error(&self) -> Style {
        Style::default()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD)
    }
}

/// The highest luminance a swatch may have on a light terminal (white is 1.0): a contrast of
/// about 2 to 1 against white, enough to see the colour as a mark.
const PALE: f64 = 0.45;

/// COLORFGBG is "fg;bg" (sometimes "fg;default;bg") in the 16 ANSI colours: 7 and 9-15 are
/// light backgrounds.
fn background_is_light(v: &str) -> bool {
    v.rsplit(';')
        .next()
        .and_then(|bg| bg.trim().parse::<u8>().ok())
        .is_some_and(|bg| bg == 7 || (9..=15).contains(&bg))
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
    fn colorfgbg_tells_light_from_dark() {
        assert!(background_is_light("0;15"));
        assert!(background_is_light("0;default;7"));
        assert!(!background_is_light("15;0"));
        assert!(!background_is_light("garbage"));
    }

    #[test]
    fn pale_swatches_are_darkened_on_a_light_terminal() {
        let pale = Rgb(0xFF, 0xF2, 0x99); // a "geel 3"
        let light = Theme {
            truecolor: true,
            light: true,
        };
        let Some(Color::Rgb(r, g, b)) = light.swatch(pale).fg else {
            panic!("true colour")
        };
        assert!(Rgb(r, g, b).luminance() <= PALE, "{r} {g} {b}");
        assert!(r > g && g > b, "still a yellow: {r} {g} {b}");
        assert_eq!(
            Theme::dark(true).swatch(pale).fg,
            Some(Color::Rgb(0xFF, 0xF2, 0x99))
        );
    }

    #[test]
    fn nearest_256_maps_primaries_and_greys() {
        assert_eq!(nearest_256(Rgb(255, 0, 0)), 196);
        assert_eq!(nearest_256(Rgb(0, 0, 0)), 16);
        assert_eq!(nearest_256(Rgb(128, 128, 128)), 244);
    }
}

//! Colours by status, and a plain theme for `NO_COLOR` (https://no-color.org): then only
//! bold/reverse/underline carry meaning, so the screen stays readable.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::{BatchStatus, RecipientStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { color: !no_color }
    }

    pub fn plain() -> Self {
        Self { color: false }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Yellow),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => self.fg(Color::DarkGray),
        }
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn marked(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn agent(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn user(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn recipient(&self, s: &RecipientStatus) -> Style {
        use RecipientStatus as R;
        self.fg(match s {
            R::Pending | R::Dispatched => Color::Gray,
            R::Initiated => Color::Yellow,
            R::InProgress => Color::LightBlue,
            R::Completed => Color::Green,
            R::Failed => Color::Red,
            R::Voicemail => Color::Magenta,
            R::Cancelled => Color::DarkGray,
            R::Unknown(_) => Color::White,
        })
    }

    pub fn batch(&self, s: &BatchStatus) -> Style {
        use BatchStatus as B;
        self.fg(match s {
            B::Pending => Color::Gray,
            B::InProgress => Color::LightBlue,
            B::Completed => Color::Green,
            B::PartiallyCompleted => Color::Yellow,
            B::Failed => Color::Red,
            B::Cancelled => Color::DarkGray,
            B::Unknown(_) => Color::White,
        })
    }
}

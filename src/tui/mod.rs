//! `callboard tui`: the supervisor's dashboard (filled by the TUI issue).

//! The recipients table's sort keys (`s` cycles through them, `S` reverses).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// As the service lists them.
    Original,
    Name,
    Status,
    Duration,
    Updated,
}

impl SortKey {
    pub fn next(self) -> Self {
        match self {
            Self::Original => Self::Name,
            Self::Name => Self::Status,
            Self::Status => Self::Duration,
            Self::Duration => Self::Updated,
            Self::Updated => Self::Original,
        }
    }
}

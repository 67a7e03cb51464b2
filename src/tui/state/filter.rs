//! The recipients filter (`/`): a status by name, an outcome (`logrado`, `no logrado`,
//! `sin evaluar`), or text in name, phone or summary, `!` to invert. It runs over every
//! recipient on every snapshot while set, so it does not allocate per row.

use crate::api::RecipientView;
use crate::domain::RecipientStatus;

use crate::tui::text::en::EN;
use crate::tui::text::labels::verdict_label;

use super::outcome::Verdict;
use super::recipient::display_name;

/// `/` filter: a status (wire name or label, either language) or text in name, phone or
/// summary; a leading `!` inverts it.
pub(super) struct Matcher {
    invert: bool,
    status: Option<RecipientStatus>,
    verdict: Option<Verdict>,
    text: String,
}

impl Matcher {
    pub(super) fn new(filter: &str) -> Self {
        let f = filter.trim();
        let (invert, f) = match f.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, f),
        };
        let text = f.to_lowercase();
        let status = RecipientStatus::KNOWN
            .iter()
            .find(|s| s.as_str() == text || s.label_es() == text || EN.recipient_status(s) == text)
            .cloned();
        let verdict = parse_verdict(&text);
        Self {
            invert,
            status,
            verdict,
            text,
        }
    }

    pub(super) fn matches(&self, r: &RecipientView) -> bool {
        if self.text.is_empty() {
            return true;
        }
        let hit = match (&self.status, self.verdict) {
            (Some(s), _) => r.status == *s,
            (None, Some(v)) => Verdict::of(r) == Some(v),
            (None, None) => {
                contains_ci(display_name(r), &self.text)
                    || r.phone_number.contains(&self.text)
                    || r.summary
                        .as_deref()
                        .is_some_and(|s| contains_ci(s, &self.text))
            }
        };
        hit != self.invert
    }
}

/// A filter word for a verdict: its label in either language or its wire value.
fn parse_verdict(text: &str) -> Option<Verdict> {
    Verdict::ALL.into_iter().find(|v| {
        text == v.wire() || text == verdict_label(*v, true) || text == verdict_label(*v, false)
    })
}

/// Case-insensitive `contains` without allocating (this runs for every recipient on
/// every snapshot while a filter is set). Only positions whose first character matches
/// pay for the full comparison.
fn contains_ci(hay: &str, needle_lower: &str) -> bool {
    let mut rest = needle_lower.chars();
    let Some(first) = rest.next() else {
        return true;
    };
    if hay.is_ascii() && needle_lower.is_ascii() {
        let n = needle_lower.as_bytes();
        let h = hay.as_bytes();
        // Candidates found with SIMD (`memchr`), then compared.
        return memchr::memchr2_iter(n[0], n[0].to_ascii_uppercase(), h).any(|i| {
            h.get(i..i + n.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(n))
        });
    }
    let matches_at = |start: usize| {
        let tail = hay[start..].chars().flat_map(char::to_lowercase);
        let mut h = tail;
        needle_lower.chars().all(|n| h.next() == Some(n))
    };
    if first.is_ascii() {
        // Candidates are the bytes equal to the first letter in either case; an ASCII
        // byte is always a character boundary.
        let f = first as u8;
        return memchr::memchr2_iter(f, f.to_ascii_uppercase(), hay.as_bytes()).any(matches_at);
    }
    hay.char_indices().any(|(start, c)| {
        let mut lc = c.to_lowercase();
        if lc.next() != Some(first) {
            return false;
        }
        let tail = hay[start + c.len_utf8()..]
            .chars()
            .flat_map(char::to_lowercase);
        let mut h = lc.chain(tail);
        rest.clone().all(|n| h.next() == Some(n))
    })
}

#[cfg(test)]
mod tests {
    use super::{Verdict, contains_ci, parse_verdict};

    #[test]
    fn filter_words_in_both_languages() {
        assert_eq!(parse_verdict("logrado"), Some(Verdict::Success));
        assert_eq!(parse_verdict("no logrado"), Some(Verdict::Failure));
        assert_eq!(parse_verdict("failure"), Some(Verdict::Failure));
        assert_eq!(parse_verdict("not evaluated"), Some(Verdict::Unknown));
        assert_eq!(parse_verdict("completada"), None);
    }

    #[test]
    fn contains_ignores_case_and_keeps_accents() {
        assert!(contains_ci("Dr. GARCÍA 13", "garcía"));
        assert!(contains_ci("Dra. Pérez", "pérez"));
        assert!(!contains_ci("Dra. Pérez", "perez"));
        assert!(contains_ci("abc", ""));
        assert!(!contains_ci("ab", "abc"));
        assert!(contains_ci("xxabab c", "ab c"));
        assert!(contains_ci("Llamó a ÁNGEL Gómez", "ángel gómez"));
        assert!(contains_ci("ñandú y GARCÍA", "garcía"));
        assert!(!contains_ci("ñandú y GARCÍA", "garcíaz"));
    }
}

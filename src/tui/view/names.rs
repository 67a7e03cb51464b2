//! Batch names that can be told apart in narrow columns. The service names batches
//! "Llamada GROUP - D/M/YYYY", retries add "· reintento N": in a list that already
//! shows the creation time, the group and the suffix are what differ, so those are kept
//! and, when even they do not fit, the middle gives way, never the suffix.

/// Columns `s` takes on screen (as ratatui counts them).
fn cols(s: &str) -> usize {
    ratatui::text::Span::raw(s).width()
}

/// "Llamada Médicos Test - 24/8/2025 · reintento 2" → "Médicos Test · reintento 2";
/// other names unchanged.
pub fn short(name: &str) -> String {
    let (head, suffix) = split_suffix(name);
    let Some(rest) = head.strip_prefix("Llamada ") else {
        return name.to_string();
    };
    let group = match rest.rsplit_once(" - ") {
        Some((group, date)) if is_date(date) => group,
        _ => rest,
    };
    format!("{group}{suffix}")
}

/// `text` in at most `width` columns: whole if it fits, else its start and its
/// " · …" suffix with "…" between (the suffix shortened only when nothing else fits).
pub fn fit(text: &str, width: usize) -> String {
    if cols(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let (head, suffix) = split_suffix(text);
    for suffix in [suffix.to_string(), suffix.replace("reintento", "reint.")] {
        let room = width.saturating_sub(cols(&suffix) + 1);
        if !suffix.is_empty() && room >= 4 {
            return format!("{}…{suffix}", take_width(head, room));
        }
    }
    format!("{}…", take_width(text, width - 1))
}

/// (name, " · suffix") at the last " · ", or (name, "").
fn split_suffix(name: &str) -> (&str, &str) {
    match name.rfind(" · ") {
        Some(i) => (&name[..i], &name[i..]),
        None => (name, ""),
    }
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

fn take_width(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = cols(c.encode_utf8(&mut [0; 4]));
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_keep_the_group_and_the_round() {
        assert_eq!(
            short("Llamada Médicos Test - 24/8/2025 · reintento 2"),
            "Médicos Test · reintento 2"
        );
        assert_eq!(short("Llamada Médicos Test - 24/8/2025"), "Médicos Test");
        assert_eq!(short("Campaña de agosto"), "Campaña de agosto");
    }

    #[test]
    fn fitting_cuts_the_middle_not_the_round() {
        let n = "Seguimiento Cardiología · reintento 2";
        assert_eq!(fit(n, 60), n);
        assert_eq!(fit(n, 24), "Seguimien… · reintento 2");
        assert_eq!(fit(n, 18), "Seguim… · reint. 2");
        assert_eq!(fit("Seguimiento Cardiología", 12), "Seguimiento…");
    }
}

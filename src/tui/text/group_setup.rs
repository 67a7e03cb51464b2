//! What the dashboard says about a group's own campaign settings (its agent, calling
//! number and country), in both languages.

use crate::api::GroupSummary;
use crate::tui::text::strings::Strings;

impl Strings {
    /// The group pane's line for the selected group, when the group names its own agent
    /// or calling number (`number` is how that number is shown: E.164 and label when the
    /// workspace's list has it). None for a group that uses the user's agent and asks for
    /// a number at each call.
    pub fn group_setup_line(&self, g: &GroupSummary, number: Option<&str>) -> Option<String> {
        if g.agent_id.is_none() && g.agent_phone_number_id.is_none() {
            return None;
        }
        let es = self.lang == crate::domain::Lang::Es;
        let agent = match (&g.agent_id, es) {
            (Some(a), _) => a.clone(),
            (None, true) => "el del usuario".to_string(),
            (None, false) => "the user's".to_string(),
        };
        let number = match (number, es) {
            (Some(n), _) => n.to_string(),
            (None, true) => "se elige al llamar".to_string(),
            (None, false) => "chosen when calling".to_string(),
        };
        let country = if g.country.is_empty() {
            String::new()
        } else if es {
            format!(" · País: {}", g.country)
        } else {
            format!(" · Country: {}", g.country)
        };
        Some(if es {
            format!("Agente: {agent} · Número: {number}{country}")
        } else {
            format!("Agent: {agent} · Number: {number}{country}")
        })
    }

    /// The call dialog's line when the group's own agent calls.
    pub fn group_agent_calls(&self, agent: &str) -> String {
        if self.lang == crate::domain::Lang::Es {
            format!("Llama el agente del grupo: {agent}")
        } else {
            format!("The group's agent calls: {agent}")
        }
    }
}

//! `callboard rules show [--year Y]`: the active rule pack's hours per weekday, contact
//! limits and festivos of a year, in the chosen language (the same view as `GET /api/rules`).

use chrono::Datelike;
use color_eyre::eyre::{Result, bail};

use crate::api::RulesView;
use crate::api::rules::{RULE_YEARS, RulePackView};
use crate::config::Config;
use crate::domain::Lang;

/// `callboard rules show`.
pub fn show(cfg: &Config, year: Option<i32>) -> Result<()> {
    let pack = cfg.campaign.rules.as_ref();
    let tz = pack.map_or(cfg.timezone, |p| p.timezone);
    let year = year.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).year());
    if !RULE_YEARS.contains(&year) {
        let (from, to) = (RULE_YEARS.start(), RULE_YEARS.end());
        match cfg.lang {
            Lang::Es => bail!("--year debe estar entre {from} y {to}"),
            Lang::En => bail!("--year must be between {from} and {to}"),
        }
    }
    let view = RulesView::of(pack, year, cfg.lang);
    match &view.pack {
        Some(p) => print!("{}", render(p, cfg.lang)),
        None => println!("{}", view.message(cfg.lang)),
    }
    Ok(())
}

/// The pack as plain text: title, limits, hours, festivos.
fn render(p: &RulePackView, lang: Lang) -> String {
    let es = lang == Lang::Es;
    let mut out = if es {
        format!(
            "Reglas de llamada «{}» ({}), hora de {}\n",
            p.title, p.name, p.timezone
        )
    } else {
        format!(
            "Calling rules “{}” ({}), {} time\n",
            p.title, p.name, p.timezone
        )
    };
    if let Some(n) = p.max_contacts_per_day {
        out += &if es {
            format!("Máximo {n} contacto(s) por persona al día\n")
        } else {
            format!("At most {n} contact(s) per person a day\n")
        };
    }
    if let Some(n) = p.max_successful_contacts_per_week {
        out += &if es {
            format!(
                "Máximo {n} contacto(s) con éxito por persona a la semana (de lunes a domingo)\n"
            )
        } else {
            format!("At most {n} successful contact(s) per person a week (Monday to Sunday)\n")
        };
    }
    out += if es { "\nHorario:\n" } else { "\nHours:\n" };
    for d in &p.hours {
        let hours = match (&d.start, &d.end) {
            (Some(s), Some(e)) => format!("{s}–{e}"),
            _ if es => "sin llamadas".to_string(),
            _ => "no calls".to_string(),
        };
        out += &format!("  {:<10} {hours}\n", d.day_name);
    }
    out += &if es {
        format!("\nFestivos de {} ({}):\n", p.year, p.holidays.len())
    } else {
        format!("\nPublic holidays of {} ({}):\n", p.year, p.holidays.len())
    };
    for h in &p.holidays {
        out += &format!("  {}  {:<10} {}\n", h.date, h.day_name, h.name);
    }
    out
}

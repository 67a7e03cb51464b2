//! `GET /api/rules` and `callboard rules show`: the active rule pack's calling hours per
//! weekday and its festivos of one year, so a supervisor can check the calendar. Built
//! here once, in the request's language, for the service and the CLI alike.

use chrono::{Datelike, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::Lang;
use crate::domain::rules::RulePack;

/// Years whose calendar is shown (Easter and the moved festivos are computed for them).
pub const RULE_YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

/// The active pack, or `enabled: false` when calling windows are off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesView {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<RulePackView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulePackView {
    /// `co`, or the name of a custom pack.
    pub name: String,
    pub title: String,
    /// IANA zone every hour and date is in.
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_contacts_per_day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_successful_contacts_per_week: Option<u32>,
    /// The year of `holidays`.
    pub year: i32,
    /// Monday first, all seven days.
    pub hours: Vec<DayHours>,
    /// Sorted by date; two festivos may share one.
    pub holidays: Vec<HolidayView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayHours {
    /// `mon` … `sun`, as packs write them.
    pub day: String,
    /// The day's name in the request's language.
    pub day_name: String,
    /// `HH:MM`, local; both absent on a day without calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HolidayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// As the pack names it.
    pub name: String,
    /// The date's weekday in the request's language.
    pub day_name: String,
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

impl RulesView {
    /// The view of `pack` (None: windows off) with the festivos of `year`.
    pub fn of(pack: Option<&RulePack>, year: i32, lang: Lang) -> Self {
        Self {
            enabled: pack.is_some(),
            pack: pack.map(|p| RulePackView::of(p, year, lang)),
        }
    }

    /// The answer's message, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (&self.pack, lang) {
            (Some(p), Lang::Es) => format!(
                "Reglas de llamada «{}»: horario por día y {} festivos de {}",
                p.title,
                p.holidays.len(),
                p.year
            ),
            (Some(p), Lang::En) => format!(
                "Calling rules “{}”: hours per day and {} public holidays of {}",
                p.title,
                p.holidays.len(),
                p.year
            ),
            (None, Lang::Es) => {
                "Las ventanas de llamada están desactivadas ([campaign] rules = \"off\"): se llama a cualquier hora".into()
            }
            (None, Lang::En) => {
                "Calling windows are off ([campaign] rules = \"off\"): calls go out at any hour".into()
            }
        }
    }
}

impl RulePackView {
    fn of(p: &RulePack, year: i32, lang: Lang) -> Self {
        let hours = DAYS
            .iter()
            .map(|&(wd, day)| {
                let h = p.weekday_hours(wd);
                DayHours {
                    day: day.to_string(),
                    day_name: lang.weekday(wd).to_string(),
                    start: h.map(|(s, _)| s.format("%H:%M").to_string()),
                    end: h.map(|(_, e)| e.format("%H:%M").to_string()),
                }
            })
            .collect();
        let holidays = p
            .holidays_of(year)
            .into_iter()
            .map(|(date, name)| HolidayView {
                date: date.format("%Y-%m-%d").to_string(),
                name: name.to_string(),
                day_name: lang.weekday(date.weekday()).to_string(),
            })
            .collect();
        Self {
            name: p.name.clone(),
            title: p.title.clone(),
            timezone: p.timezone.name().to_string(),
            max_contacts_per_day: p.max_contacts_per_day,
            max_successful_contacts_per_week: p.max_successful_contacts_per_week,
            year,
            hours,
            holidays,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colombian_calendar_of_2026() {
        let v = RulesView::of(Some(&RulePack::colombia()), 2026, Lang::Es);
        let p = v.pack.as_ref().unwrap();
        assert_eq!(p.hours.len(), 7);
        assert_eq!(
            (p.hours[0].day_name.as_str(), p.hours[0].start.as_deref()),
            ("lunes", Some("07:00"))
        );
        assert_eq!(p.hours[5].end.as_deref(), Some("15:00"));
        assert_eq!(p.hours[6].start, None);
        assert_eq!(p.holidays.len(), 18);
        assert_eq!(p.holidays[1].date, "2026-01-12");
        assert_eq!(p.holidays[1].day_name, "lunes");
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["pack"]["maxSuccessfulContactsPerWeek"], 1);
        assert_eq!(json["pack"]["hours"][6]["dayName"], "domingo");
        let en = RulesView::of(Some(&RulePack::colombia()), 2026, Lang::En);
        assert_eq!(en.pack.unwrap().hours[6].day_name, "Sunday");
        assert!(!RulesView::of(None, 2026, Lang::Es).enabled);
    }
}

//! `GET /api/rules[?year=Y&lang=en]`: the active rule pack's hours per weekday and its
//! festivos of a year (this year in the pack's zone by default), so a supervisor can
//! check the calendar. Spanish unless `lang=en` or the request's `Accept-Language` asks
//! for English.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;

use super::auth::Caller;
use super::error::{ApiError, ApiQuery};
use super::respond::Ok200;
use super::state::AppState;
use crate::api::rules::RULE_YEARS;
use crate::api::{ErrorCode, RulesView};
use crate::domain::Lang;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/rules", get(show))
}

#[derive(Debug, Deserialize)]
struct RulesQuery {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    lang: Option<String>,
}

async fn show(
    _c: Caller,
    State(st): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<RulesQuery>,
) -> Result<Ok200<RulesView>, ApiError> {
    let asked = q.lang.as_deref().or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
    });
    let lang = Lang::from_request(asked);
    let pack = st.cfg().campaign.rules.as_ref();
    let tz = pack.map_or(st.cfg().timezone, |p| p.timezone);
    let year = q.year.unwrap_or_else(|| st.now().with_timezone(&tz).year());
    if !RULE_YEARS.contains(&year) {
        let (from, to) = (RULE_YEARS.start(), RULE_YEARS.end());
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQuery,
            match lang {
                Lang::Es => format!("year debe estar entre {from} y {to}"),
                Lang::En => format!("year must be between {from} and {to}"),
            },
        ));
    }
    let view = RulesView::of(pack, year, lang);
    Ok(Ok200::new(view.message(lang), view))
}

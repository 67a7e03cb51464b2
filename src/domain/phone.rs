//! Phone normalisation: any way a person writes a number becomes E.164, or a typed error
//! that says why not. Rules are libphonenumber's (the `phonenumber` crate); the default
//! region (Colombia unless configured) applies to numbers written without a country code.

use phonenumber::{Mode, country};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use thiserror::Error;

/// A region for numbers written without a country code (ISO 3166 alpha-2, e.g. `CO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(country::Id);

impl Region {
    pub const COLOMBIA: Region = Region(country::Id::CO);

    /// The calling code of the region, e.g. `57` for Colombia.
    pub fn calling_code(&self) -> u16 {
        phonenumber::metadata::DATABASE
            .by_id(self.code())
            .map(|m| m.country_code())
            .unwrap_or(0)
    }

    pub fn code(&self) -> &str {
        self.0.as_ref()
    }
}

impl Default for Region {
    fn default() -> Self {
        Self::COLOMBIA
    }
}

/// Stored and shown as its ISO code (`"MX"`).
impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        country::Id::from_str(&s.trim().to_ascii_uppercase())
            .map(Region)
            .map_err(|_| {
                format!("región desconocida «{s}»: use un código ISO de dos letras como CO")
            })
    }
}

/// Whether an E.164 number belongs to the region's calling code (`+57…` for Colombia).
/// Calling codes are prefix-free, so the prefix decides.
pub fn in_region(e164: &str, region: Region) -> bool {
    let code = region.calling_code();
    code != 0
        && e164
            .strip_prefix('+')
            .is_some_and(|d| d.starts_with(&code.to_string()))
}

/// The calling code of an E.164 number (`1` for `+12125550123`), if libphonenumber knows it.
pub fn calling_code_of(e164: &str) -> Option<u16> {
    phonenumber::parse(None, e164)
        .ok()
        .map(|p| p.code().value())
}

/// Why a phone number could not be used. Messages are for a supervisor: say what is wrong
/// and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "code", content = "detail", rename_all = "snake_case")]
pub enum PhoneError {
    #[error("teléfono vacío")]
    Empty,
    #[error("el teléfono contiene letras («{0}»): escriba solo dígitos")]
    Letters(String),
    #[error("el teléfono contiene caracteres no válidos («{0}»)")]
    InvalidCharacters(String),
    #[error("teléfono demasiado corto ({0} dígitos)")]
    TooShort(usize),
    #[error("teléfono demasiado largo ({0} dígitos)")]
    TooLong(usize),
    #[error(
        "número local de 7 dígitos: desde 2021 los fijos llevan el indicativo 60X (p. ej. 601 para Bogotá)"
    )]
    LocalSevenDigits,
    #[error("indicativo de país desconocido")]
    UnknownCountryCode,
    #[error("el número no existe en el plan de numeración ({0}): revise el prefijo")]
    WrongPrefix(String),
}

impl PhoneError {
    /// Machine-readable reason.
    pub fn code(&self) -> &str {
        match self {
            Self::Empty => "empty",
            Self::Letters(_) => "letters",
            Self::InvalidCharacters(_) => "invalid_characters",
            Self::TooShort(_) => "too_short",
            Self::TooLong(_) => "too_long",
            Self::LocalSevenDigits => "local_seven_digits",
            Self::UnknownCountryCode => "unknown_country_code",
            Self::WrongPrefix(_) => "wrong_prefix",
        }
    }
}

/// Longest E.164 number is 15 digits; allow an international prefix (`00`) on top.
const MAX_DIGITS: usize = 17;

/// Normalises `raw` to E.164 (`+573001234567`), or says why it cannot.
pub fn normalize(raw: &str, region: Region) -> Result<String, PhoneError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut digits = String::with_capacity(trimmed.len());
    let mut plus = false;
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' | '\t' => {}
            c if c.is_alphabetic() => return Err(PhoneError::Letters(trimmed.to_string())),
            _ => {
                let bad: String = trimmed.chars().skip(i).take(1).collect();
                return Err(PhoneError::InvalidCharacters(bad));
            }
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    if digits.len() > MAX_DIGITS {
        return Err(PhoneError::TooLong(digits.len()));
    }
    // `00` is the international prefix written without `+` (0057 300…).
    if !plus && digits.len() > 4 && digits.starts_with("00") {
        digits.drain(..2);
        plus = true;
    }
    let calling = region.calling_code().to_string();
    // A number written with its country code but no `+` ("57 300 123 4567").
    let national_len = national_length(region);
    if !plus && digits.len() == national_len + calling.len() && digits.starts_with(&calling) {
        plus = true;
    }
    if !plus && region == Region::COLOMBIA && digits.len() == 7 {
        return Err(PhoneError::LocalSevenDigits);
    }
    if let Some(e164) = fast_path(&digits, plus, region, &calling, national_len) {
        tracing::debug!(raw, %e164, "phone normalised");
        return Ok(e164);
    }
    let candidate = if plus {
        format!("+{digits}")
    } else {
        digits.clone()
    };
    let parsed = phonenumber::parse(Some(region.0), &candidate).map_err(|e| match e {
        phonenumber::ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode,
        phonenumber::ParseError::TooLong => PhoneError::TooLong(digits.len()),
        _ => PhoneError::TooShort(digits.len()),
    })?;
    if !parsed.is_valid() {
        let nsn = parsed.national().to_string().len();
        let expected = if parsed.country().code() == region.calling_code() {
            national_len
        } else {
            0
        };
        return Err(if expected > 0 && nsn < expected {
            PhoneError::TooShort(digits.len())
        } else if expected > 0 && nsn > expected {
            PhoneError::TooLong(digits.len())
        } else {
            PhoneError::WrongPrefix(candidate)
        });
    }
    let e164 = parsed.format().mode(Mode::E164).to_string();
    tracing::debug!(raw, %e164, "phone normalised");
    Ok(e164)
}

/// The common case without libphonenumber's full parser: a national number of the usual
/// length in the default region (with or without its country code), checked against the
/// same metadata `is_valid` uses. Anything else (or anything invalid) takes the full path,
/// which also explains what is wrong.
fn fast_path(
    digits: &str,
    plus: bool,
    region: Region,
    calling: &str,
    national_len: usize,
) -> Option<String> {
    let national = if plus {
        digits.strip_prefix(calling)?
    } else {
        digits
    };
    if national.len() != national_len || national.starts_with('0') {
        return None;
    }
    let db = &*phonenumber::metadata::DATABASE;
    // Only where one region owns the calling code (not +1, shared by the NANP countries).
    if db.region(&region.calling_code())?.len() != 1 {
        return None;
    }
    let d = db.by_id(region.code())?.descriptors();
    if !d.general().is_match(national) {
        return None;
    }
    let any_type = [
        d.premium_rate(),
        d.toll_free(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
        d.fixed_line(),
        d.mobile(),
    ]
    .into_iter()
    .flatten()
    .any(|t| t.is_match(national));
    any_type.then(|| format!("+{calling}{national}"))
}

/// The usual length of a national number in the region (10 for Colombia), from an
/// example number in libphonenumber's metadata.
fn national_length(region: Region) -> usize {
    if region == Region::COLOMBIA {
        return 10;
    }
    phonenumber::metadata::DATABASE
        .by_id(region.code())
        .and_then(|m| {
            m.descriptors()
                .mobile()
                .and_then(|d| d.example())
                .map(|e| e.len())
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn co(s: &str) -> Result<String, PhoneError> {
        normalize(s, Region::COLOMBIA)
    }

    #[test]
    fn seed_table_maps_to_e164() {
        for raw in [
            "3001234567",
            "300-123-4567",
            "(300) 123-4567",
            "57 300 123 4567",
            "+573001234567",
        ] {
            assert_eq!(co(raw).as_deref(), Ok("+573001234567"), "{raw}");
        }
    }

    #[test]
    fn hard_but_valid_cases() {
        for raw in [
            " 300 123 4567 ",
            "300.123.4567",
            "+57 300 123 4567",
            "+57 3001234567",
            "0057 300 123 4567",
            "00573001234567",
            "573001234567",
        ] {
            assert_eq!(co(raw).as_deref(), Ok("+573001234567"), "{raw:?}");
        }
    }

    #[test]
    fn landlines_and_other_countries_stay_valid() {
        assert_eq!(co("601 345 6789").as_deref(), Ok("+576013456789"));
        assert_eq!(co("+34 612 345 678").as_deref(), Ok("+34612345678"));
        assert_eq!(co("+1 212 555 0123").as_deref(), Ok("+12125550123"));
        assert_eq!(co("+49 1511 2345678").as_deref(), Ok("+4915112345678"));
    }

    #[test]
    fn invalid_inputs_say_why() {
        assert_eq!(co(""), Err(PhoneError::Empty));
        assert_eq!(co("   "), Err(PhoneError::Empty));
        assert_eq!(co("---"), Err(PhoneError::Empty));
        assert!(matches!(co("300abc4567"), Err(PhoneError::Letters(_))));
        assert!(matches!(
            co("300 123 45📞"),
            Err(PhoneError::InvalidCharacters(_))
        ));
        assert!(matches!(co("📞📞"), Err(PhoneError::InvalidCharacters(_))));
        assert_eq!(co("3456789"), Err(PhoneError::LocalSevenDigits));
        assert!(matches!(co("300123"), Err(PhoneError::TooShort(_))));
        assert!(matches!(co("30012345678"), Err(PhoneError::TooLong(_))));
        assert!(matches!(
            co("123456789012345678901234567890"),
            Err(PhoneError::TooLong(30))
        ));
        assert!(co("9001234567").is_err(), "9… is no Colombian range");
        assert!(co("+999 123 456 789").is_err());
    }

    #[test]
    fn errors_have_codes_and_spanish_text() {
        let e = co("300abc").unwrap_err();
        assert_eq!(e.code(), "letters");
        assert!(e.to_string().contains("letras"));
    }

    /// The fast path must agree with libphonenumber's full parse on every number.
    #[test]
    fn fast_path_agrees_with_full_parse() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::SmallRng::seed_from_u64(57);
        let mut fast_hits = 0;
        for i in 0..20_000 {
            let n: u64 = rng.random_range(1_000_000_000..10_000_000_000);
            let digits = n.to_string();
            let plus = i % 2 == 0;
            let with_cc = if plus {
                format!("57{digits}")
            } else {
                digits.clone()
            };
            let text = if plus {
                format!("+{with_cc}")
            } else {
                with_cc.clone()
            };
            let full = phonenumber::parse(Some(country::Id::CO), text)
                .ok()
                .filter(|p| p.is_valid())
                .map(|p| p.format().mode(Mode::E164).to_string());
            let fast = fast_path(&with_cc, plus, Region::COLOMBIA, "57", 10);
            // Where the fast path declines, `normalize` takes the full path anyway.
            if fast.is_some() {
                fast_hits += 1;
                assert_eq!(fast, full, "{with_cc} plus={plus}");
            }
        }
        assert!(
            fast_hits > 100,
            "the sample exercised the fast path ({fast_hits})"
        );
    }

    /// A group of Mexican clients: their numbers as people write them become +52.
    #[test]
    fn mexican_numbers_normalise_in_mexico() {
        let mx: Region = "mx".parse().unwrap();
        assert_eq!(mx.calling_code(), 52);
        for raw in [
            "55 1234 5678",
            "(55) 1234-5678",
            "5512345678",
            "52 55 1234 5678",
            "+52 55 1234 5678",
        ] {
            assert_eq!(normalize(raw, mx).as_deref(), Ok("+525512345678"), "{raw}");
        }
        // The same digits read in Colombia are no number there.
        assert!(co("5512345678").is_err());
        let json = serde_json::to_string(&mx).unwrap();
        assert_eq!(json, "\"MX\"");
        assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), mx);
    }

    #[test]
    fn region_parses() {
        assert_eq!("co".parse::<Region>(), Ok(Region::COLOMBIA));
        assert_eq!(Region::COLOMBIA.calling_code(), 57);
        assert!("zz".parse::<Region>().is_err());
    }
}

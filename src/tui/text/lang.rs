//! Which table of words a language reads.

use crate::domain::Lang;

use super::en::EN;
use super::es::ES;
use super::strings::Strings;

pub fn strings(lang: Lang) -> &'static Strings {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

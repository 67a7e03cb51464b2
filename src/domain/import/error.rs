//! `ImportError`: a file that cannot be read at all (empty, no phone column, unreadable
//! header), said in Spanish for a supervisor.

use thiserror::Error;

/// The file as a whole cannot be read.
#[derive(Debug, Error, PartialEq)]
pub enum ImportError {
    #[error("el archivo está vacío: se esperaba una fila de encabezados")]
    Empty,
    #[error(
        "no hay columna de teléfono (encabezados encontrados: {found}); use «telefono», «teléfono», «phone» o «celular»"
    )]
    MissingPhoneColumn { found: String },
    #[error("no se pudo leer el encabezado: {0}")]
    Header(String),
}

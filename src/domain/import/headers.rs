//! Column headers: normalised (no accents, `_` separators) and recognised in Spanish or
//! English as name, phone, email, company, role, or a client variable.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Column {
    Name,
    Phone,
    Email,
    Empresa,
    Cargo,
    Extra,
}

/// Lower-case, accents removed, separators as `_`: `Teléfono Móvil` → `telefono_movil`.
pub fn normalize_header(h: &str) -> String {
    let plain = deunicode::deunicode(h.trim()).to_lowercase();
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

pub(super) fn classify(normalized: &str) -> Column {
    match normalized {
        "nombre" | "nombres" | "name" | "nombre_completo" | "full_name" | "cliente" => Column::Name,
        "telefono" | "phone" | "celular" | "movil" | "phone_number" | "numero" | "tel"
        | "telefono_movil" | "numero_de_telefono" | "whatsapp" | "mobile" => Column::Phone,
        "correo" | "email" | "e_mail" | "mail" | "correo_electronico" => Column::Email,
        "empresa" | "company" | "compania" | "organizacion" => Column::Empresa,
        "cargo" | "role" | "rol" | "puesto" | "position" | "title" => Column::Cargo,
        _ => Column::Extra,
    }
}

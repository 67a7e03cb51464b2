//! CSV import's unit tests: headers, delimiters, BOM, bad rows, quoted newlines,
//! duplicates, UTF-8, opt-outs, and a 50,000-row file.

use super::headers::{Column, classify};
use super::*;
use crate::domain::phone::Region;

fn parse(s: &str) -> ParsedImport {
    parse_clients(s.as_bytes(), Region::COLOMBIA, |_| {}).unwrap()
}

#[test]
fn headers_match_in_any_language_and_accent() {
    assert_eq!(normalize_header(" Teléfono Móvil "), "telefono_movil");
    assert_eq!(classify(&normalize_header("TELÉFONO")), Column::Phone);
    assert_eq!(classify(&normalize_header("Correo")), Column::Email);
    assert_eq!(classify(&normalize_header("Company")), Column::Empresa);
    assert_eq!(classify(&normalize_header("Rol")), Column::Cargo);
}

#[test]
fn semicolon_file_with_bom() {
    let p = parse(
        "\u{feff}Nombre;Teléfono;Correo;Empresa;Cargo;Especialidad\nDr. García;300 111 2223;g@h.co;Hospital;Cardiólogo;Cardiología\n",
    );
    assert_eq!(p.rows_read, 1);
    let (line, c) = &p.clients["+573001112223"];
    assert_eq!(*line, 2);
    assert_eq!(c.name, "Dr. García");
    assert_eq!(c.cargo.as_deref(), Some("Cardiólogo"));
    assert_eq!(c.extra["especialidad"], "Cardiología");
    assert_eq!(p.variable_columns, vec!["especialidad"]);
}

#[test]
fn bad_rows_are_reported_not_fatal() {
    let p = parse(
        "name,phone,email\nAna,3001234567,a@x.co\nBeto,abc,b@x.co\nCarla,,c@x.co\nDavid,3001234568,d@x.co,extra\n\nEva,3001234569\n",
    );
    assert_eq!(p.clients.len(), 2, "{:?}", p.rejected);
    assert_eq!(p.rows_read, 5);
    let lines: Vec<u64> = p.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert!(p.rejected[0].reason.contains("letras"));
    assert!(p.rejected[1].reason.contains("falta el teléfono"));
    assert!(p.rejected[2].reason.contains("columnas"));
    assert!(p.clients.contains_key("+573001234569"), "short row is fine");
}

#[test]
fn quoted_fields_with_newlines_keep_line_numbers() {
    let p = parse("nombre,telefono,nota\n\"Ana\nMaría\",3001234567,\"a, b\"\nBeto,3001234568,x\n");
    assert_eq!(p.clients["+573001234567"].1.name, "Ana\nMaría");
    assert_eq!(p.clients["+573001234567"].1.extra["nota"], "a, b");
    assert_eq!(p.clients["+573001234568"].0, 4);
}

#[test]
fn duplicates_by_phone_merge_and_are_reported() {
    let p = parse("nombre,celular,empresa\nAna,300 123 4567,\nAna B,+57 3001234567,ACME\n");
    assert_eq!(p.clients.len(), 1);
    let (_, c) = &p.clients["+573001234567"];
    assert_eq!(c.name, "Ana B");
    assert_eq!(c.empresa.as_deref(), Some("ACME"));
    assert_eq!(
        p.duplicates,
        vec![DuplicateRow {
            line: 3,
            merged_into_line: 2,
            phone: "+573001234567".into()
        }]
    );
}

#[test]
fn missing_phone_column_is_a_clear_error() {
    let e = parse_clients(b"nombre,correo\nAna,a@x.co\n", Region::COLOMBIA, |_| {}).unwrap_err();
    assert!(
        matches!(e, ImportError::MissingPhoneColumn { ref found } if found == "nombre, correo")
    );
    assert!(e.to_string().contains("teléfono"));
    assert_eq!(
        parse_clients(b"\xEF\xBB\xBF \n", Region::COLOMBIA, |_| {}).unwrap_err(),
        ImportError::Empty
    );
}

#[test]
fn invalid_utf8_rejects_only_that_row() {
    let mut data = b"nombre,telefono\nAna,3001234567\n".to_vec();
    data.extend_from_slice(b"Jos\xe9,3001234568\nEva,3001234569\n");
    let p = parse_clients(&data, Region::COLOMBIA, |_| {}).unwrap();
    assert_eq!(p.clients.len(), 2);
    assert_eq!(p.rejected.len(), 1);
    assert!(p.rejected[0].reason.contains("UTF-8"));
}

#[test]
fn optout_files_keep_good_rows() {
    let (rows, rejected) = parse_optouts(
        "Celular;Motivo\n300 123 4567;RNE\nxx;RNE\n3001234568;\n".as_bytes(),
        Region::COLOMBIA,
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].phone_number, "+573001234567");
    assert_eq!(rows[0].reason.as_deref(), Some("RNE"));
    assert_eq!(rows[1].reason, None);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].line, 3);
}

#[test]
fn fifty_thousand_rows() {
    let mut s = String::from("nombre;telefono;ciudad\n");
    for i in 0..50_000u32 {
        s.push_str(&format!("Cliente {i};300{:07};Bogotá\n", i));
    }
    let mut progress = 0;
    let p = parse_clients(s.as_bytes(), Region::COLOMBIA, |n| progress = n).unwrap();
    assert_eq!(p.rows_read, 50_000);
    assert_eq!(progress, 50_000);
    assert_eq!(p.clients.len(), 50_000);
    assert!(p.rejected.is_empty());
}

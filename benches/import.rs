//! Import speed: phone normalisation alone, the whole CSV parse, and end to end into a
//! fresh sled store, for a generated 100,000-row file. The baseline is reading the same
//! CSV records with the csv crate and doing nothing else, measured in the same run.
//!
//! Run: cargo bench --features bench --bench import

use callboard::domain::import::parse_clients;
use callboard::domain::phone::{Region, normalize};
use callboard::store::Store;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const ROWS: usize = 100_000;

/// A realistic file: mixed phone formats, accents, `;` separated, a few extra columns.
fn generate_csv() -> (Vec<u8>, Vec<String>) {
    let formats = [
        |n: u32| format!("300{n:07}"),
        |n: u32| format!("310-{:03}-{:04}", n / 10_000 % 1000, n % 10_000),
        |n: u32| format!("(315) {:03}-{:04}", n / 10_000 % 1000, n % 10_000),
        |n: u32| format!("57 320 {:03} {:04}", n / 10_000 % 1000, n % 10_000),
        |n: u32| format!("+57301{n:07}"),
    ];
    let mut csv = String::from("Nombre;Teléfono;Correo;Empresa;Cargo;Ciudad\n");
    let mut phones = Vec::with_capacity(ROWS);
    for i in 0..ROWS as u32 {
        let phone = formats[i as usize % formats.len()](i);
        csv.push_str(&format!(
            "Cliente Núñez {i};{phone};cliente{i}@correo.co;Clínica {};Médico;Bogotá\n",
            i % 97
        ));
        phones.push(phone);
    }
    (csv.into_bytes(), phones)
}

fn bench(c: &mut Criterion) {
    let (csv, phones) = generate_csv();
    let mut g = c.benchmark_group("import_100k");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1))
        .throughput(Throughput::Elements(ROWS as u64));

    g.bench_function("baseline_csv_records_only", |b| {
        b.iter(|| {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(b';')
                .from_reader(csv.as_slice());
            let mut rec = csv::ByteRecord::new();
            let mut n = 0;
            while r.read_byte_record(&mut rec).unwrap() {
                n += rec.len();
            }
            black_box(n)
        })
    });

    g.bench_function("normalize_phones", |b| {
        b.iter(|| {
            let ok = phones
                .iter()
                .filter(|p| normalize(p, Region::COLOMBIA).is_ok())
                .count();
            assert_eq!(ok, ROWS);
            black_box(ok)
        })
    });

    g.bench_function("parse_clients", |b| {
        b.iter(|| {
            let p = parse_clients(&csv, Region::COLOMBIA, |_| {}).unwrap();
            assert_eq!(p.clients.len(), ROWS);
            black_box(p.rows_read)
        })
    });

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    g.bench_function("end_to_end_into_store", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let store = Store::open(dir.path()).unwrap();
                let p = parse_clients(&csv, Region::COLOMBIA, |_| {}).unwrap();
                let s = rt.block_on(store.import_clients("Bench", p)).unwrap();
                assert_eq!(s.created, ROWS);
                drop(store);
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

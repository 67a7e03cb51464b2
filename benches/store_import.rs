//! Import speed into each store engine: a generated 100,000-row CSV parsed and written
//! into a fresh sled store (the baseline) and into a fresh PostgreSQL database, in the
//! same run, alternating; then the same file imported again (100,000 updates). Prints
//! the median of the runs. PostgreSQL is the server of `CALLBOARD_TEST_DATABASE_URL`
//! (a database is made and dropped for each run); without it only sled runs.
//!
//! Run: CALLBOARD_TEST_DATABASE_URL=postgres://USER:PASSWORD@HOST/postgres cargo bench --bench store_import

use callboard::domain::import::parse_clients;
use callboard::domain::phone::Region;
use callboard::store::Store;
use callboard::store::pg::testing::fresh_pg;
use std::time::{Duration, Instant};

const ROWS: usize = 100_000;
const RUNS: usize = 5;

fn csv() -> Vec<u8> {
    let mut csv = String::from("Nombre;Teléfono;Correo;Empresa;Cargo;Ciudad\n");
    for i in 0..ROWS as u32 {
        let phone = match i % 3 {
            0 => format!("300{i:07}"),
            1 => format!("(315) {:03}-{:04}", i / 10_000 % 1000, i % 10_000),
            _ => format!("+57301{i:07}"),
        };
        csv.push_str(&format!(
            "Cliente Núñez {i};{phone};cliente{i}@correo.co;Clínica {};Médico;Bogotá\n",
            i % 97
        ));
    }
    csv.into_bytes()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn show(what: &str, times: Vec<Duration>) {
    if times.is_empty() {
        return;
    }
    let m = median(times.clone());
    println!(
        "{what:<44} median {:>7.1} ms  {:>8.0} rows/s  (runs: {})",
        m.as_secs_f64() * 1e3,
        ROWS as f64 / m.as_secs_f64(),
        times
            .iter()
            .map(|t| format!("{:.0}", t.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn main() {
    let csv = csv();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (mut sled_new, mut sled_again, mut pg_new, mut pg_again) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for times in [&mut sled_new, &mut sled_again] {
            let t = Instant::now();
            let p = parse_clients(&csv, Region::COLOMBIA, |_| {}).unwrap();
            let s = rt.block_on(store.import_clients("Bench", p)).unwrap();
            times.push(t.elapsed());
            assert_eq!(s.created + s.updated, ROWS);
        }
        rt.block_on(async {
            let Some((store, _db)) = fresh_pg("store_import bench").await else {
                return;
            };
            for times in [&mut pg_new, &mut pg_again] {
                let t = Instant::now();
                let p = parse_clients(&csv, Region::COLOMBIA, |_| {}).unwrap();
                let s = store.import_clients("Bench", p).await.unwrap();
                times.push(t.elapsed());
                assert_eq!(s.created + s.updated, ROWS);
            }
        });
    }
    println!("import of {ROWS} rows (parse + write), {RUNS} runs each, alternating:");
    show("sled, new clients (baseline)", sled_new);
    show("sled, the same file again (updates)", sled_again);
    show("postgresql, new clients", pg_new);
    show("postgresql, the same file again (updates)", pg_again);
}

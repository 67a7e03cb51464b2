//! Drawing a 10,000-recipient batch at 160×48, and applying a 10,000-recipient snapshot.
//!
//! Baselines, measured in the same run:
//! - `table_all_rows`: the same recipients table built the naive way, a `Row` for every
//!   recipient, rendered into the same 160×48 area;
//! - `clone_snapshot`: only copying a 10,000-recipient snapshot, the floor under any apply.
//!
//! Each case is measured twice: wall time (criterion's default), and CPU time of the
//! calling thread (`… [thread cpu]`, via `iter_custom`), which stays meaningful on a
//! machine shared with other builds, where wall time mostly measures waiting for a core.
//!
//! Run: `cargo bench --features bench --bench tui_render` (release profile).

use callboard::domain::Lang;
use callboard::tui::action::Action;
use callboard::tui::app::App;
use callboard::tui::batch_state::{BatchState, SortKey};
use callboard::tui::fixtures;
use callboard::tui::ui::{draw, recipients};
use callboard::tui::update::update;
use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::{Table, TableState};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 10_000;

/// CPU time consumed so far by the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// `iters` runs of `routine` on fresh inputs from `setup`, counting only the routine's
/// CPU time on this thread.
fn cpu_batched<I, O>(
    iters: u64,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let input = setup();
        let t0 = thread_cpu();
        let out = routine(input);
        total += thread_cpu() - t0;
        drop(black_box(out));
    }
    total
}

fn app_with_batch() -> App {
    let now = Utc
        .with_ymd_and_hms(2025, 8, 24, 15, 30, 0)
        .single()
        .unwrap();
    let mut app = App::new(Lang::Es, "http://127.0.0.1:8080", now);
    update(&mut app, Action::GroupsLoaded(Ok(fixtures::groups())));
    update(&mut app, Action::BatchesLoaded(Ok(fixtures::batches())));
    let key = |c| Action::Key(KeyEvent::new(c, KeyModifiers::NONE));
    update(&mut app, key(KeyCode::Tab));
    update(&mut app, key(KeyCode::Enter));
    let view = fixtures::batch_view("batch_777", N, now.timestamp());
    update(
        &mut app,
        Action::Snapshot {
            batch_id: "batch_777".into(),
            view: Box::new(view),
            at: now,
        },
    );
    app
}

fn draw_benches(c: &mut Criterion) {
    let mut app = app_with_batch();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut g = c.benchmark_group("draw_10k_160x48");
    // The whole screen, selection moving through the middle of the batch so that every
    // frame differs (a still frame would only measure the diff).
    let mut step = 0usize;
    g.bench_function("full_screen_visible_rows", |b| {
        b.iter(|| {
            step = (step + 1) % 200;
            if let Some(bt) = app.batch.as_mut() {
                bt.selected = N / 2 + step;
            }
            term.draw(|f| draw(black_box(&app), f)).unwrap();
        })
    });
    g.bench_function("full_screen_visible_rows [thread cpu]", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                step = (step + 1) % 200;
                if let Some(bt) = app.batch.as_mut() {
                    bt.selected = N / 2 + step;
                }
                let t0 = thread_cpu();
                term.draw(|f| draw(black_box(&app), f)).unwrap();
                total += thread_cpu() - t0;
            }
            total
        })
    });
    let app = app_with_batch();
    let bt = app.batch.as_ref().unwrap();
    let s = app.strings;
    let t = app.theme;
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut sel = N / 2;
    g.bench_function("table_all_rows (baseline)", |b| {
        b.iter(|| {
            sel = N / 2 + (sel + 1) % 200;
            let rows = bt
                .view
                .iter()
                .map(|i| recipients::row(&bt.rows[*i as usize], false, false, s, &t));
            let table = Table::new(rows, recipients::WIDTHS).header(recipients::header(s, &t));
            let mut state = TableState::default().with_selected(Some(sel));
            term.draw(|f| f.render_stateful_widget(table, f.area(), &mut state))
                .unwrap();
        })
    });
    g.bench_function("table_all_rows (baseline) [thread cpu]", |b| {
        b.iter_custom(|iters| {
            cpu_batched(
                iters,
                || (),
                |()| {
                    sel = N / 2 + (sel + 1) % 200;
                    let rows = bt
                        .view
                        .iter()
                        .map(|i| recipients::row(&bt.rows[*i as usize], false, false, s, &t));
                    let table =
                        Table::new(rows, recipients::WIDTHS).header(recipients::header(s, &t));
                    let mut state = TableState::default().with_selected(Some(sel));
                    term.draw(|f| f.render_stateful_widget(table, f.area(), &mut state))
                        .unwrap();
                },
            )
        })
    });
    g.bench_function("table_visible_rows", |b| {
        b.iter(|| {
            sel = N / 2 + (sel + 1) % 200;
            let h = 46;
            let off = recipients::window(sel.saturating_sub(h), sel, h, bt.view.len());
            let rows = bt.view[off..off + h]
                .iter()
                .map(|i| recipients::row(&bt.rows[*i as usize], false, false, s, &t));
            let table = Table::new(rows, recipients::WIDTHS).header(recipients::header(s, &t));
            let mut state = TableState::default().with_selected(Some(sel - off));
            term.draw(|f| f.render_stateful_widget(table, f.area(), &mut state))
                .unwrap();
        })
    });
    g.finish();
}

fn apply_benches(c: &mut Criterion) {
    let now = Utc
        .with_ymd_and_hms(2025, 8, 24, 15, 30, 0)
        .single()
        .unwrap()
        .timestamp();
    let first = fixtures::batch_view("batch_777", N, now);
    // The next snapshot: a tenth of the recipients moved on.
    let mut next = first.clone();
    for r in next.recipients.iter_mut().step_by(10) {
        r.status = callboard::domain::RecipientStatus::Completed;
        r.updated_at_unix = now + 3;
    }
    let mut g = c.benchmark_group("apply_snapshot_10k");
    g.bench_function("clone_snapshot (baseline)", |b| {
        b.iter(|| black_box(next.clone()))
    });
    let fresh = || {
        let mut st = BatchState::new("batch_777");
        st.apply(first.clone(), now);
        (st, next.clone())
    };
    g.bench_function("apply (original order)", |b| {
        b.iter_batched(
            fresh,
            |(mut st, v)| {
                st.apply(v, now + 3);
                st
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("clone_snapshot (baseline) [thread cpu]", |b| {
        b.iter_custom(|iters| cpu_batched(iters, || (), |()| next.clone()))
    });
    g.bench_function("apply (original order) [thread cpu]", |b| {
        b.iter_custom(|iters| {
            cpu_batched(iters, fresh, |(mut st, v)| {
                st.apply(v, now + 3);
                st
            })
        })
    });
    g.bench_function("apply (sorted by name, filtered) [thread cpu]", |b| {
        b.iter_custom(|iters| {
            cpu_batched(
                iters,
                || {
                    let (mut st, v) = fresh();
                    st.set_sort(SortKey::Name, false);
                    st.set_filter("garcía");
                    (st, v)
                },
                |(mut st, v)| {
                    st.apply(v, now + 3);
                    st
                },
            )
        })
    });
    for (label, sort, filter) in [
        ("apply (sorted by name) [thread cpu]", true, ""),
        ("apply (filtered) [thread cpu]", false, "garcía"),
    ] {
        g.bench_function(label, |b| {
            b.iter_custom(|iters| {
                cpu_batched(
                    iters,
                    || {
                        let (mut st, v) = fresh();
                        if sort {
                            st.set_sort(SortKey::Name, false);
                        }
                        st.set_filter(filter);
                        (st, v)
                    },
                    |(mut st, v)| {
                        st.apply(v, now + 3);
                        st
                    },
                )
            })
        });
    }
    g.bench_function("apply (sorted by name, filtered)", |b| {
        b.iter_batched(
            || {
                let (mut st, v) = fresh();
                st.set_sort(SortKey::Name, false);
                st.set_filter("garcía");
                (st, v)
            },
            |(mut st, v)| {
                st.apply(v, now + 3);
                st
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, draw_benches, apply_benches);
criterion_main!(benches);

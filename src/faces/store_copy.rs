//! `callboard store copy --from DIR --to postgres://…`: a sled store into PostgreSQL.

use color_eyre::eyre::{Result, bail};
use std::path::PathBuf;

use crate::config::Config;
use crate::domain::Lang;
use crate::secret::Secret;
use crate::store::{Store, is_database_url};

/// `callboard store copy`.
pub async fn copy(cfg: &Config, from: Option<PathBuf>, to: Option<Secret>) -> Result<()> {
    let es = cfg.lang == Lang::Es;
    let dir = from.unwrap_or_else(|| cfg.data_dir.clone());
    let Some(url) = to.or_else(|| cfg.store.url.clone()) else {
        bail!(if es {
            "falta --to postgres://usuario:clave@servidor/base (o CALLBOARD_DATABASE_URL)"
        } else {
            "missing --to postgres://user:pass@host/db (or CALLBOARD_DATABASE_URL)"
        });
    };
    if !is_database_url(url.expose()) {
        bail!(if es {
            "--to debe ser una URL de PostgreSQL: postgres://usuario:clave@servidor/base"
        } else {
            "--to must be a PostgreSQL URL: postgres://user:pass@host/db"
        });
    }
    if !Store::exists_in(&dir) {
        bail!(if es {
            format!(
                "{} no contiene un almacén de callboard (use --from DIR)",
                dir.display()
            )
        } else {
            format!(
                "{} holds no callboard store (use --from DIR)",
                dir.display()
            )
        });
    }
    let source = Store::open_at(&crate::store::StoreLocation::Dir(dir)).await?;
    let target = Store::connect(url.expose()).await?;
    let tallies = source.copy_into(&target).await?;
    println!(
        "{} {} → {}",
        if es { "Copiado" } else { "Copied" },
        source.location(),
        target.location()
    );
    let mut short = Vec::new();
    println!(
        "  {:<14} {:>8} {:>8}",
        "",
        if es { "copiados" } else { "copied" },
        if es { "en la base" } else { "in the db" }
    );
    for t in &tallies {
        println!("  {:<14} {:>8} {:>8}", t.kind, t.copied, t.found);
        if t.found < t.copied {
            short.push(t.kind);
        }
    }
    if !short.is_empty() {
        bail!(if es {
            format!(
                "la base de datos no tiene todo lo copiado ({}); repita la copia",
                short.join(", ")
            )
        } else {
            format!(
                "the database lacks part of the copy ({}); run it again",
                short.join(", ")
            )
        });
    }
    println!(
        "{}",
        if es {
            "Todo lo copiado está en la base de datos. Ya puede iniciar `callboard serve` con CALLBOARD_DATABASE_URL."
        } else {
            "Everything copied is in the database. Start `callboard serve` with CALLBOARD_DATABASE_URL."
        }
    );
    Ok(())
}

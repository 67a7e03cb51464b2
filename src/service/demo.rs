//! The demo workspace, one for `callboard demo` and `serve --demo-data`. User 19 calls with
//! the first agent of the configured ElevenLabs workspace; group 55 "Médicos Test" has the
//! seed's variables and 15 clients written in every phone format the seed lists (one of
//! them invalid); "Pacientes Control" and "Ventas Norte" lack data the agent uses (they
//! show how a group that cannot be called yet says why); "Seguimiento Cardiología",
//! loaded last so the others keep their ids, is the group `callboard demo` calls at once.
//! Loading twice changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::domain::ClientDraft;
use crate::domain::phone::Region;
use crate::secret::Secret;
use crate::store::{NewGroup, Store, StoreError};

pub const DEMO_USER: u64 = 19;
pub const DEMO_GROUP: u64 = 55;
/// The group whose batch `callboard demo` starts as it opens.
pub const LIVE_GROUP: &str = "Seguimiento Cardiología";

/// Its clients: names and phones in the formats people type.
const LIVE_CLIENTS: &[(&str, &str)] = &[
    ("Carmen Ospina", "3015550101"),
    ("Julián Restrepo", "301-555-0102"),
    ("Valentina Castaño", "(301) 555-0103"),
    ("Mateo Villegas", "57 301 555 0104"),
    ("Isabella Arango", "+573015550105"),
    ("Santiago Quintero", "3015550106"),
    ("Daniela Londoño", "3015550107"),
    ("Samuel Betancur", "3015550108"),
    ("Mariana Zapata", "3015550109"),
    ("Tomás Echeverri", "3015550110"),
];

/// What loading did: the demo user's token when the user was created now.
#[derive(Debug, Default)]
pub struct DemoLoaded {
    pub user_token: Option<Secret>,
}

/// Where the demo user's token is kept, readable by its owner only, so it can be had
/// again after the first start printed it (`cat` it, or paste it in the web page).
pub fn token_file(data_dir: &Path) -> PathBuf {
    data_dir.join("demo-user-19.token")
}

fn save_token(path: &Path, token: &Secret) -> std::io::Result<()> {
    use std::io::Write;
    // With a database store the data directory may not exist yet.
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut f = open.open(path)?;
    writeln!(f, "{}", token.expose())
}

fn client(name: &str, phone: &str, email: &str, empresa: &str, cargo: &str) -> ClientDraft {
    ClientDraft {
        name: name.into(),
        phone: phone.into(),
        email: Some(email.into()).filter(|e: &String| !e.is_empty()),
        empresa: Some(empresa.into()).filter(|e: &String| !e.is_empty()),
        cargo: Some(cargo.into()).filter(|e: &String| !e.is_empty()),
        extra: BTreeMap::new(),
    }
}

/// The 15 clients of "Médicos Test" (name, phone, email, company, role): the seed's five
/// phone formats, each used three times with other numbers, and one number that cannot be
/// dialled.
const MEDICOS: [(&str, &str, &str, &str, &str); 15] = [
    (
        "Dr. García",
        "3001112223",
        "garcia@hospital.com",
        "Hospital Central",
        "Cardiólogo",
    ),
    (
        "Dra. Pérez",
        "300-444-5556",
        "perez@clinica.co",
        "Clínica del Norte",
        "Pediatra",
    ),
    (
        "Dr. Rodríguez",
        "(301) 234-5678",
        "rodriguez@salud.co",
        "Hospital Central",
        "Internista",
    ),
    (
        "Dra. Martínez",
        "57 302 345 6789",
        "martinez@hospital.com",
        "Hospital San Rafael",
        "Neuróloga",
    ),
    (
        "Dr. López",
        "+573103456789",
        "lopez@clinica.co",
        "Clínica del Norte",
        "Dermatólogo",
    ),
    (
        "Dra. Gómez",
        "3114567890",
        "gomez@salud.co",
        "IPS Sur",
        "Ginecóloga",
    ),
    (
        "Dr. Hernández",
        "312-567-8901",
        "hernandez@hospital.com",
        "Hospital Central",
        "Ortopedista",
    ),
    (
        "Dra. Díaz",
        "(313) 678-9012",
        "diaz@clinica.co",
        "Clínica del Mar",
        "Oftalmóloga",
    ),
    (
        "Dr. Torres",
        "57 314 789 0123",
        "torres@salud.co",
        "IPS Sur",
        "Urólogo",
    ),
    (
        "Dra. Ramírez",
        "+573158901234",
        "ramirez@hospital.com",
        "Hospital San Rafael",
        "Endocrinóloga",
    ),
    (
        "Dr. Flores",
        "3169012345",
        "flores@clinica.co",
        "Clínica del Mar",
        "Psiquiatra",
    ),
    (
        "Dra. Vargas",
        "317-012-3456",
        "vargas@salud.co",
        "IPS Sur",
        "Reumatóloga",
    ),
    (
        "Dr. Castro",
        "(318) 123-4567",
        "castro@hospital.com",
        "Hospital Central",
        "Neumólogo",
    ),
    (
        "Dra. Morales",
        "57 320 234 5678",
        "morales@clinica.co",
        "Clínica del Norte",
        "Oncóloga",
    ),
    // Seven digits: a landline without the 60X prefix, refused with a clear reason.
    (
        "Dr. Ortiz",
        "4567890",
        "ortiz@salud.co",
        "IPS Sur",
        "Médico general",
    ),
];

/// The clients of "Médicos Test", as drafts.
pub fn medicos() -> Vec<ClientDraft> {
    MEDICOS
        .iter()
        .map(|(name, phone, email, empresa, cargo)| client(name, phone, email, empresa, cargo))
        .collect()
}

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The clients of "Pacientes Control": the seed's phone formats again.
const PACIENTES: [(&str, &str); 8] = [
    ("Ana Ruiz", "3005551201"),
    ("Luis Mejía", "300-555-1202"),
    ("Marta Silva", "(300) 555-1203"),
    ("Jorge Peña", "57 300 555 1204"),
    ("Sofía Rojas", "+573005551205"),
    ("Pedro Gil", "3005551206"),
    ("Lucía Cano", "3005551207"),
    ("Andrés Mora", "3005551208"),
];

/// The clients of "Ventas Norte" (name, phone, company, role).
const VENTAS: [(&str, &str, &str, &str); 5] = [
    (
        "Carolina Restrepo",
        "3106660101",
        "Distribuidora Andina",
        "Compras",
    ),
    (
        "Felipe Arango",
        "310-666-0102",
        "Farmacias Unidas",
        "Gerente",
    ),
    (
        "Valentina Ochoa",
        "(310) 666-0103",
        "Droguería Central",
        "Administradora",
    ),
    ("Santiago Muñoz", "+573106660104", "Salud Total", "Director"),
    ("Camila Duarte", "3106660105", "Clínica Bella", "Compras"),
];

/// Loads the demo workspace unless it is already there; the demo user's token is saved
/// in `data_dir` (the data directory, whichever engine holds the store).
pub async fn load(
    store: &Store,
    data_dir: &Path,
    region: Region,
    agent_id: Option<&str>,
) -> Result<DemoLoaded, StoreError> {
    let mut loaded = DemoLoaded::default();
    if store.user(DEMO_USER).await?.is_none() {
        let (_, token) = store
            .add_user("Supervisora Demo", agent_id, Some(DEMO_USER))
            .await?;
        if let Err(e) = save_token(&token_file(data_dir), &token) {
            tracing::warn!(error = %e, "could not save the demo user's token file");
        }
        loaded.user_token = Some(token);
    }
    adopt_ownerless_groups(store).await?;
    if store.group(DEMO_GROUP).await?.is_none() {
        let g = store
            .create_group(NewGroup {
                name: "Médicos Test".into(),
                variables: vars(&[
                    ("especialidad", "Medicina General"),
                    ("ciudad", "Barranquilla"),
                ]),
                id: Some(DEMO_GROUP),
                owner: Some(DEMO_USER),
                other_countries: false,
                setup: Default::default(),
            })
            .await?;
        store.add_clients(g.id, medicos(), region).await?;
    }
    let pacientes = PACIENTES
        .iter()
        .map(|(n, p)| client(n, p, "", "", "Paciente"))
        .collect();
    let pacientes_vars = [("sede", "Sede Norte"), ("ciudad", "Bogotá")];
    ensure_group(
        store,
        region,
        "Pacientes Control",
        &pacientes_vars,
        pacientes,
    )
    .await?;
    let ventas = VENTAS
        .iter()
        .map(|(n, p, e, c)| client(n, p, "", e, c))
        .collect();
    let ventas_vars = [("producto", "Plan Salud Plus")];
    ensure_group(store, region, "Ventas Norte", &ventas_vars, ventas).await?;
    let live = LIVE_CLIENTS
        .iter()
        .map(|(n, p)| client(n, p, "", "", ""))
        .collect();
    let live_vars = [("especialidad", "Cardiología"), ("ciudad", "Medellín")];
    ensure_group(store, region, LIVE_GROUP, &live_vars, live).await?;
    Ok(loaded)
}

/// Demo groups of a store from before groups had owners are the demo user's too.
async fn adopt_ownerless_groups(store: &Store) -> Result<(), StoreError> {
    for name in [
        "Médicos Test",
        "Pacientes Control",
        "Ventas Norte",
        LIVE_GROUP,
    ] {
        if let Some(g) = store.group_by_name(name).await?
            && g.owner.is_none()
        {
            store.set_group_owner(g.id, Some(DEMO_USER)).await?;
        }
    }
    Ok(())
}

/// Creates the demo user's group `name` with its clients unless a group of that name exists.
async fn ensure_group(
    store: &Store,
    region: Region,
    name: &str,
    variables: &[(&str, &str)],
    clients: Vec<ClientDraft>,
) -> Result<(), StoreError> {
    if store.group_by_name(name).await?.is_some() {
        return Ok(());
    }
    let g = store
        .create_group(NewGroup {
            name: name.into(),
            variables: vars(variables),
            owner: Some(DEMO_USER),
            ..NewGroup::default()
        })
        .await?;
    store.add_clients(g.id, clients, region).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn demo_workspace_matches_the_seed_and_loads_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = load(&store, dir.path(), Region::COLOMBIA, Some("agent_1"))
            .await
            .unwrap();
        let token = first.user_token.as_ref().unwrap();
        // The token can be read again, by its owner only.
        let file = token_file(dir.path());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap().trim(),
            token.expose()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = load(&store, dir.path(), Region::COLOMBIA, Some("agent_1"))
            .await
            .unwrap();
        assert!(again.user_token.is_none());
        let g = store.group(DEMO_GROUP).await.unwrap().unwrap();
        assert_eq!(g.name, "Médicos Test");
        assert_eq!(
            g.variables.keys().collect::<Vec<_>>(),
            ["ciudad", "especialidad"]
        );
        let clients = store.clients(DEMO_GROUP).await.unwrap();
        assert_eq!(clients.len(), 15);
        assert_eq!(clients.iter().filter(|c| c.phone_e164.is_err()).count(), 1);
        assert_eq!(store.groups().await.unwrap().len(), 4);
        assert!(store.group_by_name(LIVE_GROUP).await.unwrap().is_some());
        assert_eq!(
            store
                .user(DEMO_USER)
                .await
                .unwrap()
                .unwrap()
                .agent_id
                .as_deref(),
            Some("agent_1")
        );
    }
}

-- Several `serve` instances on one database (store/pg/cluster.rs).

-- The lease of each watched batch: only its owner polls ElevenLabs for it. Renewed by the
-- owner every second; another instance takes it once `expires_at` (the database's clock)
-- has passed.
CREATE TABLE batch_leases (
    batch_id text COLLATE "C" PRIMARY KEY,
    owner text NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX batch_leases_owner ON batch_leases (owner);

-- The last snapshot the lease's owner published (the view, its sequence and event ids, as
-- JSON text), which the other instances show their own viewers.
CREATE TABLE batch_snapshots (
    batch_id text COLLATE "C" PRIMARY KEY,
    body text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- callboard's PostgreSQL schema, version 1.
--
-- Every record is kept as the JSON document the sled engine writes (type json, not jsonb:
-- jsonb reorders object keys, and group variables and recipients' variables are ordered
-- maps that views and exports show in their order). What is looked up, ordered or
-- constrained is also in typed columns, written from the same record in the same statement.

-- Ids of users, groups and clients: never 0, never past 2^53 - 1 (domain::MAX_ID), no wrap.
CREATE SEQUENCE user_ids AS bigint MINVALUE 1 MAXVALUE 9007199254740991 NO CYCLE;
CREATE SEQUENCE group_ids AS bigint MINVALUE 1 MAXVALUE 9007199254740991 NO CYCLE;
CREATE SEQUENCE client_ids AS bigint MINVALUE 1 MAXVALUE 9007199254740991 NO CYCLE;

CREATE TABLE users (
    id bigint PRIMARY KEY,
    -- SHA-256 of the bearer token, hex; '' once revoked.
    token_hash text NOT NULL,
    doc json NOT NULL
);
CREATE UNIQUE INDEX users_token_hash ON users (token_hash) WHERE token_hash <> '';

CREATE TABLE groups (
    id bigint PRIMARY KEY,
    -- The name without case or accents: names are unique in that form.
    name_key text NOT NULL UNIQUE,
    owner bigint,
    doc json NOT NULL
);

CREATE TABLE clients (
    group_id bigint NOT NULL REFERENCES groups (id),
    -- Ids grow in the order clients are added: a group's clients are read by id.
    id bigint NOT NULL,
    -- NULL when the phone is invalid (the reason is in the document).
    phone_e164 text,
    doc json NOT NULL,
    PRIMARY KEY (group_id, id)
);
-- No index on phones: an import reads its group's (id, phone) pairs through the primary
-- key (34 ms for 100,000) and matches them itself; a phone index cost a third of an
-- import's inserts and was slower to look 100,000 phones up in.

CREATE TABLE batches (
    batch_id text COLLATE "C" PRIMARY KEY,
    group_id bigint NOT NULL,
    user_id bigint NOT NULL,
    -- Creation time in microseconds since 1970 (>= 0): the batch list's order and cursor.
    created_us bigint NOT NULL,
    doc json NOT NULL
);
CREATE INDEX batches_newest ON batches (created_us DESC, batch_id DESC);
CREATE INDEX batches_group ON batches (group_id, created_us DESC);

CREATE TABLE conversations (
    conversation_id text PRIMARY KEY,
    doc json NOT NULL
);

CREATE TABLE idempotency (
    scope text NOT NULL,
    key text NOT NULL,
    created_at timestamptz NOT NULL,
    doc json NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);

-- The submission journal.
CREATE TABLE intents (
    id text COLLATE "C" PRIMARY KEY,
    group_id bigint NOT NULL,
    -- planned | pending | settled | abandoned
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    doc json NOT NULL
);
-- One submission per group whose outcome is not known yet: a second pending intent for a
-- group is refused by the database, whatever process writes it.
CREATE UNIQUE INDEX intents_one_pending_per_group ON intents (group_id) WHERE state = 'pending';
CREATE INDEX intents_open ON intents (id) WHERE state IN ('planned', 'pending');

CREATE TABLE optouts (
    phone_number text COLLATE "C" PRIMARY KEY,
    doc json NOT NULL
);

CREATE TABLE audit (
    seq bigserial PRIMARY KEY,
    -- The entry's time in microseconds: entries are ordered by (at_us, seq), as in sled.
    at_us bigint NOT NULL,
    target text NOT NULL,
    doc json NOT NULL
);
CREATE INDEX audit_order ON audit (at_us, seq);
CREATE INDEX audit_target ON audit (target, at_us, seq);

//! `callboard serve`: the seed's HTTP API (filled by the service issue).

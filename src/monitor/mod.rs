//! One upstream poller per batch, enrichment and the live hub (filled by the service issue).

//! Typed, resilient HTTP client for the ElevenLabs API (filled by the ElevenLabs issue).

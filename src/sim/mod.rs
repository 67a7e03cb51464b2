//! `callboard sim`: an offline ElevenLabs twin (filled by the ElevenLabs issue).

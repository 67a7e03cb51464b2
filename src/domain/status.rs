//! Open status enums shared by every face. ElevenLabs adds values over time, so each
//! enum keeps an `Unknown(String)` fallback and round-trips it unchanged.

macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize,
        )]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know; kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in lifecycle order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(s) => s.as_str(),
                }
            }

            /// Parses any string; unknown values become `Unknown`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::parse(&s) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Unknown(s) => s,
                    known => known.as_str().to_string(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Also used for the open wire enums of `crate::elevenlabs`.
pub(crate) use open_enum;

open_enum! {
    /// Status of one recipient of a batch (ElevenLabs `BatchCallRecipientStatus`, snake_case).
    RecipientStatus {
        Pending => "pending",
        Dispatched => "dispatched",
        Initiated => "initiated",
        InProgress => "in_progress",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
        Voicemail => "voicemail",
    }
}

open_enum! {
    /// Status of a whole batch. `PartiallyCompleted` is ours (the seed's): a batch that
    /// ended with some recipients not completed.
    BatchStatus {
        Pending => "pending",
        InProgress => "in_progress",
        Completed => "completed",
        PartiallyCompleted => "partially_completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl RecipientStatus {
    /// The call reached an end state and will not change unless the batch is retried.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Failed | Self::Cancelled | Self::Voicemail
        )
    }

    /// Not yet handed to the dialer: what a cancel still stops.
    pub fn is_not_started(&self) -> bool {
        matches!(self, Self::Pending | Self::Dispatched)
    }

    /// What `/retry` dials again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Failed | Self::Voicemail)
    }

    /// Spanish label for screens.
    pub fn label_es(&self) -> &str {
        match self {
            Self::Pending => "en cola",
            Self::Dispatched => "despachada",
            Self::Initiated => "marcando",
            Self::InProgress => "en curso",
            Self::Completed => "completada",
            Self::Failed => "fallida",
            Self::Cancelled => "cancelada",
            Self::Voicemail => "buzón de voz",
            Self::Unknown(s) => s,
        }
    }
}

impl BatchStatus {
    /// The batch will not progress any more (a retry may reopen it).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Completed | Self::PartiallyCompleted | Self::Failed | Self::Cancelled
        )
    }

    /// Spanish label for screens.
    pub fn label_es(&self) -> &str {
        match self {
            Self::Pending => "en cola",
            Self::InProgress => "en curso",
            Self::Completed => "completado",
            Self::PartiallyCompleted => "parcialmente completado",
            Self::Failed => "fallido",
            Self::Cancelled => "cancelado",
            Self::Unknown(s) => s,
        }
    }

    /// The seed's reading of a final upstream `completed`: if some recipients did not
    /// complete, the batch is `partially_completed`.
    /// A final `completed` whose calls all failed is `failed`.
    pub fn refine(self, recipients: &[RecipientStatus]) -> Self {
        if self == Self::Completed
            && !recipients.is_empty()
            && recipients.iter().all(|s| *s == RecipientStatus::Failed)
        {
            Self::Failed
        } else if self == Self::Completed
            && recipients.iter().any(|s| *s != RecipientStatus::Completed)
        {
            Self::PartiallyCompleted
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_round_trip() {
        for s in RecipientStatus::KNOWN {
            let json = serde_json::to_string(s).unwrap();
            let back: RecipientStatus = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, s);
        }
        let v: BatchStatus = serde_json::from_str("\"in_progress\"").unwrap();
        assert_eq!(v, BatchStatus::InProgress);
    }

    #[test]
    fn unknown_values_are_kept() {
        let v: RecipientStatus = serde_json::from_str("\"ringing_again\"").unwrap();
        assert_eq!(v, RecipientStatus::Unknown("ringing_again".into()));
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"ringing_again\"");
    }

    #[test]
    fn completed_with_failures_is_partial() {
        use RecipientStatus::*;
        assert_eq!(
            BatchStatus::Completed.refine(&[Completed, Failed]),
            BatchStatus::PartiallyCompleted
        );
        assert_eq!(
            BatchStatus::Completed.refine(&[Failed, Failed]),
            BatchStatus::Failed
        );
        assert_eq!(
            BatchStatus::Completed.refine(&[Completed, Completed]),
            BatchStatus::Completed
        );
        assert_eq!(
            BatchStatus::Cancelled.refine(&[Failed]),
            BatchStatus::Cancelled
        );
    }
}

//! Codes that leave the program (stop reasons, audit actions; error codes live in `api`):
//! enums written once with the exact string each is serialised to, so no code is a string
//! literal matched somewhere else.

/// Declares a fieldless enum whose variants serialise to the given strings.
macro_rules! wire_codes {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $var:ident = $s:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $var,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var,)+];

            /// The string on the wire and in the store.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $s,)+
                }
            }

            /// The value written as `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($s => Some($name::$var),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        concat!("unknown ", stringify!($name), " `{}`"),
                        s
                    ))
                })
            }
        }
    };
}
pub(crate) use wire_codes;

wire_codes! {
    /// Why a batch stopped before its end.
    pub enum StopCode {
        /// Cancelled at the calling window's close; the undialled are resubmitted at the
        /// next opening.
        WindowClosed = "window_closed",
        /// Stopped by the circuit breaker (too many failed or very short calls).
        CircuitBreaker = "circuit_breaker",
        /// Cancelled by a person.
        Cancelled = "cancelled",
        /// Replaced because a number in it opted out before its call.
        OptOut = "opt_out",
        /// ElevenLabs no longer has it (404 and absent from the workspace's list).
        NotFoundUpstream = "not_found_upstream",
    }
}

wire_codes! {
    /// What the audit log records.
    pub enum AuditAction {
        BatchStart = "batch.start",
        BatchRetry = "batch.retry",
        BatchCancel = "batch.cancel",
        BatchAutoRetry = "batch.auto_retry",
        BatchResume = "batch.resume",
        BatchWindowClosed = "batch.window_closed",
        BatchCircuitBreaker = "batch.circuit_breaker",
        BatchOptoutReplace = "batch.optout_replace",
        BatchFollowUpFailed = "batch.follow_up_failed",
        GroupOwner = "group.owner",
        GroupSetup = "group.setup",
        OptoutAdd = "optout.add",
        OptoutRemove = "optout.remove",
        OptoutImport = "optout.import",
        UserTokenRotate = "user.token_rotate",
        UserTokenRevoke = "user.token_revoke",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_strings() {
        for c in StopCode::ALL {
            assert_eq!(StopCode::parse(c.as_str()), Some(*c));
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<StopCode>(&json).unwrap(), *c);
        }
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        assert_eq!(StopCode::WindowClosed.as_str(), "window_closed");
        assert!(serde_json::from_str::<StopCode>("\"nope\"").is_err());
    }
}

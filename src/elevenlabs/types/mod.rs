//! Wire types of the ElevenLabs API, as lenient as upstream's own SDK models.

mod agent;
mod batch;
mod conversation;
pub(crate) mod de;
mod enums;
mod webhook;

pub use agent::*;
pub use batch::*;
pub use conversation::*;
pub use enums::*;
pub use webhook::*;

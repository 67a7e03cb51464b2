//! Agent and phone-number wire types. Agents are read to check which `{{variables}}` their
//! prompt and first message expect; everything we do not use is kept in `extra` so that a
//! read-modify-write never loses settings.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use super::de::null_default;
use super::enums::TelephonyProvider;

/// `GetAgentResponseModel`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentResponse {
    pub agent_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub conversation_config: ConversationConfig,
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: AgentMetadata,
    #[serde(default)]
    pub platform_settings: Option<Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub phone_numbers: Vec<Value>,
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub version_id: Option<String>,
    #[serde(default)]
    pub branch_id: Option<String>,
    #[serde(default)]
    pub main_branch_id: Option<String>,
    #[serde(flatten, default)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationConfig {
    #[serde(default, deserialize_with = "null_default")]
    pub agent: AgentConfig,
    #[serde(flatten, default)]
    pub extra: Map<String, Value>,
}

/// `conversation_config.agent`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentConfig {
    #[serde(default, deserialize_with = "null_default")]
    pub first_message: String,
    #[serde(default, deserialize_with = "null_default")]
    pub language: String,
    #[serde(default, deserialize_with = "null_default")]
    pub dynamic_variables: DynamicVariablesConfig,
    #[serde(default, deserialize_with = "null_default")]
    pub prompt: PromptConfig,
    #[serde(flatten, default)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DynamicVariablesConfig {
    #[serde(default, deserialize_with = "null_default")]
    pub dynamic_variable_placeholders: IndexMap<String, Value>,
    #[serde(flatten, default)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PromptConfig {
    #[serde(default, deserialize_with = "null_default")]
    pub prompt: String,
    #[serde(default)]
    pub llm: Option<String>,
    #[serde(flatten, default)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentMetadata {
    #[serde(default, deserialize_with = "null_default")]
    pub created_at_unix_secs: i64,
    #[serde(default, deserialize_with = "null_default")]
    pub updated_at_unix_secs: i64,
}

impl AgentResponse {
    /// The `{{variables}}` the prompt, the first message and the tools use (no `system__*` ones):
    /// every recipient must carry all of them or its call fails.
    pub fn placeholders(&self) -> BTreeSet<String> {
        let agent = &self.conversation_config.agent;
        let mut set = crate::domain::variables::placeholders(&agent.prompt.prompt);
        set.extend(crate::domain::variables::placeholders(&agent.first_message));
        set.extend(self.tool_placeholders());
        set
    }

    /// The `{{variables}}` the agent's tools use (`prompt.tools`): they are required too.
    pub fn tool_placeholders(&self) -> BTreeSet<String> {
        let prompt = &self.conversation_config.agent.prompt;
        prompt
            .extra
            .get("tools")
            .map(crate::domain::variables::tool_placeholders)
            .unwrap_or_default()
    }

    /// The agent's default/test values for its variables.
    pub fn dynamic_variable_placeholders(&self) -> BTreeMap<String, Value> {
        self.conversation_config
            .agent
            .dynamic_variables
            .dynamic_variable_placeholders
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// An item of `GET /v1/convai/agents`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentSummary {
    pub agent_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub created_at_unix_secs: i64,
    #[serde(default)]
    pub updated_at_unix_secs: Option<i64>,
    #[serde(default)]
    pub voice_id: Option<String>,
    #[serde(default)]
    pub access_info: Option<Value>,
    #[serde(default)]
    pub last_call_time_unix_secs: Option<i64>,
    #[serde(default)]
    pub archived: Option<bool>,
}

/// `GetAgentsPageResponseModel`: one page of the agent list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AgentsPage {
    #[serde(default, deserialize_with = "null_default")]
    pub agents: Vec<AgentSummary>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub has_more: bool,
}

/// An item of `GET /v1/convai/phone-numbers` (a plain array upstream).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PhoneNumberResponse {
    pub phone_number_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub phone_number: String,
    #[serde(default, deserialize_with = "null_default")]
    pub label: String,
    #[serde(default)]
    pub provider: TelephonyProvider,
    #[serde(default)]
    pub assigned_agent: Option<AssignedAgent>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssignedAgent {
    #[serde(default)]
    pub agent_id: String,
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
    #[serde(default)]
    pub branch_id: Option<String>,
}

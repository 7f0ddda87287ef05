//! From a record's `eventSource` and `eventName` to the IAM action that authorized the call.
//!
//! 1. `eventSource` gives the service prefix through iam-dataset's CloudTrail mapping
//!    (`monitoring.amazonaws.com` is `cloudwatch`); a source it lacks whose first label is a
//!    service prefix of the catalog is taken as that prefix.
//! 2. Lambda's event names carry the API version (`CreateFunction20150331`,
//!    `GetFunction20150331v2`): the suffix is dropped.
//! 3. iamlive's SDK map gives the action where it differs from `prefix:EventName`
//!    (`s3:ListBuckets` is `s3:ListAllMyBuckets`): its first (primary) action for a method,
//!    keyed by that action's own prefix, unless two methods of the same name disagree.
//! 4. The action must exist in the AWS catalog; calls that need no permission (iamlive's
//!    permissionless list: `sts:GetCallerIdentity`, ...) and names that are no action
//!    (`signin:ConsoleLogin`) are unmapped.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use orgctl_catalog::Catalog;

use crate::hash::QuickMap;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// iam-dataset's CloudTrail event sources and service prefixes (MIT; `data/SOURCES.md`).
const SERVICE_MAP: &str = include_str!("../data/cloudtrail_service_mappings.json");
/// iamlive's SDK method to IAM action map (MIT; `data/SOURCES.md`).
const IAMLIVE_MAP: &str = include_str!("../data/iamlive_map.json");

/// Why an event has no IAM action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unmapped {
    /// The event source is no known service.
    UnknownSource,
    /// The call needs no permission (`sts:GetCallerIdentity`).
    NoPermissionNeeded,
    /// `prefix:EventName` is no action of the catalog (sign-in events, service events).
    NotAnAction,
    /// The record has no `eventSource` or no `eventName`.
    NoEventName,
}

impl Unmapped {
    /// The reason as the report writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnknownSource => "unknown event source",
            Self::NoPermissionNeeded => "needs no permission",
            Self::NotAnAction => "no such IAM action",
            Self::NoEventName => "no event source or name",
        }
    }
}

/// The maps could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// A map file is not in the expected shape.
    #[error("reading the {which} map: {source}")]
    Json {
        /// Which map.
        which: &'static str,
        /// What went wrong.
        #[source]
        source: serde_json::Error,
    },
    /// The embedded AWS catalog is damaged.
    #[error("the embedded AWS catalog is damaged: {0}")]
    Catalog(String),
}

/// The event-to-action maps, with the catalog that checks their results.
#[derive(Debug)]
pub struct Maps {
    /// `eventSource` to service prefix.
    sources: HashMap<String, String>,
    /// `prefix:method`, lower case, to the action where it differs.
    overrides: HashMap<String, String>,
    /// `prefix:method`, lower case, of calls that need no permission.
    permissionless: HashSet<String>,
    catalog: &'static Catalog,
}

#[derive(Deserialize)]
struct ServiceMapFile {
    cloudtrail_service_mappings: HashMap<String, String>,
}

#[derive(Deserialize)]
struct IamliveFile<'a> {
    #[serde(borrow)]
    sdk_permissionless_actions: Vec<&'a str>,
    #[serde(borrow)]
    sdk_method_iam_mappings: MethodActions<'a>,
}

/// `(Sdk.Method, primary action)` pairs, in file order.
struct MethodActions<'a>(Vec<(&'a str, &'a str)>);

impl<'de: 'a, 'a> Deserialize<'de> for MethodActions<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct First<'a>(Option<&'a str>);
        impl<'de: 'a, 'a> Deserialize<'de> for First<'a> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                struct Entry<'a> {
                    #[serde(borrow)]
                    action: &'a str,
                }
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = First<'de>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a list of actions")
                    }
                    fn visit_seq<A: SeqAccess<'de>>(
                        self,
                        mut s: A,
                    ) -> Result<First<'de>, A::Error> {
                        let first = s.next_element::<Entry<'de>>()?.map(|e| e.action);
                        while s.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(First(first))
                    }
                }
                d.deserialize_seq(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MethodActions<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of SDK methods")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0));
                while let Some((method, first)) = m.next_entry::<&'de str, First<'de>>()? {
                    if let Some(action) = first.0 {
                        out.push((method, action));
                    }
                }
                Ok(MethodActions(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl Maps {
    /// The maps embedded in this build, read on first use.
    ///
    /// # Errors
    /// Only if the embedded data is damaged, which the crate's tests rule out.
    pub fn embedded() -> Result<&'static Self, &'static MapError> {
        static MAPS: OnceLock<Result<Maps, MapError>> = OnceLock::new();
        MAPS.get_or_init(|| {
            let catalog = Catalog::embedded().map_err(|e| MapError::Catalog(e.to_string()))?;
            Self::from_json(SERVICE_MAP, IAMLIVE_MAP, catalog)
        })
        .as_ref()
    }

    /// Reads the two maps from their JSON text.
    ///
    /// # Errors
    /// When either text is not in the shape of its map.
    pub fn from_json(
        service_map: &str,
        iamlive_map: &str,
        catalog: &'static Catalog,
    ) -> Result<Self, MapError> {
        let services: ServiceMapFile =
            serde_json::from_str(service_map).map_err(|source| MapError::Json {
                which: "CloudTrail service",
                source,
            })?;
        let iamlive: IamliveFile<'_> =
            serde_json::from_str(iamlive_map).map_err(|source| MapError::Json {
                which: "iamlive",
                source,
            })?;
        // Each method keyed by its primary action's prefix; names that disagree are dropped.
        let mut by_key: HashMap<String, Option<&str>> = HashMap::new();
        let mut prefix_of_sdk: HashMap<&str, String> = HashMap::new();
        for (method, action) in &iamlive.sdk_method_iam_mappings.0 {
            let (Some((sdk, name)), Some((prefix, _))) =
                (method.split_once('.'), action.split_once(':'))
            else {
                continue;
            };
            prefix_of_sdk
                .entry(sdk)
                .or_insert_with(|| prefix.to_ascii_lowercase());
            let key = format!("{prefix}:{name}").to_ascii_lowercase();
            by_key
                .entry(key)
                .and_modify(|seen| {
                    if seen.is_some_and(|s| !s.eq_ignore_ascii_case(action)) {
                        *seen = None;
                    }
                })
                .or_insert(Some(action));
        }
        let overrides = by_key
            .into_iter()
            .filter_map(|(key, action)| {
                let action = action?;
                (!action.eq_ignore_ascii_case(&key)).then(|| (key, action.to_owned()))
            })
            .collect();
        let permissionless = iamlive
            .sdk_permissionless_actions
            .iter()
            .filter_map(|m| {
                let (sdk, name) = m.split_once('.')?;
                let prefix = prefix_of_sdk.get(sdk)?;
                Some(format!("{prefix}:{name}").to_ascii_lowercase())
            })
            .collect();
        Ok(Self {
            sources: services.cloudtrail_service_mappings,
            overrides,
            permissionless,
            catalog,
        })
    }

    /// The service prefix of an event source.
    pub fn prefix<'s>(&'s self, source: &'s str) -> Option<&'s str> {
        if let Some(p) = self.sources.get(source) {
            return Some(p);
        }
        let first = source.strip_suffix(".amazonaws.com")?;
        self.catalog.service(first).map(|s| s.prefix())
    }

    /// The IAM action of an event, as the catalog spells it.
    ///
    /// # Errors
    /// Why the event has none.
    pub fn action(&self, source: &str, name: &str) -> Result<String, Unmapped> {
        if source.is_empty() || name.is_empty() {
            return Err(Unmapped::NoEventName);
        }
        let prefix = self.prefix(source).ok_or(Unmapped::UnknownSource)?;
        let name = if prefix == "lambda" {
            strip_api_version(name)
        } else {
            name
        };
        let key = format!("{prefix}:{name}").to_ascii_lowercase();
        if self.permissionless.contains(&key) {
            return Err(Unmapped::NoPermissionNeeded);
        }
        let action = self
            .overrides
            .get(&key)
            .map_or(key.as_str(), String::as_str);
        self.catalog
            .action(action)
            .map(|a| a.full_name())
            .ok_or(Unmapped::NotAnAction)
    }
}

/// `CreateFunction20150331` and `GetFunction20150331v2` without the API version.
pub fn strip_api_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    // An optional `v` and digits, after eight digits starting with `20`.
    let mut end = bytes.len();
    let digits_end = {
        let mut i = end;
        while i > 0 && bytes.get(i - 1).is_some_and(u8::is_ascii_digit) {
            i -= 1;
        }
        if i < end && i > 0 && bytes.get(i - 1) == Some(&b'v') {
            i - 1
        } else {
            end
        }
    };
    end = digits_end;
    let Some(start) = end.checked_sub(8) else {
        return name;
    };
    let date = bytes.get(start..end).unwrap_or_default();
    if start > 0 && date.starts_with(b"20") && date.iter().all(u8::is_ascii_digit) {
        name.get(..start).unwrap_or(name)
    } else {
        name
    }
}

/// Per-thread memory of mapped events, with each action numbered, so that an event costs one
/// hash lookup. It stops learning new pairs past a bound, so memory stays bounded whatever
/// the input.
#[derive(Debug)]
pub struct MapCache<'m> {
    maps: &'m Maps,
    memo: QuickMap<String, Result<u32, Unmapped>>,
    actions: Vec<String>,
    ids: QuickMap<String, u32>,
    key: String,
}

/// How many distinct (source, name) pairs a cache remembers.
const MEMO_LIMIT: usize = 1 << 16;

impl<'m> MapCache<'m> {
    /// An empty cache over `maps`.
    pub fn new(maps: &'m Maps) -> Self {
        Self {
            maps,
            memo: QuickMap::default(),
            actions: Vec::new(),
            ids: QuickMap::default(),
            key: String::new(),
        }
    }

    /// The action of an event, by number (see [`MapCache::name`]).
    ///
    /// # Errors
    /// Why the event has none.
    pub fn action(&mut self, source: &str, name: &str) -> Result<u32, Unmapped> {
        self.key.clear();
        self.key.push_str(source);
        self.key.push('\0');
        self.key.push_str(name);
        if let Some(hit) = self.memo.get(self.key.as_str()) {
            return *hit;
        }
        let mapped = self.maps.action(source, name).map(|action| {
            if let Some(id) = self.ids.get(&action) {
                return *id;
            }
            let id = u32::try_from(self.actions.len()).unwrap_or(u32::MAX);
            self.ids.insert(action.clone(), id);
            self.actions.push(action);
            id
        });
        if self.memo.len() < MEMO_LIMIT {
            self.memo.insert(self.key.clone(), mapped);
        }
        mapped
    }

    /// The action with number `id`.
    pub fn name(&self, id: u32) -> &str {
        self.actions.get(id as usize).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;

    fn maps() -> &'static Maps {
        Maps::embedded().unwrap()
    }

    #[test]
    fn lambda_versions_are_dropped() {
        assert_eq!(
            strip_api_version("CreateFunction20150331"),
            "CreateFunction"
        );
        assert_eq!(strip_api_version("GetFunction20150331v2"), "GetFunction");
        assert_eq!(
            strip_api_version("PutFunctionConcurrency20171031"),
            "PutFunctionConcurrency"
        );
        assert_eq!(strip_api_version("Invoke"), "Invoke");
        assert_eq!(strip_api_version("20150331"), "20150331");
        assert_eq!(strip_api_version("GetThing19990101"), "GetThing19990101");
        assert_eq!(strip_api_version("v2"), "v2");
        let m = maps();
        assert_eq!(
            m.action("lambda.amazonaws.com", "GetFunction20150331v2"),
            Ok("lambda:GetFunction".to_owned())
        );
        assert_eq!(
            m.action("lambda.amazonaws.com", "CreateFunction20150331"),
            Ok("lambda:CreateFunction".to_owned())
        );
    }

    #[test]
    fn actions_from_the_maps() {
        let m = maps();
        assert_eq!(
            m.action("ec2.amazonaws.com", "DescribeInstances"),
            Ok("ec2:DescribeInstances".to_owned())
        );
        // iamlive: the call's IAM action differs from its name.
        assert_eq!(
            m.action("s3.amazonaws.com", "ListBuckets"),
            Ok("s3:ListAllMyBuckets".to_owned())
        );
        assert_eq!(
            m.action("s3.amazonaws.com", "GetBucketEncryption"),
            Ok("s3:GetEncryptionConfiguration".to_owned())
        );
        // S3 Control's method of the same name belongs to another prefix: no override.
        assert_eq!(
            m.action("s3.amazonaws.com", "ListAccessPoints"),
            Ok("s3:ListAccessPoints".to_owned())
        );
        // iam-dataset: the source's prefix differs from its host name.
        assert_eq!(
            m.action("monitoring.amazonaws.com", "PutMetricAlarm"),
            Ok("cloudwatch:PutMetricAlarm".to_owned())
        );
        // The catalog's spelling wins over the event's.
        assert_eq!(
            m.action("iam.amazonaws.com", "listusers"),
            Ok("iam:ListUsers".to_owned())
        );
    }

    #[test]
    fn unmapped_events() {
        let m = maps();
        assert_eq!(
            m.action("signin.amazonaws.com", "ConsoleLogin"),
            Err(Unmapped::NotAnAction)
        );
        assert_eq!(
            m.action("sts.amazonaws.com", "GetCallerIdentity"),
            Err(Unmapped::NoPermissionNeeded)
        );
        assert_eq!(
            m.action("nothing.example.com", "Anything"),
            Err(Unmapped::UnknownSource)
        );
        assert_eq!(m.action("", "Anything"), Err(Unmapped::NoEventName));
        assert_eq!(
            m.action("secretsmanager.amazonaws.com", "StartSecretVersionDelete"),
            Err(Unmapped::NotAnAction)
        );
    }

    #[test]
    fn cache_numbers_actions_once() {
        let mut c = MapCache::new(maps());
        let a = c.action("s3.amazonaws.com", "ListBuckets").unwrap();
        let b = c.action("ec2.amazonaws.com", "DescribeVpcs").unwrap();
        assert_ne!(a, b);
        assert_eq!(c.action("s3.amazonaws.com", "ListBuckets"), Ok(a));
        assert_eq!(c.name(a), "s3:ListAllMyBuckets");
        assert_eq!(
            c.action("signin.amazonaws.com", "ConsoleLogin"),
            Err(Unmapped::NotAnAction)
        );
    }
}

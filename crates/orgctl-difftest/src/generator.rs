//! Random batch lines: a principal, an action on a resource, a request context, and the
//! policies of every layer (SCP and RCP hierarchies, identity policies, resource policy,
//! permissions boundary, session policy).
//!
//! Values are drawn from small shared pools, so that policy values and context values often
//! coincide and all three outcomes are frequent. The generator stays away from constructs
//! where the AWS documentation is silent or where iam-simulate is known to deviate (see
//! `docs/difftest.md`); the constructs it does produce are listed there.

use std::collections::BTreeSet;

use orgctl_eval::{Context, ContextValue, RCP_SERVICES, Request};
use serde_json::{Map, Value, json};

use crate::rng::Rng;

/// The account most principals live in.
pub const ACCOUNT_A: &str = "111122223333";
/// The other member account.
pub const ACCOUNT_B: &str = "444455556666";
const ACCOUNTS: [&str; 2] = [ACCOUNT_A, ACCOUNT_B];
const USERS: [&str; 3] = ["alice", "bob", "carol"];
const ROLES: [&str; 3] = ["Dev", "Admin", "Deploy"];
const SESSIONS: [&str; 2] = ["alice", "ci-run"];
const SLR_ROLE: &str = "AWSServiceRoleForSupport";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const TEAMS: [&str; 3] = ["red", "blue", "platform"];

/// What kind of resource an action acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResKind {
    S3Object,
    S3Bucket,
    Ec2Instance,
    IamRole,
    IamUser,
    KmsKey,
    SqsQueue,
    Secret,
    Table,
    LogGroup,
}

struct Service {
    prefix: &'static str,
    actions: &'static [(&'static str, ResKind)],
    /// Wildcard action patterns of this service.
    patterns: &'static [&'static str],
}

impl Service {
    /// Whether RCPs govern the service (orgctl's list, from the Organizations User Guide).
    fn rcp(&self) -> bool {
        RCP_SERVICES.binary_search(&self.prefix).is_ok()
    }
}

const SERVICES: &[Service] = &[
    Service {
        prefix: "s3",
        actions: &[
            ("s3:GetObject", ResKind::S3Object),
            ("s3:PutObject", ResKind::S3Object),
            ("s3:DeleteObject", ResKind::S3Object),
            ("s3:ListBucket", ResKind::S3Bucket),
        ],
        patterns: &[
            "s3:Get*",
            "s3:Put*",
            "s3:*Object",
            "s3:*",
            "s3:List*",
            "s3:?etObject",
        ],
    },
    Service {
        prefix: "ec2",
        actions: &[
            ("ec2:RunInstances", ResKind::Ec2Instance),
            ("ec2:TerminateInstances", ResKind::Ec2Instance),
            ("ec2:StartInstances", ResKind::Ec2Instance),
        ],
        patterns: &["ec2:*Instances", "ec2:Run*", "ec2:*"],
    },
    Service {
        prefix: "iam",
        actions: &[
            ("iam:CreateRole", ResKind::IamRole),
            ("iam:PassRole", ResKind::IamRole),
            ("iam:DeleteRole", ResKind::IamRole),
            ("iam:CreateUser", ResKind::IamUser),
        ],
        patterns: &["iam:*Role", "iam:Create*", "iam:*", "iam:Pass*"],
    },
    Service {
        prefix: "kms",
        actions: &[
            ("kms:Decrypt", ResKind::KmsKey),
            ("kms:Encrypt", ResKind::KmsKey),
            ("kms:GenerateDataKey", ResKind::KmsKey),
        ],
        patterns: &["kms:*", "kms:Encrypt*", "kms:Generate*", "kms:*crypt"],
    },
    Service {
        prefix: "sqs",
        actions: &[
            ("sqs:SendMessage", ResKind::SqsQueue),
            ("sqs:ReceiveMessage", ResKind::SqsQueue),
            ("sqs:DeleteQueue", ResKind::SqsQueue),
        ],
        patterns: &["sqs:Send*", "sqs:*", "sqs:*Message"],
    },
    Service {
        prefix: "sts",
        actions: &[("sts:AssumeRole", ResKind::IamRole)],
        patterns: &["sts:Assume*", "sts:*"],
    },
    Service {
        prefix: "secretsmanager",
        actions: &[("secretsmanager:GetSecretValue", ResKind::Secret)],
        patterns: &["secretsmanager:Get*", "secretsmanager:*"],
    },
    Service {
        prefix: "dynamodb",
        actions: &[
            ("dynamodb:GetItem", ResKind::Table),
            ("dynamodb:PutItem", ResKind::Table),
        ],
        patterns: &["dynamodb:*Item", "dynamodb:Get*", "dynamodb:*"],
    },
    Service {
        prefix: "logs",
        actions: &[
            ("logs:DeleteLogGroup", ResKind::LogGroup),
            ("logs:CreateLogGroup", ResKind::LogGroup),
        ],
        patterns: &["logs:*LogGroup", "logs:*"],
    },
];

/// How a condition key's values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Arn,
    Num,
    Date,
    Bool,
    Ip,
    Bin,
}

struct Key {
    name: &'static str,
    ty: Ty,
    multi: bool,
    /// Values a request carries (and policies compare against).
    values: &'static [&'static str],
    /// Extra policy-only values: wildcard patterns for `Like` operators.
    patterns: &'static [&'static str],
    /// Policy values with variables, for single-valued string and ARN keys.
    variables: &'static [&'static str],
}

const fn key(name: &'static str, ty: Ty, values: &'static [&'static str]) -> Key {
    Key {
        name,
        ty,
        multi: false,
        values,
        patterns: &[],
        variables: &[],
    }
}

const PRINCIPAL_ARNS: &[&str] = &[
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:user/bob",
    "arn:aws:iam::111122223333:role/Dev",
    "arn:aws:iam::111122223333:role/Admin",
    "arn:aws:iam::444455556666:role/Deploy",
    "arn:aws:iam::444455556666:user/carol",
];

/// Condition keys the generator uses. Keys AWS always supplies (`aws:PrincipalArn`, ...)
/// are in [`DERIVED_KEYS`]; their request values come from the principal.
const KEYS: &[Key] = &[
    Key {
        patterns: &["us-*", "eu-west-?", "*"],
        ..key(
            "aws:RequestedRegion",
            Ty::Str,
            &["us-east-1", "eu-west-1", "ap-southeast-2"],
        )
    },
    Key {
        patterns: &["r*", "*a*"],
        variables: &["${aws:ResourceTag/team}"],
        ..key("aws:PrincipalTag/team", Ty::Str, &TEAMS)
    },
    Key {
        variables: &[
            "${aws:PrincipalTag/team}",
            "${aws:PrincipalTag/team, 'platform'}",
        ],
        ..key("aws:ResourceTag/team", Ty::Str, &TEAMS)
    },
    Key {
        patterns: &["a*", "?ob"],
        variables: &["${aws:username}", "${aws:username, 'carol'}"],
        ..key("aws:ResourceTag/owner", Ty::Str, &USERS)
    },
    Key {
        patterns: &["o-a1b2*"],
        ..key(
            "aws:PrincipalOrgID",
            Ty::Str,
            &["o-a1b2c3d4e5", "o-zzzz9999zz"],
        )
    },
    Key {
        patterns: &["home/*", "public/*", "home/alice/*"],
        variables: &["home/${aws:username}/", "home/${aws:username}/*"],
        ..key(
            "s3:prefix",
            Ty::Str,
            &["home/alice/", "home/bob/", "public/", "home/alice/docs/"],
        )
    },
    Key {
        patterns: &[
            "arn:aws:sns:*:111122223333:*",
            "arn:aws:lambda:*:*:function:fn-*",
            "arn:aws:s3:::app-*",
        ],
        ..key(
            "aws:SourceArn",
            Ty::Arn,
            &[
                "arn:aws:sns:us-east-1:111122223333:topic-a",
                "arn:aws:s3:::app-data",
                "arn:aws:lambda:eu-west-1:444455556666:function:fn-a",
            ],
        )
    },
    key(
        "aws:MultiFactorAuthAge",
        Ty::Num,
        &["0", "300", "3600", "86400"],
    ),
    key("s3:max-keys", Ty::Num, &["10", "100", "1000", "12.5"]),
    key(
        "aws:CurrentTime",
        Ty::Date,
        &[
            "2024-01-01T00:00:00Z",
            "2025-06-30T12:00:00Z",
            "2026-01-01T00:00:00Z",
        ],
    ),
    key(
        "aws:EpochTime",
        Ty::Date,
        &["1704067200", "1751284800", "1767225600"],
    ),
    key(
        "aws:TokenIssueTime",
        Ty::Date,
        &["2025-06-30T11:00:00.000Z", "2025-06-30T12:00:00Z"],
    ),
    key("aws:SecureTransport", Ty::Bool, &["true", "false"]),
    key("aws:MultiFactorAuthPresent", Ty::Bool, &["true", "false"]),
    key("aws:ViaAWSService", Ty::Bool, &["true", "false"]),
    Key {
        patterns: &[
            "203.0.113.0/24",
            "198.51.100.20/32",
            "10.0.0.0/8",
            "192.0.2.0/25",
            "0.0.0.0/1",
            "2001:db8::/32",
            "2001:db8::/64",
        ],
        ..key(
            "aws:SourceIp",
            Ty::Ip,
            &[
                "203.0.113.7",
                "203.0.113.200",
                "198.51.100.20",
                "10.1.2.3",
                "192.0.2.1",
                "2001:db8::1",
                "2001:db8:1::5",
            ],
        )
    },
    key("difftest:Blob", Ty::Bin, &["aGVsbG8=", "d29ybGQ="]),
    Key {
        multi: true,
        patterns: &["team", "cost-*", "*"],
        ..key(
            "aws:TagKeys",
            Ty::Str,
            &["env", "team", "owner", "cost-center"],
        )
    },
    Key {
        multi: true,
        patterns: &["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", "o-a1b2c3d4e5/*"],
        ..key(
            "aws:PrincipalOrgPaths",
            Ty::Str,
            &[
                "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
                "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/",
                "o-zzzz9999zz/r-zz99/ou-zz99-33333333/",
            ],
        )
    },
    Key {
        multi: true,
        patterns: &["*.amazonaws.com", "cloud*"],
        ..key(
            "aws:CalledVia",
            Ty::Str,
            &[
                "cloudformation.amazonaws.com",
                "athena.amazonaws.com",
                "dataexchange.amazonaws.com",
            ],
        )
    },
];

/// Keys AWS puts in every request context, which orgctl derives from the principal when a
/// request does not carry them. The generator always writes them out, so both evaluators see
/// the same values.
const DERIVED_KEYS: &[Key] = &[
    Key {
        patterns: &["a*", "*o*"],
        ..key("aws:username", Ty::Str, &USERS)
    },
    Key {
        patterns: &[
            "arn:aws:iam::111122223333:*",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::*:user/?lice",
        ],
        variables: &[
            "arn:aws:iam::111122223333:user/${aws:username}",
            "arn:aws:iam::${aws:PrincipalAccount}:role/*",
            "arn:aws:iam::*:role/${aws:PrincipalTag/team, 'Dev'}",
        ],
        ..key("aws:PrincipalArn", Ty::Arn, PRINCIPAL_ARNS)
    },
    Key {
        patterns: &["1111*"],
        variables: &["${aws:ResourceAccount}"],
        ..key("aws:PrincipalAccount", Ty::Str, &ACCOUNTS)
    },
    Key {
        variables: &["${aws:PrincipalAccount}"],
        ..key("aws:ResourceAccount", Ty::Str, &ACCOUNTS)
    },
    key("aws:PrincipalType", Ty::Str, &["User", "AssumedRole"]),
];

fn find_key(name: &str) -> Option<&'static Key> {
    KEYS.iter()
        .chain(DERIVED_KEYS)
        .find(|k| k.name.eq_ignore_ascii_case(name))
}

/// Where a policy sits; decides which elements its statements carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layer {
    Identity,
    Scp,
    Rcp,
    Resource,
    Boundary,
    Session,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PKind {
    User,
    Role,
    Session,
    ServiceLinked,
}

struct Principal {
    arn: String,
    account: &'static str,
    kind: PKind,
    /// For sessions and roles, the role's ARN.
    role_arn: Option<String>,
}

/// State while building one line.
struct Gen<'a> {
    rng: &'a mut Rng,
    principal: Principal,
    action: &'static str,
    service: &'static Service,
    resource: String,
    resource_account: &'static str,
    /// Condition keys that conditions compare with `Null` (no empty arrays for them).
    null_keys: BTreeSet<String>,
    /// Whether the line has a session policy.
    session_policy: bool,
}

/// The line of case `index` of a run seeded with `seed`, as a JSON object.
pub fn case(seed: u64, index: u64) -> Value {
    let mut rng = Rng::for_case(seed, index);
    let mut line = generate(&mut rng);
    if let Value::Object(obj) = &mut line {
        obj.insert("id".into(), json!(index));
    }
    line
}

/// `n` lines of a run seeded with `seed`, ids `0..n`.
pub fn cases(seed: u64, n: usize) -> Vec<String> {
    (0..n as u64).map(|i| case(seed, i).to_string()).collect()
}

fn generate(rng: &mut Rng) -> Value {
    let principal = principal(rng);
    let service = rng.pick(SERVICES);
    let &(action, kind) = rng.pick(service.actions);
    let resource_account = if rng.chance(70) {
        principal.account
    } else {
        other_account(principal.account)
    };
    let resource = resource_arn(rng, kind, resource_account);
    let mut g = Gen {
        rng,
        principal,
        action,
        service,
        resource,
        resource_account,
        null_keys: BTreeSet::new(),
        session_policy: false,
    };

    let mut line = Map::new();
    line.insert("principal".into(), json!(g.principal.arn));
    line.insert("action".into(), json!(g.action));
    line.insert("resource".into(), json!(g.resource));
    line.insert("resource_account".into(), json!(g.resource_account));

    let identity: Vec<Value> = (0..g.rng.range(1, 3))
        .map(|_| g.policy(Layer::Identity))
        .collect();
    line.insert("identity_policies".into(), Value::Array(identity));

    if !g.rng.chance(15) {
        let levels: Vec<Value> = (0..g.rng.range(0, 4)).map(|_| g.scp_level()).collect();
        line.insert("scps".into(), Value::Array(levels));
    }
    if g.rng.chance(55) {
        let levels: Vec<Value> = (0..g.rng.range(0, 3))
            .map(|_| {
                let n = if g.rng.chance(60) {
                    0
                } else {
                    g.rng.range(1, 2)
                };
                Value::Array((0..n).map(|_| g.policy(Layer::Rcp)).collect())
            })
            .collect();
        line.insert("rcps".into(), Value::Array(levels));
    }
    // Decided first: with a session policy, resource policies name no wildcard principal
    // (the documentation is silent on whether a grant to `*` bypasses a session policy).
    let session_policy =
        matches!(g.principal.kind, PKind::Session | PKind::Role) && g.rng.chance(25);
    g.session_policy = session_policy;
    let needs_resource_policy = g.action == "sts:AssumeRole";
    let resource_policy_chance = match g.service.prefix {
        "kms" => 85,
        "ec2" | "iam" => 0,
        _ => 40,
    };
    if needs_resource_policy || g.rng.chance(resource_policy_chance) {
        let p = g.policy(Layer::Resource);
        line.insert("resource_policy".into(), p);
    }
    if g.rng.chance(25) {
        let p = g.policy(Layer::Boundary);
        line.insert("permissions_boundary".into(), p);
    }
    if session_policy {
        let p = g.policy(Layer::Session);
        line.insert("session_policy".into(), p);
    }
    let context = g.context(&line);
    line.insert("context".into(), Value::Object(context));
    Value::Object(line)
}

fn other_account(account: &str) -> &'static str {
    if account == ACCOUNT_A {
        ACCOUNT_B
    } else {
        ACCOUNT_A
    }
}

fn principal(rng: &mut Rng) -> Principal {
    let account = if rng.chance(85) { ACCOUNT_A } else { ACCOUNT_B };
    let roll = rng.below(100);
    if roll < 40 {
        let name = rng.pick(&USERS);
        Principal {
            arn: format!("arn:aws:iam::{account}:user/{name}"),
            account,
            kind: PKind::User,
            role_arn: None,
        }
    } else if roll < 65 {
        let role_arn = format!("arn:aws:iam::{account}:role/{}", rng.pick(&ROLES));
        Principal {
            arn: role_arn.clone(),
            account,
            kind: PKind::Role,
            role_arn: Some(role_arn),
        }
    } else if roll < 97 {
        let role = rng.pick(&ROLES);
        Principal {
            arn: format!(
                "arn:aws:sts::{account}:assumed-role/{role}/{}",
                rng.pick(&SESSIONS)
            ),
            account,
            kind: PKind::Session,
            role_arn: Some(format!("arn:aws:iam::{account}:role/{role}")),
        }
    } else {
        let role_arn = format!(
            "arn:aws:iam::{account}:role/aws-service-role/support.amazonaws.com/{SLR_ROLE}"
        );
        if rng.chance(50) {
            Principal {
                arn: role_arn.clone(),
                account,
                kind: PKind::ServiceLinked,
                role_arn: Some(role_arn),
            }
        } else {
            Principal {
                arn: format!("arn:aws:sts::{account}:assumed-role/{SLR_ROLE}/support"),
                account,
                kind: PKind::ServiceLinked,
                role_arn: Some(role_arn),
            }
        }
    }
}

fn resource_arn(rng: &mut Rng, kind: ResKind, account: &str) -> String {
    let region = rng.pick(&REGIONS);
    match kind {
        ResKind::S3Object => {
            let objects = [
                "app-data/report.csv",
                "app-data/public/index.html",
                "logs-archive/2024/01/app.log",
            ];
            if rng.chance(40) {
                format!("arn:aws:s3:::home-bucket/{}/notes.txt", rng.pick(&USERS))
            } else {
                format!("arn:aws:s3:::{}", rng.pick(&objects))
            }
        }
        ResKind::S3Bucket => format!(
            "arn:aws:s3:::{}",
            rng.pick(&["app-data", "home-bucket", "logs-archive"])
        ),
        ResKind::Ec2Instance => format!(
            "arn:aws:ec2:{region}:{account}:instance/{}",
            rng.pick(&["i-0abc1234", "i-0def5678"])
        ),
        ResKind::IamRole => format!("arn:aws:iam::{account}:role/{}", rng.pick(&ROLES)),
        ResKind::IamUser => format!("arn:aws:iam::{account}:user/{}", rng.pick(&USERS)),
        ResKind::KmsKey => format!(
            "arn:aws:kms:{region}:{account}:key/{}",
            rng.pick(&[
                "1111aaaa-2222-3333-4444-555566667777",
                "9999ffff-8888-7777-6666-555544443333"
            ])
        ),
        ResKind::SqsQueue => format!(
            "arn:aws:sqs:{region}:{account}:{}",
            rng.pick(&["orders", "team-red", "team-blue"])
        ),
        ResKind::Secret => format!(
            "arn:aws:secretsmanager:{region}:{account}:secret:{}",
            rng.pick(&["db-password-AbCdEf", "team-red-AbCdEf"])
        ),
        ResKind::Table => format!(
            "arn:aws:dynamodb:{region}:{account}:table/{}",
            rng.pick(&["orders", "team-red", "team-platform"])
        ),
        ResKind::LogGroup => format!(
            "arn:aws:logs:{region}:{account}:log-group:{}",
            rng.pick(&["app-logs", "audit"])
        ),
    }
}

/// Splits an ARN into its six fields (the last keeps any further colons).
fn arn_fields(arn: &str) -> Option<[&str; 6]> {
    let mut it = arn.splitn(6, ':');
    Some([
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ])
}

/// The resource-type prefix of an ARN's resource field (`instance/`, `log-group:`), empty
/// for S3.
fn type_prefix<'s>(service: &str, resource: &'s str) -> &'s str {
    if service == "s3" {
        return "";
    }
    let cut = resource
        .find(['/', ':'])
        .map_or(0, |i| i + 1)
        .min(resource.len());
    resource.get(..cut).unwrap_or_default()
}

fn full_access() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

impl Gen<'_> {
    fn scp_level(&mut self) -> Value {
        let mut level = Vec::new();
        if self.rng.chance(80) {
            level.push(full_access());
        }
        let extra = if level.is_empty() {
            self.rng.range(1, 2)
        } else {
            usize::from(self.rng.chance(45))
        };
        for _ in 0..extra {
            level.push(self.policy(Layer::Scp));
        }
        Value::Array(level)
    }

    fn policy(&mut self, layer: Layer) -> Value {
        let n = match layer {
            Layer::Identity | Layer::Resource => self.rng.range(1, 3),
            _ => self.rng.range(1, 2),
        };
        let statements: Vec<Value> = (0..n).map(|i| self.statement(layer, i)).collect();
        let statement = if statements.len() == 1 && self.rng.chance(25) {
            statements.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(statements)
        };
        json!({"Version": "2012-10-17", "Statement": statement})
    }

    fn statement(&mut self, layer: Layer, index: usize) -> Value {
        let allow_percent = match layer {
            Layer::Identity | Layer::Resource => 88,
            Layer::Boundary | Layer::Session => 92,
            Layer::Scp => 60,
            Layer::Rcp => 0,
        };
        let allow = self.rng.chance(allow_percent);
        let mut st = Map::new();
        if self.rng.chance(20) {
            st.insert("Sid".into(), json!(format!("S{index}")));
        }
        st.insert("Effect".into(), json!(if allow { "Allow" } else { "Deny" }));
        let trust_policy = layer == Layer::Resource && self.action == "sts:AssumeRole";
        if matches!(layer, Layer::Resource | Layer::Rcp) {
            let principal = if layer == Layer::Rcp {
                json!("*")
            } else {
                self.principal_element()
            };
            st.insert("Principal".into(), principal);
        }
        // Actions.
        let not_action = !matches!(layer, Layer::Rcp) && !trust_policy && self.rng.chance(15);
        let actions = if layer == Layer::Rcp {
            self.rcp_actions()
        } else if trust_policy {
            if self.rng.chance(80) {
                vec![json!("sts:AssumeRole")]
            } else {
                vec![json!("sts:AssumeRole"), json!("sts:TagSession")]
            }
        } else {
            self.actions()
        };
        st.insert(
            if not_action { "NotAction" } else { "Action" }.into(),
            one_or_many(self.rng, actions),
        );
        // Resources (a role trust policy has none).
        if !trust_policy {
            let not_resource = self.rng.chance(12);
            let resources = self.resources(layer, not_resource);
            st.insert(
                if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                }
                .into(),
                one_or_many(self.rng, resources),
            );
        }
        let condition_percent = match layer {
            Layer::Rcp => 75,
            Layer::Scp => 55,
            _ => 45,
        };
        if self.rng.chance(condition_percent) {
            let blocks = if self.rng.chance(75) { 1 } else { 2 };
            let condition = self.condition(blocks, layer);
            if !condition.is_empty() {
                st.insert("Condition".into(), Value::Object(condition));
            }
        }
        Value::Object(st)
    }

    fn principal_element(&mut self) -> Value {
        let me = self.principal.arn.clone();
        let account = self.principal.account;
        let mut candidates: Vec<Value> = vec![
            json!("*"),
            json!({"AWS": "*"}),
            json!({"AWS": me}),
            json!({"AWS": me}),
            json!({"AWS": self.principal.role_arn.clone().unwrap_or_else(|| me.clone())}),
            json!({"AWS": account}),
            json!({"AWS": format!("arn:aws:iam::{account}:root")}),
            json!({"AWS": (*self.rng.pick(PRINCIPAL_ARNS)).to_owned()}),
            json!({"AWS": [me, format!("arn:aws:iam::{}:root", other_account(account))]}),
        ];
        if self.session_policy {
            candidates.drain(..2);
        }
        self.rng.pick(&candidates).clone()
    }

    fn actions(&mut self) -> Vec<Value> {
        let n = if self.rng.chance(70) { 1 } else { 2 };
        (0..n)
            .map(|_| {
                let roll = self.rng.below(100);
                let a: String = if roll < 45 {
                    if self.rng.chance(8) {
                        mangle_case(self.action)
                    } else {
                        self.action.to_owned()
                    }
                } else if roll < 75 {
                    (*self.rng.pick(self.service.patterns)).to_owned()
                } else if roll < 90 {
                    let s = self.rng.pick(SERVICES);
                    if self.rng.chance(50) {
                        (*self.rng.pick(s.patterns)).to_owned()
                    } else {
                        self.rng.pick(s.actions).0.to_owned()
                    }
                } else {
                    "*".to_owned()
                };
                json!(a)
            })
            .collect()
    }

    /// RCP actions: only actions of services RCPs govern, never `*`.
    fn rcp_actions(&mut self) -> Vec<Value> {
        let rcp_services: Vec<&Service> = SERVICES.iter().filter(|s| s.rcp()).collect();
        let n = if self.rng.chance(75) { 1 } else { 2 };
        (0..n)
            .map(|_| {
                let s = if self.service.rcp() && self.rng.chance(60) {
                    self.service
                } else {
                    *self.rng.pick(&rcp_services)
                };
                let a = if s.prefix == self.service.prefix && self.rng.chance(40) {
                    self.action
                } else if self.rng.chance(50) {
                    self.rng.pick(s.patterns)
                } else {
                    self.rng.pick(s.actions).0
                };
                json!(a)
            })
            .collect()
    }

    fn resources(&mut self, layer: Layer, not_resource: bool) -> Vec<Value> {
        let n = if self.rng.chance(75) { 1 } else { 2 };
        (0..n)
            .map(|_| json!(self.resource_pattern(layer, not_resource)))
            .collect()
    }

    fn resource_pattern(&mut self, layer: Layer, not_resource: bool) -> String {
        let star_percent = match layer {
            Layer::Scp | Layer::Rcp => 45,
            Layer::Boundary | Layer::Session => 35,
            _ => 15,
        };
        if self.rng.chance(star_percent) {
            return "*".to_owned();
        }
        let resource = self.resource.clone();
        let Some([_, _, service, region, account, res]) = arn_fields(&resource) else {
            return "*".to_owned();
        };
        let prefix = type_prefix(service, res);
        let roll = self.rng.below(100);
        if roll < 30 {
            return resource.clone();
        }
        if roll < 40 {
            return format!("arn:aws:{service}:{region}:{account}:{prefix}*");
        }
        if roll < 47 && !region.is_empty() {
            return format!("arn:aws:{service}:*:{account}:{res}");
        }
        if roll < 54 && !account.is_empty() {
            return format!("arn:aws:{service}:{region}:*:{res}");
        }
        if roll < 60 {
            let r = if region.is_empty() { "" } else { "*" };
            let a = if account.is_empty() { "" } else { "*" };
            return format!("arn:aws:{service}:{r}:{a}:*");
        }
        if roll < 66 {
            // One character of the name becomes `?`.
            let name = res.get(prefix.len()..).unwrap_or_default();
            let chars: Vec<char> = name.chars().collect();
            if !chars.is_empty() {
                let at = self.rng.below(chars.len());
                let masked: String = chars
                    .iter()
                    .enumerate()
                    .map(|(i, c)| if i == at { '?' } else { *c })
                    .collect();
                return format!("arn:aws:{service}:{region}:{account}:{prefix}{masked}");
            }
        }
        if roll < 78 && !not_resource {
            if let Some(v) = variable_resource(self.rng, service, account) {
                return v;
            }
        }
        if roll < 90 {
            // Another resource of the same kind, maybe in another account.
            let kind = self
                .service
                .actions
                .iter()
                .find(|(a, _)| *a == self.action)
                .map_or(ResKind::S3Object, |(_, k)| *k);
            let acct = *self.rng.pick(&ACCOUNTS);
            return resource_arn(self.rng, kind, acct);
        }
        // A resource of another service.
        let s = self.rng.pick(SERVICES);
        let &(_, kind) = self.rng.pick(s.actions);
        let acct = *self.rng.pick(&ACCOUNTS);
        resource_arn(self.rng, kind, acct)
    }

    fn condition(&mut self, blocks: usize, layer: Layer) -> Map<String, Value> {
        let mut out = Map::new();
        for _ in 0..blocks {
            let (op, entries) = self.condition_block(layer);
            match out.get_mut(&op) {
                Some(Value::Object(existing)) => {
                    for (k, v) in entries {
                        existing.entry(k).or_insert(v);
                    }
                }
                _ => {
                    out.insert(op, Value::Object(entries));
                }
            }
        }
        out
    }

    /// One operator with one or two keys.
    fn condition_block(&mut self, layer: Layer) -> (String, Map<String, Value>) {
        let k = self.pick_key(layer);
        let (op, values) = self.operator_and_values(k);
        let mut entries = Map::new();
        entries.insert(k.name.to_owned(), values);
        (op, entries)
    }

    fn pick_key(&mut self, layer: Layer) -> &'static Key {
        if layer == Layer::Rcp && self.rng.chance(50) {
            let typical: [&'static str; 4] = [
                "aws:PrincipalOrgID",
                "aws:SecureTransport",
                "aws:PrincipalAccount",
                "aws:SourceIp",
            ];
            let name = *self.rng.pick(&typical[..]);
            if let Some(k) = find_key(name) {
                return k;
            }
        }
        if self.rng.chance(25) {
            self.rng.pick(DERIVED_KEYS)
        } else {
            self.rng.pick(KEYS)
        }
    }

    /// An operator for `k` and its policy values.
    fn operator_and_values(&mut self, k: &'static Key) -> (String, Value) {
        if self.rng.chance(8) {
            self.null_keys.insert(k.name.to_ascii_lowercase());
            let v = if self.rng.chance(50) { "true" } else { "false" };
            return ("Null".to_owned(), json!(v));
        }
        let if_exists = self.rng.chance(25);
        let (base, values) = match k.ty {
            Ty::Str => self.string_values(k),
            Ty::Arn => {
                if self.rng.chance(70) {
                    let base =
                        *self
                            .rng
                            .pick(&["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"]);
                    let vals = self.like_values(k, true);
                    (base, vals)
                } else {
                    self.string_values(k)
                }
            }
            Ty::Num => {
                let base = *self.rng.pick(&[
                    "NumericEquals",
                    "NumericNotEquals",
                    "NumericLessThan",
                    "NumericLessThanEquals",
                    "NumericGreaterThan",
                    "NumericGreaterThanEquals",
                ]);
                (base, self.plain_values(k.values, 1, 2))
            }
            Ty::Date => {
                let base = *self.rng.pick(&[
                    "DateEquals",
                    "DateNotEquals",
                    "DateLessThan",
                    "DateLessThanEquals",
                    "DateGreaterThan",
                    "DateGreaterThanEquals",
                ]);
                (base, self.plain_values(k.values, 1, 2))
            }
            Ty::Bool => {
                let v = *self.rng.pick(&["true", "false", "True", "FALSE"]);
                ("Bool", vec![v.to_owned()])
            }
            Ty::Ip => {
                // Bare addresses (a /32 or /128 network) only under `IpAddress`: deviation
                // (n) in docs/difftest.md.
                if self.rng.chance(50) {
                    let pool: Vec<&str> = k.patterns.iter().chain(k.values).copied().collect();
                    ("IpAddress", self.plain_values(&pool, 1, 3))
                } else {
                    ("NotIpAddress", self.plain_values(k.patterns, 1, 3))
                }
            }
            Ty::Bin => ("BinaryEquals", self.plain_values(k.values, 1, 2)),
        };
        // Set operators on multivalued keys; now and then on single-valued ones.
        let qualifier = if k.multi || self.rng.chance(4) {
            Some(if self.rng.chance(50) {
                "ForAllValues:"
            } else {
                "ForAnyValue:"
            })
        } else {
            None
        };
        // Kept apart: plain operators on multivalued keys, variables under set operators,
        // and `ForAnyValue` with `IfExists` (see docs/difftest.md).
        let values = if qualifier.is_some() {
            values
                .into_iter()
                .filter(|v| !v.contains("${"))
                .collect::<Vec<_>>()
        } else {
            values
        };
        let values = if values.is_empty() {
            vec![(*self.rng.pick(k.values)).to_owned()]
        } else {
            values
        };
        let if_exists = if_exists && qualifier != Some("ForAnyValue:");
        let op = format!(
            "{}{base}{}",
            qualifier.unwrap_or(""),
            if if_exists { "IfExists" } else { "" }
        );
        let value = if values.len() == 1 && self.rng.chance(60) {
            json!(values[0])
        } else {
            json!(values)
        };
        (op, value)
    }

    fn plain_values(&mut self, pool: &[&str], min: usize, max: usize) -> Vec<String> {
        self.rng
            .subset(pool, min, max)
            .into_iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    fn string_values(&mut self, k: &'static Key) -> (&'static str, Vec<String>) {
        let base = *self.rng.pick(&[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
        ]);
        let values = match base {
            "StringLike" | "StringNotLike" => self.like_values(k, false),
            "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
                let mut v = self.plain_values(k.values, 1, 3);
                for s in &mut v {
                    if self.rng.chance(50) {
                        *s = mangle_case(s);
                    }
                }
                self.maybe_variable(k, &mut v);
                v
            }
            _ => {
                let mut v = self.plain_values(k.values, 1, 3);
                self.maybe_variable(k, &mut v);
                v
            }
        };
        (base, values)
    }

    /// Values for `StringLike`-style and ARN operators: literals, patterns, variables.
    fn like_values(&mut self, k: &'static Key, arn: bool) -> Vec<String> {
        let n = self.rng.range(1, 3);
        let mut out = Vec::new();
        for _ in 0..n {
            let roll = self.rng.below(100);
            let v = if roll < 40 || k.patterns.is_empty() {
                (*self.rng.pick(k.values)).to_owned()
            } else if roll < 85 {
                (*self.rng.pick(k.patterns)).to_owned()
            } else if !arn && self.rng.chance(30) {
                // `${*}` and `${?}` stand for a literal `*` and `?`.
                format!("{}${{*}}", self.rng.pick(k.values))
            } else {
                (*self.rng.pick(k.values)).to_owned()
            };
            out.push(v);
        }
        self.maybe_variable(k, &mut out);
        // ARN operators: only values with the six fields, and variables only in the resource
        // field (deviations (g) and (o) in docs/difftest.md).
        if arn {
            out.retain(|v| {
                v.split(':').count() >= 6 && !v.split(':').take(5).any(|f| f.contains("${"))
            });
            if out.is_empty() {
                out.push((*self.rng.pick(k.values)).to_owned());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn maybe_variable(&mut self, k: &'static Key, values: &mut Vec<String>) {
        if !k.multi && !k.variables.is_empty() && self.rng.chance(35) {
            let v = (*self.rng.pick(k.variables)).to_owned();
            if self.rng.chance(50) || values.is_empty() {
                values.push(v);
            } else if let Some(first) = values.first_mut() {
                *first = v;
            }
        }
    }

    /// The request context: the keys AWS always supplies, then a random subset of the keys
    /// the policies mention, with values from the shared pools.
    fn context(&mut self, line: &Map<String, Value>) -> Map<String, Value> {
        let mut mentioned = BTreeSet::new();
        for v in line.values() {
            collect_keys(v, &mut mentioned);
        }
        let mut ctx = Map::new();
        // Derived keys, exactly as orgctl derives them.
        let req = Request::new(
            &self.principal.arn,
            self.action,
            &self.resource,
            Some(self.resource_account),
            Context::new(),
        );
        for (k, v) in req.full_context().iter() {
            let name = find_key(k).map_or(k, |key| key.name);
            if let ContextValue::Single(s) = v {
                ctx.insert(name.to_owned(), json!(s));
            }
        }
        // A few unrelated keys now and then.
        if self.rng.chance(20) {
            let k = self.rng.pick(KEYS);
            mentioned.insert(k.name.to_ascii_lowercase());
        }
        for name in mentioned {
            let Some(k) = find_key(&name) else { continue };
            if ctx.contains_key(k.name) || DERIVED_KEYS.iter().any(|d| d.name == k.name) {
                continue;
            }
            if !self.rng.chance(65) {
                continue;
            }
            let value = if k.multi {
                let empty_ok = !self.null_keys.contains(&name);
                let min = usize::from(!(empty_ok && self.rng.chance(8)));
                let max = if min == 0 { 0 } else { 3 };
                json!(self.plain_values(k.values, min, max))
            } else {
                json!(self.rng.pick(k.values))
            };
            ctx.insert(k.name.to_owned(), value);
        }
        ctx
    }
}

/// A resource pattern with a variable, always after a literal `/` or `:` in the resource
/// field (iam-simulate splits the resource type off at the first of them, even inside a
/// variable: deviation (m) in docs/difftest.md).
fn variable_resource(rng: &mut Rng, service: &str, account: &str) -> Option<String> {
    let team = *rng.pick(&[
        "${aws:PrincipalTag/team}",
        "${aws:PrincipalTag/team, 'red'}",
    ]);
    match service {
        "s3" => Some("arn:aws:s3:::home-bucket/${aws:username}/*".to_owned()),
        "iam" => Some(format!("arn:aws:iam::{account}:user/${{aws:username}}")),
        "dynamodb" => Some(format!("arn:aws:dynamodb:*:{account}:table/team-{team}")),
        "secretsmanager" => Some(format!("arn:aws:secretsmanager:*:*:secret:team-{team}-*")),
        _ => None,
    }
}

/// Condition keys and variable names mentioned anywhere in `v`, lower-cased.
fn collect_keys(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(obj) => {
            for (k, child) in obj {
                if k == "Condition" {
                    if let Value::Object(blocks) = child {
                        for entries in blocks.values() {
                            if let Value::Object(entries) = entries {
                                for key in entries.keys() {
                                    out.insert(key.to_ascii_lowercase());
                                }
                            }
                        }
                    }
                }
                collect_keys(child, out);
            }
        }
        Value::Array(items) => {
            for i in items {
                collect_keys(i, out);
            }
        }
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                let after = rest.get(start + 2..).unwrap_or_default();
                let Some(end) = after.find('}') else { break };
                let inner = after.get(..end).unwrap_or_default();
                let name = inner.split(',').next().unwrap_or_default().trim();
                if !matches!(name, "*" | "?" | "$") {
                    out.insert(name.to_ascii_lowercase());
                }
                rest = after.get(end + 1..).unwrap_or_default();
            }
        }
        _ => {}
    }
}

fn one_or_many(rng: &mut Rng, mut items: Vec<Value>) -> Value {
    if items.len() == 1 && rng.chance(70) {
        items.pop().unwrap_or(Value::Null)
    } else {
        Value::Array(items)
    }
}

/// Changes the case of a string in a way both evaluators must ignore where case does not
/// matter (actions, `IgnoreCase` operators).
fn mangle_case(s: &str) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_lines() {
        assert_eq!(cases(42, 50), cases(42, 50));
        assert_ne!(cases(42, 50), cases(43, 50));
        // A case does not depend on how many cases the run has.
        assert_eq!(cases(7, 10)[3], cases(7, 100)[3]);
    }

    #[test]
    fn lines_parse_in_orgctl() {
        for line in cases(1, 500) {
            let parsed = orgctl_eval::batch::parse_line(&line, &|n| Err(format!("no policy {n}")));
            assert!(parsed.is_ok(), "{line}: {parsed:?}");
        }
    }

    #[test]
    fn keys_are_collected_from_conditions_and_variables() {
        let v = json!({"Statement": {"Resource": "arn:aws:s3:::b/${aws:username}/${*}",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team, 'x'}"}}}});
        let mut keys = BTreeSet::new();
        collect_keys(&v, &mut keys);
        let keys: Vec<_> = keys.into_iter().collect();
        assert_eq!(
            keys,
            [
                "aws:principaltag/team",
                "aws:resourcetag/team",
                "aws:username"
            ]
        );
    }
}

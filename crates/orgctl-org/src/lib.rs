//! The organization as code: the HCL spec and its validation, the state a backend reports,
//! the backend trait, and plan and apply.
//!
//! Nothing here touches AWS: backends (`orgctl-sandbox`, the AWS backend) implement
//! [`Backend`]. The crate reads the spec directory and writes only the files a plan lists
//! (`infrastructure-live/`) and its journal; it never prints.

pub mod backend;
pub mod error;
pub mod state;

pub use backend::{Backend, BootstrapProbe, BucketOwner, CallerIdentity};
pub use error::BackendError;
pub use state::*;
pub mod diag;
mod hcl;
pub mod load;
pub mod spec;

pub use diag::{Diagnostic, Diagnostics, FileId, Loc, Severity, SourceFile, Sources};
pub use load::{LoadError, load_dir, load_texts};
pub use spec::*;
pub mod validate;

pub use validate::validate;
pub mod plan;

pub use plan::{Change, Plan, PlanError, PlanInput, Ref};
pub mod apply;

pub use apply::{ApplyError, ApplyOptions, ApplyReport, Workspace};
pub mod cost;

pub mod guard;
pub mod guardtest;
pub mod import;
pub mod lockout;
pub mod property;
pub mod prove;
pub mod scaffold;
pub mod show;
pub mod specedit;

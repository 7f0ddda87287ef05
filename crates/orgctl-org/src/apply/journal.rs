//! The apply journal: the plan being applied, then one line per step event, appended and
//! synced as they happen. After a crash it tells which steps finished and which account
//! creation request was sent, so a rerun repeats nothing that is not idempotent.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::apply::ApplyError;
use crate::plan::Plan;

/// One line of the journal after the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A step began.
    Started {
        /// Its index in the plan.
        step: usize,
    },
    /// An asynchronous request was sent (`CreateAccount`).
    Requested {
        /// The step.
        step: usize,
        /// The request's id.
        request_id: String,
    },
    /// A step finished; `created` records a new id under its plan key.
    Done {
        /// The step.
        step: usize,
        /// Plan key and id of what it created.
        created: Option<(String, String)>,
    },
}

/// The journal of one apply.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The plan.
    pub plan: Plan,
    /// Ids created so far, by plan key.
    pub ids: BTreeMap<String, String>,
    /// Steps finished.
    pub done: Vec<bool>,
    /// Requests sent, by step.
    pub requests: BTreeMap<usize, String>,
    /// Steps started and not finished (at most one, after a crash).
    pub started: Vec<usize>,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ApplyError + '_ {
    move |e| ApplyError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

impl Journal {
    /// Starts a journal for `plan`, replacing any finished one.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn create(path: &Path, plan: Plan) -> Result<Self, ApplyError> {
        let err = io_error(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(&err)?;
        }
        let mut file = File::create(path).map_err(&err)?;
        let header = serde_json::to_string(&plan).map_err(|e| ApplyError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        writeln!(file, "{header}").map_err(&err)?;
        file.sync_data().map_err(&err)?;
        let steps = plan.changes.len();
        Ok(Self {
            path: path.to_path_buf(),
            file,
            plan,
            ids: BTreeMap::new(),
            done: vec![false; steps],
            requests: BTreeMap::new(),
            started: Vec::new(),
        })
    }

    /// Opens the journal an interrupted apply left, if there is one.
    ///
    /// # Errors
    /// When it exists but cannot be read. A torn last line (a crash mid-write) is ignored.
    pub fn open(path: &Path) -> Result<Option<Self>, ApplyError> {
        let err = io_error(path);
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(err(e)),
        };
        let mut lines = BufReader::new(file).lines();
        let Some(header) = lines.next().transpose().map_err(&err)? else {
            return Ok(None);
        };
        let plan: Plan = serde_json::from_str(&header).map_err(|e| ApplyError::Journal {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let steps = plan.changes.len();
        let mut done = vec![false; steps];
        let mut ids = BTreeMap::new();
        let mut requests = BTreeMap::new();
        let mut started = Vec::new();
        for line in lines {
            let line = line.map_err(&err)?;
            let Ok(event) = serde_json::from_str::<Event>(&line) else {
                break;
            };
            match event {
                Event::Started { step } => started.push(step),
                Event::Requested { step, request_id } => {
                    requests.insert(step, request_id);
                }
                Event::Done { step, created } => {
                    if let Some(flag) = done.get_mut(step) {
                        *flag = true;
                    }
                    started.retain(|s| *s != step);
                    if let Some((key, id)) = created {
                        ids.insert(key, id);
                    }
                }
            }
        }
        let file = OpenOptions::new().append(true).open(path).map_err(&err)?;
        Ok(Some(Self {
            path: path.to_path_buf(),
            file,
            plan,
            ids,
            done,
            requests,
            started,
        }))
    }

    /// Records an event, synced to disk before returning.
    ///
    /// # Errors
    /// When the write fails.
    pub fn record(&mut self, event: &Event) -> Result<(), ApplyError> {
        let err = io_error(&self.path);
        let line = serde_json::to_string(event).map_err(|e| ApplyError::Io {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        writeln!(self.file, "{line}").map_err(&err)?;
        self.file.sync_data().map_err(&err)?;
        match event {
            Event::Started { step } => self.started.push(*step),
            Event::Requested { step, request_id } => {
                self.requests.insert(*step, request_id.clone());
            }
            Event::Done { step, created } => {
                if let Some(flag) = self.done.get_mut(*step) {
                    *flag = true;
                }
                self.started.retain(|s| s != step);
                if let Some((k, v)) = created {
                    self.ids.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(())
    }

    /// How many steps are finished.
    pub fn finished(&self) -> usize {
        self.done.iter().filter(|d| **d).count()
    }

    /// Removes the journal of a finished apply.
    ///
    /// # Errors
    /// When the file cannot be removed.
    pub fn close(self) -> Result<(), ApplyError> {
        let Self { path, file, .. } = self;
        drop(file);
        fs::remove_file(&path).map_err(io_error(&path))
    }
}

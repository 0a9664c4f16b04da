//! What each scanned root decides for itself, and how a root's own settings are set aside
//! or, for a repository fetched during the run, read from its HEAD.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::engine::ScanPolicy;
use crate::error::{Error, Result};
use crate::escape::sanitize;
use crate::finding::{Confidence, Root};
use crate::suppress::Known;

/// What one scanned root decides for itself: its `.tokenwarden.toml` (or the `--config`
/// file, the same for every root), its `.tokenwardenignore` and the run's baseline.
pub struct Policy {
    /// The directory (a work tree for git sources); `None` when the run reads no directory.
    pub root: Option<PathBuf>,
    /// What findings read under this policy name as their root.
    pub(super) label: Root,
    pub config: Config,
    pub scan: ScanPolicy,
    pub(super) known: Known,
    /// What of its own settings is left out while the rest applies (a rule another
    /// repository of the run defines differently), for its warnings.
    pub left_out: Vec<String>,
}

impl Policy {
    /// Root `i`'s policy: `config` with `--min-confidence` (`flag`) winning over its
    /// `min_confidence`.
    pub(super) fn new(
        i: usize,
        root: Option<PathBuf>,
        label: Root,
        mut config: Config,
        known: Known,
        flag: Option<Confidence>,
    ) -> Policy {
        let scan = ScanPolicy {
            min_confidence: flag.or(config.min_confidence).unwrap_or(Confidence::Medium),
            allow: std::mem::take(&mut config.line_allow),
            root: Some(i),
        };
        Policy {
            root,
            label,
            config,
            scan,
            known,
            left_out: Vec::new(),
        }
    }

    /// This (root `i`'s) policy with the settings its repository's HEAD has, as
    /// `Pipeline::adopt_settings_at_head` describes. Not `own_settings` when the run's
    /// `--config` stands for every root's: it stays, and only the ignore file is read.
    pub(super) fn at_head(
        &self,
        i: usize,
        own_settings: bool,
        config: Option<(&str, &str)>,
        ignore: Option<(&str, &str)>,
        flag: Option<Confidence>,
        verifying: bool,
    ) -> std::result::Result<(Policy, Vec<String>), String> {
        let read = || -> Result<(Config, Known)> {
            let settings = match config.filter(|_| own_settings) {
                Some((text, origin)) => {
                    let mut settings = Config::parse(text, origin, None)?;
                    settings.origin = Some(PathBuf::from(origin));
                    settings
                }
                None => Config::default(),
            };
            let known = match ignore {
                Some((text, origin)) => self.known.with_ignore_text(text, origin)?,
                None => self.known.clone(),
            };
            Ok((settings, known))
        };
        let (mut settings, known) = read().map_err(|e| e.to_string())?;
        let origin = sanitize(
            &settings
                .origin
                .as_deref()
                .unwrap_or(Path::new(""))
                .display()
                .to_string(),
        );
        let mut warnings = Vec::new();
        if !settings.rule_dirs.is_empty() {
            warnings.push(format!(
                "the rule directories named in {origin} are not loaded: a mirror has no work \
                 tree to read them from (scan a clone of it to apply them)"
            ));
            settings.rule_dirs.clear();
        }
        if !settings.verify_orgs.is_empty() && verifying {
            warnings.push(format!(
                "ignoring [verify] orgs in {origin}: a config inside the scanned tree may not \
                 choose where tokens are sent"
            ));
        }
        settings.verify_orgs.clear();
        let (root, label) = (self.root.clone(), self.label.clone());
        let policy = match own_settings {
            true => Policy::new(i, root, label, settings, known, flag),
            false => Policy {
                config: self.config.clone(),
                scan: self.scan.clone(),
                ..Policy::new(i, root, label, Config::default(), known, flag)
            },
        };
        Ok((policy, warnings))
    }
}

/// Records `e` as the reason a root's own settings are set aside when the run tolerates
/// that (`tolerant`), else returns it. The first reason is kept.
pub(super) fn put_aside(tolerant: bool, slot: &mut Option<String>, e: Error) -> Result<()> {
    if !tolerant {
        return Err(e);
    }
    slot.get_or_insert_with(|| e.to_string());
    Ok(())
}

/// The roots set aside keep none of their own settings: no config, and of the
/// suppressions only the run's `baseline`.
pub(super) fn set_aside_own(
    configs: &mut [Config],
    knowns: &mut [Known],
    baseline: &Known,
    aside: &[Option<String>],
) {
    for ((config, known), why) in configs.iter_mut().zip(knowns).zip(aside) {
        if why.is_some() {
            *config = Config::default();
            *known = baseline.clone();
        }
    }
}

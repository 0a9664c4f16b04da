//! Detection rules: data in `rules/*.toml` (embedded at build time) plus user rule
//! directories, compiled into a `RuleSet`.

mod compile;
pub mod gate;
mod spec;

use std::fs;
use std::path::Path;

pub use compile::{
    Context, Filters, LINE_WINDOW, RULE_FILE_LIMITS, Rule, build_regex, normalize_name,
};
pub use spec::{Decode, ExampleSpec, Level, NegativeSpec};

use crate::error::{Error, Result};
use crate::regex_budget::Budget;
use crate::tomlfile;
use compile::Build;

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// A rule file larger than this is refused unread.
const MAX_RULE_FILE_BYTES: u64 = 1 << 20;

pub struct RuleSet {
    pub rules: Vec<Rule>,
}

/// The rule directories a config found inside a scanned root names: untrusted rules.
pub struct UntrustedRules {
    /// The index of the root in the run.
    pub root: usize,
    pub dirs: Vec<std::path::PathBuf>,
    /// The config that names them, for errors.
    pub config: std::path::PathBuf,
}

impl UntrustedRules {
    /// Its rules, those with a pinned rule's id left out, checked. Files whose text is
    /// `shared` (another root's rule, kept once) are not charged to `budget`.
    fn load(
        &self,
        pinned_ids: &[String],
        budget: &mut Budget,
        shared: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Rule>> {
        let mut from_tree = Vec::new();
        for dir in &self.dirs {
            from_tree.extend(load_dir_sharing(dir, budget, shared)?);
        }
        from_tree.retain(|r| !pinned_ids.contains(&r.info.id));
        self.check(&from_tree)?;
        Ok(from_tree)
    }

    /// What an untrusted rule may not do.
    fn check(&self, from_tree: &[Rule]) -> Result<()> {
        let refuse = |rule: &Rule, what: String| {
            Error::settings(format!(
                "{}: rule `{}` {what}, but it was loaded through {}, which is part of the \
                 scanned tree: only built-in rules and rules passed with --rules DIR (or a \
                 config named with --config) may do that",
                rule.origin,
                rule.info.id,
                self.config.display()
            ))
        };
        for rule in from_tree {
            if rule.credential.is_some() {
                // A declared credential is one `--verify` would send, in full, to an org.
                return Err(refuse(
                    rule,
                    "declares a credential (`credential` or `verify`)".into(),
                ));
            }
            let own = |id: &String| from_tree.iter().any(|r| &r.info.id == id);
            if let Some(id) = rule.supersedes.iter().find(|id| !own(id)) {
                return Err(refuse(
                    rule,
                    format!("supersedes `{id}`, which is not one of the scanned tree's own rules"),
                ));
            }
        }
        Ok(())
    }
}

/// The error for `r` when one of `rules` has its id already.
fn defined_before(rules: &[Rule], r: &Rule) -> Option<Error> {
    let first = rules.iter().find(|o| o.info.id == r.info.id)?;
    Some(Error::settings(format!(
        "{}: rule id `{}` is already defined in {}",
        r.origin, r.info.id, first.origin
    )))
}

/// What `load_layered` left out, root by root, when roots are refused one by one.
#[derive(Default)]
pub struct Refusals {
    /// Roots none of whose rules are used, with the reason.
    pub roots: Vec<(usize, Error)>,
    /// Single rules left out of a root (another root's different rule holds the id), with
    /// the reason.
    pub rules: Vec<(usize, String)>,
}

/// A root's own rules checked against the rules kept so far: the error for one under a
/// trusted rule's id (or, unless `tolerant`, any id taken); when `tolerant`, one under an
/// id another root's different rule holds is left out alone, with the warning returned.
fn admit(
    rules: &[Rule],
    mut from_tree: Vec<Rule>,
    tolerant: bool,
) -> Result<(Vec<Rule>, Vec<String>)> {
    let mut left_out = Vec::new();
    if tolerant {
        from_tree.retain(|r| match other_roots_version(rules, r) {
            Some(theirs) => {
                left_out.push(format!(
                    "{}: rule `{}` is left out: {} defines it differently, and one id is one \
                     rule in a run (that version applies to its own repository)",
                    r.origin, r.info.id, theirs.origin
                ));
                false
            }
            None => true,
        });
    }
    let clash = from_tree.iter().find_map(|r| match shared_with(rules, r) {
        Some(_) => None,
        None => defined_before(rules, r),
    });
    match clash {
        Some(e) => Err(e),
        None => Ok((from_tree, left_out)),
    }
}

/// Adds root `root`'s admitted rules: one repeating another root's rule widens that rule's
/// scope instead.
fn keep(rules: &mut Vec<Rule>, from_tree: Vec<Rule>, root: usize) {
    for mut r in from_tree {
        match shared_with(rules, &r) {
            Some(i) => {
                let own = rules[i].roots.get_or_insert_default();
                if !own.contains(&root) {
                    own.push(root);
                }
            }
            None => {
                r.info.trusted = false;
                r.roots = Some(vec![root]);
                rules.push(r);
            }
        }
    }
}

/// Another scanned root's rule under `r`'s id with other text, if any.
fn other_roots_version<'a>(rules: &'a [Rule], r: &Rule) -> Option<&'a Rule> {
    rules
        .iter()
        .find(|o| o.info.id == r.info.id && o.roots.is_some() && o.text != r.text)
}

/// The index of the rule of another scanned root that `r` (from a root's own rule files)
/// repeats: same id, same rule file text.
fn shared_with(rules: &[Rule], r: &Rule) -> Option<usize> {
    rules
        .iter()
        .position(|o| o.info.id == r.info.id && o.roots.is_some() && o.text == r.text)
}

impl RuleSet {
    /// The built-in rules plus every `*.toml` in each of `extra_dirs`.
    pub fn load(extra_dirs: &[impl AsRef<Path>]) -> Result<RuleSet> {
        RuleSet::load_with(extra_dirs, false)
    }

    /// The built-in rules, the rules in `trusted` directories (named on the command line or
    /// in a config the user named), and those in `roots`' untrusted directories (named by a
    /// config found inside a scanned tree). An untrusted rule may not declare a credential:
    /// `--verify` would send whatever it matches, in full, to an Okta org. Nor may it
    /// supersede a trusted rule: its finding would replace the real one, with the tree's
    /// own severity, fingerprint and remediation, and never be verified. It applies only to
    /// the roots whose configs loaded it (`Rule::roots`).
    ///
    /// `pinned` are trusted rule files given as (origin, text): a trusted config's rules as
    /// the base revision of a change has them. An untrusted rule with a pinned rule's id is
    /// left out: the pinned version applies until the change is merged.
    ///
    /// `refused`: when given, a root whose rules cannot be loaded or may not be used is
    /// left out with its error there (the other roots still load), and so is a single rule
    /// whose id another root's different rule holds; else that is the error.
    pub fn load_layered(
        trusted: &[impl AsRef<Path>],
        pinned: &[(String, String)],
        roots: &[UntrustedRules],
        mut refused: Option<&mut Refusals>,
    ) -> Result<RuleSet> {
        let mut rules = embedded(false, &[])?;
        let mut budget = Budget::new(RULE_FILE_LIMITS);
        for dir in trusted {
            rules.extend(load_dir(dir.as_ref(), &mut budget)?);
        }
        let mut pinned_ids = Vec::new();
        for (origin, text) in pinned {
            let rule = parse_rule(text, origin, &mut Build::Now(&mut budget))?;
            pinned_ids.push(rule.info.id.clone());
            rules.push(rule);
        }
        for root in roots {
            let before = budget.clone();
            // Repositories of one organization often carry the same rule file (copied from
            // a template): a rule another root defined with the same text is shared with
            // this root. When roots are refused one by one, a different rule under an id
            // another root's rule holds (an older copy of the template) is left out alone;
            // one under a trusted rule's id is refused with its root, not the run.
            let known = |text: &str| rules.iter().any(|o| o.roots.is_some() && o.text == text);
            let tolerant = refused.is_some();
            let loaded = root
                .load(&pinned_ids, &mut budget, &known)
                .and_then(|from_tree| admit(&rules, from_tree, tolerant));
            let (from_tree, left_out) = match loaded {
                Ok(admitted) => admitted,
                Err(e) => match refused.as_deref_mut() {
                    Some(refused) => {
                        // What it built before failing is not kept, so not charged.
                        budget = before;
                        refused.roots.push((root.root, e));
                        continue;
                    }
                    None => return Err(e),
                },
            };
            if let Some(refused) = refused.as_deref_mut() {
                refused
                    .rules
                    .extend(left_out.into_iter().map(|w| (root.root, w)));
            }
            keep(&mut rules, from_tree, root.root);
        }
        RuleSet::new(rules)
    }

    /// Like `load`, with every regex of every rule built now (for `rules check`).
    pub fn load_eager(extra_dirs: &[impl AsRef<Path>]) -> Result<RuleSet> {
        RuleSet::load_with(extra_dirs, true)
    }

    fn load_with(extra_dirs: &[impl AsRef<Path>], eager: bool) -> Result<RuleSet> {
        let mut rules = embedded(eager, &[])?;
        let mut budget = Budget::new(RULE_FILE_LIMITS);
        for dir in extra_dirs {
            rules.extend(load_dir(dir.as_ref(), &mut budget)?);
        }
        RuleSet::new(rules)
    }

    /// Only the rules in `dir`.
    pub fn load_only(dir: &Path) -> Result<RuleSet> {
        RuleSet::new(load_dir(dir, &mut Budget::new(RULE_FILE_LIMITS))?)
    }

    /// For `rules check DIR`: the rules in `dir` (built now), with the built-in rules whose
    /// ids `dir` does not define. So `rules check rules/` checks this repository's edited
    /// rule files in place of the copies compiled into the binary.
    pub fn load_for_check(dir: &Path) -> Result<(RuleSet, Vec<String>)> {
        let own = load_dir(dir, &mut Budget::new(RULE_FILE_LIMITS))?;
        let ids: Vec<String> = own.iter().map(|r| r.info.id.clone()).collect();
        let mut rules = embedded(true, &ids)?;
        rules.extend(own);
        Ok((RuleSet::new(rules)?, ids))
    }

    fn new(rules: Vec<Rule>) -> Result<RuleSet> {
        for (i, r) in rules.iter().enumerate() {
            if let Some(e) = defined_before(&rules[..i], r) {
                return Err(e);
            }
        }
        for r in &rules {
            // A user rule may supersede a built-in one, or name one that isn't loaded
            // (e.g. when checking a directory alone); unknown ids are typos.
            for s in &r.supersedes {
                if !rules.iter().any(|o| &o.info.id == s) && !is_builtin_id(s) {
                    return Err(Error::settings(format!(
                        "{}: rule `{}`: supersedes unknown rule `{s}`",
                        r.origin, r.info.id
                    )));
                }
            }
        }
        Ok(RuleSet { rules })
    }

    /// What the rules that apply to root `root` are (every rule but other roots' own), as
    /// one hex digest: each rule's id, text, trust and whether it is the root's own. A saved
    /// history state scanned with other rules is not reused; another repository's rules
    /// changing, or the root's place in the list of repositories, is not a reason.
    pub fn digest(&self, root: usize) -> String {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        for r in self.rules.iter().filter(|r| r.applies_to(Some(root))) {
            h.update(r.info.id.as_bytes());
            h.update(sha2::Sha256::digest(r.text.as_bytes()));
            h.update([u8::from(r.info.trusted), u8::from(r.roots.is_some())]);
        }
        crate::finding::hex(&h.finalize())
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.info.id == id)
    }
}

fn is_builtin_id(id: &str) -> bool {
    EMBEDDED_RULES.iter().any(|(origin, _)| {
        origin
            .strip_prefix("rules/")
            .and_then(|f| f.strip_suffix(".toml"))
            == Some(id)
    })
}

/// The built-in rules, less those whose ids are in `except`. Built `eager`ly, they are held
/// to the limits of rule files, with a budget of their own: `rules check` and the tests
/// prove they fit.
fn embedded(eager: bool, except: &[String]) -> Result<Vec<Rule>> {
    let mut budget = Budget::new(RULE_FILE_LIMITS);
    let mut build = if eager {
        Build::Now(&mut budget)
    } else {
        Build::Lazy
    };
    let mut rules = Vec::new();
    for (i, (origin, text)) in EMBEDDED_RULES.iter().enumerate() {
        // Scanning needs no examples: they are parsed (from the TOML) only when they are
        // checked; otherwise the JSON build.rs made of the rest is.
        let json = EMBEDDED_RULES_JSON[i];
        let mut rule = if eager || json.is_empty() {
            parse_rule(text, origin, &mut build)?
        } else {
            let spec = serde_json::from_str(json)
                .map_err(|e| Error::new(format!("{origin}: built-in rule does not load: {e}")))?;
            compile::compile(spec, origin, &mut build)?
        };
        // Borrowed: the built-in rules' 90 KB of text were copied on every start.
        rule.text = std::borrow::Cow::Borrowed(text);
        if !except.contains(&rule.info.id) {
            rules.push(rule);
        }
    }
    Ok(rules)
}

/// The rules in `dir`, built now and charged to `budget`.
fn load_dir(dir: &Path, budget: &mut Budget) -> Result<Vec<Rule>> {
    load_dir_sharing(dir, budget, &|_| false)
}

/// `load_dir`, with files whose text is `shared` built on a scratch budget: they are
/// copies of a rule already kept (and charged), and are dropped after their checks.
fn load_dir_sharing(
    dir: &Path,
    budget: &mut Budget,
    shared: &dyn Fn(&str) -> bool,
) -> Result<Vec<Rule>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read rules directory", dir, &e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read rules directory", dir, &e))?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "toml") {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(Error::settings(format!(
            "no rule files (*.toml) in {}",
            dir.display()
        )));
    }
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = tomlfile::read_limited(p, MAX_RULE_FILE_BYTES, "rule file")?;
            let origin = p.display().to_string();
            if shared(&text) {
                let mut scratch = Budget::new(RULE_FILE_LIMITS);
                return parse_rule(&text, &origin, &mut Build::Now(&mut scratch));
            }
            parse_rule(&text, &origin, &mut Build::Now(budget))
        })
        .collect()
}

fn parse_rule(text: &str, origin: &str, build: &mut Build) -> Result<Rule> {
    let spec: spec::RuleSpec = tomlfile::parse(text, origin)?;
    let mut rule = compile::compile(spec, origin, build)?;
    rule.text = std::borrow::Cow::Owned(text.to_string());
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scanning parses the built-in rules from the JSON build.rs made of them: each must
    /// be its whole file less the examples, unchanged.
    #[test]
    fn embedded_json_is_each_rule_without_its_examples() {
        for (i, (origin, text)) in EMBEDDED_RULES.iter().enumerate() {
            let mut whole: serde_json::Value = toml::from_str(text).unwrap();
            let object = whole.as_object_mut().unwrap();
            object.remove("examples");
            object.remove("negative_examples");
            let json: serde_json::Value = serde_json::from_str(EMBEDDED_RULES_JSON[i])
                .unwrap_or_else(|e| panic!("{origin}: {e}"));
            assert_eq!(json, whole, "{origin}");
        }
    }

    #[test]
    fn builtin_rules_load() {
        // Eager: every regex of every built-in rule must build, within the limits that
        // rule files get (RULE_FILE_LIMITS).
        let set = RuleSet::load_eager(&[] as &[&Path]).unwrap();
        for id in [
            "okta-api-token",
            "url-query-secret",
            "url-userinfo-password",
        ] {
            assert!(set.index_of(id).is_some(), "missing {id}");
        }
    }

    #[test]
    fn rule_files_share_one_budget_and_errors_name_the_regex() {
        let dir = tempfile::tempdir().unwrap();
        let contexts = "[[context]]\nconfidence = \"high\"\nbefore = 'key\\d='\n".repeat(300);
        let text = format!(
            "id = \"many\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
             security_severity = 1.0\nremediation = \"r\"\n\
             regex = '(?P<secret>tok_[a-z0-9]{{12}})'\n{contexts}"
        );
        fs::write(dir.path().join("r.toml"), text).unwrap();
        let err = RuleSet::load_only(dir.path()).err().unwrap().to_string();
        assert!(
            err.contains("r.toml: rule `many`: context[")
                && err.contains(
                    "].before: `(?:…` does not fit: the regexes of rule files may take 32.0 MiB"
                ),
            "{err}"
        );
    }

    fn user_rule(variants: &str) -> Result<RuleSet> {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "id = \"v\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
             security_severity = 1.0\nremediation = \"r\"\n\
             regex = '(?P<secret>tok_[a-z0-9]{{12}})'\nregex_variants = [{variants}]\n"
        );
        fs::write(dir.path().join("v.toml"), text).unwrap();
        RuleSet::load_only(dir.path())
    }

    #[test]
    fn companions_capture_near_or_anywhere_and_are_checked_at_load() {
        let rule = |companions: &str| {
            let dir = tempfile::tempdir().unwrap();
            let text = format!(
                "id = \"c\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
                 security_severity = 1.0\nremediation = \"r\"\ncredential = \"okta-client-secret\"\n\
                 regex = '(?P<secret>sec_[a-z0-9]{{12}})'\n{companions}"
            );
            fs::write(dir.path().join("c.toml"), text).unwrap();
            RuleSet::load_only(dir.path())
        };
        let set = rule(
            "[[companions]]\nname = \"client_id\"\nwithin_lines = 1\n\
             regex = '(?P<value>0oa[A-Za-z0-9]{17})'\n\
             [[companions]]\nname = \"org\"\nregex = '(?P<value>[a-z]+\\.okta\\.com)'\n",
        )
        .unwrap();
        let r = &set.rules[0];
        assert_eq!(
            r.credential,
            Some(crate::credential::Kind::OktaClientSecret)
        );
        let blob = b"org: acme.okta.com\n\nfar: 0oaFARFARFARFARFARFAR1\n\nid: 0oaNEARNEARNEARNEAR12\nsecret: sec_abcdef123456\n";
        let start = blob.windows(4).position(|w| w == b"sec_").unwrap();
        let c = r.companions_of(blob, start, start + 16, &r.file_companions(blob));
        assert_eq!(c.first("org").as_deref(), Some("acme.okta.com"));
        assert_eq!(
            c.all("client_id").collect::<Vec<_>>(),
            ["0oaNEARNEARNEARNEAR1"]
        );

        let err = |c: &str| rule(c).err().unwrap().to_string();
        assert!(
            err("[[companions]]\nname = \"tenant\"\nregex = '(?P<value>x)'\n")
                .contains("not one of org, client_id, key_id")
        );
        assert!(
            err("[[companions]]\nname = \"org\"\nregex = 'x'\n").contains("named group `value`")
        );
    }

    #[test]
    fn roots_with_the_same_rule_files_share_them_and_other_texts_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let rule = |id: &str, more: &str| {
            format!(
                "id = \"{id}\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
                 security_severity = 1.0\nremediation = \"r\"\n\
                 regex = '(?P<secret>tok_[a-z0-9]{{12}})'\n{more}"
            )
        };
        // Root 3 reuses a built-in rule's id: refused whole, as a lone repository would be.
        let roots: Vec<UntrustedRules> = ["b", "b", "b", "url-query-secret"]
            .iter()
            .zip(["1", "1", "2", "1"])
            .enumerate()
            .map(|(i, (b, version))| {
                let d = dir.path().join(i.to_string());
                fs::create_dir(&d).unwrap();
                fs::write(
                    d.join("a.toml"),
                    rule("a", &format!("supersedes = [\"{b}\"]\n")),
                )
                .unwrap();
                fs::write(d.join("b.toml"), rule(b, &format!("# {version}\n"))).unwrap();
                UntrustedRules {
                    root: i,
                    dirs: vec![d.clone()],
                    config: d.join(".tokenwarden.toml"),
                }
            })
            .collect();
        let mut refused = Refusals::default();
        let set = RuleSet::load_layered(&[] as &[&Path], &[], &roots, Some(&mut refused)).unwrap();
        let [a, b] = ["a", "b"].map(|id| &set.rules[set.index_of(id).unwrap()]);
        assert_eq!(a.roots, Some(vec![0, 1, 2]));
        assert_eq!(b.roots, Some(vec![0, 1]), "root 2's other `b` is left out");
        assert!(a.covers(b), "a still supersedes b wherever b applies");
        assert!(!b.covers(a));
        assert!(a.applies_to(Some(2)) && !b.applies_to(Some(2)) && !a.applies_to(None));
        assert_eq!(refused.rules.len(), 1);
        assert_eq!(refused.rules[0].0, 2);
        assert!(
            refused.rules[0].1.contains("rule `b` is left out: ")
                && refused.rules[0].1.contains("defines it differently"),
            "{}",
            refused.rules[0].1
        );
        assert_eq!(refused.roots.len(), 1);
        assert_eq!(refused.roots[0].0, 3);
        let why = refused.roots[0].1.to_string();
        assert!(
            why.contains("rule id `url-query-secret` is already defined"),
            "{why}"
        );
        // Not tolerated (one root at a time): the clash is the error.
        let err = RuleSet::load_layered(&[] as &[&Path], &[], &roots[1..3], None)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("rule id `b` is already defined"),
            "{err}"
        );
        // Which root loaded a shared rule first does not change any root's digest.
        let swapped: Vec<UntrustedRules> = roots
            .iter()
            .take(2)
            .rev()
            .map(|r| UntrustedRules {
                root: 1 - r.root,
                dirs: r.dirs.clone(),
                config: r.config.clone(),
            })
            .collect();
        let other = RuleSet::load_layered(&[] as &[&Path], &[], &swapped, None).unwrap();
        assert_eq!(set.digest(0), other.digest(1));
        assert_eq!(set.digest(1), other.digest(0));
        assert_ne!(set.digest(0), set.digest(2));
    }

    #[test]
    fn a_shared_rule_is_charged_to_the_budget_once() {
        let dir = tempfile::tempdir().unwrap();
        // Over half the rule files' regex budget: two different rules this size do not fit.
        let contexts = "[[context]]\nconfidence = \"high\"\nbefore = 'key\\d='\n".repeat(200);
        let rule = |id: &str| {
            format!(
                "id = \"{id}\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
                 security_severity = 1.0\nremediation = \"r\"\n\
                 regex = '(?P<secret>tok_[a-z0-9]{{12}})'\n{contexts}"
            )
        };
        let load = |ids: [&str; 3]| {
            let roots: Vec<UntrustedRules> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let d = dir.path().join(format!("{i}-{id}"));
                    fs::create_dir_all(&d).unwrap();
                    fs::write(d.join("r.toml"), rule(id)).unwrap();
                    UntrustedRules {
                        root: i,
                        dirs: vec![d],
                        config: dir.path().join(".tokenwarden.toml"),
                    }
                })
                .collect();
            let mut refused = Refusals::default();
            RuleSet::load_layered(&[] as &[&Path], &[], &roots, Some(&mut refused)).unwrap();
            refused.roots.iter().map(|(i, _)| *i).collect::<Vec<_>>()
        };
        assert_eq!(load(["x", "y", "z"]), [1, 2], "the budget is that tight");
        assert_eq!(load(["x", "x", "x"]), [] as [usize; 0]);
    }

    #[test]
    fn anchored_rules_run_only_on_blobs_holding_an_anchor() {
        let dir = tempfile::tempdir().unwrap();
        let text = "id = \"a\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
             security_severity = 1.0\nremediation = \"r\"\nanchors = [\"ZZ\"]\n\
             regex = '(?P<secret>tok_[a-z0-9]{12})'\n";
        fs::write(dir.path().join("a.toml"), text).unwrap();
        let m = crate::matcher::Matcher::new(RuleSet::load_only(dir.path()).unwrap());
        assert!(m.find(b"k = tok_abcdef123456", "x.txt").is_empty());
        assert_eq!(m.find(b"ZZ k = tok_abcdef123456", "x.txt").len(), 1);
        // Case-sensitive, unlike keywords.
        assert!(m.find(b"zz k = tok_abcdef123456", "x.txt").is_empty());
        // An anchor that also gates the rule's variants opens both gates.
        let text = "id = \"b\"\nname = \"n\"\ndescription = \"d\"\nseverity = \"note\"\n\
             security_severity = 1.0\nremediation = \"r\"\nanchors = [\"ZZ\"]\n\
             variant_anchors = [\"ZZ\"]\nregex = '(?P<secret>tok_[a-z0-9]{12})'\n\
             regex_variants = ['key:(?P<secret>[a-z0-9]{12})']\n";
        fs::write(dir.path().join("a.toml"), text).unwrap();
        let m = crate::matcher::Matcher::new(RuleSet::load_only(dir.path()).unwrap());
        assert_eq!(m.find(b"ZZ k = key:abcdef123456", "x.txt").len(), 1);
    }

    #[test]
    fn regex_variants_need_the_same_groups_and_never_double_report() {
        let err = user_rule("'tok_[a-z0-9]{12}'").err().unwrap().to_string();
        assert!(
            err.contains("regex_variants[0]") && err.contains("secret"),
            "{err}"
        );
        let set =
            user_rule("'(?P<secret>tok_[a-z0-9]{12})\\b', 'tok\\\\_(?P<secret>[a-z0-9]{12})'")
                .unwrap();
        let m = crate::matcher::Matcher::new(set);
        let found = m.find(b"a tok_abcdef123456 b tok\\_zyxwvu987654", "x.txt");
        let spans: Vec<(usize, usize)> = found.iter().map(|f| (f.start, f.end)).collect();
        assert_eq!(spans, [(2, 18), (26, 38)]);
    }
}

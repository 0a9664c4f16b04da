//! A JSON Schema (draft-07) validator for the keywords the SARIF 2.1.0 and GitLab
//! secret-detection report schemas use, so that report formats are checked against their
//! published schemas in-process.
//!
//! Why not the `jsonschema` crate: it was 26 s of a single crate on the critical path of a
//! 50 s test build (with fancy-regex, num-bigint and referencing behind it). The SARIF
//! schema needs only the keywords below; an unknown keyword in a schema makes the
//! validator fail loudly rather than pass silently, so a schema update cannot slip past it.

use regex::Regex;
use serde_json::Value;

/// Keywords that carry no constraint (annotations) or that draft-07 validators do not
/// assert by default (`format`).
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "id",
    "title",
    "description",
    "default",
    "format",
    "definitions",
    "examples",
    // GitLab's schemas carry their own version here; not a draft-07 keyword.
    "self",
];

/// Every violation of `schema` by `doc`, as "what at /json/pointer".
pub fn errors(schema: &Value, doc: &Value) -> Vec<String> {
    let mut v = Validator {
        root: schema,
        errors: Vec::new(),
    };
    v.check(schema, doc, "");
    v.errors
}

struct Validator<'s> {
    root: &'s Value,
    errors: Vec<String>,
}

impl<'s> Validator<'s> {
    fn fail(&mut self, at: &str, what: String) {
        self.errors.push(format!(
            "{what} at {}",
            if at.is_empty() { "/" } else { at }
        ));
    }

    fn resolve(&self, reference: &str) -> &'s Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local $ref is supported: {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("unresolvable $ref {reference}"))
    }

    /// Whether `doc` is valid, without recording anything (for anyOf/oneOf branches).
    fn valid(&self, schema: &'s Value, doc: &Value, at: &str) -> bool {
        let mut probe = Validator {
            root: self.root,
            errors: Vec::new(),
        };
        probe.check(schema, doc, at);
        probe.errors.is_empty()
    }

    fn check(&mut self, schema: &'s Value, doc: &Value, at: &str) {
        let Some(obj) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                self.fail(at, "nothing is allowed here".into());
            }
            return;
        };
        for (key, rule) in obj {
            match key.as_str() {
                "$ref" => {
                    let target = self.resolve(rule.as_str().expect("$ref is a string"));
                    self.check(target, doc, at);
                }
                "type" => {
                    let types: Vec<&str> = match rule {
                        Value::String(t) => vec![t],
                        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                        _ => panic!("bad type keyword"),
                    };
                    if !types.iter().any(|t| has_type(doc, t)) {
                        self.fail(at, format!("{doc} is not of type {types:?}"));
                    }
                }
                "enum" => {
                    if !rule.as_array().expect("enum list").contains(doc) {
                        self.fail(at, format!("{doc} is not one of {rule}"));
                    }
                }
                "const" => {
                    if rule != doc {
                        self.fail(at, format!("{doc} is not {rule}"));
                    }
                }
                "required" => {
                    if let Some(map) = doc.as_object() {
                        for name in rule.as_array().expect("required list") {
                            let name = name.as_str().expect("required name");
                            if !map.contains_key(name) {
                                self.fail(at, format!("\"{name}\" is a required property"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Some(map) = doc.as_object() {
                        for (name, sub) in rule.as_object().expect("properties map") {
                            if let Some(value) = map.get(name) {
                                self.check(sub, value, &format!("{at}/{name}"));
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let Some(map) = doc.as_object() {
                        let known = obj.get("properties").and_then(Value::as_object);
                        for (name, value) in map {
                            if known.is_some_and(|k| k.contains_key(name)) {
                                continue;
                            }
                            match rule {
                                Value::Bool(false) => self.fail(
                                    at,
                                    format!("additional property \"{name}\" is not allowed"),
                                ),
                                Value::Bool(true) => {}
                                sub => self.check(sub, value, &format!("{at}/{name}")),
                            }
                        }
                    }
                }
                "items" => {
                    if let Some(list) = doc.as_array() {
                        for (i, item) in list.iter().enumerate() {
                            self.check(rule, item, &format!("{at}/{i}"));
                        }
                    }
                }
                "minItems" | "maxItems" => {
                    if let Some(list) = doc.as_array() {
                        let n = rule.as_u64().expect("item count") as usize;
                        let ok = if key == "minItems" {
                            list.len() >= n
                        } else {
                            list.len() <= n
                        };
                        if !ok {
                            self.fail(at, format!("{} items break {key} {n}", list.len()));
                        }
                    }
                }
                "uniqueItems" => {
                    if let Some(list) = doc.as_array()
                        && rule == &Value::Bool(true)
                    {
                        for (i, a) in list.iter().enumerate() {
                            if list[..i].contains(a) {
                                self.fail(at, format!("item {i} is not unique"));
                            }
                        }
                    }
                }
                "minimum" | "maximum" => {
                    if let (Some(n), Some(bound)) = (doc.as_f64(), rule.as_f64()) {
                        let ok = if key == "minimum" {
                            n >= bound
                        } else {
                            n <= bound
                        };
                        if !ok {
                            self.fail(at, format!("{n} breaks {key} {bound}"));
                        }
                    }
                }
                "minLength" | "maxLength" => {
                    if let Some(s) = doc.as_str() {
                        let n = rule.as_u64().expect("length") as usize;
                        let len = s.chars().count();
                        if (key == "minLength" && len < n) || (key == "maxLength" && len > n) {
                            self.fail(at, format!("{len} characters break {key} {n}"));
                        }
                    }
                }
                "patternProperties" => {
                    if let Some(map) = doc.as_object() {
                        for (pattern, sub) in rule.as_object().expect("patternProperties map") {
                            let re = Regex::new(pattern).expect("property pattern");
                            for (name, value) in map.iter().filter(|(n, _)| re.is_match(n)) {
                                self.check(sub, value, &format!("{at}/{name}"));
                            }
                        }
                    }
                }
                "dependencies" => {
                    if let Some(map) = doc.as_object() {
                        for (name, needs) in rule.as_object().expect("dependencies map") {
                            if !map.contains_key(name) {
                                continue;
                            }
                            match needs {
                                Value::Array(names) => {
                                    for need in names.iter().filter_map(Value::as_str) {
                                        if !map.contains_key(need) {
                                            self.fail(
                                                at,
                                                format!("\"{name}\" needs \"{need}\" beside it"),
                                            );
                                        }
                                    }
                                }
                                sub => self.check(sub, doc, at),
                            }
                        }
                    }
                }
                "pattern" => {
                    if let Some(s) = doc.as_str() {
                        let re = Regex::new(rule.as_str().expect("pattern")).expect("pattern");
                        if !re.is_match(s) {
                            self.fail(at, format!("\"{s}\" does not match {re}"));
                        }
                    }
                }
                "anyOf" | "oneOf" => {
                    let branches = rule.as_array().expect("branches");
                    let passing = branches.iter().filter(|b| self.valid(b, doc, at)).count();
                    if passing == 0 || (key == "oneOf" && passing > 1) {
                        self.fail(at, format!("{passing} of the {key} branches match"));
                    }
                }
                "allOf" => {
                    for b in rule.as_array().expect("branches") {
                        self.check(b, doc, at);
                    }
                }
                other if ANNOTATIONS.contains(&other) => {}
                other => panic!("schema keyword `{other}` is not supported by tests/all/schema.rs"),
            }
        }
    }
}

fn has_type(doc: &Value, t: &str) -> bool {
    match t {
        "object" => doc.is_object(),
        "array" => doc.is_array(),
        "string" => doc.is_string(),
        "boolean" => doc.is_boolean(),
        "null" => doc.is_null(),
        "number" => doc.is_number(),
        "integer" => doc.is_i64() || doc.is_u64() || doc.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => panic!("unknown type {t}"),
    }
}

/// The validator itself: each keyword catches what it should, and a valid document
/// passes.
#[test]
fn keywords_catch_violations() {
    use serde_json::json;
    let schema = json!({
        "definitions": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
        "type": "object",
        "required": ["version", "runs"],
        "additionalProperties": false,
        "properties": {
            "version": {"enum": ["2.1.0"]},
            "runs": {"type": "array", "minItems": 1, "uniqueItems": true,
                     "items": {"$ref": "#/definitions/id"}},
            "n": {"type": "integer", "minimum": 0},
            "x": {"anyOf": [{"type": "string"}, {"type": "null"}]}
        }
    });
    assert!(errors(&schema, &json!({"version": "2.1.0", "runs": ["a"], "n": 1})).is_empty());
    let bad = json!({"version": "2.0", "runs": ["a", "a", "B"], "n": -1, "x": 3, "extra": 1});
    let e = errors(&schema, &bad);
    for what in [
        "not one of",
        "not unique",
        "does not match",
        "breaks minimum",
        "anyOf",
        "additional property",
    ] {
        assert!(e.iter().any(|m| m.contains(what)), "{what}: {e:?}");
    }
    assert!(
        errors(&schema, &json!({"version": "2.1.0"}))
            .iter()
            .any(|m| m.contains("required"))
    );
    assert!(
        errors(&schema, &json!({"version": "2.1.0", "runs": []}))
            .iter()
            .any(|m| m.contains("minItems"))
    );
}

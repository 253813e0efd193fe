//! The placeholders of one request: ExpressionAttributeNames and ExpressionAttributeValues,
//! their validation, their resolution while parsing, and the check that each was used.

use crate::api::{ApiError, ApiResult};
use crate::limits::PLACEHOLDER_SIZE_BYTES_MAX;
use crate::model::AttributeValue;
use std::collections::{BTreeSet, HashMap};

use super::ExpressionKind;

/// The placeholders of one request, shared by all its expressions (a Query's
/// KeyConditionExpression, FilterExpression and ProjectionExpression), recording which ones
/// the expressions used. Call [`ExpressionContext::finish`] after parsing them all.
#[derive(Debug)]
pub struct ExpressionContext<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: Option<&'a HashMap<String, AttributeValue>>,
    used_names: BTreeSet<&'a str>,
    used_values: BTreeSet<&'a str>,
}

impl<'a> ExpressionContext<'a> {
    /// Checks the maps as DynamoDB does before parsing: neither may be empty, every key must
    /// be `#` or `:` followed by `[A-Za-z0-9_]+` and at most 255 bytes, and no name may map
    /// to the empty string. Values must already be normalized (sets sorted; see
    /// [`normalize_values`]) for set comparisons to ignore order.
    pub fn new(
        names: Option<&'a HashMap<String, String>>,
        values: Option<&'a HashMap<String, AttributeValue>>,
    ) -> ApiResult<Self> {
        if let Some(names) = names {
            check_keys(Map::Names, names.keys())?;
            for key in sorted(names.keys()) {
                if names.get(key).is_some_and(String::is_empty) {
                    return Err(ApiError::validation(format!(
                        "ExpressionAttributeNames contains invalid value: Empty attribute name \
                         for key {key}"
                    )));
                }
            }
        }
        if let Some(values) = values {
            check_keys(Map::Values, values.keys())?;
        }
        Ok(ExpressionContext {
            names,
            values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
        })
    }

    /// The attribute name `placeholder` (`#n`) stands for, marking it used; `None` if the
    /// request does not define it.
    pub fn resolve_name(&mut self, placeholder: &str) -> Option<&'a str> {
        let (key, name) = self.names?.get_key_value(placeholder)?;
        self.used_names.insert(key);
        Some(name)
    }

    /// The value `placeholder` (`:v`) stands for, marking it used; `None` if the request does
    /// not define it.
    pub fn resolve_value(&mut self, placeholder: &str) -> Option<&'a AttributeValue> {
        let (key, value) = self.values?.get_key_value(placeholder)?;
        self.used_values.insert(key);
        Some(value)
    }

    /// Fails if some placeholder was defined but no expression used it (names first, keys
    /// listed sorted), as DynamoDB does.
    pub fn finish(self) -> ApiResult<()> {
        if let Some(names) = self.names {
            check_used(Map::Names, names.keys(), &self.used_names)?;
        }
        if let Some(values) = self.values {
            check_used(Map::Values, values.keys(), &self.used_values)?;
        }
        Ok(())
    }
}

/// For a request carrying no expression that could use them: fails if ExpressionAttributeNames
/// or ExpressionAttributeValues was given anyway, with DynamoDB's messages.
///
/// `expressions` lists the operation's expression parameters in DynamoDB's order (for Query:
/// Projection, Filter, KeyCondition), each with whether the request gave it. Values can only
/// be used by the expressions other than ProjectionExpression, which are the ones the message
/// lists ("... when using expressions: FilterExpression and KeyConditionExpression are null").
/// An operation whose only expression is a projection never fails the values check here; its
/// unused values fail [`ExpressionContext::finish`] instead.
pub fn check_placeholders_without_expressions(
    names_given: bool,
    values_given: bool,
    expressions: &[(ExpressionKind, bool)],
) -> ApiResult<()> {
    if names_given && !expressions.iter().any(|&(_, given)| given) {
        return Err(ApiError::validation(
            "ExpressionAttributeNames can only be specified when using expressions",
        ));
    }
    let value_users: Vec<_> = expressions
        .iter()
        .filter(|(kind, _)| *kind != ExpressionKind::Projection)
        .collect();
    if values_given && !value_users.is_empty() && value_users.iter().all(|(_, given)| !given) {
        let listed: Vec<&str> = value_users.iter().map(|(kind, _)| kind.name()).collect();
        let verb = if listed.len() > 1 { "are" } else { "is" };
        return Err(ApiError::validation(format!(
            "ExpressionAttributeValues can only be specified when using expressions: {} {verb} \
             null",
            listed.join(" and ")
        )));
    }
    Ok(())
}

/// Checks the keys of ExpressionAttributeValues and normalizes each value (sorting sets, see
/// [`AttributeValue::normalize`]), wrapping a bad value's error as DynamoDB does:
/// "ExpressionAttributeValues contains invalid value: `<why>` for key :v".
pub fn normalize_values(values: &mut HashMap<String, AttributeValue>) -> ApiResult<()> {
    check_keys(Map::Values, values.keys())?;
    let mut keys: Vec<String> = values.keys().cloned().collect();
    keys.sort_unstable();
    for key in keys {
        if let Some(value) = values.get_mut(&key) {
            value.normalize(1).map_err(|e| {
                ApiError::validation(format!(
                    "ExpressionAttributeValues contains invalid value: {} for key {key}",
                    e.message()
                ))
            })?;
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Map {
    Names,
    Values,
}

impl Map {
    fn parameter(self) -> &'static str {
        match self {
            Map::Names => "ExpressionAttributeNames",
            Map::Values => "ExpressionAttributeValues",
        }
    }

    fn prefix(self) -> u8 {
        match self {
            Map::Names => b'#',
            Map::Values => b':',
        }
    }
}

fn sorted<'k>(keys: impl Iterator<Item = &'k String>) -> Vec<&'k String> {
    let mut keys: Vec<&String> = keys.collect();
    keys.sort_unstable();
    keys
}

/// DynamoDB checks the length of a key before its syntax, and reports the size only for names.
fn check_keys<'k>(map: Map, keys: impl Iterator<Item = &'k String>) -> ApiResult<()> {
    let keys = sorted(keys);
    if keys.is_empty() {
        return Err(ApiError::validation(format!(
            "{} must not be empty",
            map.parameter()
        )));
    }
    for key in keys {
        if key.len() > PLACEHOLDER_SIZE_BYTES_MAX {
            let size = match map {
                Map::Names => format!(" size of key: {}", key.len()),
                Map::Values => String::new(),
            };
            return Err(ApiError::validation(format!(
                "{} contains invalid key: The expression attribute map contains a key that is \
                 too long;{size}",
                map.parameter()
            )));
        }
        let bytes = key.as_bytes();
        let well_formed = bytes.len() > 1
            && bytes[0] == map.prefix()
            && bytes[1..]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_');
        if !well_formed {
            return Err(ApiError::validation(format!(
                "{} contains invalid key: Syntax error; key: \"{key}\"",
                map.parameter()
            )));
        }
    }
    Ok(())
}

fn check_used<'k>(
    map: Map,
    keys: impl Iterator<Item = &'k String>,
    used: &BTreeSet<&str>,
) -> ApiResult<()> {
    let unused: Vec<&str> = sorted(keys)
        .into_iter()
        .map(String::as_str)
        .filter(|key| !used.contains(key))
        .collect();
    if unused.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "Value provided in {} unused in expressions: keys: {{{}}}",
        map.parameter(),
        unused.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `-` is no map, `{}` an empty one; otherwise space-separated `#key=name` entries.
    fn names(spec: &str) -> Option<HashMap<String, String>> {
        map_spec(spec, |entry| {
            let (key, name) = entry.split_once('=').unwrap_or((entry, ""));
            (key.to_owned(), name.to_owned())
        })
    }

    /// `-` is no map, `{}` an empty one; otherwise space-separated keys (each value a string).
    fn values(spec: &str) -> Option<HashMap<String, AttributeValue>> {
        map_spec(spec, |key| {
            (key.to_owned(), AttributeValue::S(key.to_owned()))
        })
    }

    fn map_spec<V>(spec: &str, entry: impl Fn(&str) -> (String, V)) -> Option<HashMap<String, V>> {
        match spec {
            "-" => None,
            "{}" => Some(HashMap::new()),
            _ => Some(spec.split_whitespace().map(entry).collect()),
        }
    }

    /// Builds a context from the maps, resolves each placeholder of `used` (`#` names, `:`
    /// values; all must be defined), finishes, and compares "ok" or the error with `expected`.
    fn check(
        names: Option<HashMap<String, String>>,
        values: Option<HashMap<String, AttributeValue>>,
        used: &[&str],
        expected: &str,
    ) {
        let outcome =
            ExpressionContext::new(names.as_ref(), values.as_ref()).and_then(|mut ctx| {
                for placeholder in used {
                    let found = if placeholder.starts_with('#') {
                        ctx.resolve_name(placeholder).is_some()
                    } else {
                        ctx.resolve_value(placeholder).is_some()
                    };
                    assert!(found, "{placeholder} undefined");
                }
                ctx.finish()
            });
        let got = match outcome {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.message(),
        };
        assert_eq!(got, expected);
    }

    /// Runs `check` on each line `<names> | <values> | <used> => <expected>` of `table`.
    fn check_table(table: &str) {
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (setup, expected) = line.split_once(" => ").expect("`setup => expected`");
            let parts: Vec<&str> = setup.split(" | ").map(str::trim).collect();
            let [name_spec, value_spec, used] = parts[..] else {
                panic!("setup is `names | values | used`: {line}");
            };
            let used: Vec<&str> = used.split_whitespace().filter(|u| *u != "-").collect();
            check(names(name_spec), values(value_spec), &used, expected.trim());
        }
    }

    #[test]
    fn context_all_placeholders_used_finishes_ok() {
        check_table(
            r##"
            - | - | - => ok
            #a=x #b=y | :v | #a #b :v #a => ok
            "##,
        );
    }

    #[test]
    fn context_unused_placeholders_are_listed_sorted_names_first() {
        check_table(
            r##"
            #b=x #a=y #c=z | - | #c => Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}
            - | :z :y | - => Value provided in ExpressionAttributeValues unused in expressions: keys: {:y, :z}
            #a=x | :v | - => Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}
            #a=x | :v | #a => Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}
            "##,
        );
    }

    #[test]
    fn context_empty_or_malformed_maps_are_rejected() {
        check_table(
            r##"
            {} | :v | - => ExpressionAttributeNames must not be empty
            - | {} | - => ExpressionAttributeValues must not be empty
            {} | {} | - => ExpressionAttributeNames must not be empty
            a=x | - | - => ExpressionAttributeNames contains invalid key: Syntax error; key: "a"
            #=x | - | - => ExpressionAttributeNames contains invalid key: Syntax error; key: "#"
            #a-b=x | - | - => ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"
            #a=x a=x | - | - => ExpressionAttributeNames contains invalid key: Syntax error; key: "a"
            - | :a.b | - => ExpressionAttributeValues contains invalid key: Syntax error; key: ":a.b"
            - | #v | - => ExpressionAttributeValues contains invalid key: Syntax error; key: "#v"
            #a= | - | - => ExpressionAttributeNames contains invalid value: Empty attribute name for key #a
            "##,
        );
    }

    #[test]
    fn context_overlong_keys_are_rejected_before_syntax() {
        let a = |n| "a".repeat(n);
        check(names(&format!("#{}=x", a(255))), None, &[], "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256");
        check(names(&format!("#{}-x=x", a(255))), None, &[], "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 258");
        check(None, values(&format!(":{}", a(255))), &[], "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;");
        let longest = format!("#{}", a(254));
        check(names(&format!("{longest}=x")), None, &[&longest], "ok");
    }

    #[test]
    fn context_undefined_placeholders_resolve_to_none() {
        let names = names("#a=x").unwrap();
        let mut ctx = ExpressionContext::new(Some(&names), None).unwrap();
        assert_eq!(ctx.resolve_name("#b"), None);
        assert_eq!(ctx.resolve_value(":v"), None);
        assert_eq!(ctx.resolve_name("#a"), Some("x"));
        assert!(ctx.finish().is_ok());
    }

    /// Checks `check_placeholders_without_expressions` on each line
    /// `<names given> <values given> <expressions> => <expected>`, the expressions written
    /// like `Projection=no,Filter=yes`.
    fn check_without_table(table: &str) {
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (setup, expected) = line.split_once(" => ").expect("`setup => expected`");
            let words: Vec<&str> = setup.split_whitespace().collect();
            let [names, values, expressions] = words[..] else {
                panic!("setup is `names values expressions`: {line}");
            };
            let expressions: Vec<(ExpressionKind, bool)> = expressions
                .split(',')
                .map(|e| {
                    let (kind, given) = e.split_once('=').expect("Kind=yes|no");
                    let kind = match kind {
                        "Projection" => ExpressionKind::Projection,
                        "Filter" => ExpressionKind::Filter,
                        "KeyCondition" => ExpressionKind::KeyCondition,
                        "Condition" => ExpressionKind::Condition,
                        _ => ExpressionKind::Update,
                    };
                    (kind, given == "yes")
                })
                .collect();
            let got = match check_placeholders_without_expressions(
                names == "names",
                values == "values",
                &expressions,
            ) {
                Ok(()) => "ok".to_owned(),
                Err(e) => e.message(),
            };
            assert_eq!(got, expected.trim(), "{line}");
        }
    }

    #[test]
    fn placeholders_without_expressions_are_rejected_with_the_operations_list() {
        check_without_table(
            r##"
            names - Projection=no,Filter=no,KeyCondition=no => ExpressionAttributeNames can only be specified when using expressions
            - values Projection=no,Filter=no,KeyCondition=no => ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null
            - values Projection=yes,Filter=no,KeyCondition=no => ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null
            - values Condition=no => ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null
            - values Projection=no,Condition=no,Update=no => ExpressionAttributeValues can only be specified when using expressions: ConditionExpression and UpdateExpression are null
            names values Projection=no => ExpressionAttributeNames can only be specified when using expressions
            "##,
        );
    }

    #[test]
    fn placeholders_without_expressions_pass_when_some_expression_can_use_them() {
        check_without_table(
            r##"
            names values Projection=no,Filter=yes,KeyCondition=no => ok
            names - Projection=yes => ok
            - values Projection=no => ok
            - - Condition=no => ok
            "##,
        );
    }

    #[test]
    fn normalize_values_sorts_sets_and_names_the_bad_key() {
        let mut good = HashMap::from([(
            ":s".to_owned(),
            AttributeValue::Ss(vec!["b".into(), "a".into()]),
        )]);
        normalize_values(&mut good).unwrap();
        assert_eq!(good[":s"], AttributeValue::Ss(vec!["a".into(), "b".into()]));
        let mut bad = HashMap::from([(":s".to_owned(), AttributeValue::Ss(vec![]))]);
        assert_eq!(
            normalize_values(&mut bad).unwrap_err().message(),
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :s"
        );
        let mut bad_key = HashMap::from([("s".to_owned(), AttributeValue::Null)]);
        assert_eq!(
            normalize_values(&mut bad_key).unwrap_err().message(),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"s\""
        );
    }
}

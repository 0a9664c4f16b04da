//! `tokenwarden merge`: the JSON reports of many runs (the shards of an organization's
//! scan, or one run per repository) as one list of incidents: one leaked secret, every
//! repository, path and commit where it appears, the earliest commit date, whether it is
//! still at HEAD anywhere, and the best verification any run had.
//!
//! A merged report is read back like any other, and merging is associative and
//! commutative: every field is a union, a maximum, a minimum or a sum, so shards can be
//! combined in any grouping and order (README "Organization-wide scans" has the contract).

mod model;
mod render;

pub use model::{Incident, Location, Merged};
pub use render::{markdown, summary, text};

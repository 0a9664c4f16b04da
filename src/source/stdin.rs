//! `tokenwarden scan -`: standard input as one input named `<stdin>`, scanned in windows
//! like a file, so a stream of any length takes bounded memory.

use super::{Blob, Data, Origin, Scanner, tally};
use crate::outcome::Outcome;

pub const STDIN_PATH: &str = "<stdin>";

pub fn scan_stdin(scanner: &dyn Scanner, out: &mut Outcome) {
    let mut input = std::io::stdin().lock();
    let result = scanner.scan(Blob::new(
        STDIN_PATH,
        Origin::Stdin,
        Data::Stream(&mut input),
    ));
    let found = tally(&mut out.stats, STDIN_PATH, result);
    out.findings.extend(found);
}

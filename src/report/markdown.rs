//! Markdown (rule remediation) for places that show plain text.

/// Markdown as plain text for a terminal or SARIF `help.text`: emphasis and code marks
/// dropped, links written as `text (url)`.
pub fn plain_text(md: &str) -> String {
    let mut out = md.trim().replace("**", "").replace('`', "");
    // [text](url) → text (url)
    while let Some(open) = out.find("](") {
        let Some(start) = out[..open].rfind('[') else {
            break;
        };
        let Some(close) = out[open + 2..].find(')') else {
            break;
        };
        let url = out[open + 2..open + 2 + close].to_string();
        let text = out[start + 1..open].to_string();
        out.replace_range(start..open + 3 + close, &format!("{text} ({url})"));
    }
    out
}

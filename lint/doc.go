// Package lint is sparklint's engine: it finds the Python files of a run
// (Run: explicit files, folders walked with .gitignore and exclude
// globs honoured), checks them in parallel with the selected rules
// (Checker: validation, the byte-level prefilter, one parse per file
// shared through Project, the analyzers in dependency order, noqa), serves
// unchanged files from a content-hash keyed result cache, applies safe
// fixes atomically, and returns findings in a deterministic order.
//
// Findings use Ruff's vocabulary (code, location, end_location, fix with
// applicability and edits) so that the report package can write Ruff's
// formats as they are.
package lint

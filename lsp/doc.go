// Package lsp is sparklint's language server (`sparklint lsp`): LSP 3.17
// over JSON-RPC 2.0 with Content-Length framing, on stdio or TCP.
//
// # Library
//
// The JSON-RPC layer is go.lsp.dev/jsonrpc2 (v1): a maintained,
// LSP-oriented implementation with header framing, a bidirectional Conn
// (the server calls the client for workspace/configuration and
// client/registerCapability), per-request cancellation (CancelHandler,
// with a Preempter that sees $/cancelRequest ahead of the requests it
// cancels), asynchronous handlers, and one small dependency. The
// alternatives on the module proxy: github.com/sourcegraph/jsonrpc2 is
// sound but has no cancellation or LSP framing helpers beyond a codec and
// drops the connection on a malformed message; go.lsp.dev/protocol, the
// LSP structures of the same project, stopped at LSP 3.16 in 2022 and is
// built on the incompatible v0 jsonrpc2 (with zap and segmentio
// dependencies), so the server defines the subset of LSP 3.17 structures
// it uses (protocol.go), including pull diagnostics. Two things are added
// on top of the library: a stream wrapper that answers a frame that is not
// JSON-RPC with ParseError/InvalidRequest instead of closing the
// connection, and a recover in the handler (the library ends the
// connection when a handler panics).
//
// # Analysis
//
// Each open document keeps its text and its tree-sitter tree; a change is
// applied to both (LSP UTF-16 positions converted to byte offsets and
// byte-column points), and the document is reparsed incrementally
// (pyparse.ParseIncremental, which also copies the nodes of the top-level
// statements tree-sitter did not touch from the previous module) and
// checked with Checker.CheckModule, which puts the editor's text into the
// project so that other files see it. The checkers of a session are Parallel: the
// analyzers of a large file run in two lanes, on two cores. Analysis is
// debounced (50 ms) after a change; a pull request (textDocument/
// diagnostic) or a code action asks for it at once and waits for the
// result of the current text. One worker runs analyses one at a time; a
// result overtaken by a change is dropped. A pull report whose
// diagnostics did not change is "unchanged" (its result id names the set
// of diagnostics). In the background the worker also checks the
// workspace's files (one at a time, when no document waits) for the
// findings they report in other files (a helper module mutated by a
// function shipped from a job), and checks them and the open documents
// that depend on a file again when it is saved or changes on disk; a pull
// client is then asked to refresh.
//
// # Notebooks and settings
//
// Notebook documents (LSP 3.17) are checked as one module of their code
// cells joined (pyparse.JoinCells), as `sparklint check` checks a .ipynb
// file; diagnostics, fixes and noqa edits are mapped back to the cells'
// own documents. Settings come from workspace/configuration, for the
// window and for each workspace folder (scopeUri); a folder with its own
// settings gets its own session. Files the configuration excludes get no
// diagnostics.
package lsp

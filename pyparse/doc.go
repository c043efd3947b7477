// Package pyparse parses Python source with tree-sitter into a Module: a
// flat, pre-order array of syntax nodes with positions, the comments and
// their suppressions, the scopes and bindings of every name, import aliases,
// and the cell structure of Databricks notebooks.
//
// The tree is flattened in one cgo call (see treesitter.go) so that the
// analyses above it walk plain Go slices: walking a tree-sitter tree node by
// node through cgo costs more than parsing it. Every walker over the array is
// iterative, so deeply nested input cannot overflow the goroutine stack.
package pyparse

package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestLSPCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if st := run([]string{"lsp", "--help"}, &out, &errb); st != 0 || !strings.Contains(out.String(), "language server") || !strings.Contains(out.String(), "--tcp") {
		t.Fatalf("lsp --help: %d\n%s%s", st, out.String(), errb.String())
	}
	if st := run([]string{"lsp", "--tcp", "not an address"}, &out, &errb); st != exitError {
		t.Fatalf("lsp --tcp with a bad address: %d", st)
	}
}

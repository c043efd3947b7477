package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/jsonrpc2"

	"github.com/sparklint/sparklint/checks"
	"github.com/sparklint/sparklint/lint"
)

const groupSrc = `from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext
pairs = sc.textFile("x").map(lambda l: (l, 1))
s = "héllo 😀"; revenue = pairs.groupByKey().mapValues(sum)
`

// expectedRange computes the UTF-16 range of the findings of src with the
// CLI's checker, from their character columns (an independent route).
func expectedRanges(t *testing.T, path, src string) map[string]Range {
	t.Helper()
	c, err := lint.NewChecker(lint.NewProject(filepath.Dir(path)), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	res := c.CheckFile(path, []byte(src))
	lines := strings.Split(src, "\n")
	conv := func(p lint.Position) Position {
		runes := []rune(lines[p.Row-1])
		return Position{p.Row - 1, len(utf16.Encode(runes[:p.Column-1]))}
	}
	out := map[string]Range{}
	for _, f := range res.Findings {
		out[f.Code] = Range{conv(f.Location), conv(f.End)}
	}
	return out
}

func TestPushDiagnosticsUTF16(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	writeFile(t, path, groupSrc)
	c := newClient(t, clientOpts{root: dir})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	ds := c.waitDiags(uri, hasCode("SPK201"))
	want := expectedRanges(t, path, groupSrc)["SPK201"]
	for _, d := range ds {
		if d.Code != "SPK201" {
			continue
		}
		if d.Range != want {
			t.Errorf("range %+v, want %+v (UTF-16 columns)", d.Range, want)
		}
		if d.Source != "sparklint" || d.Severity != SeverityWarning || d.CodeDescription == nil ||
			d.CodeDescription.Href != checks.ByCode("SPK201").URL() {
			t.Errorf("diagnostic %+v", d)
		}
		if want.Start.Character == 0 || want.Start.Character == strings.Index(strings.Split(groupSrc, "\n")[5], "pairs.groupByKey") {
			t.Errorf("test text does not tell UTF-16 from byte columns")
		}
	}
	// Incremental edits: the line with the emoji gets a prefix.
	c.change(uri, 2, TextDocumentContentChangeEvent{Range: &Range{Position{5, 0}, Position{5, 0}}, Text: "x = 1; "})
	c.waitDiags(uri, func(ds []Diagnostic) bool {
		for _, d := range ds {
			if d.Code == "SPK201" && d.Range.Start.Character == want.Start.Character+7 {
				return true
			}
		}
		return false
	})
	// Deleting the groupByKey line removes the finding.
	c.change(uri, 3, TextDocumentContentChangeEvent{Range: &Range{Position{5, 0}, Position{6, 0}}, Text: ""})
	c.waitDiags(uri, func(ds []Diagnostic) bool { return len(ds) == 0 })
}

func TestPullDiagnostics(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	c := newClient(t, clientOpts{root: dir, pull: true, server: Options{Debounce: time.Hour}})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	r := c.pullDiags(uri)
	if r.Kind != "full" || !hasCode("SPK201")(r.Items) {
		t.Fatalf("pull: %+v", r)
	}
	// Pull requests do not wait for the debounce (an hour here).
	c.change(uri, 2, TextDocumentContentChangeEvent{Range: &Range{Position{5, 0}, Position{6, 0}}, Text: "x = (\n"})
	r2 := c.pullDiags(uri)
	if codes := codes(r2.Items); len(codes) != 1 || codes[0] != "SPK001" || r2.Items[0].Severity != SeverityError {
		t.Fatalf("after the edit: %+v", r2.Items)
	}
	var r3 DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: r2.ResultID}, &r3)
	if r3.Kind != "unchanged" || r3.ResultID != r2.ResultID {
		t.Fatalf("unchanged report expected: %+v", r3)
	}
	// An edit that changes no diagnostic (typing at the end of the file,
	// after the syntax error) gets "unchanged" too; one that changes the
	// diagnostics gets a full report with a new id.
	c.change(uri, 3, TextDocumentContentChangeEvent{Range: &Range{Position{0, 0}, Position{0, 0}}, Text: "# note\n"})
	var r4 DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: r2.ResultID}, &r4)
	if r4.Kind != "full" || r4.ResultID == r2.ResultID || len(r4.Items) != 1 || r4.Items[0].Range.Start.Line != r2.Items[0].Range.Start.Line+1 {
		t.Fatalf("a line added above the error moves it: %+v after %+v", r4, r2)
	}
	c.change(uri, 4, TextDocumentContentChangeEvent{Range: &Range{Position{0, 6}, Position{0, 6}}, Text: "s"})
	var r5 DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: r4.ResultID}, &r5)
	if r5.Kind != "unchanged" || r5.ResultID != r4.ResultID {
		t.Fatalf("typing in a comment changes no diagnostic: %+v", r5)
	}
	// A client that lost the previous report gets it in full.
	if r6 := c.pullDiags(uri); r6.Kind != "full" || len(r6.Items) != 1 {
		t.Fatalf("no previous id: %+v", r6)
	}
	// Several changes in one notification, a full replacement among them.
	c.change(uri, 5,
		TextDocumentContentChangeEvent{Text: "print('hi')\n"},
		TextDocumentContentChangeEvent{Range: &Range{Position{1, 0}, Position{1, 0}}, Text: groupSrc})
	if r := c.pullDiags(uri); !hasCode("SPK201")(r.Items) {
		t.Fatalf("after full replacement: %+v", r.Items)
	}
}

func TestRelatedInformation(t *testing.T) {
	src, err := os.ReadFile("../fixtures/SPK101/basic.py")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "basic.py")
	c := newClient(t, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, string(src))
	r := c.pullDiags(uri)
	found := false
	for _, d := range r.Items {
		if d.Code == "SPK101" && len(d.RelatedInformation) > 0 {
			found = true
			ri := d.RelatedInformation[0]
			if ri.Location.URI != uri || ri.Message == "" || ri.Location.Range.Start.Line == 0 {
				t.Errorf("related: %+v", ri)
			}
		}
	}
	if !found {
		t.Fatalf("no SPK101 with related information: %+v", r.Items)
	}
}

// copyProject copies the SPK101 project fixture (jobs/main.py ships a
// helper of jobs/helpers.py, which is reported there).
func copyProject(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pyproject.toml"), "[project]\nname = \"x\"\n")
	for _, name := range []string{"__init__.py", "main.py", "helpers.py", "validate.py", "state.py"} {
		src, err := os.ReadFile(filepath.Join("../fixtures/SPK101/project/jobs", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "jobs", name), string(src))
	}
	return dir
}

func TestCrossFileIndexAndSave(t *testing.T) {
	dir := copyProject(t)
	c := newClient(t, clientOpts{root: dir})
	helpers := filepath.Join(dir, "jobs", "helpers.py")
	src, _ := os.ReadFile(helpers)
	huri := pathToURI(helpers)
	c.open(huri, string(src))
	// The background index checks main.py, which reports in helpers.py.
	ds := c.waitDiags(huri, hasCode("SPK101"))
	if !strings.Contains(ds[0].Message, "REJECTED") || len(ds[0].RelatedInformation) == 0 ||
		!strings.HasSuffix(ds[0].RelatedInformation[0].Location.URI, "/jobs/main.py") {
		t.Errorf("cross-file diagnostic: %+v", ds[0])
	}
	// main.py stops shipping clean: saved on disk, the watcher tells.
	main := filepath.Join(dir, "jobs", "main.py")
	msrc, _ := os.ReadFile(main)
	writeFile(t, main, strings.Replace(string(msrc), "raw.map(clean)", "raw.map(str.strip)", 1))
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(main), Type: 2}}})
	c.waitDiags(huri, func(ds []Diagnostic) bool { return len(ds) == 0 })

	// An open main.py's unsaved text counts; saving a helper re-checks it.
	c.open(pathToURI(main), string(msrc))
	c.waitDiags(huri, hasCode("SPK101"))
	val := filepath.Join(dir, "jobs", "validate.py")
	vsrc, _ := os.ReadFile(val)
	if !strings.Contains(string(vsrc), "state.") {
		t.Skip("fixture changed")
	}
}

func TestWatchedConfigAndSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	writeFile(t, path, groupSrc)
	c := newClient(t, clientOpts{root: dir, config: true, settings: `{"select": ["SPK0"]}`})
	c.waitCall("client/registerCapability")
	c.mu.Lock()
	regs := c.regs
	c.mu.Unlock()
	if len(regs) == 0 || regs[0].Method != "workspace/didChangeWatchedFiles" {
		t.Fatalf("registrations: %+v", regs)
	}
	c.waitCall("workspace/configuration")
	uri := pathToURI(path)
	c.open(uri, groupSrc+"x = (\n")
	// select SPK0: SPK201 is off, the syntax error (SPK001) on.
	c.waitDiags(uri, func(ds []Diagnostic) bool { return len(ds) == 1 && ds[0].Code == "SPK001" })
	// Settings pushed with the notification (which the client also gives
	// when asked, for the workspace folder).
	c.mu.Lock()
	c.settings = json.RawMessage(`{"ignore": "SPK001"}`)
	c.mu.Unlock()
	c.notify("workspace/didChangeConfiguration", DidChangeConfigurationParams{Settings: json.RawMessage(`{"sparklint": {"ignore": "SPK001"}}`)})
	c.waitDiags(uri, func(ds []Diagnostic) bool { return len(ds) == 1 && ds[0].Code == "SPK201" })
	// A sparklint.toml appears: the watcher tells, configuration is read again.
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "ignore = [\"SPK201\"]\n")
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(filepath.Join(dir, "sparklint.toml")), Type: 1}}})
	c.waitDiags(uri, func(ds []Diagnostic) bool { return len(ds) == 0 })
	// Settings pulled when the notification carries none.
	c.mu.Lock()
	c.settings = json.RawMessage(`{"select": ["SPK001"]}`)
	c.mu.Unlock()
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": nil})
	c.waitDiags(uri, func(ds []Diagnostic) bool { return len(ds) == 1 && ds[0].Code == "SPK001" })
}

// TestSettingsPushedToAClientWithoutConfiguration: a client that cannot
// answer workspace/configuration gives its settings in the notification.
func TestSettingsPushedToAClientWithoutConfiguration(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	writeFile(t, path, groupSrc)
	c := newClient(t, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	if d := c.pullDiags(uri).Items; !hasCode("SPK201")(d) {
		t.Fatalf("before: %+v", d)
	}
	c.notify("workspace/didChangeConfiguration", DidChangeConfigurationParams{Settings: json.RawMessage(`{"sparklint": {"ignore": ["SPK2"]}}`)})
	deadline := time.Now().Add(10 * time.Second)
	for hasCode("SPK201")(c.pullDiags(uri).Items) {
		if time.Now().After(deadline) {
			t.Fatal("the pushed settings were not applied")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestExcludedFilesGetNoDiagnostics: a file the configuration excludes
// (extend-exclude, or a default exclude such as .venv) is not checked
// when opened, as `sparklint check --force-exclude` skips it.
func TestExcludedFilesGetNoDiagnostics(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "extend-exclude = [\"generated\"]\n")
	paths := map[string]bool{ // path -> checked
		filepath.Join(dir, "job.py"):                                true,
		filepath.Join(dir, "generated", "job.py"):                   false,
		filepath.Join(dir, ".venv", "lib", "site-packages", "x.py"): false,
	}
	c := newClient(t, clientOpts{root: dir, pull: true})
	for p := range paths {
		writeFile(t, p, groupSrc)
		c.open(pathToURI(p), groupSrc)
	}
	for p, checked := range paths {
		if got := hasCode("SPK201")(c.pullDiags(pathToURI(p)).Items); got != checked {
			t.Errorf("%s: SPK201 reported %v, want %v", p, got, checked)
		}
	}
	// The configuration changes: the file is checked again.
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "")
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(filepath.Join(dir, "sparklint.toml")), Type: 2}}})
	gen := pathToURI(filepath.Join(dir, "generated", "job.py"))
	deadline := time.Now().Add(10 * time.Second)
	for !hasCode("SPK201")(c.pullDiags(gen).Items) {
		if time.Now().After(deadline) {
			t.Fatal("no longer excluded, the file is not checked")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFolderSettings: each workspace folder has the settings the client
// gives for its scopeUri (VS Code: the folder's .vscode/settings.json).
func TestFolderSettings(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	pa, pb := filepath.Join(a, "job.py"), filepath.Join(b, "job.py")
	writeFile(t, pa, groupSrc)
	writeFile(t, pb, groupSrc)
	c := newClient(t, clientOpts{root: a, folders: []string{b}, pull: true, config: true, settings: `{}`,
		scoped: map[string]string{pathToURI(a): `{"ignore": ["SPK201"]}`}})
	c.waitCall("workspace/configuration")
	ua, ub := pathToURI(pa), pathToURI(pb)
	c.open(ua, groupSrc)
	c.open(ub, groupSrc)
	none := func(d []Diagnostic) bool { return len(d) == 0 }
	c.pullUntil(ua, none)              // folder a ignores SPK201
	c.pullUntil(ub, hasCode("SPK201")) // folder b has the window's settings
	if d := c.pullDiags(ua).Items; len(d) != 0 {
		t.Fatalf("folder a, once its settings applied: %+v", d)
	}
	// A change of settings: asked for again, for every folder.
	c.mu.Lock()
	c.scoped = map[string]string{pathToURI(b): `{"ignore": ["SPK201"]}`}
	c.mu.Unlock()
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": nil})
	// The server tells the client to pull again (it would keep what it
	// shows until the next edit).
	c.waitCall("workspace/diagnostic/refresh")
	c.pullUntil(ub, none)
	c.pullUntil(ua, hasCode("SPK201"))
}

func applyEdits(t *testing.T, text string, edits []TextEdit) string {
	t.Helper()
	lines := lineStarts([]byte(text))
	sort.Slice(edits, func(i, j int) bool { return before(edits[j].Range.Start, edits[i].Range.Start) })
	for _, e := range edits {
		s, _, _, _ := offsetOf([]byte(text), lines, e.Range.Start)
		en, _, _, _ := offsetOf([]byte(text), lines, e.Range.End)
		text = text[:s] + e.NewText + text[en:]
	}
	return text
}

func TestCodeActions(t *testing.T) {
	src, err := os.ReadFile("../fixtures/SPK201/basic.py")
	if err != nil {
		t.Fatal(err)
	}
	text := "# é😀\n" + string(src)
	dir := t.TempDir()
	uri := pathToURI(filepath.Join(dir, "job.py"))
	c := newClient(t, clientOpts{root: dir, pull: true})
	c.open(uri, text)
	r := c.pullDiags(uri)
	var dg *Diagnostic
	for i := range r.Items {
		if r.Items[i].Code == "SPK201" {
			dg = &r.Items[i]
			break
		}
	}
	if dg == nil {
		t.Fatalf("no SPK201: %+v", r.Items)
	}
	var actions []CodeAction
	p := CodeActionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Range: dg.Range}
	c.call("textDocument/codeAction", p, &actions)
	var fix, noqa, all *CodeAction
	for i := range actions {
		a := &actions[i]
		switch {
		case a.Kind == KindQuickFix && strings.HasPrefix(a.Title, "Disable SPK201"):
			noqa = a
		case a.Kind == KindQuickFix && fix == nil:
			fix = a
		case a.Kind == KindFixAll:
			all = a
		}
	}
	if fix == nil || noqa == nil || all == nil {
		t.Fatalf("actions: %+v", actions)
	}
	fixed := applyEdits(t, text, fix.Edit.Changes[uri])
	if fixed == text || !strings.Contains(fixed, "reduceByKey") || fix.IsPreferred != (!strings.Contains(fix.Title, "unsafe")) {
		t.Errorf("fix %q gave:\n%s", fix.Title, fixed)
	}
	disabled := applyEdits(t, text, noqa.Edit.Changes[uri])
	line := strings.Split(disabled, "\n")[dg.Range.Start.Line]
	if !strings.Contains(line, "# noqa: SPK201") {
		t.Errorf("noqa line: %q", line)
	}
	// The new text has no SPK201 on that line.
	c.change(uri, 2, TextDocumentContentChangeEvent{Text: disabled})
	for _, d := range c.pullDiags(uri).Items {
		if d.Code == "SPK201" && d.Range.Start.Line == dg.Range.Start.Line {
			t.Errorf("still reported after the noqa: %+v", d)
		}
	}
	// fixAll applies the safe fixes at once.
	c.change(uri, 3, TextDocumentContentChangeEvent{Text: text})
	p.Context.Only = []string{"source.fixAll"}
	actions = nil
	c.call("textDocument/codeAction", p, &actions)
	if len(actions) != 1 || actions[0].Kind != KindFixAll {
		t.Fatalf("fixAll: %+v", actions)
	}
	fixedAll := applyEdits(t, text, actions[0].Edit.Changes[uri])
	if strings.Count(fixedAll, "groupByKey") >= strings.Count(text, "groupByKey") {
		t.Errorf("fixAll changed nothing:\n%s", fixedAll)
	}
	// A "# noqa: X" already there is extended.
	ext := strings.Replace(text, "revenue = pairs.groupByKey().mapValues(sum)  # want \"reduceByKey\"", "revenue = pairs.groupByKey().mapValues(sum)  # noqa: SPK101", 1)
	if ext != text {
		c.change(uri, 4, TextDocumentContentChangeEvent{Text: ext})
		r := c.pullDiags(uri)
		for _, d := range r.Items {
			if d.Code != "SPK201" || !strings.Contains(strings.Split(ext, "\n")[d.Range.Start.Line], "SPK101") {
				continue
			}
			actions = nil
			c.call("textDocument/codeAction", CodeActionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Range: d.Range}, &actions)
			for _, a := range actions {
				if strings.HasPrefix(a.Title, "Disable") {
					got := strings.Split(applyEdits(t, ext, a.Edit.Changes[uri]), "\n")[d.Range.Start.Line]
					if !strings.HasSuffix(got, "# noqa: SPK101, SPK201") {
						t.Errorf("extended noqa: %q", got)
					}
				}
			}
		}
	}
}

func TestHoverNoqa(t *testing.T) {
	dir := t.TempDir()
	uri := pathToURI(filepath.Join(dir, "job.py"))
	c := newClient(t, clientOpts{root: dir, pull: true})
	text := "s = 'é😀'; x = 1  # noqa: SPK101, SPK201\n"
	c.open(uri, text)
	at := strings.Index(text, "SPK201")
	col := len(utf16.Encode([]rune(text[:at]))) + 2
	var h *Hover
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{0, col}}, &h)
	if h == nil || h.Contents.Kind != "markdown" || !strings.Contains(h.Contents.Value, "SPK201") || h.Range.Start.Character != col-2 {
		t.Fatalf("hover: %+v", h)
	}
	h = nil
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}, Position: Position{0, 1}}, &h)
	if h != nil {
		t.Fatalf("hover outside a noqa: %+v", h)
	}
}

func TestMalformedAndUnknown(t *testing.T) {
	rc := newRawConn(t)
	// Before initialize: ServerNotInitialized.
	rc.send(`{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}`)
	if m := rc.recv(); errCode(m) != -32002 || m["id"].(float64) != 1 {
		t.Fatalf("before initialize: %v", m)
	}
	// Malformed JSON: a ParseError with a null id, and the server goes on.
	rc.send(`{"jsonrpc":"2.0","id":2,"method":`)
	if m := rc.recv(); errCode(m) != -32700 || m["id"] != nil {
		t.Fatalf("malformed: %v", m)
	}
	rc.send(`[1, 2]`)
	if m := rc.recv(); errCode(m) != -32600 && errCode(m) != -32700 {
		t.Fatalf("not a request: %v", m)
	}
	rc.send(`{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"capabilities":{}}}`)
	if m := rc.recv(); m["result"] == nil {
		t.Fatalf("initialize: %v", m)
	}
	rc.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
	rc.send(`{"jsonrpc":"2.0","id":4,"method":"sparklint/unknown","params":{}}`)
	if m := rc.recv(); errCode(m) != -32601 {
		t.Fatalf("unknown method: %v", m)
	}
	// Invalid params.
	rc.send(`{"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":{"position":"x"}}`)
	if m := rc.recv(); errCode(m) != -32602 {
		t.Fatalf("invalid params: %v", m)
	}
	rc.send(`{"jsonrpc":"2.0","method":"unknown/notification","params":{}}`)
	rc.send(`{"jsonrpc":"2.0","id":6,"method":"shutdown"}`)
	if m := rc.recv(); m["error"] != nil {
		t.Fatalf("shutdown: %v", m)
	}
	rc.send(`{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{}}`)
	if m := rc.recv(); errCode(m) != -32600 {
		t.Fatalf("after shutdown: %v", m)
	}
	rc.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-rc.served:
		if err != nil {
			t.Fatalf("Serve after shutdown and exit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not exit")
	}
}

func TestExitWithoutShutdownAndEOF(t *testing.T) {
	rc := newRawConn(t)
	rc.send(`{"jsonrpc":"2.0","method":"exit"}`)
	select {
	case err := <-rc.served:
		if !errors.Is(err, ErrExitWithoutShutdown) {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not exit")
	}
	rc = newRawConn(t)
	_ = rc.conn.Close()
	select {
	case <-rc.served:
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not stop at the end of its input")
	}
}

func TestOutOfBoundsEditsAndDeletedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	writeFile(t, path, groupSrc)
	c := newClient(t, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	c.pullDiags(uri)
	c.change(uri, 2,
		TextDocumentContentChangeEvent{Range: &Range{Position{500, 3}, Position{900, 0}}, Text: "\nx = 1\n"},
		TextDocumentContentChangeEvent{Range: &Range{Position{2, 400}, Position{1, 0}}, Text: ""},
		TextDocumentContentChangeEvent{Range: &Range{Position{-1, -5}, Position{0, 0}}, Text: "# start\n"},
		TextDocumentContentChangeEvent{Range: &Range{Position{6, 7}, Position{6, 8}}, Text: "😀"}, // inside the emoji's pair
	)
	r := c.pullDiags(uri)
	if !hasCode("SPK201")(r.Items) {
		t.Fatalf("after clamped edits: %+v", r.Items)
	}
	// The file is deleted while open: the editor's text is still checked.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: uri, Type: 3}}})
	c.notify("textDocument/didSave", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: uri}})
	c.change(uri, 3, TextDocumentContentChangeEvent{Range: &Range{Position{0, 0}, Position{0, 0}}, Text: "\n"})
	if r := c.pullDiags(uri); !hasCode("SPK201")(r.Items) {
		t.Fatalf("after deletion: %+v", r.Items)
	}
	// Requests on documents that are not open.
	var none DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: "file:///nope.py"}}, &none)
	c.change("file:///nope.py", 2, TextDocumentContentChangeEvent{Text: "x"})
	c.notify("textDocument/didClose", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: uri}})
	c.notify("textDocument/didClose", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: uri}})
	var h *Hover
	c.call("textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}}, &h)
}

func TestPanicsAreContained(t *testing.T) {
	dir := t.TempDir()
	uri := pathToURI(filepath.Join(dir, "job.py"))
	c := newClient(t, clientOpts{root: dir, pull: true})
	hh := func(method string) {
		if method == "textDocument/hover" {
			panic("boom")
		}
	}
	testHookHandle.Store(&hh)
	panicked := make(chan struct{}, 1)
	ha := func(string) {
		select {
		case panicked <- struct{}{}:
			panic("rule boom")
		default:
		}
	}
	testHookAnalyze.Store(&ha)
	defer func() { testHookHandle.Store(nil); testHookAnalyze.Store(nil) }()
	var h *Hover
	_, err := c.conn.Call(context.Background(), "textDocument/hover", TextDocumentPositionParams{TextDocument: TextDocumentIdentifier{URI: uri}}, &h)
	var we *jsonrpc2.Error
	if !errors.As(err, &we) || we.Code != jsonrpc2.InternalError {
		t.Fatalf("panicking handler: %v", err)
	}
	// An analysis that panics gives an empty result, then the next works.
	c.open(uri, groupSrc)
	c.pullDiags(uri)
	c.change(uri, 2, TextDocumentContentChangeEvent{Range: &Range{Position{0, 0}, Position{0, 0}}, Text: "\n"})
	if r := c.pullDiags(uri); !hasCode("SPK201")(r.Items) {
		t.Fatalf("after a panic: %+v", r.Items)
	}
}

func TestCancelRequest(t *testing.T) {
	block := make(chan struct{})
	hb := func(string) { <-block }
	testHookAnalyze.Store(&hb)
	defer testHookAnalyze.Store(nil)
	rc := newRawConn(t)
	rc.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"textDocument":{"diagnostic":{}}}}}`)
	rc.recv()
	src, _ := json.Marshal(groupSrc)
	rc.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///tmp/c.py","languageId":"python","version":1,"text":` + string(src) + `}}}`)
	rc.send(`{"jsonrpc":"2.0","id":"pull-1","method":"textDocument/diagnostic","params":{"textDocument":{"uri":"file:///tmp/c.py"}}}`)
	rc.send(`{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"pull-1"}}`)
	m := rc.recv()
	if m["id"] != "pull-1" || errCode(m) != -32800 {
		t.Fatalf("cancelled request: %v", m)
	}
	testHookAnalyze.Store(nil)
	close(block)
	// The server goes on: the next pull gets the findings.
	rc.send(`{"jsonrpc":"2.0","id":2,"method":"textDocument/diagnostic","params":{"textDocument":{"uri":"file:///tmp/c.py"}}}`)
	m = rc.recv()
	if res, _ := m["result"].(map[string]any); res == nil || !strings.Contains(fmt.Sprint(res["items"]), "SPK201") {
		t.Fatalf("after cancel: %v", m)
	}
}

func TestStdioLikeTransport(t *testing.T) {
	// Serve works on any ReadWriteCloser; a TCP connection here.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			_ = Serve(context.Background(), conn, Options{})
		}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn := jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(nc), jsonrpc2.WithCodec(stdCodec{}))
	conn.Go(context.Background(), jsonrpc2.MethodNotFoundHandler)
	defer conn.Close()
	var res InitializeResult
	if _, err := conn.Call(context.Background(), "initialize", map[string]any{"capabilities": map[string]any{}}, &res); err != nil {
		t.Fatal(err)
	}
	if res.Capabilities["positionEncoding"] != "utf-16" {
		t.Fatalf("capabilities: %+v", res.Capabilities)
	}
}

func TestPositionConversion(t *testing.T) {
	text := []byte("a😀b\r\nxyz\n")
	lines := lineStarts(text)
	for _, tc := range []struct {
		p       Position
		off     int
		clamped bool
	}{
		{Position{0, 0}, 0, false}, {Position{0, 1}, 1, false}, {Position{0, 2}, 1, false}, {Position{0, 3}, 5, false},
		{Position{0, 4}, 6, false}, {Position{0, 9}, 6, true}, {Position{1, 3}, 11, false}, {Position{2, 0}, 12, false},
		{Position{7, 0}, 12, true},
	} {
		off, _, _, clamped := offsetOf(text, lines, tc.p)
		if off != tc.off || clamped != tc.clamped {
			t.Errorf("%+v: %d %v, want %d %v", tc.p, off, clamped, tc.off, tc.clamped)
		}
	}
	if got := charToUTF16("a😀b", 3); got != 3 {
		t.Errorf("charToUTF16: %d", got)
	}
	for _, u := range []string{"file:///tmp/a%20b/c.py", "untitled:Untitled-1"} {
		if p := uriToPath(u); !filepath.IsAbs(p) {
			t.Errorf("%s: %s", u, p)
		}
	}
	if got := uriToPath(pathToURI("/tmp/a b/é.py")); got != "/tmp/a b/é.py" {
		t.Errorf("round trip: %s", got)
	}
}

package lsp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/sparklint/sparklint/lint"
)

// callHook answers a server-to-client call in place of client.handle
// when it returns true.
type callHook func(ctx context.Context, req *jsonrpc2.Request) (any, bool)

// excludingProject is copyProject with a sparklint.toml excluding the
// files given.
func excludingProject(t *testing.T, exclude ...string) string {
	dir := copyProject(t)
	toml := ""
	if len(exclude) > 0 {
		toml = "extend-exclude = [\"" + strings.Join(exclude, "\", \"") + "\"]\n"
	}
	writeFile(t, filepath.Join(dir, "sparklint.toml"), toml)
	return dir
}

// TestExcludedFileGetsNoCrossFileDiagnostics: an excluded file
// gets no diagnostics, not even those another file's analysis finds in
// it (the command line hides them: engine.go, vis.hidden).
func TestExcludedFileGetsNoCrossFileDiagnostics(t *testing.T) {
	dir := excludingProject(t, "jobs/helpers.py")
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := filepath.Join(dir, "jobs", "helpers.py")
	main := filepath.Join(dir, "jobs", "main.py")
	hsrc, _ := os.ReadFile(helpers)
	msrc, _ := os.ReadFile(main)
	huri, muri := pathToURI(helpers), pathToURI(main)
	c.open(muri, string(msrc))
	c.open(huri, string(hsrc))
	sess, err := lint.NewSession(dir, lint.Options{})
	if err != nil || !sess.Excluded(helpers) {
		t.Fatalf("helpers.py is not excluded by the configuration (%v)", err)
	}
	c.pullDiags(muri) // main.py is analysed: it reports in helpers.py
	time.Sleep(300 * time.Millisecond)
	if d := c.pullDiags(huri).Items; len(d) != 0 {
		t.Fatalf("excluded helpers.py shows %v (%s)", codes(d), d[0].Message)
	}
}

// TestOpenFileBecomingExcludedDropsItsCrossFileFindings: main.py,
// open, reports in helpers.py; once the configuration excludes main.py,
// it is not checked, and what it reported elsewhere goes away.
func TestOpenFileBecomingExcludedDropsItsCrossFileFindings(t *testing.T) {
	dir := excludingProject(t)
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := filepath.Join(dir, "jobs", "helpers.py")
	main := filepath.Join(dir, "jobs", "main.py")
	hsrc, _ := os.ReadFile(helpers)
	msrc, _ := os.ReadFile(main)
	huri, muri := pathToURI(helpers), pathToURI(main)
	c.open(huri, string(hsrc))
	c.open(muri, string(msrc))
	c.pullDiags(muri)
	c.pullUntil(huri, hasCode("SPK101"))
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "extend-exclude = [\"jobs/main.py\"]\n")
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(filepath.Join(dir, "sparklint.toml")), Type: 2}}})
	c.pullUntil(muri, func(d []Diagnostic) bool { return len(d) == 0 })
	c.pullUntil(huri, func(d []Diagnostic) bool { return !hasCode("SPK101")(d) })
}

// TestClosedFileBecomingExcludedDropsItsCrossFileFindings: the
// same with main.py closed (checked by the background index).
func TestClosedFileBecomingExcludedDropsItsCrossFileFindings(t *testing.T) {
	dir := excludingProject(t)
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := filepath.Join(dir, "jobs", "helpers.py")
	hsrc, _ := os.ReadFile(helpers)
	huri := pathToURI(helpers)
	c.open(huri, string(hsrc))
	c.pullUntil(huri, hasCode("SPK101"))
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "extend-exclude = [\"jobs/main.py\"]\n")
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(filepath.Join(dir, "sparklint.toml")), Type: 2}}})
	c.pullUntil(huri, func(d []Diagnostic) bool { return !hasCode("SPK101")(d) })
}

// TestExcludedWhileEditedThenIncluded: a document edited while its
// file is excluded (its tree told of the edits, never reparsed) is
// checked right once no longer excluded.
func TestExcludedWhileEditedThenIncluded(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "extend-exclude = [\"gen\"]\n")
	path := filepath.Join(dir, "gen", "job.py")
	writeFile(t, path, groupSrc)
	c := newClient(t, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	if d := c.pullDiags(uri).Items; len(d) != 0 {
		t.Fatalf("excluded: %+v", d)
	}
	text := groupSrc
	edits := []struct {
		r    Range
		text string
	}{
		{Range{Position{0, 0}, Position{0, 0}}, "# header\n\n"},
		{Range{Position{3, 0}, Position{3, 0}}, "x = 1\r\n"},
		{Range{Position{1, 0}, Position{2, 0}}, ""},
		{Range{Position{0, 2}, Position{0, 8}}, "é😀"},
	}
	for i, e := range edits {
		c.change(uri, int32(i+2), TextDocumentContentChangeEvent{Range: &e.r, Text: e.text})
		text = applyEdits(t, text, []TextEdit{{Range: e.r, NewText: e.text}})
		if d := c.pullDiags(uri).Items; len(d) != 0 {
			t.Fatalf("excluded: %+v", d)
		}
	}
	writeFile(t, filepath.Join(dir, "sparklint.toml"), "")
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(filepath.Join(dir, "sparklint.toml")), Type: 2}}})
	got := c.pullUntil(uri, hasCode("SPK201"))
	want := expectedRanges(t, path, text)["SPK201"]
	for _, d := range got {
		if d.Code == "SPK201" && d.Range != want {
			t.Fatalf("SPK201 at %+v, want %+v", d.Range, want)
		}
	}
}

// TestReopenedDocumentGetsAFullReport: a document closed and
// opened again under the same URI with other text gets a full report,
// whatever result id the client kept.
func TestReopenedDocumentGetsAFullReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	c := newClient(t, clientOpts{root: dir, pull: true})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	r1 := c.pullDiags(uri)
	if !hasCode("SPK201")(r1.Items) {
		t.Fatalf("first: %+v", r1)
	}
	c.notify("textDocument/didClose", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: uri}})
	c.open(uri, "import pyspark\n")
	var r2 DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: r1.ResultID}, &r2)
	if r2.Kind != "full" || len(r2.Items) != 0 || r2.ResultID == r1.ResultID {
		t.Fatalf("reopened with other text: %+v", r2)
	}
	// Opened again with the first text: the client shows nothing now, so
	// an "unchanged" answer to the first id would be wrong.
	c.notify("textDocument/didClose", DidSaveTextDocumentParams{TextDocument: TextDocumentIdentifier{URI: uri}})
	c.open(uri, groupSrc)
	var r3 DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}, PreviousResultID: r2.ResultID}, &r3)
	if r3.Kind != "full" || !hasCode("SPK201")(r3.Items) {
		t.Fatalf("reopened with the first text: %+v", r3)
	}
}

// TestRefreshNotLostWhileOneIsInFlight: a settings change while
// the client has not yet answered the refresh of the previous change. The
// client pulled when the first refresh came (and got the diagnostics of
// the first settings); it must be asked to pull again, or it keeps
// showing them.
func TestRefreshNotLostWhileOneIsInFlight(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job.py")
	writeFile(t, path, groupSrc)
	refreshes := make(chan struct{}, 10)
	release := make(chan struct{})
	var answered atomic.Bool
	c := newClient(t, clientOpts{root: dir, pull: true, hook: func(ctx context.Context, req *jsonrpc2.Request) (any, bool) {
		if req.Method() != "workspace/diagnostic/refresh" {
			return nil, false
		}
		refreshes <- struct{}{}
		if !answered.Swap(true) {
			<-release // a busy client answers the first one later
		}
		return nil, true
	}})
	uri := pathToURI(path)
	c.open(uri, groupSrc)
	if d := c.pullDiags(uri).Items; !hasCode("SPK201")(d) {
		t.Fatalf("before: %+v", d)
	}
	c.notify("workspace/didChangeConfiguration", DidChangeConfigurationParams{Settings: json.RawMessage(`{"sparklint": {"ignore": ["SPK1"]}}`)})
	select {
	case <-refreshes:
	case <-time.After(10 * time.Second):
		t.Fatal("no refresh after the first change")
	}
	// The client pulls on the refresh: the first settings' diagnostics.
	if d := c.pullDiags(uri).Items; !hasCode("SPK201")(d) {
		t.Fatalf("after the first change: %+v", d)
	}
	c.notify("workspace/didChangeConfiguration", DidChangeConfigurationParams{Settings: json.RawMessage(`{"sparklint": {"ignore": ["SPK201"]}}`)})
	time.Sleep(300 * time.Millisecond)
	close(release)
	select {
	case <-refreshes:
	case <-time.After(5 * time.Second):
		t.Fatal("the second change was never followed by a refresh: the client keeps showing SPK201, which the settings now ignore")
	}
}

// TestFolderSettingsAnswersAppliedInOrder: two requests for the
// folders' settings are in flight (a settings change, then a folder
// added); the answer to the older one, with the folders of its time,
// arrives last. The new folder must keep its own settings.
func TestFolderSettingsAnswersAppliedInOrder(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	pb := filepath.Join(b, "job.py")
	writeFile(t, filepath.Join(a, "x.py"), "x = 1\n")
	writeFile(t, pb, groupSrc)
	initial := make(chan struct{})
	hold := make(chan struct{})
	held := make(chan struct{}, 1)
	var n atomic.Int32
	c := newClient(t, clientOpts{root: a, pull: true, config: true, settings: `{}`,
		scoped: map[string]string{pathToURI(b): `{"ignore": ["SPK201"]}`}, hook: func(ctx context.Context, req *jsonrpc2.Request) (any, bool) {
			if req.Method() != "workspace/configuration" {
				return nil, false
			}
			switch n.Add(1) {
			case 1:
				defer close(initial)
			case 2: // after the settings change: answered late
				held <- struct{}{}
				<-hold
			}
			return nil, false
		}})
	<-initial
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": nil})
	<-held
	var p DidChangeWorkspaceFoldersParams
	p.Event.Added = []WorkspaceFolder{{URI: pathToURI(b), Name: "b"}}
	c.notify("workspace/didChangeWorkspaceFolders", p)
	ub := pathToURI(pb)
	c.open(ub, groupSrc)
	none := func(d []Diagnostic) bool { return len(d) == 0 }
	c.pullUntil(ub, none) // folder b's settings apply
	close(hold)           // the older answer arrives
	time.Sleep(500 * time.Millisecond)
	if d := c.pullDiags(ub).Items; len(d) != 0 {
		t.Fatalf("folder b lost its settings to an older answer: %v", codes(d))
	}
}

// TestFoldersSharingARootSeeUnsavedText: two workspace folders of
// one project (pyproject.toml above both), each with settings of its own
// (VS Code answers every folder's scopeUri). A job in one folder ships a
// helper of the other, open with unsaved changes: the job's findings are
// those of the editor's text, as with one folder.
func TestFoldersSharingARootSeeUnsavedText(t *testing.T) {
	for _, split := range []bool{false, true} {
		name := "one folder"
		if split {
			name = "two folders"
		}
		t.Run(name, func(t *testing.T) { review2SharedRoot(t, split) })
	}
}

func review2SharedRoot(t *testing.T, split bool) {
	dir := copyProject(t)
	app := filepath.Join(dir, "app")
	jobs := filepath.Join(dir, "jobs")
	main := filepath.Join(jobs, "main.py")
	msrc, _ := os.ReadFile(main)
	run := filepath.Join(app, "run.py")
	writeFile(t, run, string(msrc))
	if err := os.Remove(main); err != nil {
		t.Fatal(err)
	}
	o := clientOpts{root: dir, pull: true, config: true, settings: `{}`, scoped: map[string]string{pathToURI(dir): `{}`}}
	if split {
		o = clientOpts{root: app, folders: []string{jobs}, pull: true, config: true, settings: `{}`,
			scoped: map[string]string{pathToURI(app): `{}`, pathToURI(jobs): `{}`}}
	}
	c := newClient(t, o)
	c.waitCall("workspace/configuration")
	time.Sleep(300 * time.Millisecond) // the folders' settings are applied
	helpers := filepath.Join(jobs, "helpers.py")
	hsrc, _ := os.ReadFile(helpers)
	huri, ruri := pathToURI(helpers), pathToURI(run)
	c.open(huri, string(hsrc))
	c.open(ruri, string(msrc))
	c.pullDiags(ruri)
	c.pullUntil(huri, hasCode("SPK101"))
	// The helper stops mutating its module's list, unsaved.
	fixed := strings.Replace(string(hsrc), "REJECTED.append(line)  # want \"mutat\"", "pass", 1)
	if fixed == string(hsrc) {
		t.Skip("fixture changed")
	}
	c.change(huri, 2, TextDocumentContentChangeEvent{Text: fixed})
	c.pullDiags(huri) // the helper's text is analysed
	// run.py is checked again (an edit of it) with the editor's helper.
	c.change(ruri, 2, TextDocumentContentChangeEvent{Text: string(msrc) + "\n"})
	c.pullDiags(ruri)
	if d := c.pullDiags(huri).Items; hasCode("SPK101")(d) {
		t.Fatalf("run.py was checked against helpers.py on disk, not the editor's text: %s", d[0].Message)
	}
}

// TestNestedFoldersAndAFolderReAdded: the innermost folder's
// settings win; a folder removed falls back to the window's settings, and
// gets its own again when added back.
func TestNestedFoldersAndAFolderReAdded(t *testing.T) {
	w := t.TempDir()
	sub := filepath.Join(w, "sub")
	outer, inner := filepath.Join(w, "job.py"), filepath.Join(sub, "job.py")
	writeFile(t, outer, groupSrc)
	writeFile(t, inner, groupSrc)
	c := newClient(t, clientOpts{root: w, folders: []string{sub}, pull: true, config: true, settings: `{}`,
		scoped: map[string]string{pathToURI(w): `{"ignore": ["SPK201"]}`, pathToURI(sub): `{"select": ["SPK2"]}`}})
	c.waitCall("workspace/configuration")
	uo, ui := pathToURI(outer), pathToURI(inner)
	c.open(uo, groupSrc)
	c.open(ui, groupSrc)
	none := func(d []Diagnostic) bool { return len(d) == 0 }
	c.pullUntil(uo, none)
	c.pullUntil(ui, hasCode("SPK201"))
	// The inner folder removed: its files are the outer folder's.
	var rm DidChangeWorkspaceFoldersParams
	rm.Event.Removed = []WorkspaceFolder{{URI: pathToURI(sub), Name: "sub"}}
	c.notify("workspace/didChangeWorkspaceFolders", rm)
	c.pullUntil(ui, none)
	var add DidChangeWorkspaceFoldersParams
	add.Event.Added = []WorkspaceFolder{{URI: pathToURI(sub), Name: "sub"}}
	c.notify("workspace/didChangeWorkspaceFolders", add)
	c.pullUntil(ui, hasCode("SPK201"))
	c.pullUntil(uo, none)
}

// TestExcludedFileChangedOnDiskIsNotIndexed: an excluded file that
// is not open changes on disk (the watcher covers **/*.py, .venv too): it
// is not checked, and reports nothing in the other files.
func TestExcludedFileChangedOnDiskIsNotIndexed(t *testing.T) {
	dir := excludingProject(t, "jobs/main.py")
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := filepath.Join(dir, "jobs", "helpers.py")
	main := filepath.Join(dir, "jobs", "main.py")
	hsrc, _ := os.ReadFile(helpers)
	huri := pathToURI(helpers)
	c.open(huri, string(hsrc))
	time.Sleep(500 * time.Millisecond) // the index runs (main.py is not in it)
	if d := c.pullDiags(huri).Items; len(d) != 0 {
		t.Fatalf("before: %v", codes(d))
	}
	msrc, _ := os.ReadFile(main)
	writeFile(t, main, string(msrc)+"\n")
	c.notify("workspace/didChangeWatchedFiles", DidChangeWatchedFilesParams{Changes: []FileEvent{{URI: pathToURI(main), Type: 2}}})
	time.Sleep(500 * time.Millisecond)
	if d := c.pullDiags(huri).Items; len(d) != 0 {
		t.Fatalf("the excluded main.py, changed on disk, was checked: helpers.py shows %v", codes(d))
	}
}

// TestLargeFileTwoLanesAcrossModules: a file large enough for two
// lanes, whose executor analysis follows functions into other project
// modules (each lane with its own type inference), edited a few times:
// the findings are those the command line's checker finds, in it and in
// the helper module.
func TestLargeFileTwoLanesAcrossModules(t *testing.T) {
	dir := copyProject(t)
	main := filepath.Join(dir, "jobs", "main.py")
	msrc, _ := os.ReadFile(main)
	var b strings.Builder
	b.Write(msrc)
	for i := range 2500 {
		b.WriteString("pairs" + strconv.Itoa(i) + " = sc.textFile('x').map(lambda l: (l, 1)).groupByKey().mapValues(sum)\n")
	}
	big := b.String()
	writeFile(t, main, big)
	c := newClient(t, clientOpts{root: dir, pull: true})
	helpers := filepath.Join(dir, "jobs", "helpers.py")
	hsrc, _ := os.ReadFile(helpers)
	huri, muri := pathToURI(helpers), pathToURI(main)
	c.open(muri, big)
	c.open(huri, string(hsrc))
	text := big
	for v := range 3 {
		got := c.pullDiags(muri).Items
		want := expectedRanges(t, main, text)
		n := 0
		for _, d := range got {
			if d.Code == "SPK201" {
				n++
			}
		}
		if n < 2500 || len(want) == 0 {
			t.Fatalf("version %d: %d SPK201 of 2500+", v, n)
		}
		c.pullUntil(huri, hasCode("SPK101"))
		// An edit in the middle.
		line := 40 + v*100
		c.change(muri, int32(v+2), TextDocumentContentChangeEvent{Range: &Range{Position{line, 0}, Position{line, 0}}, Text: "x = 1\n"})
		text = applyEdits(t, text, []TextEdit{{Range: Range{Position{line, 0}, Position{line, 0}}, NewText: "x = 1\n"}})
	}
}

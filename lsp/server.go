package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/sparklint/sparklint/lint"
)

// Options configure a server.
type Options struct {
	// Select, Ignore and Config are the defaults of the settings of the
	// same names (the command line of `sparklint lsp`); the client's
	// settings replace them.
	Select, Ignore []string
	Config         string
	// Debounce is how long analysis waits after a change (default 50 ms).
	// Pull requests do not wait for it.
	Debounce time.Duration
	// Log receives the server's log (default: discarded).
	Log io.Writer
	// Version is reported in serverInfo.
	Version string
}

// Test hooks: called at the start of every handler and of every
// analysis (to inject panics and delays).
var testHookHandle, testHookAnalyze atomic.Pointer[func(string)]

func runHook(h *atomic.Pointer[func(string)], arg string) {
	if f := h.Load(); f != nil {
		(*f)(arg)
	}
}

// ErrExitWithoutShutdown is what Serve returns when the client sent exit
// before shutdown (the process then exits with status 1).
var ErrExitWithoutShutdown = errors.New("exit without shutdown")

// LSP error codes outside JSON-RPC's.
const (
	codeServerNotInitialized = jsonrpc2.ServerNotInitialized // -32002
	codeRequestCancelled     = jsonrpc2.Code(-32800)
)

const (
	stateNew = iota
	stateRunning
	stateShutdown
)

// settings are the client's settings for sparklint.
type settings struct {
	Select, Ignore, ExtendSelect []string
	Config                       string
}

// Server is one language-server connection.
type Server struct {
	opts     Options
	ctx      context.Context // the connection's, for calls to the client
	conn     jsonrpc2.Conn
	done     chan struct{} // closed when the server stops
	exit     chan struct{}
	doneOnce sync.Once

	mu       sync.Mutex
	state    int
	sawShut  bool
	caps     ClientCapabilities
	pull     bool
	folders  []string
	settings settings
	// folderSettings are the settings of workspace folders (a client
	// answering workspace/configuration for a folder's scopeUri).
	folderSettings map[string]settings
	sessions       map[string]*lint.Session // by workspace folder and project root
	docs           map[string]*document     // by URI
	byPath         map[string]*document
	external       map[string]map[string][]lint.Finding // source file → file → findings in it
	indexDeps      map[string]map[string]string         // indexed (closed) file → its dependencies
	pending        []*document
	indexQueue     []string
	indexed        map[string]bool // queued for indexing
	seq            uint64          // numbers the result ids
	wake           chan struct{}
	refreshing     bool
	refreshAgain   bool                               // a refresh was asked for while one was in flight
	settingsSeq    uint64                             // numbers the workspace/configuration requests
	settingsDone   uint64                             // the newest applied
	inflight       map[jsonrpc2.ID]context.CancelFunc // calls being handled
}

// TuneGC sets the garbage collector for a language server process: a
// keystroke in a large file allocates a few times the live heap (a new
// syntax tree, scopes and types), so the default GOGC=100 collects on
// nearly every keystroke, in its latency. GOGC=300 collects a third as
// often for a few tens of MB more; the soft limit of 1 GiB makes the
// collector work harder before a large workspace index goes beyond it.
// Settings of the user (GOGC, GOMEMLIMIT in the environment) win.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}

// Serve runs a server on rwc (LSP Content-Length framing) until the client
// sends exit or closes the stream.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	s := newServer(opts)
	s.ctx = ctx
	stream := newTolerantStream(jsonrpc2.NewHeaderStream(rwc), s.logf)
	conn := jsonrpc2.NewConn(stream, jsonrpc2.WithCodec(stdCodec{}), jsonrpc2.WithPreempter(s))
	s.conn = conn
	go s.worker()
	conn.Go(ctx, s.handle)
	var err error
	select {
	case <-conn.Done():
		err = conn.Err()
	case <-s.exit:
		s.mu.Lock()
		if !s.sawShut {
			err = ErrExitWithoutShutdown
		}
		s.mu.Unlock()
	case <-ctx.Done():
	}
	s.stop()
	// Close waits for the read loop, which a blocking read of standard
	// input may hold forever: do not wait long for it.
	closed := make(chan struct{})
	go func() {
		_ = conn.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(time.Second):
	}
	return err
}

func newServer(opts Options) *Server {
	if opts.Debounce <= 0 {
		opts.Debounce = 50 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	return &Server{
		opts: opts, done: make(chan struct{}), exit: make(chan struct{}), wake: make(chan struct{}, 1),
		settings: settings{Select: opts.Select, Ignore: opts.Ignore, Config: opts.Config},
		sessions: map[string]*lint.Session{}, docs: map[string]*document{}, byPath: map[string]*document{},
		external: map[string]map[string][]lint.Finding{}, inflight: map[jsonrpc2.ID]context.CancelFunc{}, indexDeps: map[string]map[string]string{}, indexed: map[string]bool{},
	}
}

func (s *Server) stop() {
	s.doneOnce.Do(func() { close(s.done) })
}

func (s *Server) logf(format string, args ...any) {
	fmt.Fprintf(s.opts.Log, "sparklint lsp: "+format+"\n", args...)
}

// Preempt implements jsonrpc2.Preempter: $/cancelRequest is handled on the
// read loop, ahead of the requests it cancels.
func (s *Server) Preempt(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	if req.Method() != "$/cancelRequest" {
		return nil, jsonrpc2.ErrNotHandled
	}
	var p CancelParams
	if json.Unmarshal(req.Params(), &p) == nil {
		var n int64
		var str string
		switch {
		case json.Unmarshal(p.ID, &n) == nil:
			s.cancelCall(jsonrpc2.NewNumberID(n))
		case json.Unmarshal(p.ID, &str) == nil:
			s.cancelCall(jsonrpc2.NewStringID(str))
		}
	}
	return true, nil
}

func (s *Server) cancelCall(id jsonrpc2.ID) {
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// handle dispatches a request. A call runs with its own context, cancelled
// by $/cancelRequest. (The library's CancelHandler derives it from the
// pooled request context, which a cancellation goroutine may touch after
// the request was recycled.) A panic is turned into an InternalError
// response (for a call) and logged; the server goes on.
func (s *Server) handle(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
	method := req.Method()
	defer func() {
		if r := recover(); r != nil {
			s.logf("internal error in %s: %v\n%s", method, r, debug.Stack())
			result, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", method, r)
		}
	}()
	runHook(&testHookHandle, method)
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case method == "exit":
		select {
		case <-s.exit:
		default:
			close(s.exit)
		}
		return nil, nil
	case state == stateNew && method != "initialize":
		if req.IsCall() {
			return nil, jsonrpc2.NewError(codeServerNotInitialized, "the server is not initialized")
		}
		return nil, nil
	case state == stateShutdown:
		if req.IsCall() {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shut down")
		}
		return nil, nil
	}
	reqCtx := ctx // for jsonrpc2.Async
	if req.IsCall() {
		id := req.ID()
		cctx, cancel := context.WithCancel(s.ctx)
		s.mu.Lock()
		s.inflight[id] = cancel
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
			cancel()
		}()
		ctx = cctx
	}
	params := req.Params()
	decode := func(v any) error {
		if len(params) == 0 {
			return nil
		}
		if err := json.Unmarshal(params, v); err != nil {
			return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: invalid params: %v", method, err)
		}
		return nil
	}
	switch method {
	case "initialize":
		if state != stateNew {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "initialize sent twice")
		}
		var p InitializeParams
		if err := decode(&p); err != nil {
			return nil, err
		}
		return s.initialize(p), nil
	case "initialized":
		s.initialized()
		return nil, nil
	case "shutdown":
		s.mu.Lock()
		s.state, s.sawShut = stateShutdown, true
		s.mu.Unlock()
		return nil, nil
	case "textDocument/didOpen":
		var p DidOpenTextDocumentParams
		if err := decode(&p); err == nil {
			s.didOpen(p)
		}
		return nil, nil
	case "textDocument/didChange":
		var p DidChangeTextDocumentParams
		if err := decode(&p); err == nil {
			s.didChange(p)
		}
		return nil, nil
	case "textDocument/didSave":
		var p DidSaveTextDocumentParams
		if err := decode(&p); err == nil {
			s.fileChanged(uriToPath(p.TextDocument.URI))
		}
		return nil, nil
	case "textDocument/didClose":
		var p DidSaveTextDocumentParams
		if err := decode(&p); err == nil {
			s.didClose(p.TextDocument.URI)
		}
		return nil, nil
	case "notebookDocument/didOpen":
		var p DidOpenNotebookDocumentParams
		if err := decode(&p); err == nil {
			s.didOpenNotebook(p)
		}
		return nil, nil
	case "notebookDocument/didChange":
		var p DidChangeNotebookDocumentParams
		if err := decode(&p); err == nil {
			s.didChangeNotebook(p)
		}
		return nil, nil
	case "notebookDocument/didSave":
		var p DidSaveNotebookDocumentParams
		if err := decode(&p); err == nil {
			s.fileChanged(uriToPath(p.NotebookDocument.URI))
		}
		return nil, nil
	case "notebookDocument/didClose":
		var p DidCloseNotebookDocumentParams
		if err := decode(&p); err == nil {
			s.didCloseNotebook(p)
		}
		return nil, nil
	case "workspace/didChangeConfiguration":
		var p DidChangeConfigurationParams
		if err := decode(&p); err == nil {
			s.didChangeConfiguration(p)
		}
		return nil, nil
	case "workspace/didChangeWatchedFiles":
		var p DidChangeWatchedFilesParams
		if err := decode(&p); err == nil {
			s.didChangeWatchedFiles(p)
		}
		return nil, nil
	case "workspace/didChangeWorkspaceFolders":
		var p DidChangeWorkspaceFoldersParams
		if err := decode(&p); err == nil {
			s.didChangeFolders(p)
		}
		return nil, nil
	case "textDocument/diagnostic":
		var p DocumentDiagnosticParams
		if err := decode(&p); err != nil {
			return nil, err
		}
		jsonrpc2.Async(reqCtx)
		return s.pullDiagnostics(ctx, p)
	case "textDocument/codeAction":
		var p CodeActionParams
		if err := decode(&p); err != nil {
			return nil, err
		}
		jsonrpc2.Async(reqCtx)
		return s.codeActions(ctx, p)
	case "textDocument/hover":
		var p TextDocumentPositionParams
		if err := decode(&p); err != nil {
			return nil, err
		}
		return s.hover(p), nil
	}
	if req.IsCall() {
		return nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method)
	}
	return nil, nil // unknown notifications ($/setTrace...) are ignored
}

func (s *Server) initialize(p InitializeParams) *InitializeResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = stateRunning
	s.caps = p.Capabilities
	s.pull = p.Capabilities.TextDocument.Diagnostic != nil
	for _, f := range p.WorkspaceFolders {
		s.folders = append(s.folders, uriToPath(f.URI))
	}
	if len(s.folders) == 0 {
		switch {
		case p.RootURI != "":
			s.folders = []string{uriToPath(p.RootURI)}
		case p.RootPath != "":
			s.folders = []string{filepath.Clean(p.RootPath)}
		}
	}
	if len(p.InitializationOptions) > 0 {
		if st, ok := parseSettings(p.InitializationOptions); ok {
			s.settings = st
		}
	}
	res := &InitializeResult{Capabilities: map[string]any{
		"positionEncoding": "utf-16",
		"textDocumentSync": map[string]any{"openClose": true, "change": 2, "save": map[string]any{"includeText": false}},
		// Python cells of any notebook (Jupyter, Databricks) come as
		// notebook documents; their code cells are checked together.
		"notebookDocumentSync": map[string]any{
			"notebookSelector": []any{map[string]any{"notebook": "*", "cells": []any{map[string]any{"language": "python"}}}},
			"save":             true,
		},
		"codeActionProvider": map[string]any{
			"codeActionKinds": []string{KindQuickFix, KindFixAll},
		},
		"hoverProvider": true,
		"diagnosticProvider": map[string]any{
			"identifier": "sparklint", "interFileDependencies": true, "workspaceDiagnostics": false,
		},
		"workspace": map[string]any{
			"workspaceFolders": map[string]any{"supported": true, "changeNotifications": true},
		},
	}}
	res.ServerInfo.Name = "sparklint"
	res.ServerInfo.Version = s.opts.Version
	return res
}

// initialized registers the file watchers, asks for the settings, and
// starts indexing the workspace (in the background: server-to-client
// calls cannot wait on the read loop).
func (s *Server) initialized() {
	ctx := s.ctx
	s.mu.Lock()
	caps := s.caps
	s.mu.Unlock()
	go func() {
		defer s.recoverLog("initialized")
		var regs []Registration
		if caps.Workspace.DidChangeWatchedFiles.DynamicRegistration {
			regs = append(regs, Registration{ID: "sparklint-watch", Method: "workspace/didChangeWatchedFiles",
				RegisterOptions: map[string]any{"watchers": []FileSystemWatcher{
					{GlobPattern: "**/pyproject.toml"}, {GlobPattern: "**/sparklint.toml"}, {GlobPattern: "**/*.py"},
				}}})
		}
		if caps.Workspace.DidChangeConfiguration.DynamicRegistration {
			regs = append(regs, Registration{ID: "sparklint-config", Method: "workspace/didChangeConfiguration"})
		}
		if len(regs) > 0 {
			if _, err := s.conn.Call(ctx, "client/registerCapability", RegistrationParams{Registrations: regs}, nil); err != nil {
				s.logf("client/registerCapability: %v", err)
			}
		}
		if caps.Workspace.Configuration {
			s.pullSettings(ctx, false)
		}
		s.queueIndex()
	}()
}

func (s *Server) recoverLog(what string) {
	if r := recover(); r != nil {
		s.logf("internal error in %s: %v\n%s", what, r, debug.Stack())
	}
}

// pullSettings asks the client for the "sparklint" section, for the
// window (unless foldersOnly) and for each workspace folder (VS Code
// resolves a folder's .vscode/settings.json over the user's), and
// applies them.
func (s *Server) pullSettings(ctx context.Context, foldersOnly bool) {
	s.mu.Lock()
	folders := append([]string(nil), s.folders...)
	s.mu.Unlock()
	var items []ConfigurationItem
	if !foldersOnly {
		items = append(items, ConfigurationItem{Section: "sparklint"})
	}
	for _, f := range folders {
		items = append(items, ConfigurationItem{ScopeURI: pathToURI(f), Section: "sparklint"})
	}
	s.mu.Lock()
	s.settingsSeq++
	seq := s.settingsSeq
	s.mu.Unlock()
	var out []json.RawMessage
	if _, err := s.conn.Call(ctx, "workspace/configuration", ConfigurationParams{Items: items}, &out); err != nil {
		s.logf("workspace/configuration: %v", err)
		return
	}
	// Answers can arrive out of order: an older one is out of date.
	s.mu.Lock()
	stale := seq < s.settingsDone
	if !stale {
		s.settingsDone = seq
	}
	s.mu.Unlock()
	if stale {
		return
	}
	st := s.currentSettings()
	if !foldersOnly {
		if len(out) == 0 {
			return
		}
		if g, ok := parseSettings(out[0]); ok {
			st = g
		}
		out = out[1:]
	}
	perFolder := map[string]settings{}
	for i, f := range folders {
		if i < len(out) {
			if fs, ok := parseSettings(out[i]); ok {
				perFolder[f] = fs
			}
		}
	}
	s.mu.Lock()
	s.folderSettings = perFolder
	s.mu.Unlock()
	s.applySettings(st)
}

func (s *Server) currentSettings() settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

func (s *Server) didChangeConfiguration(p DidChangeConfigurationParams) {
	s.mu.Lock()
	pullCfg := s.caps.Workspace.Configuration
	s.mu.Unlock()
	st, ok := parseSettings(p.Settings)
	if ok {
		// The notification's settings are the window's; the folders'
		// are asked for.
		s.applySettings(st)
	}
	if pullCfg {
		go func() {
			defer s.recoverLog("workspace/configuration")
			s.pullSettings(s.ctx, ok)
		}()
	}
}

// applySettings replaces the settings: configurations are read again and
// every open document is checked again.
func (s *Server) applySettings(st settings) {
	s.mu.Lock()
	s.settings = st
	s.mu.Unlock()
	s.resetSessions()
}

// resetSessions drops the sessions (configuration, parsed modules) and
// analyses every open document and the workspace again.
func (s *Server) resetSessions() {
	s.mu.Lock()
	s.sessions = map[string]*lint.Session{}
	docs := make([]*document, 0, len(s.docs))
	for _, d := range s.docs {
		docs = append(docs, d)
	}
	pull := s.pull
	s.mu.Unlock()
	for _, d := range docs {
		d.mu.Lock()
		d.gen++ // the last result is out of date
		d.mu.Unlock()
		s.enqueue(d)
	}
	s.queueIndex()
	if pull && len(docs) > 0 {
		s.refresh() // the client pulls again, and waits for the new results
	}
}

// parseSettings reads the client's settings: {"sparklint": {...}} or the
// section itself, with select, ignore, extendSelect (lists or
// comma-separated strings) and config (a configuration file path).
func parseSettings(raw json.RawMessage) (settings, bool) {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return settings{}, false
	}
	if inner, ok := m["sparklint"].(map[string]any); ok {
		m = inner
	}
	list := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			switch v := m[k].(type) {
			case string:
				for part := range strings.SplitSeq(v, ",") {
					if part = strings.TrimSpace(part); part != "" {
						out = append(out, part)
					}
				}
			case []any:
				for _, x := range v {
					if str, ok := x.(string); ok && strings.TrimSpace(str) != "" {
						out = append(out, strings.TrimSpace(str))
					}
				}
			}
		}
		return out
	}
	st := settings{Select: list("select"), Ignore: list("ignore"), ExtendSelect: list("extendSelect", "extend-select")}
	for _, k := range []string{"config", "configPath", "configuration"} {
		if v, ok := m[k].(string); ok && v != "" {
			st.Config = v
			break
		}
	}
	return st, true
}

// sessionFor returns the session of the project holding path: the
// workspace folder that contains it (the project root found from there,
// as `sparklint check` run in the folder finds it), else the project root
// found from the file.
func (s *Server) sessionFor(path string) *lint.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	base := ""
	for _, f := range s.folders {
		if (path == f || strings.HasPrefix(path, f+string(filepath.Separator))) && len(f) > len(base) {
			base = f
		}
	}
	st, scoped := s.folderSettings[base]
	if !scoped {
		st = s.settings
	}
	if base == "" {
		base = filepath.Dir(path)
	}
	root := lint.FindRoot(base)
	key := root
	if scoped {
		key = base + "\x00" + root // a folder's own settings: its own session
	}
	if sess := s.sessions[key]; sess != nil {
		return sess
	}
	opts := lint.Options{Select: st.Select, Ignore: st.Ignore, ExtendSelect: st.ExtendSelect}
	if c := st.Config; c != "" {
		if !filepath.IsAbs(c) {
			c = filepath.Join(root, c)
		}
		opts.Config = c
	}
	sess, err := lint.NewSession(root, opts)
	if err != nil {
		s.showError("sparklint: %v (using the default rules)", err)
		sess, err = lint.NewSession(root, lint.Options{})
		if err != nil {
			return nil
		}
	}
	s.sessions[key] = sess
	return sess
}

// showError shows a message to the user (in the background) and logs it.
func (s *Server) showError(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.logf("%s", msg)
	go func() {
		_ = s.conn.Notify(s.ctx, "window/showMessage", LogMessageParams{Type: 1, Message: msg})
	}()
}

func (s *Server) didOpen(p DidOpenTextDocumentParams) {
	td := p.TextDocument
	if d := s.doc(td.URI); d != nil && (d.inNotebook != nil || d.nb != nil) {
		// A client that syncs a cell as a text document too, or opens the
		// notebook's file as text: the notebook document is the one
		// checked, and its copies are ignored.
		return
	}
	path := uriToPath(td.URI)
	d := newDocument(td.URI, path, td.Version, []byte(td.Text))
	ext := strings.ToLower(filepath.Ext(path))
	d.skip = ext == ".ipynb" || (td.LanguageID != "python" && ext != ".py" && ext != ".pyi")
	s.mu.Lock()
	old := s.docs[td.URI]
	if old != nil {
		s.unlinkLocked(old)
	}
	s.docs[td.URI] = d
	s.byPath[path] = d
	s.mu.Unlock()
	if old != nil {
		old.close()
	}
	s.enqueue(d)
}

func (s *Server) didChange(p DidChangeTextDocumentParams) {
	s.mu.Lock()
	d := s.docs[p.TextDocument.URI]
	s.mu.Unlock()
	if d == nil {
		s.logf("didChange for a document that is not open: %s", p.TextDocument.URI)
		return
	}
	if d.inNotebook != nil || d.nb != nil {
		return // a notebook's: changed through notebookDocument/didChange
	}
	d.mu.Lock()
	clamped := false
	for _, ch := range p.ContentChanges {
		if d.apply(ch) {
			clamped = true
		}
	}
	d.version = p.TextDocument.Version
	d.gen++
	if d.timer == nil {
		d.timer = time.AfterFunc(s.opts.Debounce, func() { s.enqueue(d) })
	} else {
		d.timer.Reset(s.opts.Debounce)
	}
	d.mu.Unlock()
	if clamped {
		s.logf("%s: a change's range was outside the document; clamped to it", p.TextDocument.URI)
	}
}

func (s *Server) didClose(uri string) {
	if d := s.doc(uri); d != nil && (d.inNotebook != nil || d.nb != nil) {
		return // a notebook's: closed through notebookDocument/didClose
	}
	s.mu.Lock()
	d := s.docs[uri]
	if d != nil {
		s.unlinkLocked(d)
	}
	pull := s.pull
	sessions := s.allSessions()
	s.mu.Unlock()
	if d == nil {
		return
	}
	d.close()
	if !pull {
		s.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams{URI: uri, Diagnostics: []Diagnostic{}})
	}
	// The file on disk replaces the editor's text for the other files.
	for _, sess := range sessions {
		sess.Project().Forget(d.path)
	}
	s.dependencyChanged(d.path)
}

// unlinkLocked forgets a document (s.mu held); d.close follows.
func (s *Server) unlinkLocked(d *document) {
	delete(s.docs, d.uri)
	if s.byPath[d.path] == d {
		delete(s.byPath, d.path)
	}
}

// close marks d closed, frees its tree and wakes its waiters.
func (d *document) close() {
	d.mu.Lock()
	d.closed = true
	if d.timer != nil {
		d.timer.Stop()
	}
	d.tree.Close()
	d.tree = nil
	close(d.fresh) // waiters see closed
	d.fresh = make(chan struct{})
	d.mu.Unlock()
}

func (s *Server) allSessions() []*lint.Session {
	out := make([]*lint.Session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		out = append(out, sess)
	}
	return out
}

// fileChanged handles a file saved or changed on disk: the projects
// forget it, and what depends on it is checked again.
func (s *Server) fileChanged(path string) {
	s.mu.Lock()
	sessions := s.allSessions()
	s.mu.Unlock()
	for _, sess := range sessions {
		sess.Project().Forget(path)
	}
	s.dependencyChanged(path)
}

// dependencyChanged checks again the open documents and the indexed files
// whose findings depend on path, and path itself.
func (s *Server) dependencyChanged(path string) {
	s.mu.Lock()
	var docs []*document
	for _, d := range s.docs {
		docs = append(docs, d)
	}
	var files []string
	self := s.byPath[path] == nil && strings.HasSuffix(path, ".py")
	for f, deps := range s.indexDeps {
		if _, ok := deps[path]; ok {
			files = append(files, f)
		}
	}
	pull := s.pull
	s.mu.Unlock()
	// A closed file changed on disk is checked again, unless the
	// configuration excludes it (the workspace index never read it; the
	// watcher reports .venv too). Checked here, not for every indexed
	// file: the index lists only files the configuration keeps.
	if self {
		if sess := s.sessionFor(path); sess != nil && sess.Excluded(path) {
			s.mu.Lock()
			delete(s.indexDeps, path)
			s.mu.Unlock()
			s.setExternal(path, nil)
		} else {
			files = append(files, path)
		}
	}
	stale := false
	for _, d := range docs {
		d.mu.Lock()
		d.registeredIn = nil // registered again with its current text
		dep := false
		if d.result != nil {
			_, dep = d.result.deps[path]
		}
		if dep || d.path == path {
			d.gen++ // the last result is out of date
		}
		// Cells are checked with their notebook: never stale themselves.
		again := d.inNotebook == nil && (d.result == nil || d.result.gen != d.gen)
		d.mu.Unlock()
		if again {
			stale = true
			s.enqueue(d)
		}
	}
	s.queueFiles(files)
	if pull && stale {
		s.refresh()
	}
}

func (s *Server) didChangeWatchedFiles(p DidChangeWatchedFilesParams) {
	config := false
	for _, ch := range p.Changes {
		path := uriToPath(ch.URI)
		switch filepath.Base(path) {
		case "pyproject.toml", "sparklint.toml":
			config = true
			continue
		}
		if ch.Type == 3 { // deleted
			s.mu.Lock()
			delete(s.indexDeps, path)
			s.mu.Unlock()
			s.setExternal(path, nil)
		}
		s.fileChanged(path)
	}
	if config {
		s.resetSessions()
	}
}

func (s *Server) didChangeFolders(p DidChangeWorkspaceFoldersParams) {
	s.mu.Lock()
	for _, f := range p.Event.Removed {
		path := uriToPath(f.URI)
		s.folders = slices.DeleteFunc(s.folders, func(x string) bool { return x == path })
	}
	for _, f := range p.Event.Added {
		s.folders = append(s.folders, uriToPath(f.URI))
	}
	pullCfg := s.caps.Workspace.Configuration
	s.mu.Unlock()
	s.resetSessions()
	if pullCfg { // the new folders' settings
		go func() {
			defer s.recoverLog("workspace/configuration")
			s.pullSettings(s.ctx, false)
		}()
	}
}

func (s *Server) notify(method string, params any) {
	if err := s.conn.Notify(s.ctx, method, params); err != nil {
		s.logf("%s: %v", method, err)
	}
}

package lsp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
)

// client is a test LSP client: the library's Conn over an in-memory pipe
// to a server running in-process.
type client struct {
	t        testing.TB
	in       *stampedConn
	conn     jsonrpc2.Conn
	served   chan error
	mu       sync.Mutex
	diags    map[string]PublishDiagnosticsParams
	diagCh   chan PublishDiagnosticsParams
	calls    chan string // methods the server called
	settings json.RawMessage
	scoped   map[string]string // settings by scopeUri
	regs     []Registration
}

type clientOpts struct {
	pull     bool
	config   bool // answers workspace/configuration with settings
	settings string
	scoped   map[string]string // settings by scopeUri (folders)
	root     string
	folders  []string // more workspace folders
	server   Options
	initOpts string
	// hook, when it returns true, answers a server-to-client call in place
	// of client.handle (to delay or reorder answers, as a busy client
	// does).
	hook callHook
}

func newClient(t testing.TB, o clientOpts) *client {
	t.Helper()
	a, pipe := net.Pipe()
	b := &stampedConn{Conn: pipe}
	served := make(chan error, 1)
	go func() { served <- Serve(context.Background(), a, o.server) }()
	c := &client{t: t, in: b, served: served, diags: map[string]PublishDiagnosticsParams{},
		diagCh: make(chan PublishDiagnosticsParams, 10000), calls: make(chan string, 100), settings: json.RawMessage(o.settings), scoped: o.scoped}
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewHeaderStream(b), jsonrpc2.WithCodec(stdCodec{}))
	c.conn.Go(context.Background(), jsonrpc2.AsyncHandler(func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
		if o.hook != nil {
			if res, ok := o.hook(ctx, req); ok {
				return res, nil
			}
		}
		return c.handle(ctx, req)
	}))
	t.Cleanup(func() {
		_ = c.conn.Close()
		select {
		case <-served:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop after the client closed the pipe")
		}
	})
	caps := map[string]any{
		"workspace": map[string]any{
			"configuration":          o.config,
			"didChangeWatchedFiles":  map[string]any{"dynamicRegistration": true},
			"didChangeConfiguration": map[string]any{"dynamicRegistration": true},
			"diagnostics":            map[string]any{"refreshSupport": true},
		},
		"textDocument": map[string]any{},
	}
	if o.pull {
		caps["textDocument"] = map[string]any{"diagnostic": map[string]any{"dynamicRegistration": false}}
	}
	params := map[string]any{"processId": nil, "capabilities": caps}
	if o.root != "" {
		folders := []WorkspaceFolder{{URI: pathToURI(o.root), Name: "ws"}}
		for i, f := range o.folders {
			folders = append(folders, WorkspaceFolder{URI: pathToURI(f), Name: fmt.Sprintf("ws%d", i+2)})
		}
		params["workspaceFolders"] = folders
	}
	if o.initOpts != "" {
		params["initializationOptions"] = json.RawMessage(o.initOpts)
	}
	var res InitializeResult
	c.call("initialize", params, &res)
	if res.ServerInfo.Name != "sparklint" {
		t.Fatalf("initialize: %+v", res)
	}
	c.notify("initialized", map[string]any{})
	return c
}

// stampedConn notes when bytes last arrived from the server: the time a
// response was received, before the client decodes it.
type stampedConn struct {
	net.Conn
	last atomic.Int64
}

func (s *stampedConn) Read(p []byte) (int, error) {
	n, err := s.Conn.Read(p)
	s.last.Store(time.Now().UnixNano())
	return n, err
}

// lastArrival is when the client last received bytes from the server.
func (c *client) lastArrival() time.Time { return time.Unix(0, c.in.last.Load()) }

func (c *client) handle(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	switch req.Method() {
	case "textDocument/publishDiagnostics":
		var p PublishDiagnosticsParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			c.t.Errorf("publishDiagnostics: %v", err)
		}
		c.mu.Lock()
		c.diags[p.URI] = p
		c.mu.Unlock()
		c.diagCh <- p
		return nil, nil
	case "workspace/configuration":
		c.calls <- req.Method()
		var p ConfigurationParams
		_ = json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		defer c.mu.Unlock()
		out := []json.RawMessage{}
		for _, it := range p.Items {
			if st, ok := c.scoped[it.ScopeURI]; ok && it.ScopeURI != "" {
				out = append(out, json.RawMessage(st))
			} else {
				out = append(out, c.settings)
			}
		}
		return out, nil
	case "client/registerCapability":
		var p RegistrationParams
		_ = json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		c.regs = append(c.regs, p.Registrations...)
		c.mu.Unlock()
		c.calls <- req.Method()
		return nil, nil
	case "workspace/diagnostic/refresh":
		c.calls <- req.Method()
		return nil, nil
	}
	return nil, nil
}

func (c *client) call(method string, params, result any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.conn.Call(ctx, method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) open(uri, text string) {
	c.notify("textDocument/didOpen", DidOpenTextDocumentParams{TextDocument: TextDocumentItem{URI: uri, LanguageID: "python", Version: 1, Text: text}})
}

func (c *client) change(uri string, version int32, changes ...TextDocumentContentChangeEvent) {
	c.notify("textDocument/didChange", DidChangeTextDocumentParams{TextDocument: VersionedTextDocumentIdentifier{URI: uri, Version: version}, ContentChanges: changes})
}

func (c *client) pullDiags(uri string) DocumentDiagnosticReport {
	c.t.Helper()
	var r DocumentDiagnosticReport
	c.call("textDocument/diagnostic", DocumentDiagnosticParams{TextDocument: TextDocumentIdentifier{URI: uri}}, &r)
	return r
}

// pullUntil pulls uri's diagnostics until ok accepts them (settings
// arrive and apply in the background), failing after 10 s.
func (c *client) pullUntil(uri string, ok func([]Diagnostic) bool) []Diagnostic {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d := c.pullDiags(uri).Items
		if ok(d) {
			return d
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: diagnostics never matched; last: %+v", uri, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitDiags waits for a publishDiagnostics of uri that satisfies ok.
func (c *client) waitDiags(uri string, ok func([]Diagnostic) bool) []Diagnostic {
	c.t.Helper()
	c.mu.Lock()
	p, seen := c.diags[uri]
	c.mu.Unlock()
	if seen && ok(p.Diagnostics) {
		return p.Diagnostics
	}
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-c.diagCh:
			if p.URI == uri && ok(p.Diagnostics) {
				return p.Diagnostics
			}
		case <-deadline:
			c.mu.Lock()
			last := c.diags[uri]
			c.mu.Unlock()
			c.t.Fatalf("no matching diagnostics for %s; last: %+v", uri, last)
			return nil
		}
	}
}

func (c *client) waitCall(method string) {
	c.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case m := <-c.calls:
			if m == method {
				return
			}
		case <-deadline:
			c.t.Fatalf("the server did not call %s", method)
		}
	}
}

func codes(ds []Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

func hasCode(code string) func([]Diagnostic) bool {
	return func(ds []Diagnostic) bool {
		for _, d := range ds {
			if d.Code == code {
				return true
			}
		}
		return false
	}
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rawConn speaks the framing by hand, to send what the library would not.
type rawConn struct {
	t      *testing.T
	conn   net.Conn
	r      *bufio.Reader
	served chan error
}

func newRawConn(t *testing.T) *rawConn {
	a, b := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- Serve(context.Background(), a, Options{}) }()
	rc := &rawConn{t: t, conn: b, r: bufio.NewReader(b), served: served}
	t.Cleanup(func() { _ = b.Close() })
	return rc
}

func (rc *rawConn) send(body string) {
	rc.t.Helper()
	_ = rc.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := fmt.Fprintf(rc.conn, "Content-Length: %d\r\n\r\n%s", len(body), body); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

// recv reads the next message the server sends, skipping notifications.
func (rc *rawConn) recv() map[string]any {
	rc.t.Helper()
	for {
		_ = rc.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n := -1
		for {
			line, err := rc.r.ReadString('\n')
			if err != nil {
				rc.t.Fatalf("read: %v", err)
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				n, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(rc.r, body); err != nil {
			rc.t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			rc.t.Fatalf("bad message %q: %v", body, err)
		}
		if _, isNote := m["method"]; isNote && m["id"] == nil {
			continue
		}
		return m
	}
}

func errCode(m map[string]any) int {
	e, _ := m["error"].(map[string]any)
	if e == nil {
		return 0
	}
	f, _ := e["code"].(float64)
	return int(f)
}

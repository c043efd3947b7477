package lsp

import "encoding/json"

// The subset of the LSP 3.17 structures the server uses. (go.lsp.dev/protocol,
// the structures that go with the JSON-RPC library, stops at LSP 3.16 and
// depends on the previous major version of go.lsp.dev/jsonrpc2.)

// Position is a 0-based line and a 0-based column in UTF-16 code units.
type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Range is a half-open range of positions.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Location is a range in a document.
type Location struct {
	URI   string `json:"uri"`
	Range Range  `json:"range"`
}

// Diagnostic severities.
const (
	SeverityError   = 1
	SeverityWarning = 2
)

// Diagnostic is a finding as the editor shows it.
type Diagnostic struct {
	Range              Range                          `json:"range"`
	Severity           int                            `json:"severity,omitempty"`
	Code               string                         `json:"code,omitempty"`
	CodeDescription    *CodeDescription               `json:"codeDescription,omitempty"`
	Source             string                         `json:"source,omitempty"`
	Message            string                         `json:"message"`
	RelatedInformation []DiagnosticRelatedInformation `json:"relatedInformation,omitempty"`
	Data               json.RawMessage                `json:"data,omitempty"`
}

// CodeDescription links a diagnostic's code to its documentation.
type CodeDescription struct {
	Href string `json:"href"`
}

// DiagnosticRelatedInformation is a secondary location of a diagnostic.
type DiagnosticRelatedInformation struct {
	Location Location `json:"location"`
	Message  string   `json:"message"`
}

// TextDocumentItem is an opened document.
type TextDocumentItem struct {
	URI        string `json:"uri"`
	LanguageID string `json:"languageId"`
	Version    int32  `json:"version"`
	Text       string `json:"text"`
}

// TextDocumentIdentifier names a document.
type TextDocumentIdentifier struct {
	URI string `json:"uri"`
}

// VersionedTextDocumentIdentifier names a version of a document.
type VersionedTextDocumentIdentifier struct {
	URI     string `json:"uri"`
	Version int32  `json:"version"`
}

// TextDocumentContentChangeEvent is a change: Range nil replaces the text.
type TextDocumentContentChangeEvent struct {
	Range *Range `json:"range,omitempty"`
	Text  string `json:"text"`
}

// DidOpenTextDocumentParams of textDocument/didOpen.
type DidOpenTextDocumentParams struct {
	TextDocument TextDocumentItem `json:"textDocument"`
}

// DidChangeTextDocumentParams of textDocument/didChange.
type DidChangeTextDocumentParams struct {
	TextDocument   VersionedTextDocumentIdentifier  `json:"textDocument"`
	ContentChanges []TextDocumentContentChangeEvent `json:"contentChanges"`
}

// DidSaveTextDocumentParams of textDocument/didSave (and didClose).
type DidSaveTextDocumentParams struct {
	TextDocument TextDocumentIdentifier `json:"textDocument"`
	Text         *string                `json:"text,omitempty"`
}

// PublishDiagnosticsParams of textDocument/publishDiagnostics.
type PublishDiagnosticsParams struct {
	URI         string       `json:"uri"`
	Version     *int32       `json:"version,omitempty"`
	Diagnostics []Diagnostic `json:"diagnostics"`
}

// DocumentDiagnosticParams of textDocument/diagnostic.
type DocumentDiagnosticParams struct {
	TextDocument     TextDocumentIdentifier `json:"textDocument"`
	Identifier       string                 `json:"identifier,omitempty"`
	PreviousResultID string                 `json:"previousResultId,omitempty"`
}

// DocumentDiagnosticReport is a full or unchanged report.
type DocumentDiagnosticReport struct {
	Kind     string       `json:"kind"` // "full" or "unchanged"
	ResultID string       `json:"resultId,omitempty"`
	Items    []Diagnostic `json:"items,omitempty"`
}

// TextEdit replaces a range.
type TextEdit struct {
	Range   Range  `json:"range"`
	NewText string `json:"newText"`
}

// WorkspaceEdit is a set of edits per document.
type WorkspaceEdit struct {
	Changes map[string][]TextEdit `json:"changes"`
}

// CodeActionParams of textDocument/codeAction.
type CodeActionParams struct {
	TextDocument TextDocumentIdentifier `json:"textDocument"`
	Range        Range                  `json:"range"`
	Context      struct {
		Diagnostics []Diagnostic `json:"diagnostics"`
		Only        []string     `json:"only,omitempty"`
	} `json:"context"`
}

// CodeAction is a fix or a source action.
type CodeAction struct {
	Title       string         `json:"title"`
	Kind        string         `json:"kind,omitempty"`
	Diagnostics []Diagnostic   `json:"diagnostics,omitempty"`
	IsPreferred bool           `json:"isPreferred,omitempty"`
	Edit        *WorkspaceEdit `json:"edit,omitempty"`
}

// Code action kinds.
const (
	KindQuickFix = "quickfix"
	KindFixAll   = "source.fixAll.sparklint"
)

// TextDocumentPositionParams of textDocument/hover.
type TextDocumentPositionParams struct {
	TextDocument TextDocumentIdentifier `json:"textDocument"`
	Position     Position               `json:"position"`
}

// Hover is a hover result.
type Hover struct {
	Contents MarkupContent `json:"contents"`
	Range    *Range        `json:"range,omitempty"`
}

// MarkupContent is Markdown or plain text.
type MarkupContent struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// WorkspaceFolder is a root of the workspace.
type WorkspaceFolder struct {
	URI  string `json:"uri"`
	Name string `json:"name"`
}

// InitializeParams of initialize (the parts the server reads).
type InitializeParams struct {
	ProcessID             *int               `json:"processId"`
	RootURI               string             `json:"rootUri,omitempty"`
	RootPath              string             `json:"rootPath,omitempty"`
	WorkspaceFolders      []WorkspaceFolder  `json:"workspaceFolders,omitempty"`
	InitializationOptions json.RawMessage    `json:"initializationOptions,omitempty"`
	Capabilities          ClientCapabilities `json:"capabilities"`
}

// ClientCapabilities are the client capabilities the server looks at.
type ClientCapabilities struct {
	Workspace struct {
		Configuration         bool `json:"configuration"`
		WorkspaceFolders      bool `json:"workspaceFolders"`
		DidChangeWatchedFiles struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"didChangeWatchedFiles"`
		DidChangeConfiguration struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"didChangeConfiguration"`
		Diagnostics struct {
			RefreshSupport bool `json:"refreshSupport"`
		} `json:"diagnostics"`
	} `json:"workspace"`
	TextDocument struct {
		Diagnostic *struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"diagnostic,omitempty"`
		PublishDiagnostics struct {
			VersionSupport bool `json:"versionSupport"`
		} `json:"publishDiagnostics"`
	} `json:"textDocument"`
}

// InitializeResult answers initialize.
type InitializeResult struct {
	Capabilities map[string]any `json:"capabilities"`
	ServerInfo   struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	} `json:"serverInfo"`
}

// DidChangeWorkspaceFoldersParams of workspace/didChangeWorkspaceFolders.
type DidChangeWorkspaceFoldersParams struct {
	Event struct {
		Added   []WorkspaceFolder `json:"added"`
		Removed []WorkspaceFolder `json:"removed"`
	} `json:"event"`
}

// DidChangeConfigurationParams of workspace/didChangeConfiguration.
type DidChangeConfigurationParams struct {
	Settings json.RawMessage `json:"settings"`
}

// FileEvent is a change of a watched file.
type FileEvent struct {
	URI  string `json:"uri"`
	Type int    `json:"type"` // 1 created, 2 changed, 3 deleted
}

// DidChangeWatchedFilesParams of workspace/didChangeWatchedFiles.
type DidChangeWatchedFilesParams struct {
	Changes []FileEvent `json:"changes"`
}

// ConfigurationParams of workspace/configuration.
type ConfigurationParams struct {
	Items []ConfigurationItem `json:"items"`
}

// ConfigurationItem asks for a section of the settings.
type ConfigurationItem struct {
	ScopeURI string `json:"scopeUri,omitempty"`
	Section  string `json:"section,omitempty"`
}

// Registration of client/registerCapability.
type Registration struct {
	ID              string `json:"id"`
	Method          string `json:"method"`
	RegisterOptions any    `json:"registerOptions,omitempty"`
}

// RegistrationParams of client/registerCapability.
type RegistrationParams struct {
	Registrations []Registration `json:"registrations"`
}

// FileSystemWatcher is a glob the client watches.
type FileSystemWatcher struct {
	GlobPattern string `json:"globPattern"`
}

// LogMessageParams of window/logMessage and window/showMessage.
type LogMessageParams struct {
	Type    int    `json:"type"` // 1 error, 2 warning, 3 info, 4 log
	Message string `json:"message"`
}

// CancelParams of $/cancelRequest.
type CancelParams struct {
	ID json.RawMessage `json:"id"`
}

// Notebook document synchronisation (LSP 3.17).

// NotebookCell is a cell of a notebook document: Kind 1 is markup, 2 is
// code; Document is the URI of the cell's text document.
type NotebookCell struct {
	Kind     int    `json:"kind"`
	Document string `json:"document"`
}

// Notebook cell kinds.
const (
	CellMarkup = 1
	CellCode   = 2
)

// NotebookDocument is an opened notebook.
type NotebookDocument struct {
	URI          string         `json:"uri"`
	NotebookType string         `json:"notebookType"`
	Version      int32          `json:"version"`
	Cells        []NotebookCell `json:"cells"`
}

// DidOpenNotebookDocumentParams of notebookDocument/didOpen.
type DidOpenNotebookDocumentParams struct {
	NotebookDocument  NotebookDocument   `json:"notebookDocument"`
	CellTextDocuments []TextDocumentItem `json:"cellTextDocuments"`
}

// NotebookCellArrayChange replaces DeleteCount cells from Start by Cells.
type NotebookCellArrayChange struct {
	Start       int            `json:"start"`
	DeleteCount int            `json:"deleteCount"`
	Cells       []NotebookCell `json:"cells,omitempty"`
}

// NotebookDocumentChangeEvent is a change of a notebook: its cell list,
// their kinds, their texts.
type NotebookDocumentChangeEvent struct {
	Cells *struct {
		Structure *struct {
			Array    NotebookCellArrayChange  `json:"array"`
			DidOpen  []TextDocumentItem       `json:"didOpen,omitempty"`
			DidClose []TextDocumentIdentifier `json:"didClose,omitempty"`
		} `json:"structure,omitempty"`
		Data        []NotebookCell `json:"data,omitempty"`
		TextContent []struct {
			Document VersionedTextDocumentIdentifier  `json:"document"`
			Changes  []TextDocumentContentChangeEvent `json:"changes"`
		} `json:"textContent,omitempty"`
	} `json:"cells,omitempty"`
}

// DidChangeNotebookDocumentParams of notebookDocument/didChange.
type DidChangeNotebookDocumentParams struct {
	NotebookDocument VersionedTextDocumentIdentifier `json:"notebookDocument"`
	Change           NotebookDocumentChangeEvent     `json:"change"`
}

// DidSaveNotebookDocumentParams of notebookDocument/didSave.
type DidSaveNotebookDocumentParams struct {
	NotebookDocument TextDocumentIdentifier `json:"notebookDocument"`
}

// DidCloseNotebookDocumentParams of notebookDocument/didClose.
type DidCloseNotebookDocumentParams struct {
	NotebookDocument  TextDocumentIdentifier   `json:"notebookDocument"`
	CellTextDocuments []TextDocumentIdentifier `json:"cellTextDocuments,omitempty"`
}

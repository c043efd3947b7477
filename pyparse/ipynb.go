package pyparse

import (
	"encoding/json"
	"errors"
	"go/token"
	"regexp"
	"strings"
)

// shellAssign matches IPython's `names = !command` and `names = %magic`.
var shellAssign = regexp.MustCompile(`^[\w., ]+=\s*[!%]`)

// notebookJSON is the part of the Jupyter format sparklint reads.
type notebookJSON struct {
	Cells []struct {
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"`
	} `json:"cells"`
}

// JupyterSource turns a Jupyter notebook (.ipynb JSON) into Python source:
// its code cells one after another, each starting on a new line, with
// IPython magics and shell escapes (`%...`, `!...`, whole `%%` cells)
// commented out so that the rest parses. It returns the source and, for
// each code cell in order, its index among all cells and the 0-based line
// where it starts.
func JupyterSource(data []byte) (src []byte, cells []Cell, err error) {
	var nb notebookJSON
	if err := json.Unmarshal(data, &nb); err != nil {
		return nil, nil, errors.New("not a valid Jupyter notebook: " + err.Error())
	}
	var code []CodeCell
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		text, err := cellText(c.Source)
		if err != nil {
			return nil, nil, errors.New("not a valid Jupyter notebook: cell " + itoa(i+1) + ": " + err.Error())
		}
		code = append(code, CodeCell{Index: i, Text: text})
	}
	src, cells = JoinCells(code)
	return src, cells, nil
}

// CodeCell is the text of a code cell of a notebook and its index among
// all the cells (markdown ones included), 0-based.
type CodeCell struct {
	Index int
	Text  string
}

// JoinCells makes the Python source of a notebook's code cells: one after
// another, each starting on a new line, with IPython magics and shell
// escapes (`%...`, `!...`, whole `%%` cells) commented out so that the
// rest parses. It returns the source and where each cell starts in it.
// Every line of a cell is a line of the source: a position in a cell is
// the same line and column in the source, counted from the cell's start,
// but on a commented-out line (Cell.Commented), one column further.
func JoinCells(code []CodeCell) (src []byte, cells []Cell) {
	var b strings.Builder
	line := 0
	for _, c := range code {
		cell := Cell{Index: c.Index, Line: line}
		lines := strings.Split(strings.TrimSuffix(c.Text, "\n"), "\n")
		cellMagic := len(lines) > 0 && strings.HasPrefix(strings.TrimSpace(lines[0]), "%%")
		for i, l := range lines {
			t := strings.TrimLeft(l, " \t")
			help := strings.HasSuffix(strings.TrimRight(t, " \t"), "?") && !strings.ContainsAny(t, "#'\"")
			help = help || shellAssign.MatchString(t) // files = !ls, out = %time f()
			if cellMagic || help || strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") || strings.HasPrefix(t, "?") {
				l = "#" + l
				cell.Commented = append(cell.Commented, i)
			}
			b.WriteString(l)
			b.WriteByte('\n')
			line++
		}
		cells = append(cells, cell)
	}
	return []byte(b.String()), cells
}

// ParseCells parses the code cells of a notebook (an editor's notebook
// document) as the module path, as Parse parses a .ipynb file.
func ParseCells(fset *token.FileSet, path string, code []CodeCell) (*Module, error) {
	src, cells := JoinCells(code)
	raw, err := parseTree(src)
	if err != nil {
		return nil, err
	}
	m, err := build(fset, path, src, raw, cells)
	if m != nil {
		// Whatever its name (untitled, or a .py paired notebook), a
		// notebook predefines spark.
		m.Notebook = true
	}
	return m, err
}

// Cell locates a code cell of a Jupyter notebook in its Python source.
type Cell struct {
	Index int // among all cells of the notebook, 0-based
	Line  int // first line in Module.Src, 0-based
	// Commented are the lines of the cell (0-based) that were commented
	// out: magics and shell escapes.
	Commented []int
}

func cellText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []string
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("source is neither a string nor a list of strings")
	}
	return strings.Join(parts, ""), nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// IsJupyter reports whether path names a Jupyter notebook.
func IsJupyter(path string) bool { return strings.HasSuffix(path, ".ipynb") }

// CellOf maps a 1-based row of Module.Src to the 1-based number of the
// notebook cell that holds it and the 1-based row within that cell (the
// numbering Ruff uses for notebooks). For other files it returns 0, row.
func (m *Module) CellOf(row int) (cell, cellRow int) {
	if len(m.Cells) == 0 {
		return 0, row
	}
	i := len(m.Cells) - 1
	for i > 0 && m.Cells[i].Line >= row {
		i--
	}
	return m.Cells[i].Index + 1, row - m.Cells[i].Line
}

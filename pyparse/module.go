package pyparse

import (
	"bytes"
	"fmt"
	"go/token"
	"sync"
	"unicode/utf8"
)

// NodeID indexes Module.Nodes; NoNode is the absent node.
type NodeID int32

// NoNode marks an absent child, parent or sibling.
const NoNode NodeID = -1

// Node is one syntax node. Children of a node follow it in Nodes
// (pre-order), linked through FirstChild and NextSibling.
type Node struct {
	Kind        Kind
	Field       Field
	Named       bool
	Missing     bool
	Start, End  uint32 // byte offsets into Module.Src
	Parent      NodeID
	FirstChild  NodeID
	NextSibling NodeID
	SubtreeEnd  NodeID // one past the last descendant
}

// Module is a parsed Python file.
type Module struct {
	Path  string
	Src   []byte
	Nodes []Node
	File  *token.File // positions in the run's FileSet

	// SyntaxError is the first ERROR or MISSING node, NoNode when the file
	// parsed cleanly. The rest of the tree is still usable.
	SyntaxError NodeID

	// Depth is the deepest nesting of the tree. Files nested deeper than
	// MaxDepth are not analysed (CPython itself refuses them).
	Depth int

	// Notebook is true for Databricks source notebooks and Jupyter
	// notebooks, where spark, sc, dbutils and display are predefined.
	Notebook bool
	// Cells locates the code cells of a Jupyter notebook (nil otherwise);
	// Src is then the Python source made of those cells.
	Cells []Cell

	lineStarts []int
	Comments   []NodeID
	noqaOnce   sync.Once
	noqaLines  map[int]int // line → last line of the multi-line string on it
	Noqa       Suppressions
	Scopes     *ScopeTree
}

// Parse parses src as the Python file path, registering it in fset. A file
// with syntax errors still yields a Module (see SyntaxError).
//
// A Jupyter notebook (path ending in .ipynb) is read as its code cells;
// see JupyterSource.
func Parse(fset *token.FileSet, path string, src []byte) (*Module, error) {
	var cells []Cell
	if IsJupyter(path) {
		var err error
		if src, cells, err = JupyterSource(src); err != nil {
			return nil, err
		}
	}
	raw, err := parseTree(src)
	if err != nil {
		return nil, err
	}
	return build(fset, path, src, raw, cells)
}

// ParseIncremental parses src, the new text of a document whose previous
// tree old has been told of the edits (Tree.Edit), reusing what did not
// change; old may be nil. It returns the module and the tree to edit next
// time. The caller closes old when it is done with it, and does not parse
// from it again: the buffers of old become the new tree's. Not for
// notebooks.
func ParseIncremental(fset *token.FileSet, path string, src []byte, old *Tree) (*Module, *Tree, error) {
	raw, tree, err := parseTreeKeep(src, old)
	if err != nil {
		return nil, nil, err
	}
	m, err := build(fset, path, src, raw, nil)
	return m, tree, err
}

// build makes the Module of flattened nodes.
func build(fset *token.FileSet, path string, src []byte, raw []rawNode, cells []Cell) (*Module, error) {
	m := &Module{Path: path, Src: src, Nodes: make([]Node, len(raw)), SyntaxError: NoNode}
	last := make([]NodeID, len(raw)) // last child seen per parent
	for i := range last {
		last[i] = NoNode
	}
	for i, r := range raw {
		k, named := KError, true
		if r.sym != 0xFFFF && int(r.sym) < len(canonical) {
			k, named = canonical[r.sym], symbolNamed[r.sym]
		}
		n := &m.Nodes[i]
		*n = Node{Kind: k, Field: Field(r.field), Named: named, Missing: r.flags&2 != 0,
			Start: r.start, End: r.end, Parent: NodeID(r.parent), FirstChild: NoNode, NextSibling: NoNode}
		if r.parent >= 0 {
			p := r.parent
			if last[p] == NoNode {
				m.Nodes[p].FirstChild = NodeID(i)
			} else {
				m.Nodes[last[p]].NextSibling = NodeID(i)
			}
			last[p] = NodeID(i)
		}
		if (k == KError || n.Missing) && m.SyntaxError == NoNode {
			m.SyntaxError = NodeID(i)
		}
		if k == KComment {
			m.Comments = append(m.Comments, NodeID(i))
		}
	}
	depth := make([]int32, len(m.Nodes))
	for i := range m.Nodes {
		m.Nodes[i].SubtreeEnd = NodeID(i + 1)
		if p := m.Nodes[i].Parent; p >= 0 {
			depth[i] = depth[p] + 1
			if int(depth[i]) > m.Depth {
				m.Depth = int(depth[i])
			}
		}
	}
	for i := len(m.Nodes) - 1; i > 0; i-- {
		if p := m.Nodes[i].Parent; p >= 0 && m.Nodes[p].SubtreeEnd < m.Nodes[i].SubtreeEnd {
			m.Nodes[p].SubtreeEnd = m.Nodes[i].SubtreeEnd
		}
	}
	m.lineStarts = lineStarts(src)
	if fset != nil {
		m.File = fset.AddFile(path, -1, len(src))
		m.File.SetLines(m.lineStarts)
	}
	m.Cells = cells
	m.Notebook = IsDatabricksNotebook(src) || IsJupyter(path)
	m.Noqa = parseSuppressions(m)
	if m.Depth > MaxDepth {
		return m, &DepthError{Depth: m.Depth}
	}
	m.Scopes = buildScopes(m)
	return m, nil
}

func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, b := range src {
		if b == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// Root is the module node.
func (m *Module) Root() NodeID { return 0 }

// N returns the node with id.
func (m *Module) N(id NodeID) *Node { return &m.Nodes[id] }

// Kind returns the kind of id, KError for NoNode.
func (m *Module) Kind(id NodeID) Kind {
	if id < 0 {
		return KError
	}
	return m.Nodes[id].Kind
}

// Parent returns the parent of id.
func (m *Module) Parent(id NodeID) NodeID {
	if id < 0 {
		return NoNode
	}
	return m.Nodes[id].Parent
}

// Text returns the source text of id.
func (m *Module) Text(id NodeID) string {
	if id < 0 {
		return ""
	}
	n := &m.Nodes[id]
	return string(m.Src[n.Start:n.End])
}

// TextIs reports whether the source text of id is s, without allocating.
func (m *Module) TextIs(id NodeID, s string) bool {
	if id < 0 {
		return false
	}
	n := &m.Nodes[id]
	return int(n.End-n.Start) == len(s) && string(m.Src[n.Start:n.End]) == s
}

// Child returns the first child of id in field f.
func (m *Module) Child(id NodeID, f Field) NodeID {
	if id < 0 {
		return NoNode
	}
	for c := m.Nodes[id].FirstChild; c != NoNode; c = m.Nodes[c].NextSibling {
		if m.Nodes[c].Field == f {
			return c
		}
	}
	return NoNode
}

// Children returns the children of id, named and anonymous, comments excluded.
func (m *Module) Children(id NodeID) []NodeID {
	var out []NodeID
	for c := m.Nodes[id].FirstChild; c != NoNode; c = m.Nodes[c].NextSibling {
		if m.Nodes[c].Kind != KComment {
			out = append(out, c)
		}
	}
	return out
}

// NamedChildren returns the named children of id, comments excluded.
func (m *Module) NamedChildren(id NodeID) []NodeID {
	if id < 0 {
		return nil
	}
	var out []NodeID
	for c := m.Nodes[id].FirstChild; c != NoNode; c = m.Nodes[c].NextSibling {
		if m.Nodes[c].Named && m.Nodes[c].Kind != KComment {
			out = append(out, c)
		}
	}
	return out
}

// FirstNamed returns the first named child of id that is not a comment.
func (m *Module) FirstNamed(id NodeID) NodeID {
	if id < 0 {
		return NoNode
	}
	for c := m.Nodes[id].FirstChild; c != NoNode; c = m.Nodes[c].NextSibling {
		if m.Nodes[c].Named && m.Nodes[c].Kind != KComment {
			return c
		}
	}
	return NoNode
}

// End returns the id one past the last descendant of id, so that the
// subtree of id is the id range [id, End(id)).
func (m *Module) End(id NodeID) NodeID { return m.Nodes[id].SubtreeEnd }

// Contains reports whether inner lies in the subtree of outer.
func (m *Module) Contains(outer, inner NodeID) bool {
	return inner >= outer && inner < m.End(outer)
}

// Unparen strips parentheses around an expression.
func (m *Module) Unparen(id NodeID) NodeID {
	for id >= 0 && m.Nodes[id].Kind == KParenthesizedExpression {
		id = m.FirstNamed(id)
	}
	return id
}

// Pos returns the token.Pos of byte offset off.
func (m *Module) Pos(off uint32) token.Pos {
	if m.File == nil {
		return token.NoPos
	}
	return m.File.Pos(int(off))
}

// Line returns the 0-based line of byte offset off.
func (m *Module) Line(off uint32) int {
	lo, hi := 0, len(m.lineStarts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if m.lineStarts[mid] <= int(off) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// LineCount is the number of lines of the file.
func (m *Module) LineCount() int { return len(m.lineStarts) }

// LineStart returns the byte offset where 0-based line starts.
func (m *Module) LineStart(line int) int { return m.lineStarts[line] }

// LineText returns the text of 0-based line without its line break.
func (m *Module) LineText(line int) string {
	start := m.lineStarts[line]
	end := len(m.Src)
	if line+1 < len(m.lineStarts) {
		end = m.lineStarts[line+1]
	}
	return string(bytes.TrimRight(m.Src[start:end], "\r\n"))
}

// RowCol returns the 1-based row and 1-based column, counted in Unicode
// characters, of byte offset off.
func (m *Module) RowCol(off uint32) (row, col int) {
	line := m.Line(off)
	return line + 1, utf8.RuneCount(m.Src[m.lineStart(line, off):off]) + 1
}

// lineStart is where columns of line start counting: after a UTF-8 byte
// order mark on the first line, which editors do not show.
func (m *Module) lineStart(line int, off uint32) int {
	start := m.lineStarts[line]
	if line == 0 && off >= 3 && bytes.HasPrefix(m.Src, []byte("\xef\xbb\xbf")) {
		start = 3
	}
	return start
}

// RowColUTF16 returns the 0-based line and 0-based UTF-16 column of off,
// as the Language Server Protocol counts them.
func (m *Module) RowColUTF16(off uint32) (line, col int) {
	line = m.Line(off)
	for _, r := range string(m.Src[m.lineStart(line, off):off]) {
		if r >= 0x10000 {
			col += 2
		} else {
			col++
		}
	}
	return line, col
}

// Walk calls f on every node of the subtree of id in pre-order; f returns
// false to skip a node's children. Iterative over the flat array.
func (m *Module) Walk(id NodeID, f func(NodeID) bool) {
	end := m.End(id)
	for n := id; n < end; {
		if f(n) {
			n++
			continue
		}
		n = m.End(n)
	}
}

// MaxDepth bounds the syntax-tree depth sparklint analyses. It is well
// above real code (CPython refuses 200 nested parentheses, and a chain of
// 1,000 method calls is about 2,000 levels) and keeps every recursive
// analysis within a small stack.
const MaxDepth = 4000

// DepthError reports a file too deeply nested to analyse.
type DepthError struct{ Depth int }

func (e *DepthError) Error() string {
	return fmt.Sprintf("syntax tree nested %d levels deep (more than %d): not analysed", e.Depth, MaxDepth)
}

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
	a, tree, err := parseTreeKeep(src, old)
	if err != nil {
		return nil, nil, err
	}
	m, err := finish(fset, path, src, a, nil)
	tree.index(a)
	return m, tree, err
}

// build makes the Module of flattened nodes.
func build(fset *token.FileSet, path string, src []byte, raw []rawNode, cells []Cell) (*Module, error) {
	a := assemble(raw, nil, nil)
	return finish(fset, path, src, a, cells)
}

// assembly is the node array of a module being built, with the maximum
// depth of each top-level statement (in order).
type assembly struct {
	nodes    []Node
	topDepth []int32
	topKeys  []uintptr // the subtree keys of the top-level statements
	copied   int       // nodes copied from the previous tree
}

// assemble converts the records of a flattening (spl_flatten) into nodes
// linked to their parent, first child and next sibling, with their
// subtree ends. A record flagged reused stands for a top-level statement
// of old (whose key is in topKeys, in the order of the top-level records):
// its nodes are copied from old's, shifted to where the statement now is.
func assemble(raw []rawNode, topKeys []uintptr, old *Tree) assembly {
	size, ti := len(raw), 0
	for _, r := range raw {
		if r.parent == 0 {
			if r.flags&flagReused != 0 {
				size += old.tops[topKeys[ti]].count - 1
			}
			ti++
		}
	}
	a := assembly{nodes: make([]Node, size)}
	nodes := a.nodes
	at := make([]NodeID, len(raw))   // the node of each record
	last := make([]NodeID, len(raw)) // the last child of each record's node
	depth := make([]int32, len(raw)) // of each record's node
	j, ti := 0, 0
	link := func(parent int32, child NodeID) {
		if last[parent] == NoNode {
			nodes[at[parent]].FirstChild = child
		} else {
			nodes[last[parent]].NextSibling = child
		}
		last[parent] = child
	}
	for i, r := range raw {
		at[i], last[i] = NodeID(j), NoNode
		if r.parent == 0 {
			a.topDepth = append(a.topDepth, 1)
		}
		if r.parent == 0 && r.flags&flagReused != 0 {
			e := old.tops[topKeys[ti]]
			ti++
			delta := r.start - e.start // modular: also right when it moved back
			shift := NodeID(j - e.first)
			for k, o := range old.nodes[e.first : e.first+e.count] {
				o.Start += delta
				o.End += delta
				if k > 0 {
					o.Parent += shift
				}
				if o.FirstChild != NoNode {
					o.FirstChild += shift
				}
				if o.NextSibling != NoNode {
					o.NextSibling += shift
				}
				o.SubtreeEnd += shift
				nodes[j+k] = o
			}
			nodes[j].NextSibling = NoNode // linked below, among the new siblings
			a.topDepth[len(a.topDepth)-1] = e.depth
			a.copied += e.count
			link(0, NodeID(j))
			j += e.count
			continue
		}
		if r.parent == 0 {
			ti++
		}
		k, named := KError, true
		if r.sym != 0xFFFF && int(r.sym) < len(canonical) {
			k, named = canonical[r.sym], symbolNamed[r.sym]
		}
		n := &nodes[j]
		*n = Node{Kind: k, Field: Field(r.field), Named: named, Missing: r.flags&flagMissing != 0,
			Start: r.start, End: r.end, Parent: NoNode, FirstChild: NoNode, NextSibling: NoNode, SubtreeEnd: NodeID(j + 1)}
		if r.parent >= 0 {
			n.Parent = at[r.parent]
			depth[i] = depth[r.parent] + 1
			if t := len(a.topDepth) - 1; t >= 0 && depth[i] > a.topDepth[t] {
				a.topDepth[t] = depth[i]
			}
			link(r.parent, NodeID(j))
		}
		j++
	}
	// Subtree ends: a copied node's is right already; a new node's grows
	// to its last descendant's.
	for i := len(nodes) - 1; i > 0; i-- {
		if p := nodes[i].Parent; p >= 0 && nodes[p].SubtreeEnd < nodes[i].SubtreeEnd {
			nodes[p].SubtreeEnd = nodes[i].SubtreeEnd
		}
	}
	return a
}

// finish makes the Module of assembled nodes.
func finish(fset *token.FileSet, path string, src []byte, a assembly, cells []Cell) (*Module, error) {
	m := &Module{Path: path, Src: src, Nodes: a.nodes, SyntaxError: NoNode}
	for i := range m.Nodes {
		n := &m.Nodes[i]
		if (n.Kind == KError || n.Missing) && m.SyntaxError == NoNode {
			m.SyntaxError = NodeID(i)
		}
		if n.Kind == KComment {
			m.Comments = append(m.Comments, NodeID(i))
		}
	}
	for _, d := range a.topDepth {
		m.Depth = max(m.Depth, int(d))
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

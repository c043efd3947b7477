package pyparse

/*
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>

// Declarations of the tree-sitter runtime and the Python grammar; both are
// compiled into the binary by github.com/smacker/go-tree-sitter and its
// python package. Declaring them here lets the whole tree be flattened in a
// single cgo call instead of several cgo calls per node.
typedef uint16_t TSSymbol;
typedef uint16_t TSFieldId;
typedef struct TSLanguage TSLanguage;
typedef struct TSParser TSParser;
typedef struct TSTree TSTree;
typedef struct { uint32_t context[4]; const void *id; const TSTree *tree; } TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } TSTreeCursor;

TSParser *ts_parser_new(void);
void ts_parser_delete(TSParser *self);
bool ts_parser_set_language(TSParser *self, const TSLanguage *language);
TSTree *ts_parser_parse_string(TSParser *self, const TSTree *old_tree, const char *string, uint32_t length);
void ts_tree_delete(TSTree *self);
TSNode ts_tree_root_node(const TSTree *self);
TSSymbol ts_node_symbol(TSNode self);
uint32_t ts_node_start_byte(TSNode self);
uint32_t ts_node_end_byte(TSNode self);
bool ts_node_is_missing(TSNode self);
TSTreeCursor ts_tree_cursor_new(TSNode node);
void ts_tree_cursor_delete(TSTreeCursor *self);
TSNode ts_tree_cursor_current_node(const TSTreeCursor *self);
TSFieldId ts_tree_cursor_current_field_id(const TSTreeCursor *self);
bool ts_tree_cursor_goto_parent(TSTreeCursor *self);
bool ts_tree_cursor_goto_next_sibling(TSTreeCursor *self);
bool ts_tree_cursor_goto_first_child(TSTreeCursor *self);
uint32_t ts_language_symbol_count(const TSLanguage *self);
const char *ts_language_symbol_name(const TSLanguage *self, TSSymbol symbol);
int ts_language_symbol_type(const TSLanguage *self, TSSymbol symbol);
uint32_t ts_language_field_count(const TSLanguage *self);
const char *ts_language_field_name_for_id(const TSLanguage *self, TSFieldId id);
const TSLanguage *tree_sitter_python(void);

typedef struct {
	uint16_t sym;
	uint16_t field;
	uint32_t start;
	uint32_t end;
	int32_t parent;
	uint32_t flags;
} spl_node;

enum { SPL_MISSING = 2 };

enum { SPL_REUSED = 4 };

// spl_subtree_key identifies the subtree behind a node: the address of its
// heap data, or 0 for a small leaf stored inline (no identity). A node's
// id is the address of the slot holding the subtree in its parent, which
// changes with every parse; the slot's content does not while the subtree
// is shared. Heap pointers are aligned, and tree-sitter marks inline
// subtrees by setting the lowest bit (subtree.h), so an odd value is
// inline.
static uintptr_t spl_subtree_key(TSNode node) {
	uintptr_t v = *(const uintptr_t *)node.id;
	return (v & 1) ? 0 : v;
}

static int spl_has_key(const uintptr_t *keys, size_t n, uintptr_t key) {
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keys[mid] < key) lo = mid + 1;
		else if (keys[mid] > key) hi = mid;
		else return 1;
	}
	return 0;
}

// spl_flatten walks the tree in pre-order with a cursor (no recursion, so
// deeply nested input cannot overflow the C stack) and writes one record per
// node. A child of the root whose subtree key is in reuse (sorted; n_reuse
// keys) was flattened by the previous parse and is unchanged: it gets one
// record flagged SPL_REUSED and is not descended into. When top is not
// NULL, the key of every child of the root is written to *top (malloc'd,
// *n_top entries). It returns the number of records, or -1 when out of
// memory.
static int64_t spl_flatten(TSTree *tree, const uintptr_t *reuse, size_t n_reuse, spl_node **out, uintptr_t **top, size_t *n_top) {
	size_t cap = 1024, n = 0;
	spl_node *buf = malloc(cap * sizeof(spl_node));
	if (!buf) return -1;
	size_t depth_cap = 256, depth = 0;
	int32_t *stack = malloc(depth_cap * sizeof(int32_t));
	if (!stack) { free(buf); return -1; }
	size_t top_cap = 64, ntop = 0;
	uintptr_t *tops = NULL;
	if (top && !(tops = malloc(top_cap * sizeof(uintptr_t)))) { free(buf); free(stack); return -1; }
	TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
	int32_t parent = -1;
	for (;;) {
		TSNode node = ts_tree_cursor_current_node(&c);
		if (n == cap) {
			cap *= 2;
			spl_node *nb = realloc(buf, cap * sizeof(spl_node));
			if (!nb) goto oom;
			buf = nb;
		}
		spl_node *r = &buf[n];
		r->sym = ts_node_symbol(node);
		r->field = ts_tree_cursor_current_field_id(&c);
		r->start = ts_node_start_byte(node);
		r->end = ts_node_end_byte(node);
		r->parent = parent;
		// Named-ness comes from the symbol table on the Go side; only
		// zero-width nodes can be MISSING, so the check is skipped for the rest.
		r->flags = (r->start == r->end && ts_node_is_missing(node)) ? SPL_MISSING : 0;
		int32_t self = (int32_t)n;
		n++;
		int reused = 0;
		if (parent == 0) {
			uintptr_t key = spl_subtree_key(node);
			if (tops) {
				if (ntop == top_cap) {
					top_cap *= 2;
					uintptr_t *nt = realloc(tops, top_cap * sizeof(uintptr_t));
					if (!nt) goto oom;
					tops = nt;
				}
				tops[ntop++] = key;
			}
			if (key && spl_has_key(reuse, n_reuse, key)) {
				r->flags |= SPL_REUSED;
				reused = 1;
			}
		}
		if (!reused && ts_tree_cursor_goto_first_child(&c)) {
			if (depth == depth_cap) {
				depth_cap *= 2;
				int32_t *ns = realloc(stack, depth_cap * sizeof(int32_t));
				if (!ns) goto oom;
				stack = ns;
			}
			stack[depth++] = parent;
			parent = self;
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c)) {
			if (!ts_tree_cursor_goto_parent(&c)) {
				ts_tree_cursor_delete(&c);
				free(stack);
				*out = buf;
				if (top) { *top = tops; *n_top = ntop; }
				return (int64_t)n;
			}
			parent = stack[--depth];
		}
	}
oom:
	free(buf);
	free(stack);
	free(tops);
	ts_tree_cursor_delete(&c);
	return -1;
}

static int64_t spl_parse(TSParser *p, const char *src, uint32_t len, spl_node **out) {
	TSTree *tree = ts_parser_parse_string(p, NULL, src, len);
	if (!tree) return -1;
	int64_t n = spl_flatten(tree, NULL, 0, out, NULL, NULL);
	ts_tree_delete(tree);
	return n;
}

typedef struct { uint32_t row; uint32_t column; } TSPoint;
typedef struct {
	uint32_t start_byte;
	uint32_t old_end_byte;
	uint32_t new_end_byte;
	TSPoint start_point;
	TSPoint old_end_point;
	TSPoint new_end_point;
} TSInputEdit;
void ts_tree_edit(TSTree *self, const TSInputEdit *edit);

// spl_parse_keep parses reusing old (edited already; may be NULL) and
// keeps the new tree for the next edit. reuse are the keys of old's
// top-level subtrees whose records the caller kept (see spl_flatten).
static int64_t spl_parse_keep(TSParser *p, TSTree *old, const uintptr_t *reuse, size_t n_reuse, const char *src, uint32_t len,
	spl_node **out, TSTree **tree, uintptr_t **top, size_t *n_top) {
	*tree = ts_parser_parse_string(p, old, src, len);
	if (!*tree) return -1;
	return spl_flatten(*tree, reuse, n_reuse, out, top, n_top);
}

// spl_flatten_all flattens all of tree (for tests of the reuse).
static int64_t spl_flatten_all(TSTree *tree, spl_node **out) {
	return spl_flatten(tree, NULL, 0, out, NULL, NULL);
}

static void spl_tree_edit(TSTree *t, uint32_t sb, uint32_t ob, uint32_t nb,
	uint32_t sr, uint32_t sc, uint32_t orow, uint32_t oc, uint32_t nr, uint32_t nc) {
	TSInputEdit e = {sb, ob, nb, {sr, sc}, {orow, oc}, {nr, nc}};
	ts_tree_edit(t, &e);
}

static TSParser *spl_new_parser(void) {
	TSParser *p = ts_parser_new();
	if (p) ts_parser_set_language(p, tree_sitter_python());
	return p;
}
*/
import "C"

import (
	"errors"
	"slices"
	"sync"
	"unsafe"

	// The blank imports link the tree-sitter runtime and the Python grammar
	// whose C symbols are declared above.
	_ "github.com/smacker/go-tree-sitter"
	_ "github.com/smacker/go-tree-sitter/python"
)

// rawNode mirrors spl_node.
type rawNode struct {
	sym    uint16
	field  uint16
	start  uint32
	end    uint32
	parent int32
	flags  uint32
}

var parserPool = sync.Pool{New: func() any {
	p := C.spl_new_parser()
	if p == nil {
		return nil
	}
	return p
}}

var errParse = errors.New("tree-sitter could not parse the file")

// parseTree parses src with tree-sitter and returns the flattened node list
// in pre-order.
func parseTree(src []byte) ([]rawNode, error) {
	pv := parserPool.Get()
	if pv == nil {
		return nil, errors.New("tree-sitter parser could not be created")
	}
	p := pv.(*C.TSParser)
	defer parserPool.Put(p)
	if len(src) == 0 {
		src = []byte{'\n'}
	}
	cs := (*C.char)(unsafe.Pointer(&src[0]))
	var out *C.spl_node
	n := C.spl_parse(p, cs, C.uint32_t(len(src)), &out)
	if n < 0 {
		return nil, errParse
	}
	defer C.free(unsafe.Pointer(out))
	raw := unsafe.Slice((*rawNode)(unsafe.Pointer(out)), int(n))
	nodes := make([]rawNode, len(raw))
	copy(nodes, raw)
	return nodes, nil
}

// Tree is a tree-sitter syntax tree kept between parses of a changing
// document (the language server), so that a reparse after an edit reuses
// the unchanged parts. It also keeps the nodes of its module by top-level
// statement: tree-sitter shares an unchanged subtree between the old tree
// and the new one, so the next parse copies those nodes (shifted) instead
// of walking the subtree again and converting it, which is most of the
// cost of a keystroke in a large file. A Tree is not safe for concurrent
// use.
type Tree struct {
	c *C.TSTree
	// nodes are the module's (never modified: modules are read-only);
	// tops locates its top-level statements, keys are theirs (sorted,
	// without inline leaves).
	nodes []Node
	tops  map[uintptr]topNodes
	keys  []C.uintptr_t
	// reused counts the nodes copied from the previous tree.
	reused int
}

// topNodes locates a top-level statement's nodes in Tree.nodes.
type topNodes struct {
	first, count int
	start        uint32
	depth        int32 // the deepest of its nodes
}

// Flags of spl_node records.
const (
	flagMissing = C.SPL_MISSING
	flagReused  = C.SPL_REUSED
)

// Close frees the tree.
func (t *Tree) Close() {
	if t != nil && t.c != nil {
		C.ts_tree_delete(t.c)
		t.c = nil
		t.nodes, t.tops, t.keys = nil, nil, nil
	}
}

// InputEdit describes one text change: byte offsets, and rows with byte
// columns, before and after the change.
type InputEdit struct {
	StartByte, OldEndByte, NewEndByte uint32
	StartRow, StartCol                uint32
	OldEndRow, OldEndCol              uint32
	NewEndRow, NewEndCol              uint32
}

// Edit tells the tree about a change of its text, before it is reparsed.
func (t *Tree) Edit(e InputEdit) {
	if t == nil || t.c == nil {
		return
	}
	C.spl_tree_edit(t.c, C.uint32_t(e.StartByte), C.uint32_t(e.OldEndByte), C.uint32_t(e.NewEndByte),
		C.uint32_t(e.StartRow), C.uint32_t(e.StartCol), C.uint32_t(e.OldEndRow), C.uint32_t(e.OldEndCol),
		C.uint32_t(e.NewEndRow), C.uint32_t(e.NewEndCol))
}

// parseTreeKeep parses src reusing old (edited to match src, or nil) and
// returns the assembled nodes and the new tree (to be indexed once its
// module is built).
func parseTreeKeep(src []byte, old *Tree) (assembly, *Tree, error) {
	pv := parserPool.Get()
	if pv == nil {
		return assembly{}, nil, errors.New("tree-sitter parser could not be created")
	}
	p := pv.(*C.TSParser)
	defer parserPool.Put(p)
	if len(src) == 0 {
		src = []byte{'\n'}
	}
	var oldC *C.TSTree
	var reuse *C.uintptr_t
	var nReuse int
	if old != nil && old.c != nil {
		oldC = old.c
		if nReuse = len(old.keys); nReuse > 0 {
			reuse = &old.keys[0]
		}
	}
	cs := (*C.char)(unsafe.Pointer(&src[0]))
	var out *C.spl_node
	var tree *C.TSTree
	var top *C.uintptr_t
	var nTop C.size_t
	n := C.spl_parse_keep(p, oldC, reuse, C.size_t(nReuse), cs, C.uint32_t(len(src)), &out, &tree, &top, &nTop)
	if n < 0 {
		if tree != nil {
			C.ts_tree_delete(tree)
		}
		return assembly{}, nil, errParse
	}
	defer C.free(unsafe.Pointer(out))
	defer C.free(unsafe.Pointer(top))
	raw := unsafe.Slice((*rawNode)(unsafe.Pointer(out)), int(n))
	topKeys := unsafe.Slice((*uintptr)(unsafe.Pointer(top)), int(nTop))
	a := assemble(raw, topKeys, old)
	t := &Tree{c: tree, reused: a.copied}
	a.topKeys = slices.Clone(topKeys)
	return a, t, nil
}

// index records where the top-level statements of a (the nodes of the
// module built for t) are.
func (t *Tree) index(a assembly) {
	t.nodes = a.nodes
	t.tops = make(map[uintptr]topNodes, len(a.topKeys))
	t.keys = make([]C.uintptr_t, 0, len(a.topKeys))
	dup := map[uintptr]bool{}
	ti := 0
	for c := t.nodes[0].FirstChild; c != NoNode; c = t.nodes[c].NextSibling {
		key := a.topKeys[ti]
		e := topNodes{first: int(c), count: int(t.nodes[c].SubtreeEnd - c), start: t.nodes[c].Start, depth: a.topDepth[ti]}
		ti++
		if key == 0 {
			continue
		}
		if _, seen := t.tops[key]; seen {
			dup[key] = true // shared twice: not reused, to be safe
			continue
		}
		t.tops[key] = e
		t.keys = append(t.keys, C.uintptr_t(key))
	}
	if len(dup) > 0 {
		t.keys = slices.DeleteFunc(t.keys, func(k C.uintptr_t) bool { return dup[uintptr(k)] })
	}
	slices.Sort(t.keys)
}

// flattenAll flattens all of t without reuse (tests compare it with the
// reusing flattening).
func (t *Tree) flattenAll() ([]rawNode, error) {
	var out *C.spl_node
	n := C.spl_flatten_all(t.c, &out)
	if n < 0 {
		return nil, errParse
	}
	defer C.free(unsafe.Pointer(out))
	return slices.Clone(unsafe.Slice((*rawNode)(unsafe.Pointer(out)), int(n))), nil
}

// languageTables returns the grammar's symbol names, whether each symbol
// is a named node, and the field names.
func languageTables() (symbols []string, named []bool, fields []string) {
	lang := C.tree_sitter_python()
	ns := int(C.ts_language_symbol_count(lang))
	symbols = make([]string, ns)
	named = make([]bool, ns)
	for i := range ns {
		symbols[i] = C.GoString(C.ts_language_symbol_name(lang, C.TSSymbol(i)))
		named[i] = C.ts_language_symbol_type(lang, C.TSSymbol(i)) == 0 // TSSymbolTypeRegular
	}
	nf := int(C.ts_language_field_count(lang))
	fields = make([]string, nf+1)
	for i := 1; i <= nf; i++ {
		fields[i] = C.GoString(C.ts_language_field_name_for_id(lang, C.TSFieldId(i)))
	}
	return symbols, named, fields
}

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

// spl_flatten walks the tree in pre-order with a cursor (no recursion, so
// deeply nested input cannot overflow the C stack) and writes one record per
// node. It returns the number of records, or -1 when out of memory.
static int64_t spl_flatten(TSTree *tree, spl_node **out) {
	size_t cap = 1024, n = 0;
	spl_node *buf = malloc(cap * sizeof(spl_node));
	if (!buf) return -1;
	size_t depth_cap = 256, depth = 0;
	int32_t *stack = malloc(depth_cap * sizeof(int32_t));
	if (!stack) { free(buf); return -1; }
	TSTreeCursor c = ts_tree_cursor_new(ts_tree_root_node(tree));
	int32_t parent = -1;
	for (;;) {
		TSNode node = ts_tree_cursor_current_node(&c);
		if (n == cap) {
			cap *= 2;
			spl_node *nb = realloc(buf, cap * sizeof(spl_node));
			if (!nb) { free(buf); free(stack); ts_tree_cursor_delete(&c); return -1; }
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
		if (ts_tree_cursor_goto_first_child(&c)) {
			if (depth == depth_cap) {
				depth_cap *= 2;
				int32_t *ns = realloc(stack, depth_cap * sizeof(int32_t));
				if (!ns) { free(buf); free(stack); ts_tree_cursor_delete(&c); return -1; }
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
				return (int64_t)n;
			}
			parent = stack[--depth];
		}
	}
}

static int64_t spl_parse(TSParser *p, const char *src, uint32_t len, spl_node **out) {
	TSTree *tree = ts_parser_parse_string(p, NULL, src, len);
	if (!tree) return -1;
	int64_t n = spl_flatten(tree, out);
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
// keeps the new tree for the next edit.
static int64_t spl_parse_keep(TSParser *p, TSTree *old, const char *src, uint32_t len, spl_node **out, TSTree **tree) {
	*tree = ts_parser_parse_string(p, old, src, len);
	if (!*tree) return -1;
	return spl_flatten(*tree, out);
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
// the unchanged parts. A Tree is not safe for concurrent use.
type Tree struct {
	c *C.TSTree
}

// Close frees the tree.
func (t *Tree) Close() {
	if t != nil && t.c != nil {
		C.ts_tree_delete(t.c)
		t.c = nil
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
// returns the flattened nodes and the new tree.
func parseTreeKeep(src []byte, old *Tree) ([]rawNode, *Tree, error) {
	pv := parserPool.Get()
	if pv == nil {
		return nil, nil, errors.New("tree-sitter parser could not be created")
	}
	p := pv.(*C.TSParser)
	defer parserPool.Put(p)
	if len(src) == 0 {
		src = []byte{'\n'}
	}
	var oldC *C.TSTree
	if old != nil {
		oldC = old.c
	}
	cs := (*C.char)(unsafe.Pointer(&src[0]))
	var out *C.spl_node
	var tree *C.TSTree
	n := C.spl_parse_keep(p, oldC, cs, C.uint32_t(len(src)), &out, &tree)
	if n < 0 {
		if tree != nil {
			C.ts_tree_delete(tree)
		}
		return nil, nil, errParse
	}
	defer C.free(unsafe.Pointer(out))
	raw := unsafe.Slice((*rawNode)(unsafe.Pointer(out)), int(n))
	nodes := make([]rawNode, len(raw))
	copy(nodes, raw)
	return nodes, &Tree{c: tree}, nil
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

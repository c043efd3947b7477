package pyparse

import "strings"

// ScopeKind says what introduced a scope.
type ScopeKind uint8

// Scope kinds.
const (
	ModuleScope ScopeKind = iota
	FunctionScope
	LambdaScope
	ClassScope
	ComprehensionScope
)

// BindingKind says how a name was bound.
type BindingKind uint8

// Binding kinds.
const (
	BindAssign BindingKind = iota
	BindAugAssign
	BindParam
	BindDef
	BindClass
	BindImport
	BindFor
	BindWith
	BindExcept
	BindWalrus
	BindComprehension
	BindUnpack // one target of a tuple/list assignment
	BindAnnotation
)

// Binding is one place where a name receives a value.
type Binding struct {
	Kind BindingKind
	Name string
	// Ident is the identifier node bound (the def's name for BindDef).
	Ident NodeID
	// Value is the expression assigned for simple "name = value", the
	// iterable for a for target, the context expression for "with ... as",
	// the default value for a parameter; NoNode otherwise.
	Value NodeID
	// Stmt is the defining node: assignment, function_definition,
	// class_definition, import statement, lambda or parameter node.
	Stmt NodeID
	// Annotation is the type annotation, NoNode when absent.
	Annotation NodeID
	// Import is set for BindImport.
	Import *Import
	// Scope is where the binding lives.
	Scope *Scope
	// Guarded is true when the binding is an assignment under an
	// "if NAME is None" test of the same name (the lazy singleton idiom).
	Guarded bool
}

// Import describes what an import binding refers to.
type Import struct {
	// Module is the absolute dotted module ("pyspark.sql"); for relative
	// imports Level > 0 and Module is the part after the dots.
	Module string
	Level  int
	// Name is the imported member for "from M import Name"; empty for
	// "import M".
	Name string
	// Full is the whole dotted name of "import a.b.c" (which binds "a").
	Full string
}

// Qualified returns the dotted name the import binds: "pyspark.sql.functions"
// for "import pyspark.sql.functions as F", "pyspark.sql.functions.col" for
// "from pyspark.sql.functions import col". Relative imports keep their dots.
func (im *Import) Qualified() string {
	prefix := strings.Repeat(".", im.Level)
	switch {
	case im.Name == "":
		return prefix + im.Module
	case im.Module == "":
		return prefix + im.Name
	default:
		return prefix + im.Module + "." + im.Name
	}
}

// Scope is a Python scope.
type Scope struct {
	Kind      ScopeKind
	Node      NodeID
	Parent    *Scope
	Bindings  map[string][]*Binding // in source order
	Globals   map[string]bool
	Nonlocals map[string]bool
	Children  []*Scope
	index     int32
}

// ScopeTree holds the scopes of a module.
type ScopeTree struct {
	Module *Scope
	All    []*Scope
	ByNode map[NodeID]*Scope
	// StarImports are the modules of "from M import *".
	StarImports []string
	// Imports lists every import binding in source order.
	Imports []*Binding
	scopeOf []int32
}

// ScopeOf returns the innermost scope that contains node id.
func (t *ScopeTree) ScopeOf(id NodeID) *Scope {
	if id < 0 || int(id) >= len(t.scopeOf) {
		return t.Module
	}
	return t.All[t.scopeOf[id]]
}

type scopeBuilder struct {
	m      *Module
	t      *ScopeTree
	guards []guard
	slab   []Binding // the block new bindings are taken from
}

// guard is a byte range of the source where NAME is known to be unset
// (None or falsy): assignments to NAME there are lazy initialisations.
type guard struct {
	name       string
	start, end uint32
}

func buildScopes(m *Module) *ScopeTree {
	t := &ScopeTree{ByNode: map[NodeID]*Scope{}, scopeOf: make([]int32, len(m.Nodes))}
	b := &scopeBuilder{m: m, t: t}
	t.Module = b.newScope(ModuleScope, 0, nil)
	b.visit(0, t.Module)
	if len(b.guards) == 0 {
		return t
	}
	// One pass over the bindings: a module can have a guard in every
	// function and thousands of scopes.
	guards := map[string][]guard{}
	for _, g := range b.guards {
		guards[g.name] = append(guards[g.name], g)
	}
	for _, sc := range t.All {
		for name, bds := range sc.Bindings {
			for _, g := range guards[name] {
				for _, bd := range bds {
					if st := m.N(bd.Stmt).Start; st >= g.start && st < g.end {
						bd.Guarded = true
					}
				}
			}
		}
	}
	return t
}

func (b *scopeBuilder) newScope(k ScopeKind, node NodeID, parent *Scope) *Scope {
	// Bindings is made on the first binding: most scopes are lambdas and
	// comprehensions that bind a name or two, or none.
	s := &Scope{Kind: k, Node: node, Parent: parent, index: int32(len(b.t.All))}
	b.t.All = append(b.t.All, s)
	b.t.ByNode[node] = s
	if parent != nil {
		parent.Children = append(parent.Children, s)
	}
	return s
}

func (b *scopeBuilder) bind(s *Scope, kind BindingKind, ident, value, stmt NodeID) *Binding {
	name := b.m.Text(ident)
	target := s
	if s.Globals[name] {
		target = b.t.Module
	} else if s.Nonlocals[name] {
		for p := s.Parent; p != nil; p = p.Parent {
			if p.Kind == FunctionScope || p.Kind == LambdaScope {
				if len(p.Bindings[name]) > 0 || p.Parent == nil {
					target = p
					break
				}
			}
		}
	}
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]Binding, 0, 256) // bindings are allocated in blocks
	}
	b.slab = append(b.slab, Binding{Kind: kind, Name: name, Ident: ident, Value: value, Stmt: stmt, Annotation: NoNode, Scope: target})
	bd := &b.slab[len(b.slab)-1]
	if target.Bindings == nil {
		target.Bindings = map[string][]*Binding{}
	}
	target.Bindings[name] = append(target.Bindings[name], bd)
	return bd
}

// visit walks the subtree of id in scope s. Depth is bounded by MaxDepth.
func (b *scopeBuilder) visit(id NodeID, s *Scope) {
	m := b.m
	b.t.scopeOf[id] = s.index
	n := m.N(id)
	switch n.Kind {
	case KFunctionDefinition:
		name := m.Child(id, FName)
		if name != NoNode {
			b.t.scopeOf[name] = s.index
			b.bind(s, BindDef, name, NoNode, id)
		}
		fs := b.newScope(FunctionScope, id, s)
		b.params(m.Child(id, FParameters), s, fs, id)
		if rt := m.Child(id, FReturnType); rt != NoNode {
			b.visit(rt, s)
		}
		if body := m.Child(id, FBody); body != NoNode {
			b.visit(body, fs)
		}
		b.markRest(id, s)
		return
	case KLambda:
		ls := b.newScope(LambdaScope, id, s)
		b.params(m.Child(id, FParameters), s, ls, id)
		if body := m.Child(id, FBody); body != NoNode {
			b.visit(body, ls)
		}
		b.markRest(id, s)
		return
	case KClassDefinition:
		name := m.Child(id, FName)
		if name != NoNode {
			b.t.scopeOf[name] = s.index
			b.bind(s, BindClass, name, NoNode, id)
		}
		if sup := m.Child(id, FSuperclasses); sup != NoNode {
			b.visit(sup, s)
		}
		cs := b.newScope(ClassScope, id, s)
		if body := m.Child(id, FBody); body != NoNode {
			b.visit(body, cs)
		}
		b.markRest(id, s)
		return
	case KListComprehension, KSetComprehension, KDictionaryComprehension, KGeneratorExpression:
		cs := b.newScope(ComprehensionScope, id, s)
		first := true
		for c := n.FirstChild; c != NoNode; c = m.N(c).NextSibling {
			if m.Kind(c) == KForInClause {
				left, right := m.Child(c, FLeft), m.Child(c, FRight)
				if right != NoNode {
					if first {
						b.visit(right, s)
					} else {
						b.visit(right, cs)
					}
				}
				first = false
				b.t.scopeOf[c] = cs.index
				if left != NoNode {
					b.targets(left, cs, BindComprehension, right, c)
				}
				continue
			}
			b.visit(c, cs)
		}
		return
	case KGlobalStatement, KNonlocalStatement:
		for _, c := range m.NamedChildren(id) {
			if m.Kind(c) == KIdentifier {
				name := m.Text(c)
				if n.Kind == KGlobalStatement {
					if s.Globals == nil {
						s.Globals = map[string]bool{}
					}
					s.Globals[name] = true
				} else {
					if s.Nonlocals == nil {
						s.Nonlocals = map[string]bool{}
					}
					s.Nonlocals[name] = true
				}
			}
		}
	case KAssignment:
		left, right, typ := m.Child(id, FLeft), m.Child(id, FRight), m.Child(id, FType)
		value := right
		for m.Kind(value) == KAssignment { // a = b = value
			value = m.Child(value, FRight)
		}
		if left != NoNode {
			kind := BindAssign
			if right == NoNode {
				kind = BindAnnotation
			}
			bd := b.targets(left, s, kind, value, id)
			if bd != nil && typ != NoNode {
				bd.Annotation = typ
			}
		}
	case KAugmentedAssignment:
		if left := m.Child(id, FLeft); m.Kind(left) == KIdentifier {
			b.bind(s, BindAugAssign, left, NoNode, id)
		}
	case KForStatement:
		if left := m.Child(id, FLeft); left != NoNode {
			b.targets(left, s, BindFor, m.Child(id, FRight), id)
		}
	case KWithItem:
		v := m.Child(id, FValue)
		if m.Kind(v) == KAsPattern {
			expr := m.FirstNamed(v)
			for _, c := range m.NamedChildren(v) {
				if m.Kind(c) == KAsPatternTarget {
					if t := m.FirstNamed(c); t != NoNode {
						b.targets(t, s, BindWith, expr, id)
					}
				}
			}
		}
	case KExceptClause:
		for _, c := range m.NamedChildren(id) {
			if m.Kind(c) == KAsPattern {
				for _, t := range m.NamedChildren(c) {
					if m.Kind(t) == KAsPatternTarget {
						if ident := m.FirstNamed(t); m.Kind(ident) == KIdentifier {
							b.bind(s, BindExcept, ident, NoNode, id)
						}
					}
				}
			}
		}
	case KNamedExpression:
		if name := m.Child(id, FName); name != NoNode {
			target := s
			for target.Kind == ComprehensionScope && target.Parent != nil {
				target = target.Parent
			}
			b.bind(target, BindWalrus, name, m.Child(id, FValue), id)
		}
	case KImportStatement, KImportFromStatement, KFutureImportStatement:
		b.imports(id, s)
	case KIfStatement:
		b.noneGuard(id, s)
	}
	for c := n.FirstChild; c != NoNode; c = m.N(c).NextSibling {
		b.visit(c, s)
	}
}

// markRest gives scope s to the nodes of a definition not visited yet
// (keywords, punctuation, the name).
func (b *scopeBuilder) markRest(id NodeID, s *Scope) {
	m := b.m
	for c := m.N(id).FirstChild; c != NoNode; c = m.N(c).NextSibling {
		if !m.N(c).Named {
			b.t.scopeOf[c] = s.index
		}
	}
}

// params binds the parameters of def/lambda id in fs; defaults and
// annotations are evaluated in the enclosing scope outer.
func (b *scopeBuilder) params(params NodeID, outer, fs *Scope, def NodeID) {
	m := b.m
	if params == NoNode {
		return
	}
	b.t.scopeOf[params] = fs.index
	for _, p := range m.Children(params) {
		b.t.scopeOf[p] = fs.index
		var ident NodeID
		value, ann := NoNode, NoNode
		switch m.Kind(p) {
		case KIdentifier:
			ident = p
		case KTypedParameter:
			ident = m.FirstNamed(p)
			ann = m.Child(p, FType)
		case KDefaultParameter:
			ident, value = m.Child(p, FName), m.Child(p, FValue)
		case KTypedDefaultParameter:
			ident, value, ann = m.Child(p, FName), m.Child(p, FValue), m.Child(p, FType)
		case KListSplatPattern, KDictionarySplatPattern:
			ident = m.FirstNamed(p)
		default:
			continue
		}
		if m.Kind(ident) == KListSplatPattern || m.Kind(ident) == KDictionarySplatPattern {
			ident = m.FirstNamed(ident)
		}
		if value != NoNode {
			b.visit(value, outer)
		}
		if ann != NoNode {
			b.visit(ann, outer)
		}
		if m.Kind(ident) == KIdentifier {
			b.t.scopeOf[ident] = fs.index
			bd := b.bind(fs, BindParam, ident, value, p)
			bd.Annotation = ann
		}
	}
}

// targets binds the names of an assignment target; it returns the binding
// when the target is a single name.
func (b *scopeBuilder) targets(t NodeID, s *Scope, kind BindingKind, value, stmt NodeID) *Binding {
	m := b.m
	switch m.Kind(t) {
	case KIdentifier:
		return b.bind(s, kind, t, value, stmt)
	case KPatternList, KTuplePattern, KListPattern, KTuple, KList, KExpressionList, KParenthesizedExpression:
		sub := kind
		if kind == BindAssign {
			sub = BindUnpack
		}
		for _, c := range m.NamedChildren(t) {
			b.targets(c, s, sub, NoNode, stmt)
		}
	case KListSplatPattern, KListSplat:
		b.targets(m.FirstNamed(t), s, kind, NoNode, stmt)
	}
	return nil
}

func (b *scopeBuilder) imports(id NodeID, s *Scope) {
	m := b.m
	n := m.N(id)
	if n.Kind == KImportStatement {
		for _, c := range m.NamedChildren(id) {
			switch m.Kind(c) {
			case KDottedName:
				mod := m.Text(c)
				first := m.FirstNamed(c)
				bd := b.bind(s, BindImport, first, NoNode, id)
				// "import a.b.c" binds "a", which refers to module a.
				bd.Import = &Import{Module: m.Text(first)}
				if mod != m.Text(first) {
					bd.Import.Full = mod
				}
				b.t.Imports = append(b.t.Imports, bd)
			case KAliasedImport:
				name, alias := m.Child(c, FName), m.Child(c, FAlias)
				bd := b.bind(s, BindImport, alias, NoNode, id)
				bd.Import = &Import{Module: m.Text(name)}
				b.t.Imports = append(b.t.Imports, bd)
			}
		}
		return
	}
	if n.Kind == KFutureImportStatement {
		return
	}
	modNode := m.Child(id, FModuleName)
	module, level := "", 0
	if m.Kind(modNode) == KRelativeImport {
		text := m.Text(modNode)
		for level < len(text) && text[level] == '.' {
			level++
		}
		module = strings.TrimSpace(text[level:])
	} else {
		module = m.Text(modNode)
	}
	for c := n.FirstChild; c != NoNode; c = m.N(c).NextSibling {
		if c == modNode {
			continue
		}
		switch m.Kind(c) {
		case KWildcardImport:
			b.t.StarImports = append(b.t.StarImports, module)
		case KDottedName:
			if m.N(c).Field != FName {
				continue
			}
			bd := b.bind(s, BindImport, m.FirstNamed(c), NoNode, id)
			bd.Import = &Import{Module: module, Level: level, Name: m.Text(c)}
			b.t.Imports = append(b.t.Imports, bd)
		case KAliasedImport:
			name, alias := m.Child(c, FName), m.Child(c, FAlias)
			bd := b.bind(s, BindImport, alias, NoNode, id)
			bd.Import = &Import{Module: module, Level: level, Name: m.Text(name)}
			b.t.Imports = append(b.t.Imports, bd)
		}
	}
}

// noneGuard records where an if statement shows NAME is unset: the body of
// `if NAME is None:`, `if not NAME:` or `if NAME == None:`, and the rest of
// the block after `if NAME is not None: return ...` (or `if NAME: return`).
// Assignments to NAME there are the per-process lazy singleton idiom.
func (b *scopeBuilder) noneGuard(id NodeID, s *Scope) {
	m := b.m
	if m.Child(id, FAlternative) != NoNode {
		return
	}
	cond := m.Unparen(m.Child(id, FCondition))
	body := m.Child(id, FConsequence)
	if body == NoNode {
		return
	}
	name, unset := "", false
	switch m.Kind(cond) {
	case KComparisonOperator:
		parts := m.Children(cond)
		if len(parts) == 3 && m.Kind(parts[2]) == KNone && m.Kind(parts[0]) == KIdentifier {
			switch {
			case m.TextIs(parts[1], "is"), m.TextIs(parts[1], "=="):
				name, unset = m.Text(parts[0]), true
			case m.TextIs(parts[1], "is not"), m.TextIs(parts[1], "!="):
				name = m.Text(parts[0])
			}
		}
		if len(parts) == 4 && m.Kind(parts[3]) == KNone && m.TextIs(parts[1], "is") && m.TextIs(parts[2], "not") && m.Kind(parts[0]) == KIdentifier {
			name = m.Text(parts[0])
		}
	case KNotOperator:
		if arg := m.Unparen(m.Child(cond, FArgument)); m.Kind(arg) == KIdentifier {
			name, unset = m.Text(arg), true
		}
	case KIdentifier:
		name = m.Text(cond)
	}
	if name == "" {
		return
	}
	if unset {
		b.guards = append(b.guards, guard{name: name, start: m.N(body).Start, end: m.N(body).End})
		return
	}
	// "if NAME is not None: return NAME": what follows runs only when unset.
	stmts := m.NamedChildren(body)
	if len(stmts) == 0 || m.Kind(stmts[len(stmts)-1]) != KReturnStatement {
		return
	}
	block := m.Parent(id)
	b.guards = append(b.guards, guard{name: name, start: m.N(id).End, end: m.N(block).End})
}

// Lookup resolves the name used at node use (an identifier or any node in
// the scope where the name is read). It returns the scope where the name
// is bound and its bindings there (source order), or nil when the name is
// not bound in the file (a builtin or an undefined name).
func (t *ScopeTree) Lookup(use NodeID, name string) (*Scope, []*Binding) {
	s := t.ScopeOf(use)
	first := true
	for ; s != nil; s = s.Parent {
		if s.Globals[name] {
			return t.Module, t.Module.Bindings[name]
		}
		// Names bound in a class body are not visible from the functions
		// nested in it.
		if s.Kind == ClassScope && !first {
			continue
		}
		first = false
		if bs := s.Bindings[name]; len(bs) > 0 && !s.Nonlocals[name] {
			return s, bs
		}
	}
	return nil, nil
}

// Reaching returns the binding of name that reaches the read at use: in the
// scope of the read, the last binding that starts before it (or the last one
// at all, for reads that loop back or come from a nested function); nil when
// the name is unbound in the file.
func (t *ScopeTree) Reaching(m *Module, use NodeID, name string) *Binding {
	s, bs := t.Lookup(use, name)
	if s == nil {
		return nil
	}
	if t.ScopeOf(use) == s {
		pos := m.N(use).Start
		var best *Binding
		for _, bd := range bs {
			if bd.Ident < 0 || m.N(bd.Ident).Start >= pos {
				continue
			}
			switch bd.Kind {
			case BindFor, BindWith, BindComprehension, BindParam, BindExcept:
				best = bd
			default:
				// "df = df.filter(...)" reads the previous df.
				if !m.Contains(bd.Stmt, use) {
					best = bd
				}
			}
		}
		if best != nil {
			return best
		}
	}
	return bs[len(bs)-1]
}

// IsLocal reports whether scope s is the scope, or inside the scope, rooted
// at fn (a function, lambda or comprehension node).
func (t *ScopeTree) IsLocal(s *Scope, fn NodeID) bool {
	for ; s != nil; s = s.Parent {
		if s.Node == fn {
			return true
		}
	}
	return false
}

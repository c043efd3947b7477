package sparktype

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/sparklint/sparklint/checks/settings"
	"github.com/sparklint/sparklint/pyparse"
)

// Info answers what the expressions of one module are in Spark terms. It is
// not safe for concurrent use: each file's analysis has its own, and the
// Infos it opens for other project modules (to follow calls into them).
type Info struct {
	M       *pyparse.Module
	Project pyparse.Project
	// ImportsPySpark is true when the file imports pyspark (or awsglue,
	// or is a notebook where Spark is predefined).
	ImportsPySpark bool
	// Notebook is true when spark, sc, dbutils and display are
	// predefined in the file (see settings.Databricks).
	Notebook bool

	// slot[n] is 0 when node n was not evaluated, busySlot while it is,
	// else 1 + the index of its type in memo. A slice indexed by node
	// beats a map: every keystroke in the language server evaluates
	// thousands of nodes afresh.
	slot       []int32
	memo       []Type
	databricks settings.Databricks
	bindMemo   map[*pyparse.Binding]Type
	bindBusy   map[*pyparse.Binding]bool
	others     map[*pyparse.Module]*Info
}

const busySlot = -1

// maxFollow bounds how deep calls into project functions are followed.
const maxFollow = 4

type env struct {
	params map[*pyparse.Binding]Type
	depth  int
}

// New returns the Info of module m.
func New(m *pyparse.Module, p pyparse.Project) *Info {
	in := &Info{M: m, Project: p, slot: make([]int32, len(m.Nodes)), memo: make([]Type, 0, len(m.Nodes)/8),
		bindMemo: map[*pyparse.Binding]Type{}, bindBusy: map[*pyparse.Binding]bool{},
		others: map[*pyparse.Module]*Info{}}
	in.others[m] = in
	in.Notebook = m.Notebook
	in.ImportsPySpark = m.Notebook
	if m.Scopes != nil {
		for _, bd := range m.Scopes.Imports {
			q := bd.Import.Module
			if strings.HasPrefix(q, "pyspark") || strings.HasPrefix(q, "awsglue") || strings.HasPrefix(q, "delta") {
				in.ImportsPySpark = true
			}
		}
		for _, s := range m.Scopes.StarImports {
			if strings.HasPrefix(s, "pyspark") {
				in.ImportsPySpark = true
			}
		}
	}
	return in
}

// InfoFor returns the Info of another module, sharing this analysis' cache.
func (in *Info) InfoFor(m *pyparse.Module) *Info {
	if o := in.others[m]; o != nil {
		return o
	}
	o := New(m, in.Project)
	o.others = in.others
	o.databricks = in.databricks
	o.applyDatabricks()
	in.others[m] = o
	return o
}

// SetDatabricks applies the run's Databricks mode to this file and the
// project modules the analysis opens.
func (in *Info) SetDatabricks(mode settings.Databricks) {
	in.databricks = mode
	in.applyDatabricks()
}

func (in *Info) applyDatabricks() {
	switch in.databricks {
	case settings.DatabricksOn:
		in.Notebook, in.ImportsPySpark = true, true
	case settings.DatabricksOff:
		in.Notebook = false
	}
}

// Modules returns the modules this analysis has opened (the file itself
// and the project modules whose functions or variables it followed).
func (in *Info) Modules() []*pyparse.Module {
	out := make([]*pyparse.Module, 0, len(in.others))
	for m := range in.others {
		out = append(out, m)
	}
	return out
}

// TypeOf returns the type of expression n.
func (in *Info) TypeOf(n pyparse.NodeID) Type {
	return in.eval(n, nil)
}

func (in *Info) eval(n pyparse.NodeID, e *env) Type {
	if n < 0 || in.M.Scopes == nil {
		return Type{}
	}
	if e == nil {
		if int(n) >= len(in.slot) {
			return in.compute(n, nil)
		}
		switch k := in.slot[n]; k {
		case 0:
		case busySlot:
			return Type{}
		default:
			return in.memo[k-1]
		}
		in.slot[n] = busySlot
		t := in.compute(n, nil)
		in.memo = append(in.memo, t)
		in.slot[n] = int32(len(in.memo))
		return t
	}
	if e.depth > maxFollow {
		return Type{}
	}
	return in.compute(n, e)
}

func (in *Info) compute(n pyparse.NodeID, e *env) Type {
	m := in.M
	switch m.Kind(n) {
	case pyparse.KIdentifier:
		return in.identType(n, e)
	case pyparse.KAttribute:
		obj := in.eval(m.Child(n, pyparse.FObject), e)
		return in.attrType(obj, m.Text(m.Child(n, pyparse.FAttribute)))
	case pyparse.KCall:
		return in.callType(n, e)
	case pyparse.KParenthesizedExpression:
		return in.eval(m.Unparen(n), e)
	case pyparse.KAwait:
		return in.eval(m.FirstNamed(n), e)
	case pyparse.KSubscript:
		obj := in.eval(m.Child(n, pyparse.FValue), e)
		switch obj.Kind {
		case DataFrame:
			sub := m.Child(n, pyparse.FSubscript)
			if m.Kind(sub) == pyparse.KList || m.Kind(sub) == pyparse.KTuple {
				return obj
			}
			return Type{Kind: Column}
		case Row, Column:
			return Type{Kind: Other}
		}
		if t, ok := in.dictEntry(n, e); ok {
			return t
		}
		if obj.Kind == Unknown {
			return Type{}
		}
		return Type{Kind: Other}
	case pyparse.KConditionalExpression:
		parts := m.NamedChildren(n)
		if len(parts) == 3 {
			a, b := in.eval(parts[0], e), in.eval(parts[2], e)
			if a.Kind == b.Kind {
				return a
			}
			if m.Kind(m.Unparen(parts[2])) == pyparse.KNone {
				return a
			}
			if m.Kind(m.Unparen(parts[0])) == pyparse.KNone {
				return b
			}
		}
		return Type{}
	case pyparse.KBinaryOperator:
		l := in.eval(m.Child(n, pyparse.FLeft), e)
		r := in.eval(m.Child(n, pyparse.FRight), e)
		if l.Kind == Column || r.Kind == Column {
			return Type{Kind: Column}
		}
		if l.Kind == RDD && r.Kind == RDD && m.TextIs(m.Child(n, pyparse.FOperator), "+") {
			return Type{Kind: RDD}.withLin(merge(l.lin(), r.lin()))
		}
		if l.Kind == Unknown || r.Kind == Unknown {
			return Type{}
		}
		return Type{Kind: Other}
	case pyparse.KString, pyparse.KConcatenatedString, pyparse.KInteger, pyparse.KFloat, pyparse.KTrue,
		pyparse.KFalse, pyparse.KNone, pyparse.KList, pyparse.KDictionary, pyparse.KTuple, pyparse.KSet,
		pyparse.KListComprehension, pyparse.KDictionaryComprehension, pyparse.KSetComprehension,
		pyparse.KGeneratorExpression, pyparse.KLambda, pyparse.KComparisonOperator, pyparse.KNotOperator:
		return Type{Kind: Other}
	}
	return Type{}
}

var notebookKinds = map[string]Kind{"spark": SparkSession, "sc": SparkContext, "sqlContext": SQLContext}

func (in *Info) identType(n pyparse.NodeID, e *env) Type {
	m := in.M
	name := m.Text(n)
	bd := m.Scopes.Reaching(m, n, name)
	if bd == nil {
		if in.Notebook {
			if k, ok := notebookKinds[name]; ok {
				return Type{Kind: k}
			}
		}
		if pythonBuiltins[name] {
			return Type{Kind: Function, Name: "builtins." + name}
		}
		return Type{}
	}
	return in.bindingType(bd, e)
}

// pythonBuiltins are builtins whose calls make plain Python values.
var pythonBuiltins = map[string]bool{
	"set": true, "dict": true, "list": true, "tuple": true, "frozenset": true, "str": true, "int": true,
	"float": true, "bool": true, "bytes": true, "bytearray": true, "object": true, "len": true, "sorted": true,
	"range": true, "enumerate": true, "zip": true, "map": true, "filter": true, "sum": true, "min": true,
	"max": true, "abs": true, "round": true, "open": true, "iter": true, "reversed": true, "repr": true,
}

// BindingType returns the type a binding gives its name.
func (in *Info) BindingType(bd *pyparse.Binding) Type { return in.bindingType(bd, nil) }

func (in *Info) bindingType(bd *pyparse.Binding, e *env) Type {
	if e != nil {
		if t, ok := e.params[bd]; ok {
			return t
		}
		return in.computeBinding(bd, e)
	}
	if t, ok := in.bindMemo[bd]; ok {
		return t
	}
	// Import cycles and self-referencing bindings end as unknown.
	if in.bindBusy[bd] {
		return Type{}
	}
	in.bindBusy[bd] = true
	t := in.computeBinding(bd, nil)
	delete(in.bindBusy, bd)
	in.bindMemo[bd] = t
	return t
}

func (in *Info) computeBinding(bd *pyparse.Binding, e *env) Type {
	m := in.M
	switch bd.Kind {
	case pyparse.BindImport:
		return in.importType(bd.Import)
	case pyparse.BindParam:
		if bd.Annotation >= 0 {
			if t := in.annotationType(bd.Annotation); t.Kind != Unknown {
				return t
			}
		}
		if cls := in.methodClass(bd); cls >= 0 {
			return Type{Kind: Instance, Def: Loc{m, cls}}
		}
		return Type{}
	case pyparse.BindDef:
		if in.isUDFDef(bd.Stmt) {
			return Type{Kind: UDF, Def: Loc{m, bd.Stmt}}
		}
		return Type{Kind: Function, Def: Loc{m, bd.Stmt}}
	case pyparse.BindClass:
		return Type{Kind: ProjectClass, Def: Loc{m, bd.Stmt}}
	case pyparse.BindAssign, pyparse.BindWalrus, pyparse.BindWith, pyparse.BindAnnotation:
		if bd.Annotation >= 0 {
			if t := in.annotationType(bd.Annotation); t.Kind != Unknown {
				if bd.Value >= 0 {
					if v := in.eval(bd.Value, e); v.Kind == t.Kind {
						return v
					}
				}
				return t
			}
		}
		return in.eval(bd.Value, e)
	case pyparse.BindAugAssign:
		prev := m.Scopes.Reaching(m, bd.Ident, bd.Name)
		if prev != nil && prev != bd && m.N(prev.Ident).Start < m.N(bd.Ident).Start {
			return in.bindingType(prev, e)
		}
	}
	return Type{}
}

// methodClass returns the class whose method has bd as its first
// parameter (self or cls), or NoNode.
func (in *Info) methodClass(bd *pyparse.Binding) pyparse.NodeID {
	m := in.M
	if bd.Name != "self" && bd.Name != "cls" {
		return pyparse.NoNode
	}
	fn := bd.Scope.Node
	if m.Kind(fn) != pyparse.KFunctionDefinition {
		return pyparse.NoNode
	}
	params := m.NamedChildren(m.Child(fn, pyparse.FParameters))
	if len(params) == 0 || !m.Contains(params[0], bd.Ident) {
		return pyparse.NoNode
	}
	return EnclosingClass(m, fn)
}

// EnclosingClass returns the class whose body directly holds def fn.
func EnclosingClass(m *pyparse.Module, fn pyparse.NodeID) pyparse.NodeID {
	p := m.Parent(fn)
	if m.Kind(p) == pyparse.KDecoratedDefinition {
		p = m.Parent(p)
	}
	if m.Kind(p) == pyparse.KBlock && m.Kind(m.Parent(p)) == pyparse.KClassDefinition {
		return m.Parent(p)
	}
	return pyparse.NoNode
}

func (in *Info) annotationType(ann pyparse.NodeID) Type {
	m := in.M
	x := ann
	if m.Kind(x) == pyparse.KType {
		x = m.FirstNamed(x)
	}
	if m.Kind(x) == pyparse.KString {
		text := strings.Trim(m.Text(x), `"'`)
		if k := classKind(text[strings.LastIndexByte(text, '.')+1:]); k != Unknown && in.ImportsPySpark {
			return Type{Kind: k}
		}
		return Type{}
	}
	if m.Kind(x) == pyparse.KGenericType || m.Kind(x) == pyparse.KSubscript {
		// RDD[str], Optional[DataFrame], Union[DataFrame, None]
		base := m.FirstNamed(x)
		if bt := in.eval(base, nil); bt.Kind == SparkClass {
			return Type{Kind: classKind(bt.Name)}
		}
		if !m.TextIs(base, "Optional") && !m.TextIs(base, "Union") && !m.TextIs(base, "typing.Optional") {
			return Type{}
		}
		for _, c := range m.NamedChildren(x)[1:] {
			for _, t := range m.NamedChildren(c) {
				if got := in.annotationType(t); got.Kind != Unknown {
					return got
				}
			}
			if got := in.annotationType(c); got.Kind != Unknown {
				return got
			}
		}
		return Type{}
	}
	t := in.eval(x, nil)
	switch {
	case t.Kind == SparkClass:
		return Type{Kind: classKind(t.Name)}
	case t.Kind == ProjectClass:
		return Type{Kind: Instance, Def: t.Def}
	case t.Kind == Function && strings.HasPrefix(t.Name, "builtins."),
		t.Kind == Module && t.Def.M == nil && !strings.HasPrefix(t.Name, "pyspark"):
		// list, dict, pd.DataFrame: known not to be Spark.
		return Type{Kind: Other}
	}
	return Type{}
}

// classKind maps a PySpark class name to the kind of its instances.
func classKind(name string) Kind {
	switch name {
	case "SparkSession":
		return SparkSession
	case "SparkContext":
		return SparkContext
	case "SQLContext", "HiveContext":
		return SQLContext
	case "StreamingContext":
		return StreamingContext
	case "DataFrame":
		return DataFrame
	case "RDD", "PipelinedRDD":
		return RDD
	case "DStream":
		return DStream
	case "Column":
		return Column
	case "GroupedData":
		return GroupedData
	case "Broadcast":
		return Broadcast
	case "Accumulator":
		return Accumulator
	case "DataFrameReader":
		return Reader
	case "DataFrameWriter":
		return Writer
	case "DataStreamReader":
		return StreamReader
	case "DataStreamWriter":
		return StreamWriter
	case "StreamingQuery":
		return StreamingQuery
	case "Row":
		return Row
	case "WindowSpec":
		return WindowSpec
	case "UserDefinedFunction":
		return UDF
	case "GlueContext":
		return GlueContext
	case "DynamicFrame":
		return DynamicFrame
	}
	return Unknown
}

var sparkClasses = map[string]bool{
	"SparkSession": true, "SparkContext": true, "SQLContext": true, "HiveContext": true, "StreamingContext": true,
	"DataFrame": true, "RDD": true, "PipelinedRDD": true, "DStream": true, "Column": true, "GroupedData": true,
	"Broadcast": true, "Accumulator": true, "DataFrameReader": true, "DataFrameWriter": true,
	"DataStreamReader": true, "DataStreamWriter": true, "StreamingQuery": true, "Row": true, "Window": true,
	"WindowSpec": true, "UserDefinedFunction": true, "SparkConf": true,
}

// QualifiedType types a dotted library name (an import target).
func QualifiedType(q string) Type {
	last := q[strings.LastIndexByte(q, '.')+1:]
	switch {
	case q == "awsglue.context.GlueContext" || q == "awsglue.GlueContext":
		return Type{Kind: SparkClass, Name: "GlueContext"}
	case q == "awsglue.dynamicframe.DynamicFrame":
		return Type{Kind: SparkClass, Name: "DynamicFrame"}
	case q == "pyspark.sql.functions" || q == "pyspark.sql.functions.builtin":
		return Type{Kind: Module, Name: "pyspark.sql.functions"}
	case strings.HasPrefix(q, "pyspark.sql.functions."):
		return Type{Kind: Function, Name: "pyspark.sql.functions." + last}
	case strings.HasPrefix(q, "pyspark.") && (last == "udf" || last == "pandas_udf" || last == "udtf" || last == "arrow_udf"):
		return Type{Kind: Function, Name: "pyspark.sql.functions." + last}
	case (strings.HasPrefix(q, "pyspark.") || strings.HasPrefix(q, "delta.")) && sparkClasses[last]:
		return Type{Kind: SparkClass, Name: last}
	case q == "pyspark" || strings.HasPrefix(q, "pyspark."):
		return Type{Kind: Module, Name: q}
	}
	return Type{Kind: Module, Name: q}
}

func (in *Info) importType(imp *pyparse.Import) Type {
	if imp.Level == 0 && (strings.HasPrefix(imp.Module, "pyspark") || strings.HasPrefix(imp.Module, "awsglue")) {
		q := imp.Qualified()
		if imp.Name == "" && imp.Full != "" {
			q = imp.Module
		}
		return QualifiedType(q)
	}
	if in.Project != nil {
		if imp.Name != "" {
			// "from pkg import mod" names a submodule or a member.
			sub := imp.Name
			if imp.Module != "" {
				sub = imp.Module + "." + imp.Name
			}
			if mod := in.Project.ImportModule(in.M, sub, imp.Level); mod != nil {
				return Type{Kind: Module, Name: sub, Def: Loc{mod, 0}}
			}
			if mod := in.Project.ImportModule(in.M, imp.Module, imp.Level); mod != nil {
				return in.InfoFor(mod).moduleMember(imp.Name)
			}
		} else if mod := in.Project.ImportModule(in.M, imp.Module, 0); mod != nil {
			return Type{Kind: Module, Name: imp.Module, Def: Loc{mod, 0}}
		}
	}
	if imp.Level > 0 {
		return Type{}
	}
	return QualifiedType(imp.Qualified())
}

// moduleMember types a module-level name of this module.
func (in *Info) moduleMember(name string) Type {
	if in.M.Scopes == nil {
		return Type{}
	}
	bs := in.M.Scopes.Module.Bindings[name]
	if len(bs) == 0 {
		return Type{}
	}
	return in.joinBindings(bs)
}

// joinBindings types a name read from another scope (a closure or another
// module): the Spark kind its bindings agree on, from the last binding that
// has it.
func (in *Info) joinBindings(bs []*pyparse.Binding) Type {
	var out Type
	for i := len(bs) - 1; i >= 0; i-- {
		t := in.bindingType(bs[i], nil)
		if t.Kind == Unknown || (t.Kind == Other && bs[i].Value >= 0 && in.M.Kind(in.M.Unparen(bs[i].Value)) == pyparse.KNone) {
			continue
		}
		if out.Kind == Unknown {
			out = t
		} else if out.Kind != t.Kind {
			return Type{}
		}
	}
	return out
}

// FreeType types a name read at use that is bound outside the function
// that reads it (a closure or module variable): all its bindings count.
func (in *Info) FreeType(bs []*pyparse.Binding) Type { return in.joinBindings(bs) }

func (in *Info) attrType(obj Type, attr string) Type {
	switch obj.Kind {
	case Unknown:
		return Type{}
	case Module:
		if obj.Def.M != nil {
			sub := in.Project.ImportModule(obj.Def.M, obj.Name+"."+attr, 0)
			if sub != nil {
				return Type{Kind: Module, Name: obj.Name + "." + attr, Def: Loc{sub, 0}}
			}
			return in.InfoFor(obj.Def.M).moduleMember(attr)
		}
		return QualifiedType(obj.Name + "." + attr)
	case SparkClass:
		if obj.Name == "GlueContext" || obj.Name == "DynamicFrame" {
			return Type{}
		}
		mem := Lookup(obj.Name, attr)
		if mem == nil {
			return Type{}
		}
		if mem.IsCallable() {
			return Type{Kind: Method, Name: attr, Recv: &obj}
		}
		return Type{Kind: kindFromReturn(mem.Returns)}
	case Instance:
		return in.instanceAttr(obj, attr)
	case GlueContext:
		switch attr {
		case "spark_session":
			return Type{Kind: SparkSession}
		case "create_dynamic_frame":
			return Type{Kind: GlueReader}
		case "create_dynamic_frame_from_catalog", "create_dynamic_frame_from_options", "create_data_frame_from_catalog", "create_data_frame_from_options":
			return Type{Kind: Method, Name: attr, Recv: &obj}
		}
		return Type{}
	case GlueReader:
		return Type{Kind: Method, Name: attr, Recv: &obj}
	case DynamicFrame:
		return Type{Kind: Method, Name: attr, Recv: &obj}
	}
	class := obj.Kind.ClassName()
	if class == "" {
		if obj.Kind == Other || obj.Kind == Function || obj.Kind == Method || obj.Kind == UDF {
			return Type{Kind: Other}
		}
		return Type{}
	}
	mem := Lookup(class, attr)
	if mem == nil {
		if obj.Kind == DataFrame {
			return Type{Kind: Column} // df.colname
		}
		if obj.Kind == Row {
			return Type{Kind: Other}
		}
		return Type{}
	}
	if mem.IsCallable() {
		return Type{Kind: Method, Name: attr, Recv: &obj}
	}
	k := kindFromReturn(mem.Returns)
	t := Type{Kind: k}
	switch k {
	case DataFrame, RDD, GroupedData, DStream, Writer, StreamWriter, NaFunctions, StatFunctions:
		l := obj.lin()
		t.Lin = &l
	}
	return t
}

// instanceAttr types self.attr of a project class: a method, or the value
// the class's methods assign to self.attr.
func (in *Info) instanceAttr(obj Type, attr string) Type {
	// The class first, then its project base classes (self.spark set in
	// a base class's __init__, methods inherited).
	for _, cls := range in.ClassChain(obj.Def) {
		if t := in.classAttr(obj, cls, attr); t.Kind != Unknown {
			return t
		}
	}
	return Type{}
}

// ClassChain returns a project class followed by its project base classes
// (depth first, each once, at most 8).
func (in *Info) ClassChain(cls Loc) []Loc {
	var out []Loc
	seen := map[Loc]bool{}
	var visit func(c Loc)
	visit = func(c Loc) {
		if seen[c] || len(out) >= 8 || c.M.Kind(c.N) != pyparse.KClassDefinition {
			return
		}
		seen[c] = true
		out = append(out, c)
		ci := in.InfoFor(c.M)
		for _, base := range c.M.NamedChildren(c.M.Child(c.N, pyparse.FSuperclasses)) {
			if t := ci.TypeOf(base); t.Kind == ProjectClass && t.Def.M != nil {
				visit(t.Def)
			}
		}
	}
	visit(cls)
	return out
}

// classAttr looks attr up in one class of obj's class chain.
func (in *Info) classAttr(obj Type, cls Loc, attr string) Type {
	cm := cls.M
	ci := in.InfoFor(cm)
	body := cm.Child(cls.N, pyparse.FBody)
	if body < 0 {
		return Type{}
	}
	var found Type
	for _, st := range cm.NamedChildren(body) {
		def := st
		if cm.Kind(def) == pyparse.KDecoratedDefinition {
			def = cm.Child(def, pyparse.FDefinition)
		}
		if cm.Kind(def) == pyparse.KFunctionDefinition && cm.TextIs(cm.Child(def, pyparse.FName), attr) {
			return Type{Kind: Function, Def: Loc{cm, def}, Recv: &obj}
		}
		if cm.Kind(st) == pyparse.KExpressionStatement {
			if a := cm.FirstNamed(st); cm.Kind(a) == pyparse.KAssignment && cm.TextIs(cm.Child(a, pyparse.FLeft), attr) {
				// spark: SparkSession (a class-level annotation)
				if ann := cm.Child(a, pyparse.FType); ann >= 0 {
					if t := ci.annotationType(ann); t.Kind != Unknown {
						found = t
						continue
					}
				}
				if t := ci.eval(cm.Child(a, pyparse.FRight), nil); t.Kind != Unknown {
					found = t
				}
			}
		}
	}
	if found.Kind != Unknown {
		return found
	}
	for _, a := range SelfAssignments(cm, cls.N, attr) {
		// self.spark: SparkSession = session
		if ann := cm.Child(a, pyparse.FType); ann >= 0 {
			if t := ci.annotationType(ann); t.Kind != Unknown {
				return t
			}
		}
		t := ci.eval(cm.Child(a, pyparse.FRight), nil)
		if t.Kind != Unknown && !(t.Kind == Other && cm.Kind(cm.Child(a, pyparse.FRight)) == pyparse.KNone) {
			return t
		}
	}
	return Type{}
}

// SelfAssignments returns the assignments "self.attr = value" in the
// methods of class cls.
func SelfAssignments(m *pyparse.Module, cls pyparse.NodeID, attr string) []pyparse.NodeID {
	var out []pyparse.NodeID
	m.Walk(cls, func(n pyparse.NodeID) bool {
		if m.Kind(n) == pyparse.KClassDefinition && n != cls {
			return false
		}
		if m.Kind(n) == pyparse.KAssignment {
			left := m.Child(n, pyparse.FLeft)
			if m.Kind(left) == pyparse.KAttribute && m.TextIs(m.Child(left, pyparse.FObject), "self") &&
				(attr == "" || m.TextIs(m.Child(left, pyparse.FAttribute), attr)) && m.Child(n, pyparse.FRight) >= 0 {
				out = append(out, n)
			}
		}
		return true
	})
	return out
}

// Args returns the positional arguments and keyword arguments of a call.
func Args(m *pyparse.Module, call pyparse.NodeID) (pos []pyparse.NodeID, kw map[string]pyparse.NodeID) {
	args := m.Child(call, pyparse.FArguments)
	for _, a := range m.NamedChildren(args) {
		switch m.Kind(a) {
		case pyparse.KKeywordArgument:
			if kw == nil {
				kw = map[string]pyparse.NodeID{}
			}
			kw[m.Text(m.Child(a, pyparse.FName))] = m.Child(a, pyparse.FValue)
		case pyparse.KListSplat, pyparse.KDictionarySplat:
			// *args / **kwargs: positions after it are not known.
			return pos, kw
		default:
			pos = append(pos, a)
		}
	}
	return pos, kw
}

// Arg returns the argument at position i or with keyword name.
func Arg(m *pyparse.Module, call pyparse.NodeID, i int, name string) pyparse.NodeID {
	pos, kw := Args(m, call)
	if name != "" {
		if v, ok := kw[name]; ok {
			return v
		}
	}
	if i >= 0 && i < len(pos) {
		return pos[i]
	}
	return pyparse.NoNode
}

func (in *Info) callType(call pyparse.NodeID, e *env) Type {
	m := in.M
	fn := in.eval(m.Child(call, pyparse.FFunction), e)
	switch fn.Kind {
	case Method:
		return in.methodResult(*fn.Recv, fn.Name, call, e)
	case SparkClass:
		switch fn.Name {
		case "GlueContext":
			return Type{Kind: GlueContext}
		case "Window", "SparkConf":
			return Type{Kind: Other}
		}
		k := classKind(fn.Name)
		if k == DataFrame || k == RDD {
			return Type{Kind: k, Lin: &Lineage{}}
		}
		return Type{Kind: k}
	case Function:
		if fn.Def.M != nil {
			return in.follow(fn, call, e)
		}
		if name, ok := strings.CutPrefix(fn.Name, "pyspark.sql.functions."); ok {
			if name == "udf" || name == "pandas_udf" || name == "arrow_udf" {
				return Type{Kind: UDF}
			}
			if r, ok := functionReturns[name]; ok {
				return Type{Kind: kindFromReturn(r)}
			}
			return Type{}
		}
		return Type{Kind: Other}
	case UDF:
		return Type{Kind: Column}
	case ProjectClass:
		return Type{Kind: Instance, Def: fn.Def}
	case Module:
		if fn.Def.M == nil {
			return Type{Kind: Other}
		}
	case Other:
		return Type{Kind: Other}
	}
	return Type{}
}

// follow types a call to a project function by typing its return
// statements with the call's arguments bound to its parameters.
func (in *Info) follow(fn Type, call pyparse.NodeID, e *env) Type {
	depth := 0
	if e != nil {
		depth = e.depth
	}
	if depth >= maxFollow {
		return Type{}
	}
	pos, kw := Args(in.M, call)
	posTypes := make([]Type, len(pos))
	for i, a := range pos {
		posTypes[i] = in.eval(a, e)
	}
	kwTypes := map[string]Type{}
	for name, v := range kw {
		kwTypes[name] = in.eval(v, e)
	}
	return in.followTypes(fn, posTypes, kwTypes, depth)
}

// followTypes types a call to the project function fn with arguments of
// the given types, by typing its return statements with them bound to its
// parameters.
func (in *Info) followTypes(fn Type, pos []Type, kw map[string]Type, depth int) Type {
	if depth >= maxFollow {
		return Type{}
	}
	callee := in.InfoFor(fn.Def.M)
	cm := fn.Def.M
	def := fn.Def.N
	if cm.Kind(def) != pyparse.KFunctionDefinition {
		return Type{}
	}
	ne := &env{params: map[*pyparse.Binding]Type{}, depth: depth + 1}
	scope := cm.Scopes.ByNode[def]
	if scope == nil {
		return Type{}
	}
	params := cm.NamedChildren(cm.Child(def, pyparse.FParameters))
	bindParam := func(p pyparse.NodeID, t Type) {
		for _, bd := range scope.Bindings[paramName(cm, p)] {
			if bd.Kind == pyparse.BindParam {
				ne.params[bd] = t
			}
		}
	}
	pi := 0
	if fn.Recv != nil && len(params) > 0 {
		bindParam(params[0], *fn.Recv)
		pi = 1
	}
	for _, t := range pos {
		if pi >= len(params) {
			break
		}
		k := cm.Kind(params[pi])
		if k == pyparse.KListSplatPattern || k == pyparse.KDictionarySplatPattern || k == pyparse.KKeywordSeparator {
			break
		}
		bindParam(params[pi], t)
		pi++
	}
	for name, t := range kw {
		for _, bd := range scope.Bindings[name] {
			if bd.Kind == pyparse.BindParam {
				ne.params[bd] = t
			}
		}
	}
	var out Type
	for _, r := range ReturnValues(cm, def) {
		t := callee.eval(r, ne)
		if t.Kind == Unknown || (t.Kind == Other && cm.Kind(r) == pyparse.KNone) {
			continue
		}
		if out.Kind == Unknown {
			out = t
			continue
		}
		if out.Kind != t.Kind {
			return Type{}
		}
		if out.Lin != nil && t.Lin != nil {
			l := merge(*out.Lin, *t.Lin)
			out.Lin = &l
		}
	}
	return out
}

func paramName(m *pyparse.Module, p pyparse.NodeID) string {
	switch m.Kind(p) {
	case pyparse.KIdentifier:
		return m.Text(p)
	case pyparse.KTypedParameter:
		return m.Text(m.FirstNamed(p))
	case pyparse.KDefaultParameter, pyparse.KTypedDefaultParameter:
		return m.Text(m.Child(p, pyparse.FName))
	}
	return ""
}

// ReturnValues lists the expressions the return statements of def return
// (not those of nested functions).
func ReturnValues(m *pyparse.Module, def pyparse.NodeID) []pyparse.NodeID {
	var out []pyparse.NodeID
	body := m.Child(def, pyparse.FBody)
	if body < 0 {
		return nil
	}
	m.Walk(body, func(n pyparse.NodeID) bool {
		switch m.Kind(n) {
		case pyparse.KFunctionDefinition, pyparse.KLambda, pyparse.KClassDefinition:
			return false
		case pyparse.KReturnStatement:
			if v := m.FirstNamed(n); v >= 0 {
				out = append(out, v)
			}
			return false
		}
		return true
	})
	return out
}

// merge combines the lineages of a join or union. The result is bounded
// when every input read from a source is bounded (driver data and inputs of
// unknown origin do not unbound it); its source is an unbounded input's.
func merge(a, b Lineage) Lineage {
	out := a
	aOpen := a.Source.Valid() && !a.Bounded
	bOpen := b.Source.Valid() && !b.Bounded
	switch {
	case bOpen && !aOpen:
		out.Source = b.Source
	case !out.Source.Valid():
		out.Source = b.Source
	}
	out.Local = a.Local && b.Local
	out.Bounded = !aOpen && !bOpen && (a.Bounded || b.Bounded)
	out.Streaming = a.Streaming || b.Streaming
	if !out.StreamSource.Valid() {
		out.StreamSource = b.StreamSource
	}
	out.Watermarked = a.Watermarked || b.Watermarked
	out.GroupedByKey = false
	return out
}

var (
	hadoopReads = map[string]bool{"textFile": true, "wholeTextFiles": true, "binaryFiles": true, "binaryRecords": true,
		"sequenceFile": true, "newAPIHadoopFile": true, "newAPIHadoopRDD": true, "hadoopFile": true, "hadoopRDD": true, "pickleFile": true}
	combining = map[string]bool{"join": true, "union": true, "unionAll": true, "unionByName": true, "intersect": true,
		"intersectAll": true, "exceptAll": true, "subtract": true, "crossJoin": true, "lateralJoin": true,
		"leftOuterJoin": true, "rightOuterJoin": true, "fullOuterJoin": true, "cartesian": true, "cogroup": true,
		"groupWith": true, "subtractByKey": true, "zip": true, "intersection": true}
	rddBounding = map[string]bool{"reduceByKey": true, "aggregateByKey": true, "combineByKey": true, "foldByKey": true}
	groupAggs   = map[string]bool{"agg": true, "count": true, "mean": true, "avg": true, "max": true, "min": true, "sum": true}
	grouping    = map[string]bool{"groupBy": true, "groupby": true, "rollup": true, "cube": true, "groupingSets": true}
)

// methodResult types recv.name(...) and carries the lineage.
func (in *Info) methodResult(recv Type, name string, call pyparse.NodeID, e *env) Type {
	m := in.M
	here := Loc{m, call}
	switch recv.Kind {
	case GlueReader:
		if strings.HasPrefix(name, "from_") {
			return Type{Kind: DynamicFrame, Lin: &Lineage{Source: here}}
		}
		return Type{}
	case GlueContext:
		if strings.HasPrefix(name, "create_data_frame") {
			return Type{Kind: DataFrame, Lin: &Lineage{Source: here}}
		}
		return Type{Kind: DynamicFrame, Lin: &Lineage{Source: here}}
	case DynamicFrame:
		if name == "toDF" {
			return Type{Kind: DataFrame, Lin: recv.Lin}
		}
		return Type{Kind: DynamicFrame, Lin: recv.Lin}
	case SparkClass:
		if recv.Name == "GlueContext" {
			return Type{}
		}
	}
	class := recv.Kind.ClassName()
	if recv.Kind == SparkClass {
		class = recv.Name
	}
	mem := Lookup(class, name)
	if mem == nil {
		return Type{}
	}
	k := kindFromReturn(mem.Returns)
	if mem.Returns == "Row|list[Row]" {
		k = Other
	}
	if k == Unknown && recv.Kind == SparkClass && (name == "getOrCreate" || name == "getActiveSession" || name == "active") {
		k = classKind(recv.Name)
	}
	t := Type{Kind: k}
	l := recv.lin()
	switch recv.Kind {
	case SparkSession, SQLContext:
		switch name {
		case "sql":
			t.Lin = &Lineage{Source: here, Bounded: sqlBounded(m, Arg(m, call, 0, "sqlQuery"))}
		case "table":
			t.Lin = &Lineage{Source: here}
		case "createDataFrame", "range":
			t.Lin = &Lineage{Local: true}
		default:
			if k == DataFrame {
				t.Lin = &Lineage{}
			}
		}
		return t
	case SparkContext:
		switch {
		case hadoopReads[name]:
			t.Lin = &Lineage{Source: here}
		case name == "parallelize" || name == "range" || name == "emptyRDD":
			t.Lin = &Lineage{Local: true}
		case k == RDD:
			t.Lin = &Lineage{}
		}
		return t
	case Reader:
		if k == DataFrame {
			t.Lin = &Lineage{Source: here}
		}
		return t
	case StreamReader:
		if k == DataFrame {
			t.Lin = &Lineage{Source: here, Streaming: true, StreamSource: here}
		}
		return t
	case StreamingContext:
		if k == DStream {
			t.Lin = &Lineage{Streaming: true, StreamSource: here}
		}
		return t
	case DataFrame:
		switch {
		case name == "limit" || name == "agg" || name == "summary" || name == "describe":
			l.Bounded = true
		case name == "sample":
			if sampleFraction(m, call, false) {
				l.Bounded = true
			}
		case name == "select" && in.selectsAggregatesOnly(call, e):
			l.Bounded = true // one row, like agg()
		case name == "withWatermark":
			l.Watermarked = true
		case combining[name]:
			l = merge(l, in.eval(Arg(m, call, 0, "other"), e).lin())
		case grouping[name]:
			l.Agg = here
			l.Windowed = in.groupsByWindow(call, e)
		case name == "transform":
			// df.transform(f): f(df) runs on the driver; follow it.
			if ft := in.eval(Arg(m, call, 0, "func"), e); ft.Kind == Function && ft.Def.M != nil {
				depth := 0
				if e != nil {
					depth = e.depth
				}
				if got := in.followTypes(ft, []Type{recv}, nil, depth); got.Kind == DataFrame && got.Lin != nil {
					return got
				}
			}
		}
	case GroupedData:
		switch {
		case groupAggs[name]:
			l.Bounded = true
		case name == "applyInPandasWithState" || name == "transformWithState" || name == "transformWithStateInPandas":
			l.Agg = Loc{}
		}
		if k == DataFrame && !groupAggs[name] {
			l.Agg = Loc{}
		}
	case RDD, RDDBarrier:
		switch {
		case rddBounding[name]:
			l.Bounded = true
		case name == "sample":
			if sampleFraction(m, call, true) {
				l.Bounded = true
			}
		case name == "groupByKey" || name == "groupBy":
			l.GroupedByKey = true
			return Type{Kind: k, Lin: &l}
		case name == "mapValues":
			if l.GroupedByKey && ReducesGroup(m, Arg(m, call, 0, "f")) != "" {
				l.Bounded = true
			}
		case combining[name]:
			l = merge(l, in.eval(Arg(m, call, 0, "other"), e).lin())
		}
		l.GroupedByKey = false
	case DStream:
		if combining[name] {
			l = merge(l, in.eval(Arg(m, call, 0, "other"), e).lin())
		}
	}
	switch k {
	case DataFrame, RDD, GroupedData, DStream, Writer, StreamWriter, NaFunctions, StatFunctions, RDDBarrier, CogroupedData:
		t.Lin = &l
	}
	return t
}

// scalarAggregates are the functions of pyspark.sql.functions that fold a
// whole column into one value.
var scalarAggregates = map[string]bool{
	"count": true, "sum": true, "avg": true, "mean": true, "min": true, "max": true, "countDistinct": true,
	"count_distinct": true, "approx_count_distinct": true, "sumDistinct": true, "sum_distinct": true,
	"stddev": true, "stddev_pop": true, "stddev_samp": true, "variance": true, "var_pop": true, "var_samp": true,
	"first": true, "last": true, "any_value": true, "median": true, "percentile_approx": true, "percentile": true,
	"kurtosis": true, "skewness": true, "corr": true, "covar_pop": true, "covar_samp": true, "bool_and": true,
	"bool_or": true, "every": true, "some": true, "max_by": true, "min_by": true, "count_if": true, "product": true,
}

// selectsAggregatesOnly reports whether select(...) lists only aggregate
// function calls (optionally aliased): a global aggregation of one row.
func (in *Info) selectsAggregatesOnly(call pyparse.NodeID, e *env) bool {
	m := in.M
	pos, kw := Args(m, call)
	if len(pos) == 0 || len(kw) > 0 {
		return false
	}
	for _, a := range pos {
		a = m.Unparen(a)
		// F.max("a").alias("m")
		for m.Kind(a) == pyparse.KCall && m.Kind(m.Child(a, pyparse.FFunction)) == pyparse.KAttribute {
			fn := m.Child(a, pyparse.FFunction)
			if !m.TextIs(m.Child(fn, pyparse.FAttribute), "alias") && !m.TextIs(m.Child(fn, pyparse.FAttribute), "name") {
				break
			}
			a = m.Unparen(m.Child(fn, pyparse.FObject))
		}
		if m.Kind(a) != pyparse.KCall {
			return false
		}
		t := in.eval(m.Child(a, pyparse.FFunction), e)
		name, ok := strings.CutPrefix(t.Name, "pyspark.sql.functions.")
		if t.Kind != Function || !ok || !scalarAggregates[name] {
			return false
		}
	}
	return true
}

// dictEntry types d["key"] when d is bound to a dict literal that maps
// "key" to a value.
func (in *Info) dictEntry(n pyparse.NodeID, e *env) (Type, bool) {
	m := in.M
	val, key := m.Unparen(m.Child(n, pyparse.FValue)), m.Unparen(m.Child(n, pyparse.FSubscript))
	if m.Kind(val) != pyparse.KIdentifier || m.Kind(key) != pyparse.KString {
		return Type{}, false
	}
	bd := m.Scopes.Reaching(m, val, m.Text(val))
	if bd == nil || bd.Value < 0 || m.Kind(m.Unparen(bd.Value)) != pyparse.KDictionary {
		return Type{}, false
	}
	for _, pair := range m.NamedChildren(m.Unparen(bd.Value)) {
		k := m.Unparen(m.Child(pair, pyparse.FKey))
		if m.Kind(pair) == pyparse.KPair && m.Kind(k) == pyparse.KString && StringValue(m, k) == StringValue(m, key) {
			return in.eval(m.Child(pair, pyparse.FValue), e), true
		}
	}
	return Type{}, false
}

// ReducesGroup returns the reduction a mapValues function applies to each
// group ("sum", "len", "max", "min"), or "" when it is something else.
func ReducesGroup(m *pyparse.Module, f pyparse.NodeID) string {
	f = m.Unparen(f)
	switch m.Kind(f) {
	case pyparse.KIdentifier:
		switch name := m.Text(f); name {
		case "sum", "len", "max", "min":
			if m.Scopes.Reaching(m, f, name) == nil {
				return name
			}
		}
	case pyparse.KLambda:
		params := m.NamedChildren(m.Child(f, pyparse.FParameters))
		body := m.Unparen(m.Child(f, pyparse.FBody))
		if len(params) != 1 || m.Kind(params[0]) != pyparse.KIdentifier || m.Kind(body) != pyparse.KCall {
			return ""
		}
		callee := m.Child(body, pyparse.FFunction)
		args := m.NamedChildren(m.Child(body, pyparse.FArguments))
		if len(args) != 1 || m.Kind(callee) != pyparse.KIdentifier {
			return ""
		}
		arg := m.Unparen(args[0])
		// lambda vs: len(list(vs))
		if m.Kind(arg) == pyparse.KCall && m.TextIs(m.Child(arg, pyparse.FFunction), "list") && m.Scopes.Reaching(m, arg, "list") == nil {
			if inner := m.NamedChildren(m.Child(arg, pyparse.FArguments)); len(inner) == 1 {
				arg = m.Unparen(inner[0])
			}
		}
		if m.Text(arg) == m.Text(params[0]) {
			return ReducesGroup(m, callee)
		}
	}
	return ""
}

func (in *Info) groupsByWindow(call pyparse.NodeID, e *env) bool {
	m := in.M
	pos, _ := Args(m, call)
	for _, a := range pos {
		a = m.Unparen(a)
		if m.Kind(a) != pyparse.KCall {
			continue
		}
		fn := in.eval(m.Child(a, pyparse.FFunction), e)
		if fn.Kind == Function && (fn.Name == "pyspark.sql.functions.window" || fn.Name == "pyspark.sql.functions.session_window" || fn.Name == "pyspark.sql.functions.window_time") {
			return true
		}
	}
	return false
}

// sampleFraction reports whether a sample call has a literal fraction of
// at most 1%.
func sampleFraction(m *pyparse.Module, call pyparse.NodeID, rdd bool) bool {
	pos, kw := Args(m, call)
	f, ok := kw["fraction"]
	if !ok {
		switch {
		case rdd && len(pos) >= 2:
			f = pos[1]
		case !rdd && len(pos) >= 1 && m.Kind(pos[0]) == pyparse.KFloat:
			f = pos[0]
		case !rdd && len(pos) >= 2:
			f = pos[1]
		default:
			return false
		}
	}
	if m.Kind(f) != pyparse.KFloat && m.Kind(f) != pyparse.KInteger {
		return false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(m.Text(f), "_", ""), 64)
	return err == nil && v <= 0.01
}

var (
	sqlLimit    = regexp.MustCompile(`(?is)\blimit\s+(\d+|\{[^}]*\})(\s+offset\s+(\d+|\{[^}]*\}))?\s*;?\s*$`)
	sqlComments = regexp.MustCompile(`(?s)--[^\n]*|/\*.*?\*/`)
	sqlSelect   = regexp.MustCompile(`(?is)^\s*select\s+(.*?)\s+from\s`)
	sqlGroupBy  = regexp.MustCompile(`(?is)\bgroup\s+by\b`)
	sqlNoFrom   = regexp.MustCompile(`(?is)^\s*select\s`)
	sqlFrom     = regexp.MustCompile(`(?is)\bfrom\b|\bunion\b|\bvalues\b|\blateral\b`)
	sqlCommand  = regexp.MustCompile(`(?is)^\s*(show|describe|desc|create|drop|insert|alter|set|use|explain|refresh|msck|analyze|cache|uncache|truncate|delete|update|merge|optimize|vacuum|reset|add|list|clear)\b`)
	sqlAggItem  = regexp.MustCompile(`(?is)^\s*(count|sum|avg|mean|min|max|stddev|stddev_pop|stddev_samp|variance|var_pop|var_samp|approx_count_distinct|count_distinct|median|percentile|percentile_approx|approx_percentile|first|last|any_value|bool_and|bool_or|every|some|any|kurtosis|skewness|corr|covar_pop|covar_samp)\s*\(`)
	sqlAliasEnd = regexp.MustCompile(`(?is)\)\s*(as\s+)?[\w` + "`" + `"]*\s*$`)
)

// sqlBounded reads a literal SQL query: a trailing LIMIT, a select list of
// aggregates only with no GROUP BY, or a command (DDL, SHOW...) bounds it.
func sqlBounded(m *pyparse.Module, q pyparse.NodeID) bool {
	q = m.Unparen(q)
	// "... %s" % x, "...{}".format(x), "SHOW " + name: the literal
	// template still tells a command from a query.
	whole := true
	for {
		switch {
		case m.Kind(q) == pyparse.KBinaryOperator && (m.TextIs(m.Child(q, pyparse.FOperator), "%") || m.TextIs(m.Child(q, pyparse.FOperator), "+")):
			if m.TextIs(m.Child(q, pyparse.FOperator), "+") {
				whole = false
			}
			q = m.Unparen(m.Child(q, pyparse.FLeft))
			continue
		case m.Kind(q) == pyparse.KCall && m.Kind(m.Child(q, pyparse.FFunction)) == pyparse.KAttribute &&
			m.TextIs(m.Child(m.Child(q, pyparse.FFunction), pyparse.FAttribute), "format"):
			q = m.Unparen(m.Child(m.Child(q, pyparse.FFunction), pyparse.FObject))
			continue
		}
		break
	}
	if m.Kind(q) == pyparse.KIdentifier {
		// q = "SELECT ... LIMIT 5"; spark.sql(q)
		if _, bs := m.Scopes.Lookup(q, m.Text(q)); len(bs) == 1 && bs[0].Kind == pyparse.BindAssign && bs[0].Value >= 0 {
			q = m.Unparen(bs[0].Value)
		}
	}
	if m.Kind(q) != pyparse.KString && m.Kind(q) != pyparse.KConcatenatedString {
		return false
	}
	text := sqlComments.ReplaceAllString(StringValue(m, q), " ")
	if sqlCommand.MatchString(text) || (whole && sqlLimit.MatchString(text)) {
		return true
	}
	if !whole {
		return false
	}
	if sqlNoFrom.MatchString(text) && !sqlFrom.MatchString(text) {
		return true // SELECT 1, SELECT current_date(): one row
	}
	sel := sqlSelect.FindStringSubmatch(text)
	if sel == nil || sqlGroupBy.MatchString(text) {
		return false
	}
	for _, item := range splitTopLevel(sel[1]) {
		if !sqlAggItem.MatchString(item) || !sqlAliasEnd.MatchString(item) {
			return false
		}
	}
	return true
}

// splitTopLevel splits a select list on the commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// StringValue returns the text of a string literal without its quotes and
// prefix (interpolations are kept as written).
func StringValue(m *pyparse.Module, s pyparse.NodeID) string {
	if m.Kind(s) == pyparse.KConcatenatedString {
		var b strings.Builder
		for _, c := range m.NamedChildren(s) {
			b.WriteString(StringValue(m, c))
		}
		return b.String()
	}
	var b strings.Builder
	for c := m.N(s).FirstChild; c != pyparse.NoNode; c = m.N(c).NextSibling {
		switch m.Kind(c) {
		case pyparse.KStringContent, pyparse.KInterpolation:
			// Escape sequences are children of the content: copy the
			// text between them and decode them.
			last := m.N(c).Start
			for esc := m.N(c).FirstChild; esc != pyparse.NoNode; esc = m.N(esc).NextSibling {
				if m.Kind(esc) != pyparse.KEscapeSequence {
					continue
				}
				b.Write(m.Src[last:m.N(esc).Start])
				b.WriteString(decodeEscape(m.Text(esc)))
				last = m.N(esc).End
			}
			b.Write(m.Src[last:m.N(c).End])
		case pyparse.KEscapeSequence:
			b.WriteString(decodeEscape(m.Text(c)))
		}
	}
	return b.String()
}

// isUDFDef reports whether def is decorated with udf/pandas_udf/arrow_udf.
func (in *Info) isUDFDef(def pyparse.NodeID) bool {
	m := in.M
	p := m.Parent(def)
	if m.Kind(p) != pyparse.KDecoratedDefinition {
		return false
	}
	for _, d := range m.NamedChildren(p) {
		if m.Kind(d) != pyparse.KDecorator {
			continue
		}
		expr := m.FirstNamed(d)
		if m.Kind(expr) == pyparse.KCall {
			expr = m.Child(expr, pyparse.FFunction)
		}
		t := in.TypeOf(expr)
		if t.Kind == Function && (t.Name == "pyspark.sql.functions.udf" || t.Name == "pyspark.sql.functions.pandas_udf" || t.Name == "pyspark.sql.functions.arrow_udf") {
			return true
		}
	}
	return false
}

// decodeEscape decodes the escape sequences that matter for reading SQL and
// format strings; others are kept as written.
func decodeEscape(esc string) string {
	switch esc {
	case `\n`:
		return "\n"
	case `\t`:
		return "\t"
	case `\r`:
		return "\r"
	case `\\`:
		return `\`
	case `\'`:
		return "'"
	case `\"`:
		return `"`
	case "\\\n":
		return ""
	}
	return esc
}

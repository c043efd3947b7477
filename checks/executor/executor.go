// Package executor finds the code Spark ships to executors: the functions
// and lambdas passed to RDD, DStream, DataFrame and GroupedData operations,
// the bodies of Python UDFs, the methods of foreach writers and stateful
// processors, and every project function those call (in the same file or
// in project modules they import). It also answers what such code captures
// from the driver: names read from enclosing or module scope, and the
// attributes of the instance a bound method drags along.
//
// Driver-side callbacks (foreachBatch, DataFrame.transform, the lambdas of
// the higher-order column functions, foreachRDD, listeners) are not
// executor code; the entry-point table (data/executor_entry_points.tsv)
// says which parameter of which class runs where.
package executor

import (
	"path/filepath"
	"reflect"
	"strings"

	"github.com/sparklint/sparklint/checks/settings"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// Shipping is one place where driver code hands a function to Spark.
type Shipping struct {
	// Call is the shipping call (rdd.map(...)), or the decorator of a
	// decorated UDF.
	Call sparktype.Loc
	// Ref is the argument that names the function (the lambda itself,
	// `parse`, `self.parse`).
	Ref sparktype.Loc
	// Via describes the entry point for messages: "RDD.map", "udf".
	Via string
	// Bound is set when a bound method ships: its whole instance (of
	// class Class) is pickled with it.
	Bound bool
	Class sparktype.Loc
	// OnExecutor is set for the methods of objects Spark instantiates or
	// unpickles on executors (foreach writers, stateful processors): their
	// instance lives on the executor.
	OnExecutor bool
}

// Func is a function or lambda that runs on executors.
type Func struct {
	Fn sparktype.Loc
	// Ship is how it reached the executors (through its callers, for
	// functions executor code calls).
	Ship *Shipping
	// Direct is true when Fn itself is the shipped function.
	Direct bool
}

// Info is the result of the analyzer.
type Info struct {
	Types     *sparktype.Info
	Shippings []*Shipping
	// Funcs lists executor functions, shipped ones first, each once (the
	// first shipping that reaches it).
	Funcs []*Func
	seen  map[sparktype.Loc]bool

	settings         *settings.Settings
	extraUnpicklable map[string]bool
}

// Analyzer finds the executor code of a file.
var Analyzer = &analysis.Analyzer{
	Name:       "executor",
	Doc:        "finds functions Spark ships to executors and what they capture",
	Requires:   []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer, settings.Analyzer},
	ResultType: reflect.TypeFor[*Info](),
	Run: func(pass *analysis.Pass) (any, error) {
		u := pass.ResultOf[pyparse.Analyzer].(*pyparse.Unit)
		ti := pass.ResultOf[sparktype.Analyzer].(*sparktype.Info)
		return Analyze(u.Module, ti, settings.Of(pass)), nil
	},
}

// Analyze finds the executor code of module m.
func Analyze(m *pyparse.Module, ti *sparktype.Info, s *settings.Settings) *Info {
	if s == nil {
		s = settings.Default
	}
	in := &Info{Types: ti, seen: map[sparktype.Loc]bool{}, settings: s}
	for _, c := range s.ExtraUnpicklable {
		if in.extraUnpicklable == nil {
			in.extraUnpicklable = map[string]bool{}
		}
		in.extraUnpicklable[c] = true
	}
	if m.Scopes == nil {
		return in
	}
	for id := range m.Nodes {
		n := pyparse.NodeID(id)
		switch m.Kind(n) {
		case pyparse.KCall:
			in.call(m, n)
		case pyparse.KDecorator:
			in.decorator(m, n)
		}
	}
	// Functions that executor code calls run on executors too.
	for i := 0; i < len(in.Funcs); i++ {
		f := in.Funcs[i]
		fi := ti.InfoFor(f.Fn.M)
		fm := f.Fn.M
		fm.Walk(f.Fn.N, func(c pyparse.NodeID) bool {
			if fm.Kind(c) != pyparse.KCall {
				return true
			}
			t := fi.TypeOf(fm.Child(c, pyparse.FFunction))
			if (t.Kind == sparktype.Function || t.Kind == sparktype.UDF) && t.Def.M != nil && isFunc(t.Def.M, t.Def.N) {
				in.add(t.Def, f.Ship, false)
			}
			return true
		})
	}
	return in
}

func isFunc(m *pyparse.Module, n pyparse.NodeID) bool {
	k := m.Kind(n)
	return k == pyparse.KFunctionDefinition || k == pyparse.KLambda
}

func (in *Info) add(fn sparktype.Loc, s *Shipping, direct bool) {
	if in.seen[fn] {
		return
	}
	in.seen[fn] = true
	in.Funcs = append(in.Funcs, &Func{Fn: fn, Ship: s, Direct: direct})
}

var udfFactories = map[string]bool{
	"pyspark.sql.functions.udf": true, "pyspark.sql.functions.pandas_udf": true, "pyspark.sql.functions.arrow_udf": true,
}

// call records the functions a call ships.
func (in *Info) call(m *pyparse.Module, call pyparse.NodeID) {
	ti := in.Types
	callee := m.Child(call, pyparse.FFunction)
	switch m.Kind(callee) {
	case pyparse.KIdentifier:
	case pyparse.KAttribute:
		// Most calls are methods no entry point has: skip typing them.
		name := m.Child(callee, pyparse.FAttribute)
		n := m.N(name)
		if !shippingNames[string(m.Src[n.Start:n.End])] && len(in.settings.ExtraEntryPoints) == 0 {
			return
		}
	default:
		return
	}
	ft := ti.TypeOf(callee)
	if ep, ok := in.configuredEntryPoint(m, callee, ft); ok {
		if arg := sparktype.Arg(m, call, ep.Position, ""); arg >= 0 {
			in.ship(m, call, arg, ep.Name)
		}
		return
	}
	if ft.Kind == sparktype.Function && udfFactories[ft.Name] {
		if f := sparktype.Arg(m, call, 0, "f"); f >= 0 {
			in.ship(m, call, f, "udf")
		}
		return
	}
	if m.Kind(callee) != pyparse.KAttribute {
		return
	}
	method := m.Text(m.Child(callee, pyparse.FAttribute))
	recv := ti.TypeOf(m.Child(callee, pyparse.FObject))
	// An unknown receiver ships nothing, whatever the method's name: the
	// executor rules never fire on a receiver not shown to be Spark.
	class := recv.Kind.ClassName()
	eps := entryPoints[class][method]
	for _, ep := range eps {
		arg := sparktype.Arg(m, call, ep.position, ep.param)
		if arg < 0 {
			continue
		}
		in.ship(m, call, arg, class+"."+method)
	}
}

// decorator records a function decorated with udf/pandas_udf/arrow_udf.
func (in *Info) decorator(m *pyparse.Module, dec pyparse.NodeID) {
	expr := m.FirstNamed(dec)
	if m.Kind(expr) == pyparse.KCall {
		expr = m.Child(expr, pyparse.FFunction)
	}
	t := in.Types.TypeOf(expr)
	if t.Kind != sparktype.Function || !udfFactories[t.Name] {
		return
	}
	def := m.Child(m.Parent(dec), pyparse.FDefinition)
	if m.Kind(def) != pyparse.KFunctionDefinition {
		return
	}
	s := &Shipping{Call: sparktype.Loc{M: m, N: dec}, Ref: sparktype.Loc{M: m, N: m.Child(def, pyparse.FName)}, Via: "udf"}
	in.Shippings = append(in.Shippings, s)
	in.add(sparktype.Loc{M: m, N: def}, s, true)
}

// ship resolves the function argument arg of a shipping call.
func (in *Info) ship(m *pyparse.Module, call, arg pyparse.NodeID, via string) {
	s := &Shipping{Call: sparktype.Loc{M: m, N: call}, Ref: sparktype.Loc{M: m, N: arg}, Via: via}
	fns := in.resolve(m, arg, s, 0)
	if len(fns) == 0 {
		return
	}
	in.Shippings = append(in.Shippings, s)
	for _, f := range fns {
		in.add(f, s, true)
	}
}

// resolve returns the functions an argument expression denotes.
func (in *Info) resolve(m *pyparse.Module, arg pyparse.NodeID, s *Shipping, depth int) []sparktype.Loc {
	if depth > 3 {
		return nil
	}
	arg = m.Unparen(arg)
	ti := in.Types.InfoFor(m)
	switch m.Kind(arg) {
	case pyparse.KLambda:
		return []sparktype.Loc{{M: m, N: arg}}
	case pyparse.KCall:
		callee := m.Child(arg, pyparse.FFunction)
		q := sparktype.QualifiedName(m, callee)
		if q == "functools.partial" {
			return in.resolve(m, sparktype.Arg(m, arg, 0, "func"), s, depth+1)
		}
		ft := ti.TypeOf(callee)
		if ft.Kind == sparktype.Function && udfFactories[ft.Name] {
			return in.resolve(m, sparktype.Arg(m, arg, 0, "f"), s, depth+1)
		}
		if ft.Kind == sparktype.ProjectClass {
			// An object: Spark calls its methods on executors.
			s.OnExecutor = true
			return in.classMethods(ft.Def, s.Via)
		}
		if ft.Kind == sparktype.Function && ft.Def.M != nil && ft.Def.M.Kind(ft.Def.N) == pyparse.KFunctionDefinition {
			// A factory: the closure it returns is what ships.
			var out []sparktype.Loc
			fm := ft.Def.M
			for _, r := range sparktype.ReturnValues(fm, ft.Def.N) {
				out = append(out, in.resolve(fm, r, s, depth+1)...)
			}
			return out
		}
		return nil
	}
	t := ti.TypeOf(arg)
	switch t.Kind {
	case sparktype.Function, sparktype.UDF:
		if t.Def.M == nil || !isFunc(t.Def.M, t.Def.N) {
			return nil
		}
		if t.Recv != nil && t.Recv.Kind == sparktype.Instance && !isStatic(t.Def.M, t.Def.N) {
			s.Bound = true
			s.Class = t.Recv.Def
		}
		return []sparktype.Loc{t.Def}
	case sparktype.Instance:
		s.OnExecutor = true
		return in.classMethods(t.Def, s.Via)
	}
	// A name bound to a lambda.
	if m.Kind(arg) == pyparse.KIdentifier {
		if bd := m.Scopes.Reaching(m, arg, m.Text(arg)); bd != nil && bd.Value >= 0 && m.Kind(m.Unparen(bd.Value)) == pyparse.KLambda {
			return []sparktype.Loc{{M: m, N: m.Unparen(bd.Value)}}
		}
	}
	return nil
}

// objectMethods are the methods Spark calls on the objects it ships, by
// entry point: only these run on executors (others are driver code or
// never called).
var objectMethods = map[string]map[string]bool{
	"DataStreamWriter.foreach":               {"open": true, "process": true, "close": true},
	"GroupedData.transformWithState":         {"init": true, "handleInputRows": true, "handleExpiredTimer": true, "handleInitialState": true, "close": true},
	"GroupedData.transformWithStateInPandas": {"init": true, "handleInputRows": true, "handleExpiredTimer": true, "handleInitialState": true, "close": true},
	"SparkContext.accumulator":               {"zero": true, "addInPlace": true},
}

// classMethods returns the methods of a project class (a foreach writer,
// a stateful processor).
func (in *Info) classMethods(cls sparktype.Loc, via string) []sparktype.Loc {
	allowed := objectMethods[via]
	m := cls.M
	var out []sparktype.Loc
	for _, st := range m.NamedChildren(m.Child(cls.N, pyparse.FBody)) {
		def := st
		if m.Kind(def) == pyparse.KDecoratedDefinition {
			def = m.Child(def, pyparse.FDefinition)
		}
		if m.Kind(def) != pyparse.KFunctionDefinition {
			continue
		}
		// The object is built on the driver: its constructor and other
		// dunders do not run on executors.
		name := m.Text(m.Child(def, pyparse.FName))
		if allowed != nil && !allowed[name] {
			continue
		}
		if allowed == nil && strings.HasPrefix(name, "__") && name != "__call__" {
			continue
		}
		out = append(out, sparktype.Loc{M: m, N: def})
	}
	return out
}

// isStatic reports whether def is a staticmethod or classmethod: reached
// through self it ships without the instance.
func isStatic(m *pyparse.Module, def pyparse.NodeID) bool {
	p := m.Parent(def)
	if m.Kind(p) != pyparse.KDecoratedDefinition {
		return false
	}
	for _, d := range m.NamedChildren(p) {
		if m.Kind(d) == pyparse.KDecorator {
			t := m.Text(m.FirstNamed(d))
			if t == "staticmethod" || t == "classmethod" {
				return true
			}
		}
	}
	return false
}

// Capture is a read, inside executor function fn, of a name bound outside
// it.
type Capture struct {
	Ident    pyparse.NodeID
	Name     string
	Scope    *pyparse.Scope
	Bindings []*pyparse.Binding
}

// Captures lists the free-variable reads of executor function fn (names
// bound in an enclosing function or at module level; builtins and
// undefined names are not captures).
func Captures(m *pyparse.Module, fn pyparse.NodeID) []Capture {
	var out []Capture
	// Default values and annotations are evaluated on the driver when the
	// function is defined: only the body captures.
	body := m.Child(fn, pyparse.FBody)
	if body < 0 {
		return nil
	}
	m.Walk(body, func(n pyparse.NodeID) bool {
		if m.Kind(n) != pyparse.KIdentifier || !isRead(m, n) {
			return true
		}
		name := m.Text(n)
		s, bs := m.Scopes.Lookup(n, name)
		if s == nil || m.Scopes.IsLocal(s, fn) {
			return true
		}
		out = append(out, Capture{Ident: n, Name: name, Scope: s, Bindings: bs})
		return true
	})
	return out
}

// isRead reports whether identifier n is a name read (not an attribute
// name, a keyword argument name, a parameter or a binding target).
func isRead(m *pyparse.Module, n pyparse.NodeID) bool {
	p := m.Parent(n)
	node := m.N(n)
	switch m.Kind(p) {
	case pyparse.KAttribute:
		return node.Field == pyparse.FObject
	case pyparse.KKeywordArgument:
		return node.Field == pyparse.FValue
	case pyparse.KFunctionDefinition, pyparse.KClassDefinition:
		return false
	case pyparse.KParameters, pyparse.KLambdaParameters, pyparse.KTypedParameter, pyparse.KDefaultParameter, pyparse.KTypedDefaultParameter:
		return node.Field == pyparse.FValue
	case pyparse.KGlobalStatement, pyparse.KNonlocalStatement, pyparse.KDottedName, pyparse.KAliasedImport:
		return false
	}
	return true
}

// Describe names the shipping for a message about module from:
// "RDD.map at line 12" (or at a cell, or in another file).
func (s *Shipping) Describe(from *pyparse.Module) string {
	return s.Via + " at " + s.Call.Where(from)
}

// configuredEntryPoint matches a call against the entry points of the
// configuration: a Spark method by class ("RDD.mapPartitionsWithBarrier"),
// a library function by qualified name, a project function by its name
// and, when given, the end of its module's path ("jobs.util.run_distributed"
// matches def run_distributed in jobs/util.py).
func (in *Info) configuredEntryPoint(m *pyparse.Module, callee pyparse.NodeID, ft sparktype.Type) (settings.EntryPoint, bool) {
	if len(in.settings.ExtraEntryPoints) == 0 {
		return settings.EntryPoint{}, false
	}
	var class, method string
	if m.Kind(callee) == pyparse.KAttribute {
		method = m.Text(m.Child(callee, pyparse.FAttribute))
		class = in.Types.TypeOf(m.Child(callee, pyparse.FObject)).Kind.ClassName()
	}
	q := sparktype.QualifiedName(m, callee)
	for _, ep := range in.settings.ExtraEntryPoints {
		switch {
		case class != "" && ep.Name == class+"."+method:
			return ep, true
		case q != "" && ep.Name == q:
			return ep, true
		case ft.Kind == sparktype.Function && ft.Def.M != nil && ft.Def.M.Kind(ft.Def.N) == pyparse.KFunctionDefinition:
			dm := ft.Def.M
			name := dm.Text(dm.Child(ft.Def.N, pyparse.FName))
			mod, fn := "", ep.Name
			if i := strings.LastIndexByte(ep.Name, '.'); i >= 0 {
				mod, fn = ep.Name[:i], ep.Name[i+1:]
			}
			if fn != name {
				continue
			}
			path := strings.TrimSuffix(strings.TrimSuffix(filepath.ToSlash(dm.Path), ".py"), "/__init__")
			if mod == "" || path == strings.ReplaceAll(mod, ".", "/") || strings.HasSuffix(path, "/"+strings.ReplaceAll(mod, ".", "/")) {
				return ep, true
			}
		}
	}
	return settings.EntryPoint{}, false
}

// ExecutorScope reports whether names bound in scope s of m live on the
// executors: s is, or is nested in, an executor function (a helper def
// inside a mapPartitions function shares that function's per-partition
// objects).
func (in *Info) ExecutorScope(m *pyparse.Module, s *pyparse.Scope) bool {
	for ; s != nil; s = s.Parent {
		if s.Kind != pyparse.ModuleScope && in.seen[sparktype.Loc{M: m, N: s.Node}] {
			return true
		}
	}
	return false
}

// IsExecutorFunc reports whether fn of m is executor code.
func (in *Info) IsExecutorFunc(m *pyparse.Module, fn pyparse.NodeID) bool {
	return in.seen[sparktype.Loc{M: m, N: fn}]
}

// shippingNames are the method names that can ship a function: the entry
// points' members and the UDF factories (filled by entrypoints.go's init,
// after the table is read).
var shippingNames = map[string]bool{"udf": true, "pandas_udf": true, "arrow_udf": true}

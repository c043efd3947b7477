package checks

import (
	"fmt"

	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// ExecutorMutatesDriverState is SPK101.
var ExecutorMutatesDriverState = register(&Rule{
	Code:    "SPK101",
	Name:    "executor-mutates-driver-state",
	Summary: "Code shipped to executors mutates a driver-side variable or object; the update is lost.",
	WhatItDoes: "Flags executor code (functions passed to RDD operations, foreach/foreachPartition, mapInPandas, applyInPandas, UDF bodies, and the project functions they call) " +
		"that mutates a module-level or enclosing-scope object: `global x; x += 1`, `nonlocal n`, `lst.append(...)`, `d[k] = v`, `s.add(...)`, " +
		"`.update/.extend/.insert/.pop/.remove/.discard/.clear/.setdefault`, also through attribute chains and imported project modules.",
	WhyBad: "Spark pickles the function with a copy of everything it captures and runs it in Python workers on other machines. " +
		"Each task mutates its own copy; the driver's object never changes, so the job silently computes nothing (or, in local mode, something that breaks on a cluster).",
	Example: `seen = []

def track(row):
    seen.append(row.id)

df.foreach(track)
print(len(seen))  # 0 on a cluster`,
	UseInstead: `seen = spark.sparkContext.accumulator(0)

def track(row):
    seen.add(1)

df.foreach(track)
print(seen.value)
# or return what you need: ids = df.select("id").rdd.map(lambda r: r.id).take(1000)`,
	FixSafety: "No fix: replacing state with an accumulator or a returned value changes the program's structure.",
	KnownLimits: "Accumulators, objects created inside the executor function, the lazy per-executor singleton (`global c; if c is None: c = make()`) " +
		"and attributes of a foreach writer's own instance are not flagged. Receivers whose shipping call cannot be shown to be Spark are not analysed.",
	Fix:      FixNone,
	Triggers: []string{"pyspark", "spark", "udf"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK101",
		Doc:      "flags executor code that mutates driver state",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer, executor.Analyzer},
		Run:      runMutation,
	},
})

var mutatingMethods = map[string]bool{
	"append": true, "add": true, "update": true, "extend": true, "insert": true, "pop": true, "remove": true,
	"discard": true, "clear": true, "setdefault": true, "appendleft": true, "extendleft": true, "popitem": true,
}

func runMutation(pass *analysis.Pass) (any, error) {
	ex := execInfo(pass)
	done := map[sparktype.Loc]bool{}
	for _, f := range ex.Funcs {
		m := f.Fn.M
		ti := ex.Types.InfoFor(m)
		m.Walk(fnBody(m, f.Fn.N), func(n pyparse.NodeID) bool {
			if n != f.Fn.N && (m.Kind(n) == pyparse.KFunctionDefinition || m.Kind(n) == pyparse.KClassDefinition) {
				return false
			}
			target, name, kind := mutation(m, ti, ex, f, n)
			if target == pyparse.NoNode || done[sparktype.Loc{M: m, N: n}] {
				return true
			}
			done[sparktype.Loc{M: m, N: n}] = true
			report(pass, nodeSpan(m, n),
				fmt.Sprintf("`%s` is a driver-side %s mutated in code that runs on executors (shipped by %s): each task changes its own pickled copy and the driver never sees it; use an accumulator or return the values",
					name, kind, f.Ship.Describe(m)),
				related(locSpan(f.Ship.Call), "shipped to executors here"))
			return true
		})
	}
	return nil, nil
}

// mutation reports whether node n of executor function f mutates driver
// state, returning the root of the mutated target, its name and what kind
// of variable it is.
func mutation(m *pyparse.Module, ti *sparktype.Info, ex *executor.Info, f *executor.Func, n pyparse.NodeID) (pyparse.NodeID, string, string) {
	var target pyparse.NodeID
	method := ""
	switch m.Kind(n) {
	case pyparse.KAugmentedAssignment, pyparse.KAssignment:
		if m.Kind(n) == pyparse.KAssignment && m.Kind(m.Parent(n)) == pyparse.KAssignment {
			return pyparse.NoNode, "", ""
		}
		target = m.Child(n, pyparse.FLeft)
	case pyparse.KDeleteStatement:
		target = m.FirstNamed(n)
		if m.Kind(target) != pyparse.KSubscript {
			return pyparse.NoNode, "", ""
		}
	case pyparse.KCall:
		fn := m.Child(n, pyparse.FFunction)
		if m.Kind(fn) != pyparse.KAttribute {
			return pyparse.NoNode, "", ""
		}
		method = m.Text(m.Child(fn, pyparse.FAttribute))
		if !mutatingMethods[method] {
			return pyparse.NoNode, "", ""
		}
		target = m.Child(fn, pyparse.FObject)
	default:
		return pyparse.NoNode, "", ""
	}
	// The mutated object itself may be an accumulator kept in a dict or an
	// attribute (accs["bad"].add(1), self.stats.bad += 1).
	if m.Kind(target) != pyparse.KIdentifier {
		if t := ti.TypeOf(target); t.Kind == sparktype.Accumulator || t.Kind == sparktype.Broadcast {
			return pyparse.NoNode, "", ""
		}
	}
	if m.Kind(target) == pyparse.KIdentifier {
		if method != "" {
			return capturedRoot(m, ti, ex, f, target, method)
		}
		// Rebinding a name mutates driver state only through global or
		// nonlocal.
		name := m.Text(target)
		s := m.Scopes.ScopeOf(target)
		for sc := s; sc != nil && m.Scopes.IsLocal(sc, f.Fn.N); sc = sc.Parent {
			if sc.Globals[name] || sc.Nonlocals[name] {
				bscope, bs := m.Scopes.Lookup(target, name)
				if sc.Nonlocals[name] && ex.ExecutorScope(m, bscope) {
					return pyparse.NoNode, "", "" // the enclosing function runs on the executor too
				}
				for _, bd := range bs {
					if bd.Ident == target && bd.Guarded {
						return pyparse.NoNode, "", ""
					}
				}
				if t := ti.FreeType(bs); t.Kind == sparktype.Accumulator {
					return pyparse.NoNode, "", ""
				}
				kind := "module-level variable"
				if sc.Nonlocals[name] {
					kind = "enclosing-scope variable"
				}
				return target, name, kind
			}
		}
		return pyparse.NoNode, "", ""
	}
	// d[k] = v, obj.attr += 1, state.rejected.append(x): find the root name.
	root := target
	for {
		switch m.Kind(root) {
		case pyparse.KSubscript:
			root = m.Child(root, pyparse.FValue)
			continue
		case pyparse.KAttribute:
			root = m.Child(root, pyparse.FObject)
			continue
		}
		break
	}
	if m.Kind(root) != pyparse.KIdentifier {
		return pyparse.NoNode, "", ""
	}
	if method == "" && m.Kind(target) == pyparse.KAttribute && m.Kind(n) == pyparse.KAssignment && m.Child(target, pyparse.FObject) == root {
		// obj.attr = v: flag only for imported project modules and
		// known plain objects.
		t := ti.TypeOf(root)
		if t.Kind != sparktype.Module || t.Def.M == nil {
			return pyparse.NoNode, "", ""
		}
	}
	return capturedRoot(m, ti, ex, f, root, method)
}

// capturedRoot decides whether the root name of a mutated object is driver
// state captured by executor function f.
func capturedRoot(m *pyparse.Module, ti *sparktype.Info, ex *executor.Info, f *executor.Func, root pyparse.NodeID, method string) (pyparse.NodeID, string, string) {
	name := m.Text(root)
	s, bs := m.Scopes.Lookup(root, name)
	if s == nil || m.Scopes.IsLocal(s, f.Fn.N) || ex.ExecutorScope(m, s) {
		return pyparse.NoNode, "", ""
	}
	t := ti.FreeType(bs)
	switch {
	case t.Kind == sparktype.Accumulator, t.Kind == sparktype.Broadcast, t.Kind.IsSpark():
		return pyparse.NoNode, "", ""
	case t.Kind == sparktype.Module && t.Def.M == nil:
		return pyparse.NoNode, "", "" // a library module (os.environ...)
	case t.Kind == sparktype.Function, t.Kind == sparktype.ProjectClass, t.Kind == sparktype.UDF:
		return pyparse.NoNode, "", ""
	case method == "add" && t.Kind == sparktype.Unknown:
		// Unknown values with add() are most often accumulators passed in.
		return pyparse.NoNode, "", ""
	}
	for _, bd := range bs {
		// An object imported from a library is not driver state of the
		// project; one imported from a project module is (`from .state
		// import counters`).
		if bd.Kind == pyparse.BindImport && (t.Kind != sparktype.Module || t.Def.M == nil) && !fromProject(m, ti, bd.Import) {
			return pyparse.NoNode, "", ""
		}
	}
	kind := "module-level object"
	switch {
	case t.Kind == sparktype.Module:
		kind = "module attribute"
	case s.Kind == pyparse.FunctionScope || s.Kind == pyparse.LambdaScope:
		kind = "enclosing-scope object"
	}
	return root, name, kind
}

// fromProject reports whether an import names a member of a project module.
func fromProject(m *pyparse.Module, ti *sparktype.Info, imp *pyparse.Import) bool {
	if ti.Project == nil || imp.Name == "" {
		return false
	}
	return ti.Project.ImportModule(m, imp.Module, imp.Level) != nil
}

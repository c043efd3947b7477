package checks

import (
	"fmt"

	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// SparkHandleInExecutor is SPK103.
var SparkHandleInExecutor = register(&Rule{
	Code:    "SPK103",
	Name:    "spark-handle-in-executor",
	Summary: "Code shipped to executors uses a SparkSession, SparkContext, DataFrame or RDD, which exist only on the driver.",
	WhatItDoes: "Flags executor code that references a SparkSession, SparkContext, SQLContext, DataFrame or RDD, or calls through one " +
		"(`spark.sql`, `spark.read`, `sc.broadcast`, `df.count()`), including handles reached indirectly: `SparkSession.getActiveSession()`, " +
		"`SparkSession.builder.getOrCreate()`, `SparkContext.getOrCreate()`, `self.spark` in a shipped method, `df.sparkSession`, `rdd.context`. " +
		"A shipped bound method whose instance holds a handle in an attribute is flagged at the shipped reference.",
	WhyBad: "These objects wrap JVM handles of the driver and cannot be pickled: the job fails when Spark serialises the function " +
		"(SPARK-5063, \"It appears that you are attempting to reference SparkContext from a broadcast variable, action, or transformation\"). " +
		"Nested Spark jobs cannot be started from an executor.",
	Example: `lookup = spark.table("dim_country")

def enrich(row):
    name = lookup.filter(lookup.code == row.code).first()
    return (row.id, name)

rdd.map(enrich)`,
	UseInstead: `countries = {r.code: r.name for r in spark.table("dim_country").collect()}
bc = spark.sparkContext.broadcast(countries)

rdd.map(lambda row: (row.id, bc.value.get(row.code)))
# or better: a DataFrame join`,
	FixSafety:   "No fix.",
	KnownLimits: "Broadcast values and accumulators are allowed. Handles are recognised where sparklint can show the variable holds one.",
	Fix:         FixNone,
	Triggers:    []string{"pyspark", "spark", "udf"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK103",
		Doc:      "flags Spark driver handles used in executor code",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer, executor.Analyzer},
		Run:      runSparkHandle,
	},
})

func runSparkHandle(pass *analysis.Pass) (any, error) {
	ex := execInfo(pass)
	done := map[sparktype.Loc]bool{}
	for _, f := range ex.Funcs {
		m := f.Fn.M
		ti := ex.Types.InfoFor(m)
		seenNames := map[string]bool{}
		usedSelf := map[string]bool{}
		m.Walk(fnBody(m, f.Fn.N), func(n pyparse.NodeID) bool {
			if n != f.Fn.N && (m.Kind(n) == pyparse.KFunctionDefinition || m.Kind(n) == pyparse.KClassDefinition) {
				return false
			}
			at, what, ok := handleRef(m, ti, ex, f, n)
			if !ok {
				return true
			}
			key := sparktype.Loc{M: m, N: at}
			if done[key] || seenNames[m.Text(at)] {
				return false
			}
			if a := m.Child(at, pyparse.FAttribute); m.Kind(at) == pyparse.KAttribute && m.TextIs(m.Child(at, pyparse.FObject), "self") {
				usedSelf[m.Text(a)] = true
			}
			done[key] = true
			seenNames[m.Text(at)] = true
			report(pass, nodeSpan(m, at),
				fmt.Sprintf("`%s` is a %s used in code that runs on executors (shipped by %s): it exists only on the driver and cannot be pickled (SPARK-5063); collect or broadcast what the function needs, or use a join",
					shorten(m.Text(at)), what, f.Ship.Describe(m)),
				related(locSpan(f.Ship.Call), "shipped to executors here"))
			return false
		})
	}
	// A bound method (or a foreach writer) drags its whole instance along.
	for _, si := range shippedInstances(ex) {
		for _, attr := range instanceAttrs(ex, si.class) {
			if !attr.t.Kind.IsHandle() || si.read[attr.name] {
				continue
			}
			ref := si.ship.Ref
			report(pass, nodeSpan(ref.M, ref.N),
				fmt.Sprintf("`%s` ships its whole instance to executors, and its attribute `%s` holds a %s, which cannot be pickled (SPARK-5063); ship a function or staticmethod that does not need the instance",
					shorten(ref.M.Text(ref.N)), attr.name, attr.t.Kind),
				related(nodeSpan(attr.m, attr.assign), "the attribute is set here"))
			break
		}
	}
	return nil, nil
}

// handleRef decides whether node n of executor function f refers to a
// Spark handle; it returns the node to report and the handle's kind.
func handleRef(m *pyparse.Module, ti *sparktype.Info, ex *executor.Info, f *executor.Func, n pyparse.NodeID) (pyparse.NodeID, string, bool) {
	switch m.Kind(n) {
	case pyparse.KIdentifier:
		p := m.Parent(n)
		if m.Kind(p) == pyparse.KAttribute && m.N(n).Field == pyparse.FAttribute {
			return 0, "", false
		}
		if m.Kind(p) == pyparse.KKeywordArgument && m.N(n).Field == pyparse.FName {
			return 0, "", false
		}
		name := m.Text(n)
		s, bs := m.Scopes.Lookup(n, name)
		if s == nil {
			if ti.Notebook && (name == "spark" || name == "sc" || name == "sqlContext") {
				t := ti.TypeOf(n)
				return n, t.Kind.String(), t.Kind.IsHandle()
			}
			return 0, "", false
		}
		if m.Scopes.IsLocal(s, f.Fn.N) || ex.ExecutorScope(m, s) {
			return 0, "", false
		}
		t := ti.FreeType(bs)
		return n, t.Kind.String(), t.Kind.IsHandle()
	case pyparse.KAttribute, pyparse.KCall:
		root := n
		for m.Kind(root) == pyparse.KAttribute || m.Kind(root) == pyparse.KCall {
			if m.Kind(root) == pyparse.KAttribute {
				root = m.Child(root, pyparse.FObject)
			} else {
				root = m.Child(root, pyparse.FFunction)
			}
		}
		if m.Kind(root) != pyparse.KIdentifier {
			return 0, "", false
		}
		rt := ti.TypeOf(root)
		isSelf := m.TextIs(root, "self") && rt.Kind == sparktype.Instance
		if rt.Kind != sparktype.SparkClass && !isSelf {
			return 0, "", false
		}
		if isSelf && (m.Kind(n) != pyparse.KAttribute || m.Child(n, pyparse.FObject) != root) {
			return 0, "", false // report self.spark itself, met first in the walk
		}
		t := ti.TypeOf(n)
		if !t.Kind.IsHandle() {
			return 0, "", false
		}
		return n, t.Kind.String(), true
	}
	return 0, "", false
}

type instanceAttr struct {
	name   string
	t      sparktype.Type
	m      *pyparse.Module
	assign pyparse.NodeID
	what   string // what unpicklable object it holds (SPK104)
}

// instanceAttrs lists the attributes the driver-side methods of a class
// assign to self, with their types.
func instanceAttrs(ex *executor.Info, cls sparktype.Loc) []instanceAttr {
	if cls.M == nil {
		return nil
	}
	var out []instanceAttr
	seen := map[string]bool{}
	for _, c := range ex.Types.InfoFor(cls.M).ClassChain(cls) {
		m := c.M
		ti := ex.Types.InfoFor(m)
		for _, a := range sparktype.SelfAssignments(m, c.N, "") {
			fn := m.Scopes.ScopeOf(a).Node
			if ex.IsExecutorFunc(m, fn) {
				continue // set on the executor (a writer's open())
			}
			name := m.Text(m.Child(m.Child(a, pyparse.FLeft), pyparse.FAttribute))
			if seen[name] {
				continue
			}
			t := ti.TypeOf(m.Child(a, pyparse.FRight))
			if t.Kind == sparktype.Unknown {
				continue
			}
			seen[name] = true
			out = append(out, instanceAttr{name: name, t: t, m: m, assign: a})
		}
	}
	return out
}

func shorten(s string) string {
	if len(s) > 50 {
		return s[:47] + "..."
	}
	return s
}

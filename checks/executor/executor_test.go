package executor

import (
	"go/token"
	"sort"
	"strings"
	"testing"

	"github.com/sparklint/sparklint/checks/settings"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
)

const src = `from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import udf, pandas_udf
import functools

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext
rdd = sc.parallelize([1, 2])
df = spark.table("t")

def mapped(x): return helper(x)
def helper(x): return x
def filtered(x): return True
def batch(d, i): pass
def transformed(d): return d
def part(rows): return rows
def pandas_fn(it): return it
def grouped(pdf): return pdf
def partial_target(a, x): return x
def registered(s): return s
def never(x): return x

@udf("string")
def decorated(s): return s

def factory(n):
    def inner(x): return x + n
    return inner

class Writer:
    def __init__(self): pass
    def open(self, p, e): return True
    def process(self, row): pass
    def close(self, err): pass

rdd.map(mapped).filter(filtered).count()
rdd.map(lambda x: x).count()
rdd.barrier().mapPartitions(part).collect()
rdd.map(functools.partial(partial_target, 1)).count()
rdd.map(factory(3)).count()
df.mapInPandas(pandas_fn, "a int")
df.groupBy("a").applyInPandas(grouped, "a int")
df.transform(transformed)
df.select(F.transform("xs", lambda c: c + 1))
df.writeStream.foreachBatch(batch).start()
df.writeStream.foreach(Writer()).start()
spark.udf.register("r", registered)
`

func TestExecutorFunctions(t *testing.T) {
	m, err := pyparse.Parse(token.NewFileSet(), "job.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	in := Analyze(m, sparktype.New(m, nil), nil)
	var got []string
	for _, f := range in.Funcs {
		name := "lambda"
		if f.Fn.M.Kind(f.Fn.N) == pyparse.KFunctionDefinition {
			name = f.Fn.M.Text(f.Fn.M.Child(f.Fn.N, pyparse.FName))
		} else if strings.Contains(f.Fn.M.Text(f.Fn.N), "c + 1") {
			name = "hof-lambda"
		}
		if !f.Direct {
			name += "(called)"
		}
		got = append(got, name)
	}
	sort.Strings(got)
	want := []string{"close", "decorated", "filtered", "grouped", "helper(called)", "inner", "lambda", "mapped",
		"open", "pandas_fn", "part", "partial_target", "process", "registered"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("executor functions:\n got %v\nwant %v", got, want)
	}
}

func TestCapturesSkipLocalsAndDefaults(t *testing.T) {
	m, err := pyparse.Parse(token.NewFileSet(), "c.py", []byte("g = 1\ndef outer():\n    e = 2\n    return lambda x, d=g: x + e + g + d + len([y for y in range(x)])\n"))
	if err != nil {
		t.Fatal(err)
	}
	var lam pyparse.NodeID = pyparse.NoNode
	for i := range m.Nodes {
		if m.Nodes[i].Kind == pyparse.KLambda {
			lam = pyparse.NodeID(i)
		}
	}
	var names []string
	for _, c := range Captures(m, lam) {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "e,g" {
		t.Errorf("captures = %v, want e,g (not the parameter, the default, the comprehension variable or builtins)", names)
	}
}

func TestConfiguredEntryPointsAndConstructors(t *testing.T) {
	src := `from pyspark import SparkContext
import mylib
sc = SparkContext()
conn = mylib.connect()
def work(x):
    return conn.get(x)
def run_distributed(rdd, fn):
    return rdd.map(fn)
run_distributed(sc.parallelize([1]), work)
`
	m, err := pyparse.Parse(token.NewFileSet(), "jobs/util.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ti := sparktype.New(m, nil)
	if got := Analyze(m, ti, nil); len(got.Funcs) != 0 {
		t.Fatalf("without configuration nothing is shipped (fn is a parameter): %d", len(got.Funcs))
	}
	ep, err := settings.ParseEntryPoint("jobs.util.run_distributed:1")
	if err != nil {
		t.Fatal(err)
	}
	s := &settings.Settings{ExtraEntryPoints: []settings.EntryPoint{ep}, ExtraUnpicklable: []string{"mylib.connect"}}
	in := Analyze(m, sparktype.New(m, nil), s)
	if len(in.Funcs) != 1 || m.Text(m.Child(in.Funcs[0].Fn.N, pyparse.FName)) != "work" {
		t.Fatalf("funcs = %v, want work shipped through the configured entry point", in.Funcs)
	}
	conn := m.Scopes.Module.Bindings["conn"][0].Value
	if what, ok := in.Unpicklable(m, conn); !ok || what != "mylib.connect()" {
		t.Errorf("Unpicklable = %q, %v; want the configured constructor", what, ok)
	}
	if _, err := settings.ParseEntryPoint("nope"); err == nil {
		t.Error("an entry point without a position is an error")
	}
}

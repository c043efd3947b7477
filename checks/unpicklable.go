package checks

import (
	"fmt"

	"github.com/sparklint/sparklint/checks/executor"
	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
	"golang.org/x/tools/go/analysis"
)

// UnpicklableCapture is SPK104.
var UnpicklableCapture = register(&Rule{
	Code:    "SPK104",
	Name:    "unpicklable-capture",
	Summary: "Code shipped to executors captures an object that cannot be pickled (a lock, a DB connection, a client, an open file...).",
	WhatItDoes: "Flags executor code that captures, from module or enclosing scope or through `self`, an object that PySpark's cloudpickle cannot serialise: " +
		"threading and multiprocessing locks, events, queues, pools and executors; files opened for writing or in binary mode, temp files, `subprocess.Popen`, `mmap`; " +
		"sockets and SSL contexts; DB connections, cursors, engines and sessions (sqlite3, psycopg2/psycopg, pymysql, MySQLdb, mysql.connector, pyodbc, cx_Oracle, SQLAlchemy, " +
		"redis, pymongo, Elasticsearch, Cassandra, ClickHouse); boto3 clients and resources, httpx/urllib3/aiohttp clients, gRPC channels, Kafka producers and consumers, " +
		"pika, ZeroMQ, paramiko transports; generators; logging handlers. The verdicts were tested by pickling live objects.",
	WhyBad: "Spark pickles the function and everything it references when the job starts: the pickling fails (`TypeError: cannot pickle '_thread.lock' object`) " +
		"and the job dies before any task runs. Even where a copy could be made, a connection or lock is meaningless in another process on another machine.",
	Example: `import psycopg2

conn = psycopg2.connect(DSN)

def save(rows):
    cur = conn.cursor()
    for r in rows:
        cur.execute(INSERT, r)

df.foreachPartition(save)`,
	UseInstead: `def save(rows):
    conn = psycopg2.connect(DSN)  # one connection per partition, on the executor
    with conn, conn.cursor() as cur:
        for r in rows:
            cur.execute(INSERT, r)

df.foreachPartition(save)`,
	FixSafety:   "No fix.",
	KnownLimits: "Objects that do pickle are not flagged: `requests.Session`, `logging.Logger`, `boto3.session.Session`, compiled regexes, `io.StringIO`, files opened for text reading, Broadcast values. Objects created inside the executor function are fine.",
	Fix:         FixNone,
	Triggers:    []string{"pyspark", "spark", "udf"},
	Analyzer: &analysis.Analyzer{
		Name:     "SPK104",
		Doc:      "flags unpicklable objects captured by executor code",
		Requires: []*analysis.Analyzer{pyparse.Analyzer, sparktype.Analyzer, executor.Analyzer},
		Run:      runUnpicklable,
	},
})

func runUnpicklable(pass *analysis.Pass) (any, error) {
	ex := execInfo(pass)
	done := map[sparktype.Loc]bool{}
	for _, f := range ex.Funcs {
		m := f.Fn.M
		seen := map[string]bool{}
		for _, c := range executor.Captures(m, f.Fn.N) {
			if seen[c.Name] || ex.ExecutorScope(m, c.Scope) {
				continue
			}
			what, where, ok := capturedUnpicklable(ex, m, c.Bindings)
			if !ok {
				continue
			}
			seen[c.Name] = true
			key := sparktype.Loc{M: m, N: c.Ident}
			if done[key] {
				continue
			}
			done[key] = true
			report(pass, nodeSpan(m, c.Ident),
				fmt.Sprintf("`%s` holds %s, created on the driver and captured by code that runs on executors (shipped by %s): it cannot be pickled; create it inside the function, once per partition (mapPartitions/foreachPartition)",
					c.Name, article(what), f.Ship.Describe(m)),
				related(nodeSpan(m, where), "created here"),
				related(locSpan(f.Ship.Call), "shipped to executors here"))
		}
		// self.attr of a shipped bound method's instance, or of a foreach
		// writer built on the driver.
		if f.Ship.Class.M == nil && !f.Ship.OnExecutor {
			continue
		}
		cls := f.Ship.Class
		if f.Ship.OnExecutor {
			c := sparktype.EnclosingClass(m, f.Fn.N)
			if c < 0 {
				continue
			}
			cls = sparktype.Loc{M: m, N: c}
		}
		bad := map[string]instanceAttr{}
		for _, a := range instanceAttrs(ex, cls) {
			if what, ok := ex.Unpicklable(a.m, a.m.Child(a.assign, pyparse.FRight)); ok {
				a.what = what
				bad[a.name] = a
			}
		}
		if len(bad) == 0 {
			continue
		}
		used := map[string]bool{}
		m.Walk(fnBody(m, f.Fn.N), func(n pyparse.NodeID) bool {
			if m.Kind(n) != pyparse.KAttribute || !m.TextIs(m.Child(n, pyparse.FObject), "self") {
				return true
			}
			name := m.Text(m.Child(n, pyparse.FAttribute))
			a, ok := bad[name]
			if !ok || used[name] {
				return true
			}
			used[name] = true
			report(pass, nodeSpan(m, n),
				fmt.Sprintf("`self.%s` holds %s, created on the driver and pickled with the instance for code that runs on executors (shipped by %s): it cannot be pickled; create it inside the function, once per partition",
					name, article(a.what), f.Ship.Describe(m)),
				related(nodeSpan(a.m, a.assign), "created here"))
			return true
		})
	}
	// The instance of a bound method or a foreach writer is pickled whole.
	for _, si := range shippedInstances(ex) {
		var bad []instanceAttr
		usedBad := false
		for _, a := range instanceAttrs(ex, si.class) {
			if what, ok := ex.Unpicklable(a.m, a.m.Child(a.assign, pyparse.FRight)); ok {
				a.what = what
				bad = append(bad, a)
				usedBad = usedBad || si.read[a.name]
			}
		}
		if len(bad) == 0 || usedBad {
			continue // a read of it is reported where it happens
		}
		ref, b := si.ship.Ref, bad[0]
		report(pass, nodeSpan(ref.M, ref.N),
			fmt.Sprintf("`%s` ships its whole instance to executors, and its attribute `%s` holds %s, which cannot be pickled; ship a function or staticmethod that does not need the instance",
				shorten(ref.M.Text(ref.N)), b.name, article(b.what)),
			related(nodeSpan(b.m, b.assign), "the attribute is set here"))
	}
	return nil, nil
}

// capturedUnpicklable decides whether a captured name holds an
// unpicklable object: its last binding with a value creates one.
func capturedUnpicklable(ex *executor.Info, m *pyparse.Module, bs []*pyparse.Binding) (string, pyparse.NodeID, bool) {
	for _, bd := range bs {
		if bd.Guarded {
			// global c; if c is None: c = make(): created lazily where it
			// is used, on the executor.
			return "", 0, false
		}
	}
	for i := len(bs) - 1; i >= 0; i-- {
		bd := bs[i]
		switch bd.Kind {
		case pyparse.BindAssign, pyparse.BindWith, pyparse.BindWalrus:
		default:
			return "", 0, false
		}
		if bd.Value < 0 {
			return "", 0, false
		}
		v := m.Unparen(bd.Value)
		if m.Kind(v) == pyparse.KNone {
			continue // x = None placeholders
		}
		what, ok := ex.Unpicklable(m, v)
		return what, bd.Stmt, ok
	}
	return "", 0, false
}

func article(what string) string {
	if what == "generator" {
		return "a generator"
	}
	return "the result of `" + what + "`"
}

package executor

import (
	_ "embed"
	"strings"

	"github.com/sparklint/sparklint/checks/sparktype"
	"github.com/sparklint/sparklint/pyparse"
)

//go:embed data/unpicklable.tsv
var unpicklableTSV string

// unpicklable maps a constructor's qualified name to the type it makes,
// for the objects that fail to ship with PySpark's cloudpickle.
var unpicklable = map[string]string{}

// derived maps "constructor.method" to the unpicklable object a method of
// an unpicklable (or listed) object returns: sqlite3 cursors, SQLAlchemy
// connections, ZeroMQ sockets, boto3 clients of a session.
var derived = map[string]string{}

// aliases are other spellings of listed constructors.
var aliases = map[string]string{
	"redis.StrictRedis":                "redis.Redis",
	"redis.client.Redis":               "redis.Redis",
	"redis.from_url":                   "redis.Redis",
	"redis.Redis.from_url":             "redis.Redis",
	"sqlalchemy.engine.create_engine":  "sqlalchemy.create_engine",
	"psycopg2.extras.connect":          "psycopg2.connect",
	"boto3.Session.client":             "boto3.client",
	"boto3.Session.resource":           "boto3.resource",
	"boto3.session.Session.client":     "boto3.client",
	"boto3.session.Session.resource":   "boto3.resource",
	"threading._RLock":                 "threading.RLock",
	"multiprocessing.pool.Pool":        "multiprocessing.Pool",
	"multiprocessing.pool.ThreadPool":  "multiprocessing.Pool",
	"socket.socket.accept":             "socket.socket",
	"kafka.producer.KafkaProducer":     "kafka.KafkaProducer",
	"kafka.consumer.KafkaConsumer":     "kafka.KafkaConsumer",
	"pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
}

func init() {
	lines := strings.Split(strings.TrimRight(unpicklableTSV, "\n"), "\n")
	head := strings.Split(lines[0], "\t")
	idx := map[string]int{}
	for i, h := range head {
		idx[h] = i
	}
	for _, line := range lines[1:] {
		r := strings.Split(line, "\t")
		ctor, ships, typ := r[idx["constructor"]], r[idx["ships_with_pyspark"]], r[idx["result_type"]]
		if ships != "no" || strings.HasPrefix(ctor, "pyspark.") || strings.Contains(ctor, " ") {
			continue // Spark handles are SPK103's; prose rows are handled in code
		}
		if ctor == "builtins.open" || ctor == "http.client.HTTPConnection" {
			continue // depends on the mode / on whether it connected
		}
		if i := strings.Index(ctor, "()."); i >= 0 {
			derived[ctor[:i]+"."+ctor[i+3:]] = typ
			continue
		}
		if parts := strings.Split(ctor, "."); len(parts) >= 3 && parts[len(parts)-2] != "" && isUpper(parts[len(parts)-2]) {
			// sqlite3.Connection.cursor: a method of an object.
			derived[ctor] = typ
			continue
		}
		unpicklable[ctor] = typ
	}
}

func isUpper(s string) bool { return s[0] >= 'A' && s[0] <= 'Z' }

// Unpicklable reports whether the value expression v (in module m)
// creates an object that cannot be shipped to executors, and names it.
func (in *Info) Unpicklable(m *pyparse.Module, v pyparse.NodeID) (string, bool) {
	return in.unpicklable(in.Types.InfoFor(m), m, v, 0)
}

func (in *Info) unpicklable(ti *sparktype.Info, m *pyparse.Module, v pyparse.NodeID, depth int) (string, bool) {
	v = m.Unparen(v)
	if depth > 3 {
		return "", false
	}
	switch m.Kind(v) {
	case pyparse.KGeneratorExpression:
		return "generator", true
	case pyparse.KCall:
	default:
		return "", false
	}
	callee := m.Child(v, pyparse.FFunction)
	q := sparktype.QualifiedName(m, callee)
	if a, ok := aliases[q]; ok {
		q = a
	}
	switch q {
	case "builtins.open", "io.open":
		return openMode(m, v)
	case "pymysql.connect", "pymysql.connections.Connection":
		if d := sparktype.Arg(m, v, -1, "defer_connect"); d >= 0 && m.Kind(d) == pyparse.KTrue {
			return "", false
		}
	}
	if _, ok := unpicklable[q]; ok || in.extraUnpicklable[q] {
		return q + "()", true
	}
	// A method of an unpicklable object: conn.cursor(), engine.connect().
	if m.Kind(callee) == pyparse.KAttribute {
		method := m.Text(m.Child(callee, pyparse.FAttribute))
		obj := m.Unparen(m.Child(callee, pyparse.FObject))
		if objQ := objectOrigin(ti, m, obj, depth); objQ != "" {
			if _, ok := derived[objQ+"."+method]; ok {
				return objQ + "()." + method + "()", true
			}
			if a, ok := aliases[objQ+"."+method]; ok {
				return a + "()", true
			}
			if _, bad := unpicklable[objQ]; bad && (method == "cursor" || method == "connect" || method == "socket" || method == "begin") {
				return objQ + "()." + method + "()", true
			}
		}
	}
	// A call of a generator function of the project.
	t := ti.TypeOf(callee)
	if t.Kind == sparktype.Function && t.Def.M != nil && t.Def.M.Kind(t.Def.N) == pyparse.KFunctionDefinition && isGenerator(t.Def.M, t.Def.N) {
		return "generator", true
	}
	return "", false
}

// objectOrigin returns the constructor that made the object expression
// obj ("sqlite3.connect" for conn after conn = sqlite3.connect(...)).
func objectOrigin(ti *sparktype.Info, m *pyparse.Module, obj pyparse.NodeID, depth int) string {
	switch m.Kind(obj) {
	case pyparse.KCall:
		q := sparktype.QualifiedName(m, m.Child(obj, pyparse.FFunction))
		if a, ok := aliases[q]; ok {
			return a
		}
		return q
	case pyparse.KIdentifier:
		bd := m.Scopes.Reaching(m, obj, m.Text(obj))
		if bd == nil || bd.Value < 0 || depth > 3 {
			return ""
		}
		if m.Kind(m.Unparen(bd.Value)) == pyparse.KCall {
			return objectOrigin(ti, m, m.Unparen(bd.Value), depth+1)
		}
	}
	return ""
}

func openMode(m *pyparse.Module, call pyparse.NodeID) (string, bool) {
	mode := sparktype.Arg(m, call, 1, "mode")
	if mode < 0 {
		return "", false // text, read: cloudpickle ships its content
	}
	if m.Kind(mode) != pyparse.KString {
		return "", false
	}
	s := sparktype.StringValue(m, mode)
	if strings.ContainsAny(s, "wax+b") {
		return "open(..., " + m.Text(mode) + ")", true
	}
	return "", false
}

func isGenerator(m *pyparse.Module, def pyparse.NodeID) bool {
	found := false
	body := m.Child(def, pyparse.FBody)
	if body < 0 {
		return false
	}
	m.Walk(body, func(n pyparse.NodeID) bool {
		switch m.Kind(n) {
		case pyparse.KFunctionDefinition, pyparse.KLambda, pyparse.KClassDefinition:
			return false
		case pyparse.KYield:
			found = true
		}
		return !found
	})
	return found
}

package sparktype

import (
	"go/token"
	"testing"

	"github.com/sparklint/sparklint/checks/settings"
	"github.com/sparklint/sparklint/pyparse"
)

// typeOfLast types the right-hand side of the last line, `_ = EXPR`.
func typeOfLast(t *testing.T, src string) Type {
	t.Helper()
	m, err := pyparse.Parse(token.NewFileSet(), "x.py", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	bs := m.Scopes.Module.Bindings["_"]
	if len(bs) == 0 {
		t.Fatal("no `_ = EXPR` line")
	}
	return New(m, nil).TypeOf(bs[len(bs)-1].Value)
}

const header = "from pyspark.sql import SparkSession, DataFrame\nimport pyspark.sql.functions as F\nspark = SparkSession.builder.appName('x').getOrCreate()\n"

func TestKinds(t *testing.T) {
	cases := []struct {
		name, src string
		want      Kind
	}{
		{"session", header + "_ = spark", SparkSession},
		{"context property", header + "_ = spark.sparkContext", SparkContext},
		{"read", header + "_ = spark.read.format('x').load('p')", DataFrame},
		{"column", header + "_ = F.col('a') + 1", Column},
		{"df attribute is a column", header + "df = spark.table('t')\n_ = df.amount", Column},
		{"grouped", header + "_ = spark.table('t').groupBy('a')", GroupedData},
		{"rdd from df", header + "_ = spark.table('t').rdd.map(lambda r: r)", RDD},
		{"annotation", header + "def f(df: DataFrame):\n    _ = df\n    return df\n_ = f", Function},
		{"udf", header + "_ = F.udf(lambda x: x)", UDF},
		{"accumulator", header + "_ = spark.sparkContext.accumulator(0)", Accumulator},
		{"broadcast", header + "_ = spark.sparkContext.broadcast({})", Broadcast},
		{"pandas is not spark", "import pandas as pd\n_ = pd.read_csv('x').groupby('a')", Other},
		{"unknown parameter", header + "def f(x):\n    return x.collect()\n_ = f(undefined_name)", Unknown},
		{"active session", "from pyspark.sql import SparkSession\n_ = SparkSession.getActiveSession()", SparkSession},
		{"context getOrCreate", "from pyspark import SparkContext\n_ = SparkContext.getOrCreate()", SparkContext},
		{"notebook-free undefined spark", "_ = spark", Unknown},
		{"notebook spark", "# Databricks notebook source\n_ = spark", SparkSession},
		{"glue", "from awsglue.context import GlueContext\nglue = GlueContext(sc)\n_ = glue.spark_session", SparkSession},
		{"glue frame", "from awsglue.context import GlueContext\nglue = GlueContext(sc)\n_ = glue.create_dynamic_frame.from_catalog(database='d', table_name='t').toDF()", DataFrame},
		{"self attribute", header + "class J:\n    def __init__(self):\n        self.s = SparkSession.builder.getOrCreate()\n    def run(self):\n        return self.s\n_ = J().s", SparkSession},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := typeOfLast(t, c.src); got.Kind != c.want {
				t.Errorf("kind = %v, want %v", got.Kind, c.want)
			}
		})
	}
}

func TestLineage(t *testing.T) {
	cases := []struct {
		name, src                              string
		source, bounded, local, stream, wm, wd bool
	}{
		{"read", header + "_ = spark.read.parquet('p').filter('a > 1')", true, false, false, false, false, false},
		{"limit", header + "_ = spark.read.parquet('p').limit(5).select('a')", true, true, false, false, false, false},
		{"agg", header + "_ = spark.table('t').groupBy('a').agg(F.sum('b'))", true, true, false, false, false, false},
		{"sample small", header + "_ = spark.table('t').sample(0.001)", true, true, false, false, false, false},
		{"sample large", header + "_ = spark.table('t').sample(0.5)", true, false, false, false, false, false},
		{"sql limit", header + "_ = spark.sql('select * from t limit 10')", true, true, false, false, false, false},
		{"sql count", header + "_ = spark.sql('SELECT count(*) AS n FROM t')", true, true, false, false, false, false},
		{"sql grouped", header + "_ = spark.sql('select a, count(*) from t group by a')", true, false, false, false, false, false},
		{"select aggregates", header + "_ = spark.table('t').select(F.max('a').alias('m'), F.countDistinct('b'))", true, true, false, false, false, false},
		{"select columns", header + "_ = spark.table('t').select(F.col('a'), F.max('a'))", true, false, false, false, false, false},
		{"sql escaped newline", header + "_ = spark.sql('SELECT *\\nFROM t\\nLIMIT 5')", true, true, false, false, false, false},
		{"sql no from", header + "_ = spark.sql('select 1')", true, true, false, false, false, false},
		{"sql command", header + "_ = spark.sql('SHOW TABLES')", true, true, false, false, false, false},
		{"local", header + "_ = spark.createDataFrame([(1,)], ['a'])", false, false, true, false, false, false},
		{"join unbounded", header + "a = spark.table('a').limit(3)\nb = spark.table('b')\n_ = a.join(b, 'id')", true, false, false, false, false, false},
		{"join bounded", header + "a = spark.table('a').limit(3)\nb = spark.table('b').limit(2)\n_ = a.join(b, 'id')", true, true, false, false, false, false},
		{"reassigned", header + "df = spark.table('a')\ndf = df.limit(3)\n_ = df", true, true, false, false, false, false},
		{"stream", header + "_ = spark.readStream.format('kafka').load().select('value')", true, false, false, true, false, false},
		{"watermark", header + "_ = spark.readStream.table('t').withWatermark('ts', '1 hour')", true, false, false, true, true, false},
		{"bare watermark", header + "s = spark.readStream.table('t')\ns.withWatermark('ts', '1 hour')\n_ = s", true, false, false, true, false, false},
		{"window", header + "_ = spark.readStream.table('t').groupBy(F.window('ts', '5 minutes'))", true, false, false, true, false, true},
		{"rdd reduce", header + "_ = spark.sparkContext.textFile('x').map(lambda l: (l, 1)).reduceByKey(lambda a, b: a + b)", true, true, false, false, false, false},
		{"rdd groupByKey len", header + "_ = spark.sparkContext.textFile('x').map(lambda l: (l, 1)).groupByKey().mapValues(len)", true, true, false, false, false, false},
		{"rdd groupByKey list", header + "_ = spark.sparkContext.textFile('x').map(lambda l: (l, 1)).groupByKey().mapValues(list)", true, false, false, false, false, false},
		{"project function", header + "def load(p):\n    return spark.read.csv(p)\ndef first(d):\n    return d.limit(1)\n_ = first(load('x'))", true, true, false, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := typeOfLast(t, c.src)
			if got.Lin == nil {
				t.Fatalf("no lineage (kind %v)", got.Kind)
			}
			l := got.Lin
			if l.Source.Valid() != c.source || l.Bounded != c.bounded || l.Local != c.local || l.Streaming != c.stream || l.Watermarked != c.wm || l.Windowed != c.wd {
				t.Errorf("lineage source=%v bounded=%v local=%v streaming=%v watermarked=%v windowed=%v, want %v %v %v %v %v %v",
					l.Source.Valid(), l.Bounded, l.Local, l.Streaming, l.Watermarked, l.Windowed, c.source, c.bounded, c.local, c.stream, c.wm, c.wd)
			}
		})
	}
}

func TestQualifiedName(t *testing.T) {
	m, _ := pyparse.Parse(token.NewFileSet(), "x.py", []byte("import threading\nfrom concurrent.futures import ThreadPoolExecutor as TPE\nimport os.path\na = threading.Lock()\nb = TPE()\nc = os.path.join('a')\nd = open('f')\n"))
	want := map[string]string{"a": "threading.Lock", "b": "concurrent.futures.ThreadPoolExecutor", "c": "os.path.join", "d": "builtins.open"}
	for name, q := range want {
		v := m.Scopes.Module.Bindings[name][0].Value
		if got := QualifiedName(m, m.Child(v, pyparse.FFunction)); got != q {
			t.Errorf("%s: %q, want %q", name, got, q)
		}
	}
}

func TestDatabricksMode(t *testing.T) {
	for _, c := range []struct {
		src  string
		mode settings.Databricks
		want Kind
	}{
		{"_ = spark", settings.DatabricksAuto, Unknown},
		{"_ = spark", settings.DatabricksOn, SparkSession},
		{"# Databricks notebook source\n_ = spark", settings.DatabricksAuto, SparkSession},
		{"# Databricks notebook source\n_ = spark", settings.DatabricksOff, Unknown},
	} {
		m, err := pyparse.Parse(token.NewFileSet(), "x.py", []byte(c.src+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		in := New(m, nil)
		in.SetDatabricks(c.mode)
		bs := m.Scopes.Module.Bindings["_"]
		if got := in.TypeOf(bs[0].Value).Kind; got != c.want {
			t.Errorf("%q mode %d: %v, want %v", c.src, c.mode, got, c.want)
		}
	}
}

package pyparse

import (
	"go/token"
	"strings"
	"testing"
)

const benchUnit = `from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("bench").getOrCreate()


def build(path, limit=10):
    df = spark.read.parquet(path).filter(F.col("amount") > 0)
    out = df.groupBy("country").agg(F.sum("amount").alias("total"))
    rows = [r.asDict() for r in out.limit(limit).collect()]
    return {row["country"]: row["total"] for row in rows if row}

`

func BenchmarkParse(b *testing.B) {
	src := []byte(strings.Repeat(benchUnit, 200)) // ~2,600 lines
	lines := strings.Count(string(src), "\n")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(token.NewFileSet(), "bench.py", src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// Command gencorpus writes a synthetic but realistic PySpark code base for
// timing sparklint: ETL jobs, RDD pipelines, streaming jobs, UDF modules,
// project helpers that jobs import, and plain Python utilities, in the
// proportions of a data-engineering repository. Output is deterministic.
//
//	go run ./bench/gencorpus -out /tmp/sparkbench -lines 200000
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "/tmp/sparkbench", "output folder")
	target := flag.Int("lines", 200000, "approximate number of lines to write")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 2))
	if err := os.RemoveAll(*out); err != nil {
		fail(err)
	}
	lines, files := 0, 0
	for pkg := 0; lines < *target; pkg++ {
		dir := filepath.Join(*out, fmt.Sprintf("pipeline_%03d", pkg))
		write(filepath.Join(dir, "__init__.py"), "")
		helpers := helperModule(r, pkg)
		lines += write(filepath.Join(dir, "helpers.py"), helpers)
		files++
		for j := range 6 {
			var src string
			switch j % 6 {
			case 0, 1:
				src = etlJob(r, pkg, j)
			case 2:
				src = rddJob(r, pkg, j)
			case 3:
				src = streamingJob(r, pkg, j)
			case 4:
				src = udfModule(r, pkg, j)
			default:
				src = utilityModule(r, pkg, j)
			}
			lines += write(filepath.Join(dir, fmt.Sprintf("job_%d.py", j)), src)
			files++
		}
	}
	fmt.Printf("wrote %d files, %d lines under %s\n", files, lines, *out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gencorpus:", err)
	os.Exit(1)
}

func write(path, src string) int {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fail(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		fail(err)
	}
	return strings.Count(src, "\n")
}

var (
	tables  = []string{"orders", "customers", "events", "clicks", "payments", "shipments", "products", "sessions"}
	columns = []string{"id", "customer_id", "amount", "country", "ts", "status", "sku", "channel", "price", "quantity"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func helperModule(r *rand.Rand, pkg int) string {
	var b strings.Builder
	b.WriteString(`"""Shared helpers of the pipeline."""
import logging
import re

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

log = logging.getLogger(__name__)
rejected = []
PATTERN = re.compile(r"^[A-Z]{2}$")


def get_spark(app):
    return SparkSession.builder.appName(app).getOrCreate()


def read_table(spark, name):
    return spark.read.format("delta").load("s3://lake/" + name)


`)
	for i := range 8 + r.IntN(6) {
		c := pick(r, columns)
		fmt.Fprintf(&b, `def clean_%d(df: DataFrame) -> DataFrame:
    """Normalise %s."""
    return (
        df.withColumn("%s", F.trim(F.col("%s")))
        .filter(F.col("%s").isNotNull())
        .dropDuplicates(["id"])
    )


def parse_%d(line):
    parts = line.split(",")
    if len(parts) < 3:
        rejected.append(line)
        return None
    return (parts[0], float(parts[%d]))


`, i, c, c, c, c, i, 1+r.IntN(2))
	}
	_ = pkg
	return b.String()
}

func etlJob(r *rand.Rand, pkg, j int) string {
	var b strings.Builder
	t := pick(r, tables)
	fmt.Fprintf(&b, `"""Daily %s job %d/%d."""
import sys
from datetime import datetime

from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from .helpers import clean_0, read_table, get_spark


def build(spark, run_date):
    src = read_table(spark, "%s")
    dim = spark.table("dim_%s")
    w = Window.partitionBy("customer_id").orderBy(F.col("ts").desc())
    out = (
        clean_0(src)
        .join(dim, "id", "left")
        .withColumn("rank", F.row_number().over(w))
        .filter(F.col("rank") == 1)
        .withColumn("run_date", F.lit(run_date))
    )
    return out


`, t, pkg, j, t, pick(r, tables))
	for i := range 10 + r.IntN(8) {
		c1, c2 := pick(r, columns), pick(r, columns)
		fmt.Fprintf(&b, `def step_%d(df):
    agg = (
        df.groupBy("%s")
        .agg(F.sum("%s").alias("total"), F.countDistinct("%s").alias("n"))
        .withColumn("share", F.col("total") / F.sum("total").over(Window.partitionBy()))
    )
    if agg.limit(1).count() == 0:
        return df
    return df.join(agg, "%s", "left").withColumn("flag_%d", F.when(F.col("total") > %d, 1).otherwise(0))


`, i, c1, c2, c2, c1, i, r.IntN(1000))
	}
	fmt.Fprintf(&b, `def main(argv):
    spark = get_spark("%s_%d")
    run_date = argv[1] if len(argv) > 1 else datetime.utcnow().strftime("%%Y-%%m-%%d")
    df = build(spark, run_date)
    df = step_0(df)
    sample = df.limit(20).collect()
    for row in sample:
        print(row)
    df.write.mode("overwrite").partitionBy("run_date").parquet("s3://out/%s")
    report = spark.sql("SELECT country, count(*) AS n FROM %s GROUP BY country").toPandas()
    print(report.head())
    spark.stop()


if __name__ == "__main__":
    main(sys.argv)
`, t, j, t, t)
	return b.String()
}

func rddJob(r *rand.Rand, pkg, j int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `"""RDD pipeline %d/%d."""
import operator

from pyspark import SparkContext
from pyspark.sql import SparkSession

from .helpers import parse_0, parse_1

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext
seen = []
errors = sc.accumulator(0)


def tokenize(line):
    return [w.lower() for w in line.split() if w]


def count_words(path):
    lines = sc.textFile(path)
    counts = lines.flatMap(tokenize).map(lambda w: (w, 1)).reduceByKey(operator.add)
    return counts.takeOrdered(20, key=lambda kv: -kv[1])


`, pkg, j)
	for i := range 8 + r.IntN(6) {
		fmt.Fprintf(&b, `def job_%d(path):
    pairs = sc.textFile(path).map(parse_%d).filter(lambda p: p is not None)
    totals = pairs.groupByKey().mapValues(sum)
    maxes = pairs.reduceByKey(max)
    def check(p):
        if p[1] < 0:
            errors.add(1)
        return p
    checked = pairs.map(check)
    return totals.join(maxes).take(%d), checked.count()


`, i, i%2, 10+r.IntN(50))
	}
	b.WriteString(`def record(x):
    seen.append(x)


def main():
    rdd = sc.parallelize(range(1000))
    rdd.foreach(record)
    print(len(seen), errors.value)
    print(count_words("hdfs:///data/text"))


if __name__ == "__main__":
    main()
`)
	return b.String()
}

func streamingJob(r *rand.Rand, pkg, j int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `"""Streaming job %d/%d."""
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType, StructField, StringType, TimestampType, DoubleType

spark = SparkSession.builder.appName("stream_%d").getOrCreate()
schema = StructType([
    StructField("id", StringType()),
    StructField("ts", TimestampType()),
    StructField("amount", DoubleType()),
])


def read_events(topic):
    return (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", "broker:9092")
        .option("subscribe", topic)
        .load()
        .select(F.from_json(F.col("value").cast("string"), schema).alias("e"))
        .select("e.*")
    )


def upsert(batch_df, epoch_id):
    batch_df.dropDuplicates(["id"]).write.mode("append").saveAsTable("events_%d")


`, pkg, j, pkg, pkg)
	for i := range 6 + r.IntN(5) {
		fmt.Fprintf(&b, `def query_%d():
    events = read_events("topic_%d")
    windowed = (
        events.withWatermark("ts", "%d minutes")
        .groupBy(F.window("ts", "%d minutes"), "id")
        .agg(F.sum("amount").alias("total"))
    )
    return (
        windowed.writeStream.outputMode("append")
        .format("delta")
        .option("checkpointLocation", "/chk/q%d")
        .start("/out/q%d")
    )


`, i, i, 10+r.IntN(50), 5+r.IntN(10), i, i)
	}
	b.WriteString(`def main():
    q = read_events("raw").writeStream.foreachBatch(upsert).start()
    q.awaitTermination()


if __name__ == "__main__":
    main()
`)
	return b.String()
}

func udfModule(r *rand.Rand, pkg, j int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `"""UDFs %d/%d."""
import json
import re

from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf, udf
from pyspark.sql.types import IntegerType, StringType

COUNTRIES = {"NL": "Netherlands", "BE": "Belgium"}


`, pkg, j)
	for i := range 10 + r.IntN(8) {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "@udf(returnType=StringType())\ndef normalize_%d(s):\n    if s is None:\n        return None\n    return s.strip().lower()\n\n\n", i)
		case 1:
			fmt.Fprintf(&b, "@udf(returnType=StringType())\ndef country_%d(code):\n    return COUNTRIES.get(code, \"unknown\")\n\n\n", i)
		case 2:
			fmt.Fprintf(&b, "@pandas_udf(\"double\")\ndef scale_%d(v):\n    return v * %d.0\n\n\n", i, 1+r.IntN(9))
		default:
			fmt.Fprintf(&b, "def tokens_%d(text):\n    out = []\n    for t in re.split(r\"\\W+\", text or \"\"):\n        if t:\n            out.append(t.lower())\n    return out\n\n\ntokens_udf_%d = F.udf(tokens_%d, \"array<string>\")\n\n\n", i, i, i)
		}
	}
	return b.String()
}

func utilityModule(r *rand.Rand, pkg, j int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `"""Plain Python utilities %d/%d (no Spark)."""
import itertools
import os
from collections import defaultdict


`, pkg, j)
	for i := range 12 + r.IntN(10) {
		fmt.Fprintf(&b, `def group_%d(rows):
    out = defaultdict(list)
    for key, items in itertools.groupby(sorted(rows), key=lambda x: x[0]):
        out[key].extend(items)
    return {k: len(v) for k, v in out.items() if len(v) > %d}


class Config%d:
    def __init__(self, path=None):
        self.path = path or os.environ.get("CONFIG", "/etc/app/%d.yaml")
        self.values = {}

    def get(self, key, default=None):
        return self.values.get(key, default)


`, i, r.IntN(5), i, i)
	}
	return b.String()
}

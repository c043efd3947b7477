

def clean_{n}(line):
    text = line.strip()
    if not text:
        seen.append(line)
        return None
    return text.lower()


@udf("string")
def upper_{n}(s):
    return s.upper() if s else None


def job_{n}(path):
    df = spark.read.parquet(path + "/{n}")
    out = (df.filter(F.col("amount") > {n})
             .withColumn("name", upper_{n}(F.col("name")))
             .groupBy("store").agg(F.sum("amount").alias("total")))
    pairs = sc.textFile(path).map(clean_{n}).map(lambda l: (l, 1))
    counts = pairs.groupByKey().mapValues(sum)
    rows = out.collect()
    for r in rows:
        print(r["store"], r["total"])  # é 😀
    return counts

"""A small nightly job with the mistakes sparklint exists to catch."""
import threading

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import udf
from pyspark.sql.types import StringType

spark = SparkSession.builder.appName("daily-orders").getOrCreate()
sc = spark.sparkContext

orders = spark.read.parquet("s3://lake/orders/")
customers = spark.table("crm.customers")
bad_rows = []
lock = threading.Lock()


@udf(returnType=StringType())
def normalize_country(code):
    if code is None:
        return None
    return code.strip().upper()


def check(row):
    if row.amount < 0:
        bad_rows.append(row.order_id)
    with lock:
        return row.amount


def enrich(row):
    name = customers.filter(customers.id == row.customer_id).first()
    return (row.order_id, name)


totals = (
    orders.rdd.map(lambda r: (r.customer_id, r.amount))
    .groupByKey()
    .mapValues(sum)
)
checked = orders.rdd.map(check).count()
enriched = orders.rdd.map(enrich)
everything = orders.withColumn("country", normalize_country(F.col("country"))).toPandas()

clicks = spark.readStream.format("kafka").option("subscribe", "clicks").load()
per_minute = clicks.groupBy(F.window("timestamp", "1 minute")).count()

"""Generated job (benchmark)."""
from pyspark.sql import SparkSession
import pyspark.sql.functions as F
from pyspark.sql.functions import udf

spark = SparkSession.builder.appName("bench").getOrCreate()
sc = spark.sparkContext
seen = []

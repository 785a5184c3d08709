"""Debian's prometheus-pgbouncer-exporter (1.7), adapted to PgBouncer >= 1.8.

The packaged exporter reads SHOW STATS's `total_requests`, a column PgBouncer
1.8 split into `total_xact_count` and `total_query_count`; on PgBouncer 1.18
(Debian 12) every scrape fails with KeyError. This runs the same exporter
with `requests_total` read from `total_xact_count` (transactions, what a
transaction-mode pooler hands to the server). Arguments: the exporter's own.
"""
import sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")

from prometheus_pgbouncer_exporter import cli, collectors  # noqa: E402

metrics = dict(collectors.StatsCollector.metrics)
metrics["total_xact_count"] = ("requests_total", "Total number of transactions pooled by pgbouncer")
del metrics["total_requests"]
collectors.StatsCollector.metrics = metrics

sys.exit(cli.main())

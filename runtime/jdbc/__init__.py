"""What flowc's runtime needs to run Kestra's JDBC tasks (io.kestra.plugin.jdbc.*) with Python's
standard database drivers: JDBC URLs (`urls`), the drivers, imported only when a task needs
one (`drivers`), SQL splitting and named parameters (`sql`), database values as Kestra's
cell converters output them (`cells`), result rows in Kestra's ION files (`ion`), and the
Query/Queries/Copy tasks themselves (`query`, `copy`, one module per database for the rest).
"""

-- title: One agency's figures over the years · 某机关历年数据
-- description: Every template cell of one agency's reports, year by year (latest version of each report), with the change from the previous year. agency: exact name, or a LIKE pattern such as 漯河市% . region: optional, a 省/市/区县 path or its prefix (河南省 matches every 河南省/… region). cell: optional, a wide-column name such as new_received__total, or a LIKE pattern such as denied_%__total; see the cells table for all names.
-- params: agency region cell
-- CROSS JOIN fixes the join order (reports first, then their cells by primary key), so the
-- query stays fast on a large archive whatever statistics SQLite has.
SELECT d.agency, d.region, d.year, c.column_name AS cell, c.table_label, c.row_label,
       c.col_label, fv.value,
       fv.value - LAG(fv.value) OVER (
         PARTITION BY d.agency, d.region, c.id ORDER BY d.year) AS change_from_previous_year,
       d.latest_version_id AS version_id, d.url AS source_url, v.fetched_at, d.removed_at
FROM documents d
CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id
CROSS JOIN cells c ON c.id = fv.cell_id
JOIN versions v ON v.id = d.latest_version_id
WHERE d.agency LIKE :agency
  AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
  AND (:cell = '' OR c.column_name LIKE :cell)
ORDER BY d.agency, d.region, c.position, d.year

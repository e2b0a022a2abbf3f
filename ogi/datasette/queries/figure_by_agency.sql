-- title: All agencies of a region for one figure and year · 某地区各机关某项数据
-- description: One figure (or a group of figures) for every agency of a region in one year, largest first, each with its source URL and version (latest version of each report). cell: a wide-column name such as new_received__total (本年新收申请·总计), or a LIKE pattern such as denied_%__total for all refusal reasons; see the cells table. year: the report year. region: a 省/市/区县 path or its prefix; empty = everywhere. agency: optional exact name or LIKE pattern.
-- params: cell year region agency
-- CROSS JOIN fixes the join order: the few wanted cells first, then each report's value by
-- primary key, never a scan of all figures.
SELECT d.agency, d.region, d.year, c.column_name AS cell, c.row_label, c.col_label, fv.value,
       d.latest_version_id AS version_id, d.url AS source_url, v.fetched_at, d.removed_at
FROM cells c
CROSS JOIN documents d
CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id AND fv.cell_id = c.id
JOIN versions v ON v.id = d.latest_version_id
WHERE c.column_name LIKE :cell
  AND (:year = '' OR d.year = CAST(:year AS INTEGER))
  AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
  AND (:agency = '' OR d.agency LIKE :agency)
ORDER BY fv.value DESC, d.agency, c.position

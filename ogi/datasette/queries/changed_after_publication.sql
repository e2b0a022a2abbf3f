-- title: Reports whose figures changed after first publication · 发布后数据被修改的报告
-- description: Every cell that differs between two fetched versions of the same report, old and new value side by side, newest change first. Only changes in what the agency published count (readings of the same bytes by a newer extractor are left out). old_value empty = the cell appeared; new_value empty = it vanished. All parameters optional: agency (exact or LIKE pattern), region (path or prefix), year.
-- params: agency region year
SELECT d.agency, d.region, v.year, c.column_name AS cell, c.row_label, c.col_label,
       fc.old_value, fc.new_value, pv.fetched_at AS old_fetched_at, v.fetched_at AS new_fetched_at,
       fc.previous_version_id AS old_version_id, fc.version_id AS new_version_id,
       d.url AS source_url, d.removed_at
FROM figure_changes fc
JOIN versions v ON v.id = fc.version_id
JOIN versions pv ON pv.id = fc.previous_version_id
JOIN documents d ON d.id = v.document_id
LEFT JOIN cells c
  ON c.table_name = fc.table_name AND c.row_key = fc.row_key AND c.col_key = fc.col_key
WHERE fc.previous_version_id != fc.version_id
  AND (:agency = '' OR d.agency LIKE :agency)
  AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
  AND (:year = '' OR v.year = CAST(:year AS INTEGER))
ORDER BY v.fetched_at DESC, d.id, c.position

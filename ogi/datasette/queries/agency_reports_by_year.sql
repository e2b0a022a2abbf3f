-- title: One agency's reports year by year, with the template each used · 某机关历年报告及所用模板
-- description: Every report of an agency (latest version of each), oldest report year first, from the 2008 reports on, with the template it follows — pre2019 (2008–2018: only the headline figures its text or old 统计表 states), 2019 (reports for 2019 and 2020), 2021, or unknown — its headline figures, and how many of its checks fail. A figure the report does not state is empty, never 0. lawsuits = 行政诉讼 total (pre-2019 reports state it as one number; later ones as 未经复议直接起诉 + 复议后起诉). agency: exact name or LIKE pattern such as 漯河市% (empty = every agency). region: a 省/市/区县 path or its prefix. year, template: optional filters.
-- params: agency region year template
-- Each figure is one primary-key probe (reading, cell); keys, not wide-column names, so the
-- pre-2019 extra keys are found too.
SELECT d.agency, d.region, d.year, r.template, r.title, r.published,
       (SELECT fv.value FROM cells c JOIN figure_values fv ON fv.cell_id = c.id AND fv.reading_id = r.id
        WHERE c.table_name = 'applications' AND c.row_key = 'new_received' AND c.col_key = 'total') AS received,
       (SELECT fv.value FROM cells c JOIN figure_values fv ON fv.cell_id = c.id AND fv.reading_id = r.id
        WHERE c.table_name = 'applications' AND c.row_key = 'total_processed' AND c.col_key = 'total') AS answered,
       (SELECT fv.value FROM cells c JOIN figure_values fv ON fv.cell_id = c.id AND fv.reading_id = r.id
        WHERE c.table_name = 'applications' AND c.row_key = 'granted' AND c.col_key = 'total') AS granted,
       (SELECT fv.value FROM cells c JOIN figure_values fv ON fv.cell_id = c.id AND fv.reading_id = r.id
        WHERE c.table_name = 'review_litigation' AND c.row_key = 'review' AND c.col_key = 'total') AS reviews,
       COALESCE(
         (SELECT fv.value FROM cells c JOIN figure_values fv ON fv.cell_id = c.id AND fv.reading_id = r.id
          WHERE c.table_name = 'review_litigation' AND c.row_key = 'litigation' AND c.col_key = 'total'),
         (SELECT SUM(fv.value) FROM cells c JOIN figure_values fv ON fv.cell_id = c.id AND fv.reading_id = r.id
          WHERE c.table_name = 'review_litigation' AND c.col_key = 'total'
            AND c.row_key IN ('litigation_direct', 'litigation_after_review')
          HAVING COUNT(*) = 2)) AS lawsuits,
       (SELECT COUNT(*) FROM reading_checks k WHERE k.reading_id = r.id AND k.ok = 0) AS failed_checks,
       v.id AS version_id, d.url AS source_url, v.fetched_at, d.removed_at
FROM documents d
JOIN versions v ON v.id = d.latest_version_id
JOIN readings r ON r.id = d.latest_reading_id
WHERE (:agency = '' OR d.agency LIKE :agency)
  AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
  AND (:year = '' OR d.year = CAST(:year AS INTEGER))
  AND (:template = '' OR r.template = :template)
ORDER BY d.agency, d.region, d.year IS NULL, d.year, r.published

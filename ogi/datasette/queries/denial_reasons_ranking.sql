-- title: Refusal reasons ranked across agencies · 不予公开理由排名
-- description: The eight refusal reasons of table 3 （三）不予公开, ranked by the number of refused requests (column 总计) in the latest version of each report, with each reason's share of all refusals and how many reports used it; `details` opens every agency's figure for that reason with its source URL and version. All parameters optional: year, region (path or prefix), agency.
-- params: year region agency
WITH refusals AS (
  SELECT c.row_key, c.row_label, d.id AS document_id, fv.value
  FROM cells c
  CROSS JOIN documents d
  CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id AND fv.cell_id = c.id
  WHERE c.table_name = 'applications' AND c.col_key = 'total'
    AND c.row_key LIKE 'denied\_%' ESCAPE '\'
    AND (:year = '' OR d.year = CAST(:year AS INTEGER))
    AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
    AND (:agency = '' OR d.agency LIKE :agency)
),
ranked AS (
  SELECT row_key, row_label, SUM(value) AS refused,
         COUNT(DISTINCT CASE WHEN value > 0 THEN document_id END) AS reports_citing,
         COUNT(DISTINCT document_id) AS reports
  FROM refusals GROUP BY row_key, row_label
)
SELECT RANK() OVER (ORDER BY refused DESC) AS rank, row_key AS reason, row_label, refused,
       ROUND(100.0 * refused / NULLIF(SUM(refused) OVER (), 0), 1) AS percent_of_refusals,
       reports_citing, reports,
       'figure_by_agency?cell=' || row_key || '__total&year=' || :year || '&region='
         || :region || '&agency=' || :agency AS details
FROM ranked
ORDER BY refused DESC, row_key

-- title: Headline figures per year across templates · 历年主要数据（各模板）
-- description: For each report year (2008 →) and template (pre2019, 2019, 2021, unknown): how many reports, and the sums of the headline figures they state — requests received (本年新收 / 收到申请), answered (办结 / 答复), administrative reviews, lawsuits — over the latest version of each report. Pre-2019 reports carry only what their text or 统计表 states, so each sum comes with the number of reports that state that figure: compare years on those counts, not on the sums alone. `details` lists every agency's figure for that year. All parameters optional: region (path or prefix), agency (exact or LIKE pattern).
-- params: region agency
WITH latest AS (
  SELECT d.year, r.template, r.id AS reading_id
  FROM documents d JOIN readings r ON r.id = d.latest_reading_id
  WHERE d.year IS NOT NULL
    AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
    AND (:agency = '' OR d.agency LIKE :agency)
),
cell(name, table_name, row_key, col_key) AS (VALUES
  ('received', 'applications', 'new_received', 'total'),
  ('answered', 'applications', 'total_processed', 'total'),
  ('reviews', 'review_litigation', 'review', 'total'),
  ('lawsuits', 'review_litigation', 'litigation', 'total'),
  ('direct', 'review_litigation', 'litigation_direct', 'total'),
  ('after_review', 'review_litigation', 'litigation_after_review', 'total')
),
value AS (
  -- CROSS JOIN fixes the order: the six cells, then each report's value by primary key.
  SELECT l.reading_id, cell.name, fv.value
  FROM cell
  CROSS JOIN cells c ON c.table_name = cell.table_name AND c.row_key = cell.row_key AND c.col_key = cell.col_key
  CROSS JOIN latest l
  CROSS JOIN figure_values fv ON fv.reading_id = l.reading_id AND fv.cell_id = c.id
),
per_report AS (
  SELECT l.year, l.template, l.reading_id,
         MAX(CASE WHEN v.name = 'received' THEN v.value END) AS received,
         MAX(CASE WHEN v.name = 'answered' THEN v.value END) AS answered,
         MAX(CASE WHEN v.name = 'reviews' THEN v.value END) AS reviews,
         COALESCE(MAX(CASE WHEN v.name = 'lawsuits' THEN v.value END),
                  MAX(CASE WHEN v.name = 'direct' THEN v.value END)
                    + MAX(CASE WHEN v.name = 'after_review' THEN v.value END)) AS lawsuits
  FROM latest l LEFT JOIN value v ON v.reading_id = l.reading_id
  GROUP BY l.reading_id
)
SELECT year, template, COUNT(*) AS reports,
       SUM(received) AS received, COUNT(received) AS reports_stating_received,
       SUM(answered) AS answered, COUNT(answered) AS reports_stating_answered,
       SUM(reviews) AS reviews, COUNT(reviews) AS reports_stating_reviews,
       SUM(lawsuits) AS lawsuits, COUNT(lawsuits) AS reports_stating_lawsuits,
       'figure_by_agency?cell=new_received__total&year=' || year || '&region=' || :region
         || '&agency=' || :agency AS details
FROM per_report
GROUP BY year, template
ORDER BY year, template

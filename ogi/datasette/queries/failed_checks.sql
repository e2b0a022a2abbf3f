-- title: Reports failing the template's arithmetic · 勾稽关系不符的报告
-- description: Checks that do not hold in the latest version of each report: the template's own rules (applications.balance.<col>: new + carried over = processed + carried forward; applications.total_processed.<col>; applications.row_total.<row>; review_litigation.<group>.total) and the cross-year rule (cross_year.carried_over: this year's 上年结转 = last year's 结转下年度). A failure is the agency's error or the extractor's: compare with the source. All parameters optional: rule (prefix, e.g. applications.balance), agency, region, year.
-- params: rule agency region year
SELECT lv.agency, lv.region, lv.year, k.rule, k.detail, lv.version_id, lv.source_url,
       lv.fetched_at, lv.removed_at
FROM all_checks k
JOIN latest_versions lv ON lv.version_id = k.version_id
WHERE k.ok = 0
  AND (:rule = '' OR k.rule LIKE :rule || '%')
  AND (:agency = '' OR lv.agency LIKE :agency)
  AND (:region = '' OR lv.region = :region OR lv.region LIKE :region || '/%')
  AND (:year = '' OR lv.year = CAST(:year AS INTEGER))
ORDER BY lv.year DESC, lv.region, lv.agency, k.rule

-- title: Reports that disappeared · 已下架的报告
-- description: Reports that vanished from their portal's listing or whose URL now answers 404/410, newest first. Their archived versions stay: follow the version id for the figures and the original document. All parameters optional: agency (exact or LIKE pattern), region (path or prefix), year.
-- params: agency region year
SELECT d.agency, d.region, d.year, d.title, d.removed_at, d.removed_reason, d.first_seen,
       d.last_seen,
       (SELECT COUNT(*) FROM versions v WHERE v.document_id = d.id)
         AS versions_fetched,
       d.latest_version_id AS version_id, d.url AS source_url
FROM documents d
WHERE d.removed_at IS NOT NULL
  AND (:agency = '' OR d.agency LIKE :agency)
  AND (:region = '' OR d.region = :region OR d.region LIKE :region || '/%')
  AND (:year = '' OR d.year = CAST(:year AS INTEGER))
ORDER BY d.removed_at DESC, d.agency

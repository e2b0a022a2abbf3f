-- title: Full-text search of report text · 全文检索
-- description: Reports whose title or text contains the words, best matches first, with the passage around them. Any phrase of three or more characters uses the index (e.g. 依申请公开, 行政复议); one- or two-character words are scanned, which is slower. Every version is searched (its newest reading); is_latest = 0 marks superseded versions.
-- params: q
SELECT r.agency, d.region, r.year, r.title,
       snippet(reading_texts_fts, 1, '【', '】', '…', 24) AS passage,
       (v.id = d.latest_version_id) AS is_latest, v.id AS version_id, d.url AS source_url,
       v.fetched_at, bm25(reading_texts_fts) AS relevance
FROM reading_texts_fts
JOIN readings r ON r.id = reading_texts_fts.rowid
JOIN versions v ON v.id = r.version_id
JOIN documents d ON d.id = v.document_id
WHERE reading_texts_fts MATCH '"' || replace(:q, '"', '""') || '"' AND length(:q) >= 3
  AND r.id = (SELECT MAX(x.id) FROM readings x WHERE x.version_id = v.id)
UNION ALL
-- The trigram index cannot answer words shorter than three characters (many Chinese words
-- have two): scan instead.
SELECT r.agency, d.region, r.year, r.title,
       substr(t.text, max(1, instr(t.text, :q) - 30), 80) AS passage,
       (v.id = d.latest_version_id) AS is_latest, v.id AS version_id, d.url AS source_url,
       v.fetched_at, 0 AS relevance
FROM reading_texts t
JOIN readings r ON r.id = t.reading_id
JOIN versions v ON v.id = r.version_id
JOIN documents d ON d.id = v.document_id
WHERE length(:q) BETWEEN 1 AND 2 AND (instr(t.text, :q) > 0 OR instr(t.title, :q) > 0)
  AND r.id = (SELECT MAX(x.id) FROM readings x WHERE x.version_id = v.id)
ORDER BY relevance, fetched_at DESC
LIMIT 500

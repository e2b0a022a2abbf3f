-- title: Full-text search of report text · 全文检索
-- description: Reports whose title or text contains the words, best matches first, with the passage around them. Any phrase of three or more characters uses the index (e.g. 依申请公开, 行政复议); one- or two-character words are scanned, which is slower. Every version is searched; is_latest = 0 marks superseded readings.
-- params: q
SELECT v.agency, d.region, v.year, v.title,
       snippet(version_texts_fts, 1, '【', '】', '…', 24) AS passage,
       (v.id = d.latest_version_id) AS is_latest, v.id AS version_id, d.url AS source_url,
       v.fetched_at, bm25(version_texts_fts) AS relevance
FROM version_texts_fts
JOIN versions v ON v.id = version_texts_fts.rowid
JOIN documents d ON d.id = v.document_id
WHERE version_texts_fts MATCH '"' || replace(:q, '"', '""') || '"' AND length(:q) >= 3
UNION ALL
-- The trigram index cannot answer words shorter than three characters (many Chinese words
-- have two): scan instead.
SELECT v.agency, d.region, v.year, v.title,
       substr(t.text, max(1, instr(t.text, :q) - 30), 80) AS passage,
       (v.id = d.latest_version_id) AS is_latest, v.id AS version_id, d.url AS source_url,
       v.fetched_at, 0 AS relevance
FROM version_texts t
JOIN versions v ON v.id = t.version_id
JOIN documents d ON d.id = v.document_id
WHERE length(:q) BETWEEN 1 AND 2 AND (instr(t.text, :q) > 0 OR instr(t.title, :q) > 0)
ORDER BY relevance, fetched_at DESC
LIMIT 500

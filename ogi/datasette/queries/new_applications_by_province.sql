-- title: New applications per province · 各省本年新收政府信息公开申请数
-- description: For each of the 31 provincial-level divisions, the 本年新收政府信息公开申请数量 (applications.new_received.total) summed over the latest version of every archived report of that year whose agency lies in the province (by the first two digits of its GB/T 2260 division code), with how many reports and agencies that is; 0 reports = nothing archived for that province and year. Consolidated reports (a city's 全市汇总) also count the applications of the agencies they summarise, so compare like with like through `details`, which opens every agency's figure with its source URL and version. year: the report year; empty = 2023.
-- params: year
-- The province names are the 31 provincial-level rows of crawler/regions.csv (GB/T 2260).
WITH provinces(code, name) AS (VALUES
    ('110000', '北京市'), ('120000', '天津市'), ('130000', '河北省'), ('140000', '山西省'),
    ('150000', '内蒙古自治区'), ('210000', '辽宁省'), ('220000', '吉林省'), ('230000', '黑龙江省'),
    ('310000', '上海市'), ('320000', '江苏省'), ('330000', '浙江省'), ('340000', '安徽省'),
    ('350000', '福建省'), ('360000', '江西省'), ('370000', '山东省'), ('410000', '河南省'),
    ('420000', '湖北省'), ('430000', '湖南省'), ('440000', '广东省'), ('450000', '广西壮族自治区'),
    ('460000', '海南省'), ('500000', '重庆市'), ('510000', '四川省'), ('520000', '贵州省'),
    ('530000', '云南省'), ('540000', '西藏自治区'), ('610000', '陕西省'), ('620000', '甘肃省'),
    ('630000', '青海省'), ('640000', '宁夏回族自治区'), ('650000', '新疆维吾尔自治区')
),
wanted AS (
  SELECT CAST(COALESCE(NULLIF(:year, ''), '2023') AS INTEGER) AS year
),
reports AS (
  SELECT substr(d.division_code, 1, 2) || '0000' AS province_code, d.id AS document_id,
         d.agency, fv.value
  FROM wanted w
  CROSS JOIN cells c
  CROSS JOIN documents d
  CROSS JOIN figure_values fv ON fv.reading_id = d.latest_reading_id AND fv.cell_id = c.id
  WHERE c.table_name = 'applications' AND c.row_key = 'new_received' AND c.col_key = 'total'
    AND d.year = w.year AND length(d.division_code) = 6
)
SELECT p.code AS province_code, p.name AS province, w.year,
       COUNT(r.document_id) AS reports, COUNT(DISTINCT r.agency) AS agencies,
       COALESCE(SUM(r.value), 0) AS new_applications,
       'figure_by_agency?cell=new_received__total&year=' || w.year || '&region=' || p.name
         || '&agency=' AS details
FROM provinces p
CROSS JOIN wanted w
LEFT JOIN reports r ON r.province_code = p.code
GROUP BY p.code, p.name, w.year
ORDER BY new_applications DESC, reports DESC, p.code

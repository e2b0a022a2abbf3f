"""English wording for the archive's tables, columns and template cells, for Datasette's metadata.

The Chinese labels are not repeated here: they come from `archive.labels` (which builds on
`extract.template`). Only what no other module holds is written down: English glosses of the
template rows and columns, and what each table and bookkeeping column of the archive means.
"""
from __future__ import annotations

from extract.older import EXTRA_KEYS

# Template rows, in English (keys as in SPEC.md / extract.template).
ROWS_EN: dict[str, str] = {
    "regulations": "rules (规章)",
    "normative_documents": "administrative normative documents",
    "licensing": "administrative licensing",
    "punishment": "administrative penalties",
    "coercion": "administrative coercion",
    "fees": "administrative fees",
    "new_received": "requests newly received this year",
    "carried_over": "requests carried over from last year",
    "granted": "outcome: disclosed in full",
    "partially_granted": "outcome: disclosed in part",
    "denied_state_secret": "refused: state secret",
    "denied_prohibited_by_law": "refused: disclosure prohibited by other laws or regulations",
    "denied_security_stability": "refused: would endanger the 'three securities and one stability'",
    "denied_third_party_rights": "refused: protects lawful rights of a third party",
    "denied_internal_affairs": "refused: internal affairs information",
    "denied_process_info": "refused: process (deliberative) information",
    "denied_enforcement_files": "refused: administrative enforcement case files",
    "denied_admin_inquiry": "refused: an administrative inquiry matter",
    "unable_not_held": "unable to provide: the agency does not hold the information",
    "unable_needs_creation": "unable to provide: no existing information, would have to be created",
    "unable_unclear": "unable to provide: request still unclear after correction",
    "unprocessed_petition": "not processed: petition, report or complaint",
    "unprocessed_duplicate": "not processed: duplicate request",
    "unprocessed_publication": "not processed: asks for a public publication",
    "unprocessed_excessive": "not processed: repeated mass requests without good reason",
    "unprocessed_reconfirm": "not processed: asks to confirm or re-issue information already obtained",
    "other_no_correction": "other: applicant did not correct the request in time",
    "other_unpaid_fee": "other: applicant did not pay the fee in time",
    "other_other": "other: other handling",
    "total_processed": "total processed this year",
    "carried_forward": "carried forward to next year",
    "review": "administrative review (行政复议)",
    "litigation_direct": "litigation without prior review",
    "litigation_after_review": "litigation after review",
    # 2019 template only
    "other_services": "other external management services (2019 template)",
    "procurement": "government centralised procurement (2019 template)",
    "other_processing": "outcome: other handling, one row (2019 template)",
}

# Rows whose key alone is ambiguous across tables (applications.fees is not active.fees): the
# pre-2019 reports' headline figures (extract.older.EXTRA_KEYS).
ROWS_EN_BY_TABLE: dict[tuple[str, str], str] = {
    tuple(key.split(".")[:2]): english for key, (_, english) in EXTRA_KEYS.items()}

COLUMNS_EN: dict[str, dict[str, str]] = {
    "active": {
        "made": "made this year", "repealed": "repealed this year", "in_force": "currently in force",
        "decisions": "decisions this year", "amount": "amount collected this year (10,000 yuan)",
        "published_new": "newly published this year (2019)", "published_total": "published in total (2019)",
        "items_previous": "items last year (2019)", "items_change": "change this year (2019)",
        "items": "procurement items (2019)", "total": "total (pre-2019 reports)",
    },
    "applications": {
        "natural_person": "natural persons", "commercial_enterprise": "commercial enterprises",
        "research_institution": "research institutions",
        "social_welfare_org": "public-welfare organisations",
        "legal_service_org": "legal service organisations", "other_org": "other organisations",
        "total": "total", "amount": "amount (10,000 yuan)",
    },
    "review_litigation": {
        "upheld": "decision upheld", "corrected": "decision corrected", "other": "other result",
        "pending": "not yet concluded", "total": "total",
    },
}

TABLES_EN: dict[str, str] = {
    "active": "Table 2 of the report: proactive disclosure",
    "applications": "Table 3 of the report: requests received and how they were handled",
    "review_litigation": "Table 4 of the report: administrative review and litigation about disclosure",
}

# Meaning of every column that is not a template cell, shared by tables and views.
# (English — 中文)
COLUMNS: dict[str, str] = {
    "id": "Row id — 行编号",
    "url": "Canonical URL of the report (after redirects) — 报告网址",
    "source_url": "URL the report was fetched from — 来源网址",
    "source": "Source list entry (crawler/sources.csv id) that found it — 来源清单编号",
    "agency": "Publishing agency — 机关名称",
    "region": "Government the agency belongs to, 省/市/区县 path or 全国 — 地区",
    "year": "Report year: the year the report covers, not the year it was published — 报告年度",
    "title": "Report title — 报告标题",
    "first_seen": "First time the crawler saw it (UTC) — 首次发现时间",
    "last_seen": "Last time the crawler saw it (UTC) — 最近发现时间",
    "removed_at": "When the report vanished from its listing or its URL answered 404/410 (UTC); "
                  "empty while it is online — 下架时间",
    "removed_reason": "Why it counts as removed — 下架原因",
    "parent_url": "Listing page where the crawler found the link — 所在栏目页",
    "latest_version_id": "The document's latest version (versions.id) — 最新版本",
    "latest_reading_id": "That version's newest reading (readings.id) — 最新读取",
    "division_code": "GB/T 2260 administrative division code of the agency's region (6 digits; "
                     "province = first 2 + '0000') — 行政区划代码",
    "reading_id": "One extractor's reading of a version (readings.id) — 读取编号",
    "previous_reading_id": "The reading this one is compared with — 上一读取",
    "read_at": "When the extractor read it (UTC) — 读取时间",
    "n_figures": "How many cells the reading found (0 = no table was read) — 数据单元格数",
    "no_figures": "1 when no table of the report was read (a scan, an image, a layout the "
                  "extractor missed) — 未读出表格",
    "ocr_engine": "OCR engine, when the figures were read from images — 文字识别引擎",
    "evidence": "Where figures not read from a template table came from (JSON: key → sentence "
                "or 统计表 row) — 数据出处",
    "consistency": "Per table: which arithmetic identities and text checks hold (JSON) — 自洽情况",
    "readings": "How many readings this version has — 读取次数",
    "components": "What went into an extractor identity (JSON: source digest, library and tool "
                  "versions) — 组成",
    "new_reading_id": "The reading a re-extraction created — 新读取",
    "templates": "Templates of those reports — 模板",
    "without_figures": "How many of them had no table read — 未读出表格的报告数",
    "any_removed": "1 if any of them was taken down — 是否有下架",
    "years": "How many report years are archived — 年度数",
    "first_year": "Earliest report year archived — 最早年度",
    "last_year": "Latest report year archived — 最近年度",
    "document_id": "The report (documents.id) — 报告编号",
    "version_id": "One distinct content of a report as the agency published it (versions.id); links to the report page "
                  "with the figures in the template layout — 版本编号",
    "previous_version_id": "The version this one is compared with — 上一版本",
    "fetched_at": "When the bytes of this version were fetched (UTC) — 抓取时间",
    "published": "Publication date printed on the page or in the report (YYYY-MM-DD) — 发布日期",
    "template": "Template the report follows: 2021, 2019, pre2019 (2008–2018 reports: headline figures from the text or the old 统计表) or unknown — 模板",
    "format": "Document format: html, pdf, docx, doc, wps, txt… — 文件格式",
    "content_type": "HTTP Content-Type of the fetched document — 内容类型",
    "extractor_version": "Identity of the extractor that read the figures: a fingerprint of its "
                         "code, data and reading libraries — 提取程序版本",
    "content_sha256": "Hash of the extracted text and figures: a new value means the report "
                      "changed — 内容哈希",
    "raw_sha256": "sha256 of the raw fetched bytes (raw_blobs.sha256); links to a download — 原始文件哈希",
    "origin": "How the reading was made: 'fetch' (when the bytes were fetched), 'reread' (the "
              "crawl re-read an older capture after an extractor change), 'reextract' (`ogi "
              "reextract`) — 读取方式",
    "run_id": "Crawl run that recorded it (crawl_runs.id) — 抓取批次",
    "recorded_at": "When the row was written (UTC) — 写入时间",
    "text": "Main text of the report as extracted (page chrome removed) — 正文",
    "is_latest": "1 if this is the document's latest version — 是否最新版本",
    "table_name": "Template table: active, applications or review_litigation — 表",
    "row_key": "Template row key, e.g. denied_state_secret — 行",
    "col_key": "Template column key, e.g. natural_person, total — 列",
    "value": "The figure (counts; fees in 万元). A blank/0/—/无 cell is 0; a cell not found is "
             "absent, never invented — 数值",
    "table_label": "Chinese name of the template table — 表名称",
    "row_label": "Chinese label of the template row, with its group heading — 行名称",
    "col_label": "Chinese label of the template column — 列名称",
    "column_name": "Name of this cell's column in the wide views and exports (<row>__<col>) — 宽表列名",
    "position": "Order of the cell in the template — 顺序",
    "rule": "Check rule, e.g. applications.balance.total, cross_year.carried_over — 校验规则",
    "ok": "1 = the template's arithmetic holds, 0 = it does not — 是否通过",
    "detail": "The numbers behind the result — 说明",
    "old_value": "Value in the previous reading (empty = cell appeared) — 原数值",
    "new_value": "Value in this reading (empty = cell vanished) — 新数值",
    "at": "When it happened (UTC) — 时间",
    "kind": "new / changed (the agency changed its report) / reread (our reading of it "
            "improved) / removed / restored — 事件类型",
    "sha256": "sha256 of the raw bytes — 哈希",
    "blob_sha256": "sha256 of the picture's bytes (raw_blobs.sha256); links to a download — 图片哈希",
    "size": "Size of the raw bytes — 原始大小",
    "compressed_size": "Stored (compressed) size — 压缩后大小",
    "codec": "Compression of `content` (zstd) — 压缩方式",
    "content": "Compressed raw bytes; download the original via the sha256 link — 压缩内容",
    "stored_at": "When first stored (UTC) — 保存时间",
    "status": "HTTP status (fetches) or why a document is not archived as a report: "
              "unreadable / not_a_report / image_only (failures) — 状态",
    "etag": "ETag header, for conditional requests — 实体标签",
    "last_modified": "Last-Modified header, for conditional requests — 最后修改时间",
    "bytes": "Response size in bytes — 响应大小（字节）",
    "elapsed_ms": "Response time in milliseconds — 响应时间（毫秒）",
    "error": "Error message when the fetch failed — 错误",
    "reason": "The extractor's one-line reason — 原因",
    "times_seen": "How often these exact bytes were fetched — 出现次数",
    "failure_id": "The failures row re-read — 失败记录",
    "result": "same / changed / failed / recovered — 重新读取结果",
    "figures_changed": "How many cells the re-extraction changed — 变化的单元格数",
    "started_at": "Start of the crawl (UTC) — 开始时间",
    "finished_at": "End of the crawl (UTC) — 结束时间",
    "sources": "Sources crawled (JSON list) — 抓取来源",
    "summary": "Counts of the crawl (JSON): fetched, new, changed, unchanged, removed, errors — 抓取汇总",
    "name": "Migration name — 迁移名称",
    "migration_set": "Migration set — 迁移集",
    "applied_at": "When applied (UTC) — 应用时间",
    "cell_id": "Template cell (cells.id) — 单元格",
    "reachable": "1 if the source answered at all (any response below 400, 304 included) — 是否可访问",
    "pages": "HTTP responses received for this source (any status) — 抓取页面数",
    "reports": "Reports found this run: new + changed + unchanged — 发现报告数",
    "new": "Reports archived for the first time — 新增报告数",
    "changed": "Reports whose content changed (a new version) — 内容变化的报告数",
    "unchanged": "Reports with the same content, or answering 304 Not Modified — 未变化的报告数",
    "removed": "Reports gone from their listing or answering 404/410 — 下架报告数",
    "failed": "Documents fetched but not readable as reports (see failures) — 无法识别的文件数",
    "errors": "Fetches that failed after retries (5xx, timeouts, refused connections, 403, dead "
              "links) — 抓取错误数",
    "blocked": "Requests robots.txt forbids (never made) — robots.txt 禁止的请求数",
    "first_error": "The source's first problem message of the run — 首个错误",
    "incomplete": "Why removal detection was skipped for the source (a listing failed, the page "
                  "or time budget ran out); empty = read completely — 未完整抓取的原因",
    "duration_s": "Seconds from the source's first request to its last answer — 耗时（秒）",
    "flagged": "1 when the source found no report, or was unreachable, in this run and its 2 "
               "runs before: needs a look — 是否需要关注",
    "flag_reason": "Why the source is flagged — 标记原因",
}

TABLE_DESCRIPTIONS: dict[str, str] = {
    "documents": "One row per report (its canonical URL), with its current state: latest version "
                 "and reading, first/last seen, removal. 报告（每个网址一行）。",
    "versions": "One row per distinct content of a report as the agency published it. Never "
                "updated or deleted: a corrected report gets a new row; a new extractor does not "
                "(it adds a reading). Click a version id for the report page with figures, "
                "source link and the archived original. 报告版本。",
    "readings": "What one extractor read in a version: a new row when a newer extractor reads "
                "it differently (old readings kept). Views show each version's newest reading. "
                "提取结果（每个版本、每个提取程序一行）。",
    "extractors": "Every extractor identity that wrote a reading, with what went into it. 提取程序版本。",
    "figures": "Every template cell of every version (its newest reading), long form. 各版本的表格数据（长表）。",
    "reading_figures": "Every template cell of every reading, long form: the history of our "
                       "readings. 各次读取的表格数据。",
    "figure_values": "Storage of figures: (reading_id, cell_id, value); query the view figures "
                     "instead. 数据存储表。",
    "cells": "Every figure key: the cells of the 2021 template (国办公开办函〔2021〕30号) with "
             "wide-column name, Chinese labels and position, plus any other key an extractor "
             "produced. 单元格对照表。",
    "checks": "The template's own arithmetic (and text checks), per version's newest reading "
              "(1 = holds). A failed check is data: the agency's error, or the extractor's. "
              "表格勾稽关系校验。",
    "reading_checks": "Storage of checks, per reading; query the view checks instead. 校验存储表。",
    "figure_changes": "Cells that differ from the previous reading: of the previous version when "
                      "the agency changed its report, of the same version when our reading "
                      "changed. 与上一版本（或上一次读取）相比变化的数据。",
    "events": "new / changed / reread / removed / restored, with time and detail. 报告变动记录。",
    "raw_blobs": "Raw bytes of every fetched document, zstd-compressed, by sha256 (click the "
                 "sha256 to download the original). 原始文件。",
    "capture_resources": "The pictures a captured HTML page shows, fetched with it (its tables, "
                         "when the agency published them as images, 图片版): one row per page "
                         "capture and picture URL, the bytes in raw_blobs. Re-reading the capture "
                         "reads them by OCR again, offline. 页面图片（随页面抓取保存）。",
    "fetches": "Every HTTP exchange of the crawler, including errors and 304s. 抓取记录。",
    "failures": "Documents fetched but not archived as reports (unreadable, not a report, "
                "image-only, unsupported, over a limit), with the reason; kept so a better "
                "extractor can recover them. 未能识别的文件。",
    "reextractions": "Every time an extractor read a stored capture (by the crawl or `ogi "
                     "reextract`): same / changed / failed / recovered. 重新读取记录。",
    "source_health": "Health report of each crawl run: one row per source with whether it "
                     "answered, what it yielded, its first error, and a flag after 3 runs in a "
                     "row with no report (or no answer); `ogi status` prints the latest. "
                     "各来源抓取健康状况。",
    "crawl_runs": "One row per crawl with its summary. 抓取批次。",
    "latest_versions": "Each report's latest version with its newest reading. 各报告最新版本。",
    "latest_figures": "Each report's current figures with Chinese labels and source URL: the view "
                      "for most questions. 各报告最新数据（含中文标签与来源）。",
    "report_versions": "Every version with its document's URL and region. 全部版本。",
    "cross_year_checks": "This year's carried_over.total against last year's "
                         "carried_forward.total of the same agency. 跨年度结转校验。",
    "all_checks": "checks plus cross_year_checks. 全部校验。",
    "coverage": "What the archive holds: one row per agency and report year. 各机关各年度报告覆盖情况。",
    "coverage_matrix": "One row per agency, one column per report year (reports archived): the "
                       "gaps show what is missing. 覆盖矩阵（机关×年度）。",
    "reading_texts": "Title and extracted main text of each reading (kept apart so scans stay "
                     "small). 各次读取的标题与正文。",
    "reading_texts_fts": "Full-text index (trigram: any Chinese substring of 3+ characters) over "
                         "report titles and text; use the search_text query. 全文检索索引。",
    "_sqlite_migrations": "Schema migrations applied (sqlite-utils). 数据库结构版本。",
}

"""Spiders: `reports` (crawler/spiders/reports.py) walks portals to their OGI annual reports."""

"""The inbox page cache: the rendered inbox kept per person while nothing on it changes.

- rows.py: what an inbox page shows, declared once (models and columns);
- versions.py: a counter per person, raised with every change to something declared in rows.py
  that reaches the person's page;
- pages.py: the kept pages and navigation counts, keyed by person and inbox version.

Which files are on whose inbox is not decided here: that is files.queries and policy.
"""

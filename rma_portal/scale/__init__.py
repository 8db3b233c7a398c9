"""``manage.py seed_scale``: a back office at scale that looks like a live team's (docs/performance.md)."""

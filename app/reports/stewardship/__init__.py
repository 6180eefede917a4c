"""Student-data stewardship: retention per institution, forgetting a user, the audit export.

docs/privacy.md states what the tool stores, for how long and who can see it; the privacy
page renders the same facts from ``policy.facts``.
"""

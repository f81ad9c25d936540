"""oncall-copilot: from an alert to a cited brief.

Read top-down: investigate.py calls intake -> context -> model -> grounding -> brief."""

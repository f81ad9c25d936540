"""Context collection: the read tools for the alert's neighbourhood, run at once."""

from oncall.context.collect import Context, collect, plan

__all__ = ["Context", "collect", "plan"]

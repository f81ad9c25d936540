"""Incident scenarios: deterministic incident bundles generated from a topology
and a fault, for the eval harness. See `generate`."""

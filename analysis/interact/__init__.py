"""Interact: the contacts with each customer, and the campaigns whose effect is measured
against a random control group (:mod:`analysis.interact.campaigns`)."""

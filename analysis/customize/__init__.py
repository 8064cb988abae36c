"""Customize: what to do next for each customer; here, the uplift model that says whom a
campaign moves (:mod:`.uplift`) and how well it ranks them (:mod:`.uplift_metrics`)."""

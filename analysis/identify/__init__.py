"""Identify: who the customers are and what each has done (per-customer facts, the
overview, search and profile of one customer)."""

"""Differentiate: customers told apart by value (pyramid, value groups, wallet), by needs
and value together (the matrix, RFM, ideal customer profile, clusters), and the lists the
pages show (views.py)."""

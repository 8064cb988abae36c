"""Predict: rival models of each customer's future purchases, and how to choose between them.

One estimator per file, each with the shape and the API of :class:`analysis.predict.bgnbd.BetaGeoModel`
(BG/NBD): :mod:`.mbgnbd` (MBG/NBD), :mod:`.paretonbd` (Pareto/NBD) and :mod:`.nbd` (NBD, no
dropout: what is left when a history shows nobody lapsing, see
:class:`analysis.predict.fitting.DropoutNotIdentified`). :mod:`.selection` fits them all and picks one by
its error on a holdout period; :mod:`.calibration` checks the churn probabilities on a time
split. Pure NumPy/SciPy on arrays: no workspace, no Ibis.
"""

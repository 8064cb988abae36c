"""Customer clusters and personas (Differentiate, IDIC step 2): groups found in the data
rather than set by rules, each with a plain-language name and sentence.

- :mod:`.features`: one row of features per buying customer (Ibis);
- :mod:`.model`: :class:`CustomerClusters` (log1p, scaling, k-means, k by silhouette);
- :mod:`.personas`: names and sentences from each cluster's z-scores (:data:`PHRASES`);
- :mod:`.report`: the fitted model on a workspace, the report's section, the projection.

The names other modules use are importable from the package.
"""

import importlib

from analysis.differentiate.clusters.features import (  # noqa: F401
    MAX_CATEGORIES, MIN_CUSTOMERS, NO_CATEGORY, OTHER, cluster_features, feature_label, feature_table, fill_features,
    filled_table,
)
from analysis.differentiate.clusters.personas import DISTINCT_Z, PHRASES, make_personas  # noqa: F401

# The model and its report need scikit-learn (seconds to import): they are imported when one of
# their names is first used (PEP 562), so reading stored personas or features does not wait for it.
_LATER = {
    "LOG_COLUMNS": "model", "CustomerClusters": "model", "silhouettes": "model",
    "PROJECTION_POINTS": "report", "cluster_report": "report", "engine_sizes": "report", "fit_clusters": "report",
    "projection": "report",
}


def __getattr__(name: str):
    if name in _LATER:
        module = importlib.import_module(f"{__name__}.{_LATER[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

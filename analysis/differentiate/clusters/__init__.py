"""Customer clusters and personas (Differentiate, IDIC step 2): groups found in the data
rather than set by rules, each with a plain-language name and sentence.

- :mod:`.features`: one row of features per buying customer (Ibis);
- :mod:`.model`: :class:`CustomerClusters` (log1p, scaling, k-means, k by silhouette);
- :mod:`.personas`: names and sentences from each cluster's z-scores (:data:`PHRASES`);
- :mod:`.report`: the fitted model on a workspace, the report's section, the projection.

The names other modules use are importable from the package.
"""

from analysis.differentiate.clusters.features import (  # noqa: F401
    MAX_CATEGORIES, MIN_CUSTOMERS, NO_CATEGORY, OTHER, cluster_features, feature_label, feature_table, fill_features,
    filled_table,
)
from analysis.differentiate.clusters.model import LOG_COLUMNS, CustomerClusters, silhouettes  # noqa: F401
from analysis.differentiate.clusters.personas import DISTINCT_Z, PHRASES, make_personas  # noqa: F401
from analysis.differentiate.clusters.report import (  # noqa: F401
    PROJECTION_POINTS, cluster_report, engine_sizes, fit_clusters, projection,
)

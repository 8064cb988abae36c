"""Every cache of the app, one function per result, each saying what it is keyed on; laid out
as the method is (Identify, Differentiate, Interact, Customize), a module per step or page:

- :mod:`ui.cached.core`: the keys (:func:`key`, :func:`key_at`, :func:`key_plan`), one read
  of the workspace, the caller's own view of a shared value, the workspace's dates;
- :mod:`ui.cached.scoring`: the per-customer scores every page reads, the models fitted once
  behind them (CLV, clusters), the step after an import that stores them with the action
  plan, and the views and lists of them;
- :mod:`ui.cached.identify`: the Overview and Cohorts pages;
- :mod:`ui.cached.differentiate`: the Value, Pyramid, Matrix, Segments and Clusters pages;
- :mod:`ui.cached.predict`: the CLV page;
- :mod:`ui.cached.customer`: the Customer page (one customer, read alone);
- :mod:`ui.cached.customize`: the action plan and its views;
- :mod:`ui.cached.workshop`: the Present page's story;
- :mod:`ui.cached.campaigns`: the Campaigns page.

Each module imports :mod:`ui.cached.core` and the ones above it in this list, never one
below. Pages write ``from ui import cached`` and call ``cached.kpis(...)``: this package
gives the public names of its modules, the same objects (one Streamlit cache per cached
function, wherever it is reached from). A test that replaces a name an engine call is made
through replaces it in the module that calls it (``ui.cached.scoring.score_customers``),
not here.
"""

from ui.cached.core import data_range, default_as_of, demo, key, key_at, key_plan, table_counts
from ui.cached.scoring import (
    INPUTS_SHARE, PLAN_SHARE, SCORE_VIEWS, STORED_LISTS, cluster_fit, masker, of_scores, prepare_scores, scores,
    stored_list,
)
from ui.cached.identify import (
    breakdown, category_buyers, cohort_customers, cohorts, first_screens_ready, guest_purchases, kpis,
    month_buyers, pareto, revenue_by_month,
)
from ui.cached.differentiate import (
    STORED_PAGES, attitude_change, attitude_lists, cluster_list, clusters_view, ideal_customer_profile,
    matrix_cells, pyramid_figure, pyramid_layers, rfm_figures, satisfaction_matrix, stored_page, tier_migration,
    value_figures, volume_cells,
)
from ui.cached.predict import clv_check, clv_churn, clv_outlook, clv_page, clv_summary, clv_validation
from ui.cached.customer import (
    PROFILE_PURCHASE_DAYS, biggest_customers, customer_actions, customer_events, customer_profile, customer_row,
    customer_search, customer_suggestions, open_complaints,
)
from ui.cached.customize import PLAN_VIEWS, actions, every_action, of_actions
from ui.cached.workshop import story_data, story_slides
from ui.cached.campaigns import (
    CAMPAIGN_FILTERS, campaign_measure, campaign_members, campaign_members_named, campaign_plan, campaign_profit,
    campaign_selection, campaign_targets, campaign_uplift,
)

"""Customer pyramid (Differentiate): who is worth most, and how customers moved between layers.

Streamlit's plotly_chart emits no selection for a Sankey link (streamlit#8933; checked in
Chromium 2026-12: plotly reports the click on the link, the selection Streamlit returns stays
empty), so the moves are also drawn as a from x to grid whose cells a click selects, and the
"Customers who moved" picker lists the same moves for the keyboard; the Sankey stays as the
picture."""

import streamlit as st

from analysis import i18n
from analysis.differentiate import pyramid, views
from analysis.charts import differentiate as dcharts
from analysis.charts import segments as charts
from analysis.i18n import t
from analysis.money import in_currency, whole
from ui import cached, lists, show, sidebar

as_of, settings = show.opening("🔺", t("Customer pyramid"), lambda settings: t(
    "Not all customers are worth the same. The **customer pyramid** (Peppers & Rogers; Curry & Curry) ranks "
    "the customers who bought in the last {months} months by what they spent: the **top** 1%, the next "
    "4% (**big**), the next 15% (**medium**) and the other 80% (**small**). Below them sit **inactive** "
    "customers (bought before, not lately), **prospects** (contacted, never bought) and **suspects** (only "
    "listed). Use it to decide where your people's time goes: look after the top and big layers one to one, "
    "find the medium and small customers who could move up, and win back the inactive ones worth it. "
    "Click a layer (or pick it below) to see its customers.", months=settings.segments.window_months,
), tiles=False)
s = settings.segments
cur = s.currency
revenue_col = in_currency(t("Revenue"), cur)  # money columns say their currency
st.caption(t("Workspace “{name}” as of {date}.", name=sidebar.workspace_name(), date=i18n.date(as_of)))

layers = None
with show.explained():
    layers = cached.pyramid_figure("layers", as_of, settings)

if layers is not None:
    chart_col, table_col = st.columns([3, 2])
    with chart_col:
        event = show.chart(charts.pyramid_chart(layers, cur), key="pyr_chart", selectable=True)
    with table_col:
        st.subheader(t("Layers"))
        st.dataframe(
            layers.assign(tier=layers["tier"].map(pyramid.tier_label), revenue=whole(layers["revenue"])).rename(columns={
                "tier": t("Layer"), "customers": t("Customers"), "customer_share": t("Share of customers"),
                "revenue": revenue_col, "revenue_share": t("Revenue share")}),
            hide_index=True, width="stretch",
            column_config={
                t("Share of customers"): st.column_config.NumberColumn(format="percent"),
                revenue_col: st.column_config.NumberColumn(format="localized"),
                t("Revenue share"): st.column_config.NumberColumn(format="percent"),
            },
        )
        st.caption(t("Revenue: the last activity window for the four active layers (share of the window's "
                     "revenue); all purchases ever for inactive customers (share of all revenue)."))

    st.subheader(t("How customers moved in {months} months", months=s.window_months))
    st.markdown(t(
        "Each customer's layer {months} months ago (rows of the grid, left of the flow) against now "
        "(columns, right). Customers moving down are the ones to call first. **Suspects** then were listed "
        "but had neither bought nor been contacted; **new since then** are customers the data did not know "
        "yet: not listed (or signed up later), no purchase, no contact. Click a cell of the grid to list who "
        "made that move.", months=s.window_months,
    ))
    with show.explained():
        migration = cached.pyramid_figure("migration", as_of, settings)
        grid_tab, sankey_tab = st.tabs([t("Grid (click a cell)"), t("Flow")])
        with grid_tab:
            move_event = show.chart(dcharts.clickable_migration(views.migration_table(migration), s.window_months),
                                    key="pyr_moves", selectable=True)
        with sankey_tab:
            show.chart(charts.migration_sankey(migration, s.window_months), key="pyr_sankey")
        moves = views.moves(migration)
        labels = dict(zip(moves["key"], moves["label"]))
        move = lists.follow_click(t("Customers who moved"), list(labels), key="pyr_move", index=None,
                                  format_func=labels.get, clicked=show.selected_customdata(move_event),
                                  placeholder=t("Click a cell of the grid or pick a move"))
        if move:
            movers = cached.stored_list("movers", as_of, settings, move)
            lists.customer_list(
                movers["rows"], key="pyr_move_list", whole=movers["whole"], sized=(movers["count"], movers["count"]),
                file_stem=f"moved-{move.replace('->', '-to-')}",
                columns=["customer_id", "name", "previous_tier", "tier", "revenue_prev_window", "revenue_window",
                         "orders", "last_purchase", "region"])

    st.subheader(t("Customers in a layer"))
    counts = dict(zip(layers["tier"], layers["customers"]))
    tier = lists.follow_click(
        t("Layer"), list(pyramid.TIERS), key="pyr_tier", clicked=show.selected_customdata(event),
        format_func=lambda code: t("{tier} ({count} customers)", tier=pyramid.tier_label(code),
                                   count=i18n.number(counts.get(code, 0))),
        help=t("Clicking a layer of the pyramid picks it here too."),
    )
    members = cached.stored_list("tier_customers", as_of, settings, tier)
    lists.customer_list(
        members["rows"], key="pyr_list", whole=members["whole"], sized=(members["count"], members["count"]),
        file_stem=f"pyramid-{tier}",
        columns=["customer_id", "name", "tier", "previous_tier", "revenue_window", "revenue", "orders",
                 "last_purchase", "region", "industry", "channel"],
    )

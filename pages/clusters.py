"""Customer clusters and personas (Differentiate): groups found in the data, not set by rules."""

import streamlit as st

from analysis import i18n
from analysis.differentiate import views
from analysis.differentiate.clusters import stored
from analysis.i18n import t, tn
from analysis.charts import clusters as charts
from analysis.charts import differentiate as dcharts
from ui import cached, lists, show

as_of, settings = show.opening("🫧", t("Clusters and personas"), t(
    "Instead of drawing the lines yourself, let the data find groups of customers who behave alike: how "
    "recently and how often they buy, how much they spend, how long they have been customers, what they buy "
    "and, where surveys exist, how satisfied they are. Each group gets a **persona**, a name and a sentence "
    "that say what sets it apart, so a team can talk about “recent big spenders” rather than cluster 3. "
    "Use the personas to plan one message, offer or service level per group. The number of groups is chosen "
    "by how cleanly the customers separate (the silhouette); you can override it."
))
s = settings.segments
cur = s.currency
st.caption(t("As of {date}; every customer who has bought. The same data always gives the same groups.",
             date=i18n.date(as_of)))

with show.explained():
    auto, auto_points, _ = cached.clusters_view(as_of, settings, None)
    k = st.number_input(t("Number of clusters (0 = automatic)"), min_value=0, max_value=max(auto.k_range[1], 2),
                        value=0, step=1, key="cl_k", bind="query-params",
                        help=t("Automatic picks the k from {low} to {high} with the highest silhouette.",
                               low=auto.k_range[0], high=auto.k_range[1]))
    model, points, chosen_k = auto, auto_points, None
    if k == 1:
        st.info(t("One cluster would be everybody: pick 0 (automatic) or 2 and more."))
    elif k >= 2:
        try:
            model, points, _ = cached.clusters_view(as_of, settings, int(k))
            chosen_k = int(k)
        except ValueError as exc:
            st.info(t("{reason}; showing the automatic choice instead.", reason=exc))

    left, right = st.columns([2, 3])
    with left:
        show.chart(dcharts.silhouette_chart(views.silhouette_table(auto.silhouette_by_k_, model.k_)),
                   key="cl_silhouette")
    with right:
        how = t("chosen automatically") if model is auto else t("chosen by you")
        st.metric(t("Clusters"), model.k_, help=t("{how}; silhouette {value:.2f} (from −1 to 1: above 0.25 the groups "
                                                  "are reasonably distinct).", how=how, value=model.silhouette_))
        st.caption(t("k = {k} ({how}). Silhouette {value:.2f}: how much closer customers are to their own group than "
                     "to the next one (1 = perfectly separated, 0 = overlapping). Customer data rarely separates "
                     "sharply; the personas are still useful summaries.", k=model.k_, how=how,
                     value=model.silhouette_))

    st.subheader(t("Personas"))
    personas = model.personas_
    for start in range(0, len(personas), 4):
        cols = st.columns(4)
        for col, p in zip(cols, personas[start:start + 4]):
            with col.container(border=True):
                st.text(p["name"])  # category names come from the user's data: text, not Markdown
                st.text(tn("{count} customer ({share})", "{count} customers ({share})", p["size"],
                           count=i18n.number(p["size"]), share=i18n.percent(p["share"])))
                st.caption("")
                st.text(p["sentence"])

    map_col, sizes_col = st.columns([3, 2])
    with map_col:
        on_map = show.selected_customdata(
            show.chart(charts.projection_chart(points), key="cl_projection", selectable=True))
    with sizes_col:
        on_bar = show.selected_customdata(show.chart(charts.sizes_chart(model), key="cl_sizes", selectable=True))
    show.chart(charts.profile_heatmap(model, cur), key="cl_profiles")
    st.caption(t("Red: the group's average is above all customers'; blue: below. Each cell shows the group's "
                 "actual average."))

    st.subheader(t("Customers in a cluster"))
    names = model.persona_names()
    sizes = {p["name"]: p["size"] for p in personas}
    clicked = [names[int(c)] for c in on_bar] + stored.personas_of(points, on_map)
    chosen = lists.follow_click(t("Persona"), names, key="cl_cluster", clicked=clicked,
                                format_func=lambda n: f"{n} ({i18n.number(sizes.get(n, 0))})",
                                help=t("Or click a bar of the sizes chart or a point of the map."))
    first, count, whole = cached.cluster_list(as_of, settings, chosen_k, names, names.index(chosen), lists.MAX_SHOWN)
    lists.customer_list(
        first, key="cl_list", file_stem=f"cluster-{names.index(chosen)}", whole=whole, sized=(count, count),
        columns=["customer_id", "name", "cluster_name", "recency_days", "orders", "revenue", "tier",
                 "satisfaction_5", "region"],
    )

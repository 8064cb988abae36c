"""Satisfaction-by-volume matrix (Differentiate): how to sell to and treat each customer, and where to start."""

import streamlit as st

from analysis import i18n
from analysis.differentiate import matrix
from analysis.customize.catalog import action_level_label
from analysis.money import in_currency, whole
from analysis.charts import differentiate as dcharts
from analysis.charts.segments import URGENCY_COLORS
from analysis.errors import NotEnoughData
from analysis.i18n import t, tn
from ui import cached, lists, show

as_of, settings = show.opening("🧭", t("Satisfaction by volume"), t(
    "Two questions decide how to treat a customer. **How much do they buy?** Volume decides the *selling* "
    "treatment: the high third one to one with a named account manager, the middle third one to many by "
    "region, the low third through retailers and self-service. **How satisfied are they?** Their latest "
    "survey decides the *relationship*: partner with the happy, improve the middling, correct the unhappy "
    "(call back, fix the complaint fast, learn what went wrong). The colour of a cell says how urgent it is; "
    "start with the outlined cell. Click a cell (or pick it below) for its actions and customers."
), tiles=False)
s = settings.segments
cur = s.currency
revenue_col = in_currency(t("Revenue in window"), cur)  # money columns say their currency
st.caption(t(
    "As of {date}. Volume: thirds of the customers active in the last {months} months by revenue. Satisfaction "
    "(latest survey, on a 5-point scale): high ≥ {high:g}, low ≤ {low:g}. Customers without a survey are kept "
    "apart, never guessed.", date=i18n.date(as_of), months=s.window_months, high=s.satisfaction_high,
    low=s.satisfaction_low,
))

texts = matrix.cell_texts().set_index("cell")
cells = None
try:
    cells = cached.matrix_cells(as_of, settings)
except NotEnoughData as exc:
    st.info(str(exc) + t(" Until then, the volume tiers alone decide the selling treatment:"))
    cells = cached.volume_cells(as_of, settings)

start = matrix.start_here(cells)
if start is not None:
    spec = texts.loc[start["cell"]]
    st.warning(tn(
        "**Start here: {strategy}.** {count} customer ({volume}, {satisfaction}) with {revenue} of revenue "
        "in the last {months} months at stake. First step: {action}.",
        "**Start here: {strategy}.** {count} customers ({volume}, {satisfaction}) with {revenue} of revenue "
        "in the last {months} months at stake. First step: {action}.", int(start["customers"]), strategy=spec["strategy"],
        count=i18n.number(start["customers"]), volume=matrix.volume_label(spec["volume"]),
        satisfaction=matrix.satisfaction_label(spec["satisfaction"]),
        revenue=show.escape_markdown(i18n.money(start["revenue"], cur)),
        months=s.window_months, action=spec["actions"][0]), icon="👉")

clicked = []
if "satisfaction" in cells:  # surveys exist: the grid, its colours and classes
    chart, legend = st.columns([3, 1])
    with chart:
        event = show.chart(dcharts.clickable_matrix(cells, cur), key="mx_chart", selectable=True)
        clicked = show.selected_customdata(event)
    with legend:  # the chart's own colours and letters, in words
        swatch = "<span style='color:{}; font-size:1.3em'>■</span> {}"  # our static colours, never data
        st.markdown("**" + t("Colour: how urgent") + "**<br>" + "<br>".join(
            swatch.format(URGENCY_COLORS[level], label) for level, label in (
                ("start", t("start here")), ("act", matrix.level_label("act")), ("plan", matrix.level_label("plan")),
                ("keep", matrix.level_label("keep")), ("empty", t("no customers")))), unsafe_allow_html=True)
        st.markdown("**" + t("Classes") + "**\n\n" + "\n\n".join(
            f"**{letter}** · {matrix.abcd_description(letter)}" for letter in matrix.ABCD_CLASSES))
else:
    st.dataframe(
        cells.assign(revenue=lambda d: whole(d["revenue"]), volume=cells["volume"].map(matrix.volume_label))
        [["volume", "customers", "revenue", "selling"]]
        .rename(columns={
            "volume": t("Volume"), "customers": t("Customers"), "revenue": revenue_col,
            "selling": t("Selling treatment")}),
        hide_index=True, width="stretch",
        column_config={revenue_col: st.column_config.NumberColumn(format="localized")},
    )
options = list(cells["cell"])
counts = dict(zip(cells["cell"], cells["customers"]))


def _label(cell: str) -> str:
    volume, satisfaction = cell.split("/")
    abcd = texts.loc[cell, "abcd"]
    tag = f"{abcd} · " if isinstance(abcd, str) else ""
    return tag + t("{volume}, {satisfaction}: {strategy} ({count})", volume=matrix.volume_label(volume),
                   satisfaction=matrix.satisfaction_label(satisfaction), strategy=texts.loc[cell, "strategy"],
                   count=i18n.number(counts.get(cell, 0)))


st.subheader(t("What to do with a cell"))
cell = lists.follow_click(t("Cell"), options, key="mx_cell", clicked=clicked, format_func=_label,
                          default=None if start is None else start["cell"],
                          help=t("Clicking a cell of the matrix picks it here too."))
spec = texts.loc[cell]
left, right = st.columns(2)
with left:
    st.markdown(f"#### {spec['strategy']}"
                + (t(" (class {abcd})", abcd=spec["abcd"]) if isinstance(spec["abcd"], str) else ""))
    st.markdown(t("**Selling** (volume {level}): {text}", level=action_level_label(spec["volume"]),
                  text=spec["selling"]))
    st.markdown(t("**Relationship** (satisfaction {level}): {text}", text=spec["relationship"],
                  level=action_level_label(spec["satisfaction"]) if spec["satisfaction"] != "none" else t("unknown")))
with right:
    st.markdown(t("**Concrete actions**"))
    st.markdown("\n".join(f"- {a}" for a in spec["actions"]))

members = cached.stored_list("cell_customers", as_of, settings, cell)
lists.customer_list(
    members["rows"], key="mx_list", whole=members["whole"], sized=(members["count"], members["count"]),
    file_stem=f"matrix-{cell.replace('/', '-')}",
    columns=["customer_id", "name", "cell", "abcd", "satisfaction_5", "revenue_window", "tier", "orders",
             "complaints", "last_purchase", "region"],
)

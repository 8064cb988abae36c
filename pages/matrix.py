"""Satisfaction-by-volume matrix (Differentiate): how to sell to and treat each customer."""

import streamlit as st

from analysis import differentiate, i18n, matrix
from analysis.actions import level_label
from analysis.i18n import t
from analysis.money import in_currency, whole
from analysis.charts import differentiate as dcharts
from analysis.customer import apply_filters
from analysis.errors import NotEnoughData
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
s = settings.segments
cur = s.currency
revenue_col = in_currency(t("Revenue in window"), cur)  # money columns say their currency

st.title("🧭 " + t("Satisfaction by volume"))
st.markdown(t(
    "Two questions decide how to treat a customer. **How much do they buy?** Volume decides the *selling* "
    "treatment: the high third one to one with a named account manager, the middle third one to many by "
    "region, the low third through retailers and self-service. **How satisfied are they?** Their latest "
    "survey decides the *relationship*: partner with the happy, improve the middling, correct the unhappy "
    "(call back, fix the complaint fast, learn what went wrong). The letters are the classic classes: "
    "**A** high value and happy, **B** loyal but lower value, **C** the many small customers, **D** middling "
    "satisfaction, often from poor communication. Click a cell (or pick it below) for its actions and customers."
))
st.caption(t(
    "As of {date}. Volume: thirds of the customers active in the last {months} months by revenue. Satisfaction "
    "(latest survey, on a 5-point scale): high ≥ {high:g}, low ≤ {low:g}. Customers without a survey are kept "
    "apart, never guessed.", date=i18n.date(as_of), months=s.window_months, high=s.satisfaction_high,
    low=s.satisfaction_low,
))

frame = cached.scores(as_of, settings).frame
texts = matrix.cell_texts().set_index("cell")
cells = None
try:
    cells = cached.on_tables(matrix.satisfaction_matrix, as_of, s)
except NotEnoughData as exc:
    st.info(str(exc) + t(" Until then, the volume tiers alone decide the selling treatment:"))

clicked = []
if cells is not None:
    event = show.chart(dcharts.clickable_matrix(cells, cur), key="mx_chart", selectable=True)
    clicked = show.selected_customdata(event)
    st.markdown(t("**No survey yet** (not in the nine cells: ask them first)"))
    st.dataframe(
        cells[cells["satisfaction"] == matrix.NO_SURVEY]
        .assign(revenue=lambda d: whole(d["revenue"]), volume=lambda d: d["volume"].map(matrix.volume_label))
        [["volume", "customers", "revenue", "strategy"]]
        .rename(columns={"volume": t("Volume"), "customers": t("Customers"), "revenue": revenue_col,
                         "strategy": t("Strategy")}),
        hide_index=True, width="stretch",
        column_config={revenue_col: st.column_config.NumberColumn(format="localized")},
    )
    options = list(cells["cell"])
    counts = dict(zip(cells["cell"], cells["customers"]))
else:
    volumes = differentiate.volume_summary(frame)
    st.dataframe(
        volumes.assign(revenue=lambda d: whole(d["revenue"]), volume=volumes["volume"].map(matrix.volume_label))
        .rename(columns={
            "volume": t("Volume"), "customers": t("Customers"), "revenue": revenue_col,
            "selling": t("Selling treatment")}),
        hide_index=True, width="stretch",
        column_config={revenue_col: st.column_config.NumberColumn(format="localized")},
    )
    options = [matrix.cell_id(v, matrix.NO_SURVEY) for v in matrix.VOLUMES]
    counts = dict(zip([matrix.cell_id(v, matrix.NO_SURVEY) for v in volumes["volume"]], volumes["customers"]))


def _label(cell: str) -> str:
    volume, satisfaction = cell.split("/")
    abcd = texts.loc[cell, "abcd"]
    tag = f"{abcd} · " if isinstance(abcd, str) else ""
    return tag + t("{volume}, {satisfaction}: {strategy} ({count})", volume=matrix.volume_label(volume),
                   satisfaction=matrix.satisfaction_label(satisfaction), strategy=texts.loc[cell, "strategy"],
                   count=i18n.number(counts.get(cell, 0)))


st.subheader(t("What to do with a cell"))
cell = lists.follow_click(t("Cell"), options, key="mx_cell", clicked=clicked, format_func=_label,
                          help=t("Clicking a cell of the matrix picks it here too."))
spec = texts.loc[cell]
left, right = st.columns(2)
with left:
    st.markdown(f"#### {spec['strategy']}"
                + (t(" (class {abcd})", abcd=spec["abcd"]) if isinstance(spec["abcd"], str) else ""))
    st.markdown(t("**Selling** (volume {level}): {text}", level=level_label(spec["volume"]), text=spec["selling"]))
    st.markdown(t("**Relationship** (satisfaction {level}): {text}", text=spec["relationship"],
                  level=level_label(spec["satisfaction"]) if spec["satisfaction"] != "none" else t("unknown")))
with right:
    st.markdown(t("**Concrete actions**"))
    st.markdown("\n".join(f"- {a}" for a in spec["actions"]))

lists.customer_list(
    apply_filters(frame, {"cell": [cell]}), key="mx_list", file_stem=f"matrix-{cell.replace('/', '-')}",
    columns=["customer_id", "name", "cell", "abcd", "satisfaction_5", "revenue_window", "tier", "orders",
             "complaints", "last_purchase", "region"],
)

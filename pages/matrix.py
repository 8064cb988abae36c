"""Satisfaction-by-volume matrix (Differentiate): how to sell to and treat each customer."""

import streamlit as st

from analysis import differentiate, matrix
from analysis.charts import differentiate as dcharts
from analysis.customer import apply_filters
from analysis.errors import NotEnoughData
from ui import cached, lists, show, sidebar

as_of, settings = sidebar.as_of(), sidebar.settings()
s = settings.segments
cur = s.currency

st.title("🧭 Satisfaction by volume")
st.markdown(
    "Two questions decide how to treat a customer. **How much do they buy?** Volume decides the *selling* "
    "treatment: the high third one to one with a named account manager, the middle third one to many by "
    "region, the low third through retailers and self-service. **How satisfied are they?** Their latest "
    "survey decides the *relationship*: partner with the happy, improve the middling, correct the unhappy "
    "(call back, fix the complaint fast, learn what went wrong). The letters are the classic classes: "
    "**A** high value and happy, **B** loyal but lower value, **C** the many small customers, **D** middling "
    "satisfaction, often from poor communication. Click a cell (or pick it below) for its actions and customers."
)
st.caption(
    f"As of {as_of:%Y-%m-%d}. Volume: thirds of the customers active in the last {s.window_months} months by "
    f"revenue. Satisfaction (latest survey, on a 5-point scale): high ≥ {s.satisfaction_high:g}, low ≤ "
    f"{s.satisfaction_low:g}. Customers without a survey are kept apart, never guessed."
)

frame = cached.scores(as_of, settings).frame
texts = matrix.cell_texts().set_index("cell")
cells = None
try:
    cells = cached.on_tables(matrix.satisfaction_matrix, as_of, s)
except NotEnoughData as exc:
    st.info(str(exc) + " Until then, the volume tiers alone decide the selling treatment:")

clicked = []
if cells is not None:
    event = show.chart(dcharts.clickable_matrix(cells, cur), key="mx_chart", selectable=True)
    clicked = show.selected_customdata(event)
    st.markdown("**No survey yet** (not in the nine cells: ask them first)")
    st.dataframe(
        cells[cells["satisfaction"] == matrix.NO_SURVEY]
        .assign(revenue=lambda d: d["revenue"].round(0))[["volume", "customers", "revenue", "strategy"]]
        .rename(columns={"volume": "Volume", "customers": "Customers", "revenue": "Revenue in window",
                         "strategy": "Strategy"}),
        hide_index=True, width="stretch",
        column_config={"Revenue in window": st.column_config.NumberColumn(format="localized")},
    )
    options = list(cells["cell"])
    counts = dict(zip(cells["cell"], cells["customers"]))
else:
    volumes = differentiate.volume_summary(frame)
    st.dataframe(
        volumes.assign(revenue=lambda d: d["revenue"].round(0)).rename(columns={
            "volume": "Volume", "customers": "Customers", "revenue": "Revenue in window", "selling": "Selling treatment"}),
        hide_index=True, width="stretch",
        column_config={"Revenue in window": st.column_config.NumberColumn(format="localized")},
    )
    options = [matrix.cell_id(v, matrix.NO_SURVEY) for v in matrix.VOLUMES]
    counts = dict(zip([matrix.cell_id(v, matrix.NO_SURVEY) for v in volumes["volume"]], volumes["customers"]))


def _label(cell: str) -> str:
    volume, satisfaction = cell.split("/")
    sat = "no survey" if satisfaction == matrix.NO_SURVEY else f"{satisfaction} satisfaction"
    abcd = texts.loc[cell, "abcd"]
    tag = f"{abcd} · " if isinstance(abcd, str) else ""
    return f"{tag}{volume} volume, {sat}: {texts.loc[cell, 'strategy']} ({counts.get(cell, 0):,})"


st.subheader("What to do with a cell")
cell = lists.follow_click("Cell", options, key="mx_cell", clicked=clicked, format_func=_label,
                          help="Clicking a cell of the matrix picks it here too.")
spec = texts.loc[cell]
left, right = st.columns(2)
with left:
    st.markdown(f"#### {spec['strategy']}" + (f" (class {spec['abcd']})" if isinstance(spec["abcd"], str) else ""))
    st.markdown(f"**Selling** (volume {spec['volume']}): {spec['selling']}")
    st.markdown(f"**Relationship** (satisfaction {spec['satisfaction'] if spec['satisfaction'] != 'none' else 'unknown'}): "
                f"{spec['relationship']}")
with right:
    st.markdown("**Concrete actions**")
    st.markdown("\n".join(f"- {a}" for a in spec["actions"]))

lists.customer_list(
    apply_filters(frame, {"cell": [cell]}), key="mx_list", file_stem=f"matrix-{cell.replace('/', '-')}",
    columns=["customer_id", "name", "cell", "abcd", "satisfaction_5", "revenue_window", "tier", "orders",
             "complaints", "last_purchase", "region"],
)

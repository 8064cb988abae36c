"""The workshop story: a fixed sequence of slides through the IDIC steps (Peppers & Rogers:
identify, differentiate, interact, customize), each one chart with a headline that states
its figure, for presenting in front of a room and for the reports that travel (issue 6).

Two stages, so the app can cache the slow part and switch masking instantly:
:func:`story_data` (:mod:`analysis.workshop.figures`) computes every figure's data once
(picklable frames and dicts, the reasons of what the data cannot support; from what is stored
when the workspace's scores are), :func:`slides` turns it into :class:`Slide`\\ s,
masking customers (:mod:`analysis.masking`) before any figure is built when ``mask=True``.
:func:`build_story` does both. Exports: :func:`analysis.workshop.report.story_html` (one
self-contained, offline HTML file, from a Jinja2 template) and
:func:`analysis.workshop.images.story_pngs` / ``story_zip`` (PNG images through kaleido and the
system Chromium).
"""

from __future__ import annotations

import dataclasses
import math
import types

import pandas as pd
import plotly.graph_objects as go

from analysis import i18n
from analysis.charts import clusters as cluster_charts
from analysis.charts import clv as clv_charts
from analysis.charts import overview as overview_charts
from analysis.charts import segments as segment_charts
from analysis.charts.actions import action_counts_chart
from analysis.charts.campaigns import lessons_chart
from analysis.customize.actions import ActionSettings
from analysis.differentiate import matrix as matrix_mod
from analysis.i18n import N_, t, tn
from analysis.identify import overview
from analysis.masking import Masker
from analysis.settings import ReportSettings, money
from analysis.store import Tables
from analysis.vocabulary import label
from analysis.workshop.figures import SCATTER_POINTS, StoryData, story_data

__all__ = ["SCATTER_POINTS", "SLIDES", "STEPS", "Slide", "StoryData", "build_story", "slides", "step_label",
           "story_data"]

STEPS = ("identify", "differentiate", "interact", "customize")
# (key, IDIC step, title), in the order the story is told.
SLIDES = (
    ("overview", "identify", N_("The data")),
    ("pareto", "identify", N_("Who brings the revenue")),
    ("pyramid", "differentiate", N_("The customer pyramid")),
    ("value", "differentiate", N_("Most valuable, most growable, below zero")),
    ("matrix", "interact", N_("Satisfaction by volume")),
    ("clusters", "differentiate", N_("Clusters and personas")),
    ("clv", "differentiate", N_("Lifetime value")),
    ("actions", "customize", N_("The action plan")),
    ("learned", "customize", N_("What we learned")),
)


def step_label(step: str) -> str:
    """An IDIC step ("identify", ...) in the current language, lower case like the code."""
    return label("step", step)


@dataclasses.dataclass
class Slide:
    """One screen of the story. ``figure`` is None when the data cannot support the slide;
    the headline is then the plain reason."""

    key: str
    step: str
    title: str
    headline: str
    figure: go.Figure | None
    note: str = ""


# -- slides --------------------------------------------------------------------------------
def _share(values: pd.Series, top: float = 0.2) -> float:
    """Share of the total held by the top ``top`` of the values (ceil, at least one)."""
    v = values.sort_values(ascending=False)
    total = float(v.sum())
    return float(v.head(max(1, math.ceil(top * len(v)))).sum()) / total if total > 0 else 0.0


def _overview(d: StoryData, cur: str, masker: Masker | None):
    k = d.parts["kpis"]
    headline = t("{customers:,} customers, {active:,} of them active in the last {months} months, {revenue} revenue",
                 customers=k["customers"], active=k["active_customers"], months=d.settings.window_months,
                 revenue=money(k["revenue"], cur))
    fig = overview_charts.revenue_by_month_chart(d.parts["monthly"], cur)
    values = dict(orders=k["orders"], as_of=d.as_of, average=money(k["average_order_value"] or 0, cur))
    if k["repeat_rate"] is not None:
        note = t("{orders:,} orders up to {as_of:%Y-%m-%d}; average order {average}; {rate:.0%} of buyers came "
                 "back for a second order.", rate=k["repeat_rate"], **values)
    else:
        note = t("{orders:,} orders up to {as_of:%Y-%m-%d}; average order {average}.", **values)
    return headline, fig, note


def _pareto(d: StoryData, cur: str, masker: Masker | None):
    curve, top20, gini = d.parts["pareto"]
    return (overview.pareto_sentence(top20).rstrip(".。"), overview_charts.lorenz_chart(curve, top20, gini),
            t("Last {months} months. Gini {gini:.2f}: 0 means every customer spends the same, "
              "1 that one customer brings everything. Concentrated revenue calls for one-to-one care of the few.",
              months=d.settings.window_months, gini=gini))


def _pyramid(d: StoryData, cur: str, masker: Masker | None):
    pyr = d.parts["pyramid"]
    s = d.settings.segments
    upper = pyr[pyr["tier"].isin(["top", "big"])]
    headline = t("The top {share:.0%} of active customers ({customers:,}) bring {revenue:.0%} of the window's revenue",
                 share=s.top_share + s.big_share, customers=int(upper["customers"].sum()),
                 revenue=upper["revenue_share"].sum())
    note = t("Top 1%, big 4%, medium 15%, small 80% of the customers who bought in the last "
             "{months} months; below them inactive customers, prospects and suspects.", months=s.window_months)
    return headline, segment_charts.pyramid_chart(pyr, cur), note


def _value(d: StoryData, cur: str, masker: Masker | None):
    part = d.parts["value"]
    shown = part["plotted"]
    if masker is not None:
        shown = masker.mask_frame(shown)
    if "name" in shown:  # hover shows who the dot is: the name (or label) and the id
        named = shown["name"].notna() & (shown["name"].astype("string") != shown["customer_id"].astype("string"))
        shown = shown.assign(customer_id=[f"{n} ({c})" if has else str(c) for n, c, has in
                                          zip(shown["name"], shown["customer_id"], named)])
    c = part["counts"]
    headline = t("{mvc:,} most valuable, {mcc:,} most growable and {bz:,} below-zero customers",
                 mvc=c["MVC"], mcc=c["MCC"], bz=c["BZ"])
    note = (t("Right = more revenue now, up = more potential. Keep the most valuable, grow the most growable, "
              "serve the below-zero ones more cheaply.")
            + (t(" {shown:,} of {buyers:,} buyers shown.", shown=len(shown), buyers=part["buyers"])
               if len(shown) < part["buyers"] else ""))
    return headline, segment_charts.value_scatter(shown, cur), note


def _matrix(d: StoryData, cur: str, masker: Masker | None):
    cells = d.parts["matrix"]
    surveyed = cells[cells["satisfaction"] != matrix_mod.NO_SURVEY]
    unhappy = int(surveyed.loc[surveyed["satisfaction"] == "low", "customers"].sum())
    headline = t("{surveyed:,} of {active:,} active customers answered a survey; {unhappy:,} of them are unhappy",
                 surveyed=int(surveyed["customers"].sum()), active=int(cells["customers"].sum()), unhappy=unhappy)
    note = t("Volume decides the selling treatment, satisfaction the relationship: partner with the happy, "
             "improve the middling, correct the unhappy. Customers without a survey are the bottom row: ask them "
             "first. Colour says how urgent a cell is.")
    start = matrix_mod.start_here(cells)
    if start is not None:
        note += " " + tn("Start here: {strategy} ({n:,} customer, {revenue} of revenue in the last {months} months).",
                         "Start here: {strategy} ({n:,} customers, {revenue} of revenue in the last {months} months).",
                         int(start["customers"]), strategy=start["strategy"],
                         revenue=money(float(start["revenue"]), cur), months=d.settings.window_months)
    return headline, segment_charts.matrix_heatmap(cells, cur), note


def _clusters(d: StoryData, cur: str, masker: Masker | None):
    personas = d.parts["clusters"]
    largest = max(personas, key=lambda p: p["size"])
    headline = t("{groups} groups of customers who buy alike; the largest, “{name}”, is {share:.0%} of buyers",
                 groups=len(personas), name=largest["name"], share=largest["share"])
    fig = cluster_charts.sizes_chart(types.SimpleNamespace(personas_=personas))  # the chart reads personas_ only
    note = t("Plan one message, offer or service level per group. ") + largest["sentence"]
    return headline, fig, note


def _clv(d: StoryData, cur: str, masker: Masker | None):
    clv = d.parts["clv"]
    h = d.settings.horizon_months
    headline = t("Customers should bring {clv} of margin in the next {months} months; the top 20% hold {share:.0%} of it",
                 clv=money(float(clv["clv"].sum()), cur), months=h, share=_share(clv["clv"]))
    note = t("Lifetime value: margin {margin:.0%} of the revenue the purchase model (BG/NBD and "
             "Gamma-Gamma) expects, discounted at {discount:.0%} a year.",
             margin=d.settings.margin, discount=d.settings.annual_discount)
    return headline, clv_charts.clv_distribution(clv, cur), note


def _actions(d: StoryData, cur: str, masker: Masker | None):
    part = d.parts["actions"]
    counts = part["counts"]
    first = counts.iloc[0]
    headline = t("{actions:,} suggested actions for {customers:,} customers; the most common: {title} ({count:,})",
                 actions=part["actions"], customers=part["customers"], title=first["title"],
                 count=int(first["customers"]))
    note = t("The Action plan page lists each customer's next best action with the reason, ready to export.")
    return headline, action_counts_chart(counts), note


def _learned(d: StoryData, cur: str, masker: Masker | None):
    from analysis.interact.campaigns.workspace import verdict_words

    found = d.parts["learned"]
    codes = [c["result"]["verdict"]["code"] for c in found]
    worked = codes.count("worked")
    headline = tn("{n:,} campaign measured against its control group: {worked:,} worked",
                  "{n:,} campaigns measured against their control groups: {worked:,} worked",
                  len(found), worked=worked)
    lessons = pd.DataFrame({
        "name": [c["name"] for c in found], "verdict": codes,
        "rate_diff": [c["result"]["verdict"]["rate_diff"] for c in found],
        "ci_lo": [c["result"]["verdict"]["rate_diff_ci"][0] for c in found],
        "ci_hi": [c["result"]["verdict"]["rate_diff_ci"][1] for c in found]})
    lines = [f"“{c['name']}”: {verdict_words(c['result'], cur)}" for c in found]
    note = "\n".join(lines) + "\n" + t(
        "An action whose last campaign did not beat its control group now comes lower in the action plan; the "
        "customers a campaign that worked is likely to move get its action again.")
    return headline, lessons_chart(lessons), note


BUILDERS = {"overview": _overview, "pareto": _pareto, "pyramid": _pyramid, "value": _value,
            "matrix": _matrix, "clusters": _clusters, "clv": _clv, "actions": _actions,
            "learned": _learned}


def slides(data: StoryData, mask: bool = False, secret: str | None = None) -> list[Slide]:
    """The story's slides in :data:`SLIDES` order. With ``mask``, customers are replaced by
    their "Customer 0042" labels before any figure is built, ordered by the workspace's
    ``secret`` (:func:`analysis.masking.workspace_secret`) as on every page."""
    if not mask:
        masker = None
    elif data.masker is not None:
        masker = data.masker(secret)
    else:
        masker = Masker(data.customer_ids, secret)
    cur = data.settings.currency
    out = []
    for key, step, title in SLIDES:
        title = i18n.lookup(title)
        if key in data.reasons:
            out.append(Slide(key, step, title, data.reasons[key], None, ""))
            continue
        headline, fig, note = BUILDERS[key](data, cur, masker)
        out.append(Slide(key, step, title, headline, _fit(fig), note))
    return out


def _fit(fig: go.Figure) -> go.Figure:
    """The slide's larger type, with room for it: the title above the plot pushes the top
    margin (a two-line title never lies over an axis) and the axes' labels push the others,
    so nothing is cut in the app, the offline report or the images, at any width."""
    fig.update_layout(title_font_size=18, font_size=15, title_automargin=True, title_yref="paper", title_y=1,
                      title_yanchor="bottom", title_pad_b=14)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def build_story(tables: Tables, as_of: Any = None, settings: ReportSettings = ReportSettings(),
                mask: bool = False, action_settings: ActionSettings | None = None) -> list[Slide]:
    """The workshop story for a workspace: :func:`story_data` then :func:`slides`."""
    return slides(story_data(tables, as_of, settings, action_settings), mask)



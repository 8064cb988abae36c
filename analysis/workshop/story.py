"""The workshop story: a fixed sequence of slides through the IDIC steps (Peppers & Rogers:
identify, differentiate, interact, customize), each one chart with a headline that states
its figure, for presenting in front of a room and for the reports that travel (issue 6).

Two stages, so the app can cache the slow part and switch masking instantly:
:func:`story_data` computes every figure's data once (picklable frames and dicts, the
reasons of what the data cannot support), :func:`slides` turns it into :class:`Slide`\\ s,
masking customers (:mod:`analysis.masking`) before any figure is built when ``mask=True``.
:func:`build_story` does both. Exports: :func:`analysis.workshop.report.story_html` (one
self-contained, offline HTML file, from a Jinja2 template) and
:func:`analysis.workshop.images.story_pngs` / ``story_zip`` (PNG images through kaleido and the
system Chromium).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import types
from typing import Any, Callable

import pandas as pd
import plotly.graph_objects as go

from analysis import i18n
from analysis.differentiate import matrix as matrix_mod
from analysis.differentiate import pyramid
from analysis.identify import first_screen, overview
from analysis.customize.actions import ActionSettings
from analysis.charts import clusters as cluster_charts
from analysis.charts import clv as clv_charts
from analysis.charts import overview as overview_charts
from analysis.charts import segments as segment_charts
from analysis.charts.actions import action_counts_chart
from analysis.charts.campaigns import lessons_chart
from analysis.customize.plan import plan_rows, plan_summary
from analysis.differentiate import stored_views
from analysis.differentiate.views import scatter_sample
from analysis.errors import NotEnoughData, UserError
from analysis.identify.customers import source_tables
from analysis.identify.facts import resolve_as_of
from analysis.i18n import N_, t, tn
from analysis.masking import Masker, engine_masker
from analysis.settings import ReportSettings, money
from analysis.scores import Scores, attempt, score_customers, stored_table
from analysis.stored_scores import StoredScores, read_stored
from analysis.store import Tables, Workspace
from analysis.vocabulary import label

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
SCATTER_POINTS = 1500  # enough to see the shape; keeps the exported file light


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


@dataclasses.dataclass
class StoryData:
    """Everything the slides and the worksheet show, computed once. ``parts[key]`` holds a
    slide's data; ``reasons[key]`` says why a slide's data is missing. ``customer_ids``: every
    customer, whose keyed-hash order numbers the masked labels; or, read from the stored
    scores, None and ``masker(secret)`` gives the labels of the customers the slides show
    (:func:`analysis.masking.engine_masker`: the same labels, without reading every id)."""

    as_of: dt.date
    settings: ReportSettings
    customer_ids: list[str] | None
    parts: dict[str, Any]
    reasons: dict[str, str]
    masker: Callable[[str | None], Masker] | None = None


def _value_part(plotted: pd.DataFrame, buyers: int, counts: dict[str, int]) -> dict:
    if not buyers:
        raise NotEnoughData(t("No purchases yet: import transactions to see who is valuable, growable or below zero."))
    cols = ["customer_id", "name", "revenue_window", "potential", "profit", "gap", "is_mvc", "is_mcc", "is_bz"]
    return {"plotted": plotted[[c for c in cols if c in plotted]].reset_index(drop=True),
            "buyers": buyers, "counts": counts}


def _value_of_frame(frame: pd.DataFrame) -> dict:
    plotted, buyers = scatter_sample(frame, max_points=SCATTER_POINTS)
    return _value_part(plotted, buyers, {g: int(frame[c].fillna(False).astype(bool).sum()) for g, c in
                                         (("MVC", "is_mvc"), ("MCC", "is_mcc"), ("BZ", "is_bz"))})


def _clv_part(messages: dict[str, str], values: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The customers' lifetime values (a ``clv`` column, no missing value) for the CLV slide."""
    if "clv" in messages:
        raise NotEnoughData(messages["clv"])
    clv = values()
    if clv.empty:
        raise NotEnoughData(t("No customer has a lifetime value yet: the purchase model needs repeat buyers."))
    return clv.reset_index(drop=True)


def _actions_part(titled: Callable[[], pd.DataFrame]) -> dict:
    """The action plan in figures (:func:`plan_summary`) from its rows with their titles and
    no reasons (:meth:`analysis.customize.plan.Plan.titled`): counting needs no reason written."""
    found = titled()
    if found.empty:
        raise NotEnoughData(t("No suggested action yet: the playbook needs customers with purchases or contacts."))
    return plan_summary(found)


def _coverage(frame: pd.DataFrame) -> dict:
    """How well the interactions cover the customers (for the worksheet's interact step);
    :func:`analysis.differentiate.stored_views.coverage` counts the same in the engine."""
    return {
        "customers": len(frame),
        "contacted": int((frame["contacts"].fillna(0) > 0).sum()),
        "contacts": int(frame["contacts"].fillna(0).sum()),
        "complaints": int(frame["complaints"].fillna(0).sum()),
        "surveyed": int(frame["satisfaction_5"].notna().sum()),
    }


def _learned_part(source: Workspace | Tables, as_of: dt.date) -> list[dict]:
    """Every campaign measured by ``as_of`` (its response window ended), oldest first, with
    its measurement (:func:`analysis.interact.campaigns.workspace.measure`): what the
    "What we learned" slide says. Bare tables hold no campaigns."""
    from analysis.interact.campaigns import workspace as campaigns

    listed = campaigns.list_campaigns(source) if isinstance(source, Workspace) else []
    found = []
    for c in reversed(listed):
        try:
            result = campaigns.measure(source, c["name"])
        except UserError:  # groups that cannot be compared teach nothing
            continue
        if result.get("complete") is False or (result.get("window_end") and result["window_end"] > as_of.isoformat()):
            continue
        found.append({"name": c["name"], "action": c["action"], "start": c["start"], "result": result})
    if not found:
        raise NotEnoughData(t("No campaign has been measured yet: make one with a control group on the Campaigns "
                              "page; once its response window has passed, what it taught appears here."))
    return found


def _overview_figure(found: dict, name: str) -> Any:
    """Figure ``name`` of the Overview's stored figures (its NotEnoughData raised)."""
    if isinstance(found[name], NotEnoughData):
        raise found[name]
    return found[name]


def story_data(source: Workspace | Tables, as_of: Any = None, settings: ReportSettings = ReportSettings(),
               action_settings: ActionSettings | None = None, scores: Scores | None = None,
               titled: Callable[[], pd.DataFrame] | None = None) -> StoryData:
    """The data of every slide as of a date. Parts the data cannot support are None, with
    their plain reason in ``reasons``; nothing here raises NotEnoughData. On a Workspace the
    action plan learns from its campaigns and the last slide tells what they taught.

    On a Workspace whose scores are stored, every figure is asked of what is stored
    (:func:`_stored_parts`): no customer's row is read into pandas but the scatter's points
    and the lifetime values. Else the scores' frame is read. ``titled()``: the plan's rows
    with their titles when the caller keeps them (the app's Action plan page shares them)."""
    tables = source_tables(source)
    as_of = resolve_as_of(tables, as_of)
    action_settings = action_settings or ActionSettings(window_months=settings.window_months)
    stored = read_stored(source, as_of, settings) if isinstance(source, Workspace) else None

    def plan_titled() -> pd.DataFrame:
        return plan_rows(source, as_of, settings, action_settings, scores=scores).titled()

    titled = titled or plan_titled
    reasons: dict[str, str] = {}
    if stored is not None:
        parts, personas, messages = _stored_parts(source, stored, as_of, settings, reasons)
        ids, masker = None, _engine_masker(source, as_of, settings, parts)
    else:
        scores = scores or score_customers(tables, as_of, settings)
        parts, personas, messages = _frame_parts(tables, scores, as_of, settings, reasons)
        ids, masker = list(scores.frame["customer_id"].astype(str)), None
    parts["clusters"] = personas or None
    parts["actions"] = attempt(reasons, "actions", lambda: _actions_part(titled))
    parts["learned"] = attempt(reasons, "learned", lambda: _learned_part(source, as_of))
    if not personas:
        reasons["clusters"] = messages.get("clusters", t("Not enough buyers to find groups of customers yet."))
    return StoryData(as_of=as_of, settings=settings, customer_ids=ids, parts=parts, reasons=reasons, masker=masker)


def _frame_parts(tables: Tables, scores: Scores, as_of: dt.date, settings: ReportSettings,
                 reasons: dict[str, str]) -> tuple[dict, list[dict], dict[str, str]]:
    """(parts, personas, messages) from the scores' frame and the workspace's tables."""
    s, w = settings.segments, settings.window_months
    frame = scores.frame
    parts: dict[str, Any] = {
        "kpis": overview.kpis(tables, as_of, w),
        "monthly": attempt(reasons, "overview", lambda: overview.revenue_by_month(tables, as_of)),
        "pareto": attempt(reasons, "pareto", lambda: overview.pareto(tables, as_of, w)),
        "pyramid": attempt(reasons, "pyramid", lambda: pyramid.pyramid(tables, as_of, s)),
        "value": attempt(reasons, "value", lambda: _value_of_frame(frame)),
        "matrix": attempt(reasons, "matrix", lambda: matrix_mod.satisfaction_matrix(tables, as_of, s)),
        "clv": attempt(reasons, "clv", lambda: _clv_part(scores.messages, lambda: frame[["customer_id", "clv"]].dropna())),
        "coverage": _coverage(frame),
    }
    return parts, scores.personas, scores.messages


def _stored_parts(ws: Workspace, stored: StoredScores, as_of: dt.date, settings: ReportSettings,
                  reasons: dict[str, str]) -> tuple[dict, list[dict], dict[str, str]]:
    """(parts, personas, messages) from what is stored: the Overview's figures
    (:func:`analysis.identify.first_screen.stored_figures`), counts and sums over the stored
    scores in the engine (:mod:`analysis.differentiate.stored_views`), the scatter's points and
    the personas of the stored cluster profiles. The same figures as :func:`_frame_parts`."""
    t_ = stored.table
    first = first_screen.stored_figures(ws, as_of, settings.window_months, lambda: t_)

    def value() -> dict:
        sample, buyers = stored_views.scatter_sample(t_, max_points=SCATTER_POINTS)
        return _value_part(stored.numbers(sample), buyers, stored_views.value_counts(t_))

    parts: dict[str, Any] = {
        "kpis": _overview_figure(first, "kpis"),
        "monthly": attempt(reasons, "overview", lambda: _overview_figure(first, "months")),
        "pareto": attempt(reasons, "pareto", lambda: _overview_figure(first, "pareto")),
        "pyramid": attempt(reasons, "pyramid", lambda: stored_views.pyramid_layers(t_)),
        "value": attempt(reasons, "value", value),
        "matrix": attempt(reasons, "matrix", lambda: stored_views.satisfaction_matrix(t_)),
        "clv": attempt(reasons, "clv", lambda: _clv_part(stored.messages, lambda: stored_views.clv_values(t_))),
        "coverage": stored_views.coverage(t_),
    }
    return parts, stored.scores().personas, stored.messages


def _engine_masker(ws: Workspace, as_of: dt.date, settings: ReportSettings,
                   parts: dict) -> Callable[[str | None], Masker]:
    """``masker(secret)``: the labels of the customers the slides show (the scatter's points),
    numbered among every stored customer in the engine (:func:`analysis.masking.engine_masker`)."""
    shown = [] if parts["value"] is None else list(parts["value"]["plotted"]["customer_id"].astype(str))

    def masker(secret: str | None) -> Masker:
        with ws.reading():  # a shared workspace's connection is open for the read only
            return engine_masker(stored_table(ws, as_of, settings), secret, shown)

    return masker


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



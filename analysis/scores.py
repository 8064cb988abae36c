"""Everything known about each customer as of a date, in one frame: the facts, the pyramid
tier, MVC/MCC/BZ, the matrix cell, the RFM segment, the cluster persona and the CLV outlook.

This is what the customer page, the action rules and the exports read. Computing it takes
seconds on a large workspace, so :func:`score_customers` on a Workspace stores it there
(:meth:`analysis.store.Workspace.save_result`) and reads it back on the next call: a page
reload, another session, a restarted app and the CLI all share one computation. It is
stored in two parts, each keyed by what it depends on
(:meth:`~analysis.store.Workspace.version_at`), the as-of date and the settings:

- ``clv``: the purchase models' outlook; purchases only, so recording a contact keeps it;
- ``scores``: everything else; purchases, customers and the contacts up to the as-of date,
  so a contact recorded after that date keeps it too.

Language: only codes and numbers are stored. The sentences and names (MVC/MCC/BZ reasons,
cell strategies, CLV notes, persona names) are written from them after reading
(:func:`_with_text`), so one stored frame serves every language the app speaks.

MCC potential: when the purchase model can be fitted, a customer's potential is the revenue
the model expects from them over the next activity window (expected purchases x expected
spend); otherwise :mod:`analysis.differentiate.value` falls back to the trend and the wallet estimate.

Size: one job, the scores' computation and storage: the stages, the two stored parts and
their keys, the frame written when first read, and the models' figures stored beside them
(their keys are the scores' keys, so they live here). Reading stored scores for a page (lists,
totals, a model's stored figures) is :mod:`analysis.stored_scores`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd

from analysis.differentiate import headroom
from analysis.differentiate.clusters import make_personas
from analysis.predict.notes import clv_notes
from analysis.errors import NotEnoughData
from analysis import i18n
from analysis.i18n import N_, t
from analysis.identify.facts import resolve_as_of, to_date
from analysis.progress import Reporter, silent
from analysis.settings import ReportSettings
from analysis.differentiate.segments import add_text, segment_customers
from analysis.store import Tables, Workspace, read_even_if_closed

if TYPE_CHECKING:
    from analysis.predict.clv_data import CLVFit

# Reading stored scores needs neither SciPy nor scikit-learn: the models are imported where
# they are fitted or applied (:func:`outlook`, :func:`_clv_part`, :func:`_numbers`), so a page
# that only reads the scores does not wait seconds for them to load.

CLV_COLUMNS = ["p_alive", "expected_purchases", "expected_next_purchase", "expected_spend", "clv", "clv_note"]
# What the CLV note is written from, kept beside the stored outlook (dropped after writing it).
_NOTE_INPUTS = {"frequency": "_clv_frequency", "recency": "_clv_recency", "T": "_clv_T",
                "nonpositive_spend": "_clv_nonpositive_spend"}
NOTE_INPUT_COLUMNS = tuple(_NOTE_INPUTS.values())
# The stages of scoring a workspace, in order, with the share of the time each takes on a
# large workspace (measured on benchmarks/generate.py's 200,000 customers): the progress
# bar moves by these, not by the count of stages.
STAGES = (
    (N_("Fitting the purchase and spend models (lifetime value)"), 0.25),
    (N_("Estimating wallets"), 0.15),
    (N_("Per-customer facts, tiers, matrix cells and RFM segments"), 0.20),
    (N_("Finding clusters and personas"), 0.20),
    (N_("Storing the scores in the workspace"), 0.05),
    (N_("Checking the lifetime-value model on the last six months"), 0.15),
)
# Bumped when the stored columns change, so results stored by an older version are not read.
STORED_FORMAT = 3  # 2: money summed exactly (DECIMAL), not as floating point; 3: wallets


class _Later:
    """A frame made when it is first read (:class:`_FrameSlot`)."""

    def __init__(self, make: Callable[[], pd.DataFrame]):
        self.make = make
        self.lock = threading.Lock()


class _FrameSlot:
    """:attr:`Scores.frame`: a frame, or a :class:`_Later` made into one, once, when first
    read. A dataclass field whose default this descriptor refuses, so ``frame`` stays required."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}_slot"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            raise AttributeError("frame")  # no default
        value = obj.__dict__[self.slot]
        if isinstance(value, _Later):
            with value.lock:
                value = obj.__dict__[self.slot]
                if isinstance(value, _Later):
                    value = obj.__dict__[self.slot] = value.make()
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


@dataclasses.dataclass
class Scores:
    """The per-customer frame, the cluster personas, and why any part is missing.

    Read from a Workspace's stored scores, the frame (every customer, every column, the
    words written) is made when first read: the action plan reads the stored numbers in the
    engine (:func:`plan_table`, :func:`plan_rows`) and never needs it. ``key`` is then the
    stored scores' key (None for scores computed on bare tables)."""

    frame: pd.DataFrame = _FrameSlot()
    as_of: dt.date
    personas: list[dict]
    messages: dict[str, str]
    wallet: dict | None = None  # :func:`analysis.differentiate.headroom.wallet_section`; None when not estimated
    key: str | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_frame_slot"] = self.frame  # a pickled copy holds the frame, not how to make it
        return state


def attempt(messages: dict[str, str], name: str, fn: Callable[[], Any]) -> Any:
    """``fn()``, or None with the plain reason kept in ``messages[name]``."""
    try:
        return fn()
    except NotEnoughData as exc:
        messages[name] = str(exc)
        return None


def outlook(fit: CLVFit, settings: ReportSettings, horizon_months: int) -> pd.DataFrame:
    """The CLV model's per-customer outlook over ``horizon_months`` from a fit the caller made
    (:func:`analysis.predict.clv_data.fit_clv`)."""
    from analysis.predict.clv_data import score_clv

    return score_clv(fit, horizon_months, settings.margin, settings.annual_discount)


def potential_revenue(clv_frame: pd.DataFrame) -> pd.Series:
    """Expected revenue in the outlook's horizon, indexed by customer id (MCC potential)."""
    values = clv_frame["expected_purchases"] * clv_frame["expected_spend"]
    return pd.Series(values.to_numpy(), index=clv_frame["customer_id"].astype(str), name="potential")


def _clv_part(tables: Tables, as_of: dt.date, settings: ReportSettings,
              clv_fit: Callable[[], CLVFit] | None = None) -> tuple[pd.DataFrame | None, dict]:
    """(outlook columns + the MCC ``potential`` + the note inputs, messages); one model fit
    serves both the CLV horizon and the activity window: ``clv_fit()`` when given (a fit the
    caller keeps, on the same purchases and as-of date), else one made here."""
    from analysis.predict.clv_data import score_clv
    from analysis.predict.fit import fit_workspace_clv

    messages: dict[str, str] = {}
    fit = attempt(messages, "clv", clv_fit or (lambda: fit_workspace_clv(tables.transactions, as_of, settings.clv_model)))
    if fit is None:
        return None, messages
    scored = score_clv(fit, settings.horizon_months, settings.margin, settings.annual_discount, notes=False)
    window = scored if settings.horizon_months == settings.window_months else score_clv(
        fit, settings.window_months, settings.margin, settings.annual_discount, notes=False)
    part = scored[["customer_id", *[c for c in CLV_COLUMNS if c != "clv_note"]]].copy()
    part["customer_id"] = part["customer_id"].astype(str)
    part["potential"] = potential_revenue(window).to_numpy()
    for source, hidden in _NOTE_INPUTS.items():
        part[hidden] = scored[source].to_numpy()
    return part, messages


def _stage(report: Reporter, index: int) -> None:
    """Tell ``report`` that stage ``index`` of :data:`STAGES` begins."""
    report(t(STAGES[index][0]), sum(share for _, share in STAGES[:index]))


def _numbers(tables: Tables, as_of: dt.date, settings: ReportSettings,
             clv: pd.DataFrame | None, report: Reporter = silent,
             clusters_fit: Callable[[], Any] | None = None,
             ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, str], dict | None]:
    """(the language-neutral frame, the cluster profiles and z-scores, messages, the
    wallet summary). ``clusters_fit()``, when given, returns the (features, model) of
    :func:`~analysis.differentiate.clusters.fit_clusters` with these tables, as-of date and
    settings (a fit the caller keeps, so the Clusters page does not fit the same model again)."""
    messages: dict[str, str] = {}
    _stage(report, 1)
    potential = None if clv is None else pd.Series(
        clv["potential"].to_numpy(), index=clv["customer_id"], name="potential")
    wallets = attempt(messages, "wallet", lambda: headroom.customer_wallets(tables, as_of, settings.local_rows))
    _stage(report, 2)
    frame = segment_customers(tables, as_of, settings.segments, potential, text=False,
                              wallets=None if wallets is None else headroom.estimated(wallets))
    frame = headroom.with_wallets(frame, wallets)
    if clv is not None:
        frame = frame.merge(clv.drop(columns="potential"), on="customer_id", how="left")
    else:
        for col in CLV_COLUMNS[:-1]:
            frame[col] = np.nan
    clusters: dict[str, pd.DataFrame] = {}
    _stage(report, 3)
    from analysis.differentiate.clusters import fit_clusters

    fitted = attempt(messages, "clusters", clusters_fit or (lambda: fit_clusters(
        tables, as_of, settings.k, settings.window_months, currency=settings.currency)))
    if fitted is not None:
        features, model = fitted
        labels = pd.DataFrame({"customer_id": features.index.astype(str), "cluster": model.labels_})
        frame = frame.merge(labels, on="customer_id", how="left")
        frame["cluster"] = frame["cluster"].astype("Int64")
        clusters = {"profiles": model.profiles_.reset_index(), "zscores": model.zscores_.reset_index()}
    else:
        frame["cluster"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return frame, clusters, messages, None if wallets is None else headroom.wallet_section(wallets)


def _with_text(frame: pd.DataFrame, clusters: dict[str, pd.DataFrame], messages: dict[str, str],
               as_of: dt.date, settings: ReportSettings, wallet: dict | None = None) -> Scores:
    """The full :class:`Scores` from the language-neutral parts: reasons, strategies, CLV
    notes and persona names are written here, in the current language."""
    frame = add_text(frame, settings.segments)
    # the CLV, not P(alive): a model without dropout has no P(alive) (analysis.predict.choose)
    has_clv = frame["clv"].notna().to_numpy() if _NOTE_INPUTS["T"] in frame else np.zeros(len(frame), bool)
    notes = np.full(len(frame), None, dtype=object)
    if has_clv.any():
        inputs = frame.loc[has_clv, ["p_alive", "expected_next_purchase", *_NOTE_INPUTS.values()]]
        inputs = inputs.rename(columns={v: k for k, v in _NOTE_INPUTS.items()})
        notes[has_clv] = clv_notes(inputs, settings.horizon_months)
    frame = frame.drop(columns=[c for c in _NOTE_INPUTS.values() if c in frame])
    at = frame.columns.get_loc("clv") + 1
    frame.insert(at, "clv_note", notes.tolist() if has_clv.any() else np.nan)
    personas = _personas(clusters, settings)
    if clusters:
        names = np.array([None] + [p["name"] for p in personas], dtype=object)
        codes = frame["cluster"].fillna(-1).to_numpy(int) + 1
        frame["cluster_name"] = names[codes].tolist()
    else:
        frame["cluster_name"] = None
    return Scores(frame=frame, as_of=as_of, personas=personas, messages=messages, wallet=wallet)


def _stored(ws: Workspace, kind: str, key: str, compute: Callable[[], tuple[dict, dict]],
            before_saving: Callable[[], None] | None = None) -> tuple[dict, dict]:
    """(frames, meta) stored under ``key`` in ``ws``, computed and stored when missing."""
    def compute_then():
        result = compute()
        if before_saving is not None:
            before_saving()
        return result

    return ws.stored_result(kind, key, compute_then)


def _keys(ws: Workspace, as_of: dt.date, settings: ReportSettings) -> tuple[str, str]:
    """(the CLV outlook's key, the scores' key) of the stored results (module docstring)."""
    version = ws.version_at(as_of)
    # Only numbers are stored, none in a currency's words: changing the workspace's
    # currency reads the same stored result.
    neutral = dataclasses.replace(settings, segments=dataclasses.replace(settings.segments, currency=""))
    common = {"format": STORED_FORMAT, "as_of": as_of.isoformat(), "settings": repr(neutral)}
    return (ws.result_key("clv", purchases=version["purchases"], **common),
            ws.result_key("scores", **version, **common))


def stored_key(ws: Workspace, as_of: dt.date, settings: ReportSettings = ReportSettings()) -> str:
    """The key the scores of ``ws`` as of ``as_of`` with ``settings`` are stored under
    (:attr:`Scores.key` of scores read from there)."""
    return _keys(ws, as_of, settings)[1]


def is_stored(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> bool:
    """Whether the scores as of ``as_of`` with ``settings`` are stored in ``ws`` already,
    so :func:`score_customers` only reads them back (a quick look at the ``results`` table)."""
    as_of = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())  # no Ibis backend when given
    return all(ws.has_result(key) for key in _keys(ws, as_of, settings))


def score_customers(source: Workspace | Tables, as_of: Any = None,
                    settings: ReportSettings = ReportSettings(),
                    clv_fit: Callable[[], CLVFit] | None = None,
                    progress: Reporter | None = None,
                    clusters_fit: Callable[[], Any] | None = None) -> Scores:
    """The per-customer frame as of ``as_of``. On a Workspace the language-neutral parts
    are stored in it and read back on later calls (see the module docstring); on bare
    Tables (a filtered view, a Spark session) everything is computed. ``clv_fit``, when
    given, returns the CLV models fitted on the same purchases as of the same date (the app
    keeps one fit per data version and hands it here); only called when the outlook is not
    stored yet; ``clusters_fit`` likewise for the clusters (see :func:`_numbers`).
    ``progress(stage, done)`` hears each stage of :data:`STAGES` as it begins, in words,
    and ``(.., 1.0)`` at the end (:mod:`analysis.progress`); only computed stages are told."""
    report = progress or silent
    stored = isinstance(source, Workspace)
    tables = (source.tables() if stored else source).pinned()
    as_of = resolve_as_of(tables, as_of)

    def clv_part() -> tuple[dict, dict]:
        _stage(report, 0)
        part, messages = _clv_part(tables, as_of, settings, clv_fit)
        return ({} if part is None else {"clv": part}), {"messages": messages}

    def numbers(clv: pd.DataFrame | None) -> tuple[dict, dict]:
        frame, clusters, messages, wallet = _numbers(tables, as_of, settings, clv, report, clusters_fit)
        return {"frame": frame, **clusters}, {"messages": messages, "wallet": wallet}

    if not stored:
        clv_frames, clv_meta = clv_part()
        frames, meta = numbers(clv_frames.get("clv"))
    else:
        clv_key, key = _keys(source, as_of, settings)
        later = _stored_later(source, clv_key, key, as_of, settings)
        if later is not None:
            report(t("Scores ready"), 1.0)
            return later
        held: dict = {}  # the fits made here, stored beside the scores (store_models)
        clv_fit = _held(held, "clv", clv_fit or (
            lambda: _fit_workspace_clv(tables.transactions, as_of, settings.clv_model)))
        clusters_fit = _held(held, "clusters", clusters_fit or (
            lambda: _fit_clusters(tables, as_of, settings.k, settings.window_months, currency=settings.currency)))
        clv_frames, clv_meta = _stored(source, "clv", clv_key, clv_part)
        frames, meta = _stored(source, "scores", key, lambda: numbers(clv_frames.get("clv")),
                               before_saving=lambda: _stage(report, 4))
        if "clv" in held:  # the CLV page's default check is stored with the fit (store_models)
            _stage(report, 5)
        store_models(source, as_of, settings, held.get("clv"), held.get("clusters"))
    clusters = {k: frames[k] for k in ("profiles", "zscores") if k in frames}
    messages = {**clv_meta["messages"], **meta["messages"]}
    scored = _with_text(frames["frame"].copy(), clusters, messages, as_of, settings, meta.get("wallet"))
    report(t("Scores ready"), 1.0)
    # the key only when they are stored (a read-only workspace keeps nothing)
    return dataclasses.replace(scored, key=key) if stored and source.has_result(key) else scored


def _stored_later(ws: Workspace, clv_key: str, key: str, as_of: dt.date, settings: ReportSettings) -> Scores | None:
    """The stored scores with their frame made when first read (in the language of this
    call), or None when they are not both stored. The personas, the messages and the wallet
    summary are read now (a few rows)."""
    clv = ws.load_result(clv_key, parts=())
    stored = ws.load_result(key, parts=("profiles", "zscores")) if clv is not None else None
    if stored is None:
        return None
    clusters, meta = stored
    messages = stored_messages(clv[1], meta)
    personas = _personas(clusters, settings)
    language = i18n.language()

    def make() -> pd.DataFrame:
        with i18n.using(language):
            def read(w: Workspace) -> pd.DataFrame:
                found = w.load_result(key, parts=("frame",))
                if found is None:  # dropped since (a newer result of the kind): computed again
                    return score_customers(w, as_of, settings).frame
                return _with_text(found[0]["frame"], clusters, messages, as_of, settings, meta.get("wallet")).frame

            return read_even_if_closed(ws, read)

    return Scores(frame=_Later(make), as_of=as_of, personas=personas, messages=messages,
                  wallet=meta.get("wallet"), key=key)


def stored_messages(clv_meta: dict, meta: dict) -> dict[str, str]:
    """The reasons stored with the two parts (a model that could not be fitted, no wallets),
    in the current language (:func:`analysis.i18n.translated`: they were written in the
    language of the moment they were stored)."""
    return i18n.translated_all({**clv_meta["messages"], **meta["messages"]})


def _personas(clusters: dict[str, pd.DataFrame], settings: ReportSettings) -> list[dict]:
    """The cluster personas (:func:`make_personas`) of the stored cluster profiles, in the
    current language; none without clusters."""
    if not clusters:
        return []
    return make_personas(clusters["profiles"].set_index("cluster"), clusters["zscores"].set_index("cluster"),
                         settings.currency)


def score_customer(ws: Workspace, customer_id: str, as_of: Any = None,
                   settings: ReportSettings = ReportSettings()) -> Scores | None:
    """One customer's :class:`Scores` (its frame holds that customer's row, or none) read
    from the scores stored in ``ws``: the row is picked in DuckDB and only its text is
    written, so one customer of a million costs what one of a hundred does. Every figure is
    the one :func:`score_customers` gives, whose text is written row by row from the stored
    numbers (the personas from the stored cluster profiles). None when the scores are not
    stored yet (then :func:`score_customers` computes and stores them)."""
    as_of = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())  # no Ibis backend when given
    clv_key, key = _keys(ws, as_of, settings)
    clv = ws.load_result(clv_key, parts=())
    stored = ws.load_result(key, parts=("profiles", "zscores"))
    rows = ws.load_result_rows(key, "frame", "customer_id", str(customer_id))
    if clv is None or stored is None or rows is None:
        return None
    frames, meta = stored
    messages = stored_messages(clv[1], meta)
    return _with_text(rows, frames, messages, as_of, settings, meta.get("wallet"))


def stored_columns(ws: Workspace, columns: list[str], as_of: Any = None,
                   settings: ReportSettings = ReportSettings()) -> pd.DataFrame | None:
    """The stored per-customer ``columns`` (those stored; numbers, not text) of every
    customer, as :func:`score_customers`' frame holds them, in its order; None when the
    scores are not stored."""
    as_of = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())  # no Ibis backend when given
    _, key = _keys(ws, as_of, settings)
    none = ws.load_result_rows(key, "frame", "customer_id", None)  # no row: the stored columns
    if none is None:
        return None
    return ws.load_result_rows(key, "frame", None, columns=[c for c in columns if c in none.columns])


LIST_COLUMNS = ["customer_id", "name", "tier", "revenue", "orders", "last_purchase", "p_alive",
                "expected_next_purchase", "clv", "clv_note"]


def stored_table(ws: Workspace, as_of: Any = None, settings: ReportSettings = ReportSettings()) -> Any:
    """The stored per-customer frame as an Ibis table in the workspace (numbers and codes,
    no text: see the module docstring), or None when the scores are not stored yet. A page
    that shows counts or the first rows of a million scored customers asks DuckDB for them
    here instead of reading every row into pandas."""
    as_of = to_date(as_of) if as_of is not None else resolve_as_of(ws.tables())  # no Ibis backend when given
    _, key = _keys(ws, as_of, settings)
    return ws.result_table(key, "frame")


def top_by_clv(frame: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """The ``n`` customers with the highest predicted CLV."""
    keys = frame.loc[frame["clv"].notna(), ["clv", "customer_id"]]
    ranked = keys.sort_values(["clv", "customer_id"], ascending=[False, True]).head(n)
    return frame.loc[ranked.index, LIST_COLUMNS].reset_index(drop=True)


def likely_lost(frame: pd.DataFrame, n: int = 50, min_orders: int = 2) -> pd.DataFrame:
    """Repeat customers the purchase model thinks most likely gone (lowest P(alive)), the
    most valuable first among equals: the win-back list."""
    keys = frame.loc[(frame["orders"] >= min_orders) & frame["p_alive"].notna(), ["p_alive", "revenue", "customer_id"]]
    ranked = keys.sort_values(["p_alive", "revenue", "customer_id"], ascending=[True, False, True]).head(n)
    return frame.loc[ranked.index, LIST_COLUMNS].reset_index(drop=True)


# -- the models behind the scores, stored beside them (issue 15 §2) --------------------------
# A page that shows a model (the CLV page its parameters and the choice of purchase model, the
# Clusters page its k, silhouettes, profiles and projection) reads these figures in a later
# process instead of fitting the model again: they are stored as results of their own, keyed
# by the scores' keys, when the scores are computed (or when a page first fits the model on a
# workspace stored before they were kept). Only numbers are stored; words are written on reading.

def _model_key(ws: Workspace, as_of: dt.date, settings: ReportSettings, kind: str) -> str:
    """The key of model ``kind`` ("clv_model": purchases only, as the outlook; "clusters_model":
    as the scores) stored with the scores as of ``as_of`` with ``settings``."""
    clv_key, key = _keys(ws, as_of, settings)
    return ws.result_key(kind, of=clv_key if kind == "clv_model" else key)


def store_models(ws: Workspace, as_of: dt.date, settings: ReportSettings, clv: CLVFit | None = None,
                 clusters: tuple[pd.DataFrame, Any] | None = None) -> None:
    """Store the CLV fit's figures (:func:`analysis.predict.clv_data.fit_figures`) with the CLV
    page's default check (:func:`store_default_check`), and the
    clusters' (features, model) record (:mod:`analysis.differentiate.clusters.stored`) with
    the scores as of ``as_of`` with ``settings``, each when given and not stored yet. The
    clusters are stored only when fitted with the settings' k (``settings.k``)."""
    if clv is not None:
        from analysis.predict.clv_data import fit_figures

        key = _model_key(ws, as_of, settings, "clv_model")
        if not ws.has_result(key):
            ws.save_result("clv_model", key, {}, {"figures": fit_figures(clv)})
        store_default_check(ws, as_of, settings, clv.model)
    if clusters is not None:
        from analysis.differentiate.clusters import projection
        from analysis.differentiate.clusters.stored import clusters_record

        key = _model_key(ws, as_of, settings, "clusters_model")
        features, model = clusters
        if model.k == settings.k and not ws.has_result(key):
            ws.save_result("clusters_model", key, *clusters_record(model, projection(features, model)))


def check_key(ws: Workspace, as_of: dt.date, settings: ReportSettings, calibration_end: Any, model: str) -> str:
    """The key of the CLV page's holdout and churn checks on this split and purchase model,
    stored beside the scores' CLV outlook (the same purchases, as-of date and settings)."""
    clv_key, _ = _keys(ws, as_of, settings)
    return ws.result_key("clv_check", of=clv_key, calibration_end=str(calibration_end), model=model)


def store_default_check(ws: Workspace, as_of: dt.date, settings: ReportSettings, model: str) -> None:
    """The CLV page's check at its default split (:data:`analysis.predict.fit.CHECK_WEEKS`
    before ``as_of``) with the purchase model the scores used, stored beside the scores
    (:func:`check_key`; read by :func:`analysis.stored_scores.stored_check`): the page's first
    render reads it instead of fitting the model on the calibration period. Skipped when the
    history is too short for a check (the page says why when it is opened)."""
    from analysis.errors import UserError
    from analysis.predict.fit import CHECK_WEEKS, check_record, workspace_churn, workspace_validation

    cut = as_of - dt.timedelta(weeks=CHECK_WEEKS)
    tables = ws.tables()
    try:
        ws.stored_result("clv_check", check_key(ws, as_of, settings, cut, model), lambda: check_record(
            workspace_validation(tables, cut, as_of, model), workspace_churn(tables, cut, as_of, model)))
    except (UserError, ValueError):
        pass


def _held(held: dict, name: str, fit: Callable[[], Any]) -> Callable[[], Any]:
    """``fit`` that also keeps what it returns in ``held[name]`` (to store it afterwards)."""
    def fitting():
        held[name] = fit()
        return held[name]
    return fitting


def _fit_workspace_clv(*args, **kwargs):
    """:func:`analysis.predict.fit.fit_workspace_clv`, imported when a fit is made."""
    from analysis.predict.fit import fit_workspace_clv

    return fit_workspace_clv(*args, **kwargs)


def _fit_clusters(*args, **kwargs):
    """:func:`analysis.differentiate.clusters.fit_clusters`, imported when a fit is made."""
    from analysis.differentiate.clusters import fit_clusters

    return fit_clusters(*args, **kwargs)

"""Campaigns kept in a workspace: made from a customer list, imported from an experiment
file, measured and modelled. The engines are :mod:`.assign`, :mod:`.measure` and
:mod:`analysis.customize.uplift`; the SQL is in :mod:`analysis.store.campaigns`.

- :func:`create_campaign`: the customers the Actions filters select (the same filter code as
  the ``actions``/``export`` lists), a random control group stratified by tier and matrix cell
  (:func:`.assign.assign_control`, seed stored), each customer's facts at the start kept as
  the features an uplift model learns from.
- :func:`import_experiment`: a file with one row per customer (CSV/TSV/XLSX in any encoding the
  import reads), an arm, a 0/1 response, optionally a value and a customer id; every other
  column is kept as a feature.
- :func:`measure`: response = a purchase within ``window_days`` days from the start (from the
  workspace's purchases) or a contact answering the campaign's action with a positive outcome
  (``ActionSettings.done_outcomes``); value = the net amount bought in that window. Imported
  campaigns use their own response and value.
- :func:`uplift`: an uplift model on the members' features (:func:`analysis.customize.uplift.evaluate_uplift`).

Decision: the features of a campaign made here are the facts as of the day before its start
date (recency, orders, revenue, tier, cell, cluster, satisfaction), taken when it is made and
kept with the members, so a later import or contact does not change what the model learns from.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.store import campaigns as sql
from analysis.errors import UserError, commas
from analysis.i18n import t
from analysis.interact.campaigns.assign import CONTROL, DEFAULT_HOLDOUT, assign_control, new_seed
from analysis.interact.campaigns.measure import INCONCLUSIVE, WORKED, measure_campaign, minimum_detectable_effect
from analysis.interact.campaigns.responses import DEFAULT_WINDOW_DAYS, check_window as _window, features as _features, outcomes
from analysis.interact.campaigns.selection import FEATURES

MAX_NAME = 120


def _name(name: Any) -> str:
    text = "" if name is None else str(name).strip()
    if not text or len(text) > MAX_NAME:
        raise UserError(t("A campaign needs a name of 1 to {limit} characters, not {name!r}.", limit=MAX_NAME,
                          name=name))
    return text


def _features_json(frame: pd.DataFrame) -> list[str]:
    """One JSON object per row (numbers as numbers, a missing value as null)."""
    if frame.shape[1] == 0:
        return ["{}"] * len(frame)
    return frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso").splitlines()


def past_response_rate(ws, customer_ids, as_of: dt.date, days: int = DEFAULT_WINDOW_DAYS) -> float | None:
    """Share of ``customer_ids`` who bought in the ``days`` days up to ``as_of``: the response
    rate a campaign to them can expect without any effect, for :func:`plan`. Counted in the
    engine (the list joined to the purchases), so a million ids cost a join, not a Python set."""
    import ibis

    from analysis.identify.facts import purchases

    listed = pd.DataFrame({"customer_id": pd.Series(customer_ids, dtype="str")})
    if listed.empty:
        return None
    p = purchases(ws.tables(), as_of)
    recent = p.filter((p.date > as_of - dt.timedelta(days=int(days))) & (p.amount > 0))
    ids = ibis.memtable(listed).distinct()
    counted = ids.aggregate(customers=ids.count(), bought=ids.customer_id.isin(recent.customer_id).sum())
    row = p.get_backend().to_pyarrow(counted).to_pylist()[0]
    return float(row["bought"] or 0) / int(row["customers"])


def plan(ws, customer_ids, holdout: float, as_of: dt.date, days: int = DEFAULT_WINDOW_DAYS,
         lift: float | None = None) -> dict:
    """What a campaign to ``customer_ids`` can detect before anything is sent
    (:func:`planned` with their past response rate, :func:`past_response_rate`)."""
    return planned(len(customer_ids), holdout, past_response_rate(ws, customer_ids, as_of, days), days, lift)


def planned(n: int, holdout: float, rate: float | None, days: int = DEFAULT_WINDOW_DAYS,
            lift: float | None = None) -> dict:
    """What a campaign to ``n`` customers whose past response rate is ``rate`` can detect:
    group sizes, the minimum detectable effect (80% power, 5% two-sided) and, for ``lift``,
    the control share that would detect it."""
    from analysis.interact.campaigns.assign import control_quota
    from analysis.interact.campaigns.measure import control_share_needed

    n = int(n)
    control = int(control_quota([n], holdout)[0]) if n else 0
    usable = rate is not None and 0 < rate < 1 and control >= 1 and n - control >= 1
    mde = minimum_detectable_effect(n - control, control, rate) if usable else None
    share = control_share_needed(n, lift, rate) if usable and lift else None
    return {"customers": n, "target": n - control, "control": control, "base_rate": rate, "days": int(days),
            "minimum_detectable_effect": mde, "lift": lift, "control_share_needed": share}


def select_customers(ws, as_of: Any = None, filters: dict | None = None, settings=None, action_settings=None,
                     scores=None) -> tuple[pd.DataFrame, dt.date]:
    """The customers the Actions filters select (as ``export`` lists them, its columns), with
    their :data:`FEATURES` from the per-customer scores. Returns (frame, as_of). Every
    customer's top action is written: :mod:`.selection` picks the customers without it."""
    from analysis.settings import ActionSettings
    from analysis.customize.plan import plan_rows
    from analysis.identify.facts import resolve_as_of
    from analysis.interact.campaigns.selection import export_rows, select
    from analysis.settings import ReportSettings
    from analysis.scores import score_customers

    settings = settings or ReportSettings()
    action_settings = action_settings or ActionSettings()
    as_of = resolve_as_of(ws.tables(), as_of)
    scores = scores or score_customers(ws, as_of, settings)
    chosen = plan_rows(ws, as_of, settings, action_settings, scores)
    picked = select(ws, chosen, scores, filters, settings)
    listed = export_rows(ws, chosen, scores, picked["customer_id"], filters, settings)
    return with_facts(listed, picked), as_of


def with_facts(listed: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """``listed`` (with a customer_id column) joined with the :data:`FEATURES` of the
    per-customer scores frame ``facts`` it does not have yet."""
    facts = facts.set_index(facts["customer_id"].astype(str))
    extra = [c for c in FEATURES if c not in listed.columns and c in facts.columns]
    listed = listed.assign(customer_id=listed["customer_id"].astype(str))
    return listed.join(facts[extra], on="customer_id").reset_index(drop=True)


def create_campaign(ws, name: str, customers: pd.DataFrame, start: dt.date, holdout: float = DEFAULT_HOLDOUT,
                    seed: int | None = None, action: str | None = None, channel: str | None = None,
                    window_days: int = DEFAULT_WINDOW_DAYS, filters: dict | None = None) -> dict:
    """Store a campaign over ``customers`` (one row each: customer_id, tier, cell and the
    :data:`FEATURES` they have) with a stratified random control group. Returns
    :func:`summary`-like figures: name, campaign_id, target, control, seed, ..."""
    name = _name(name)
    window_days = _window(window_days)
    seed = new_seed() if seed is None else seed
    drawn = assign_control(customers, seed=seed, holdout=holdout)
    features = customers[[c for c in FEATURES if c in customers.columns]].reset_index(drop=True)
    members = pd.DataFrame({
        "row_number": np.arange(1, len(drawn) + 1), "customer_id": drawn["customer_id"],
        "arm": drawn["arm"], "stratum": drawn["stratum"], "features_json": _features_json(features)})
    record = {"name": name, "action": action, "channel": channel, "start_date": start, "holdout": float(holdout),
              "seed": int(seed), "window_days": window_days, "source": "app", "control_arm": CONTROL,
              "filters_json": json.dumps({k: v for k, v in (filters or {}).items() if v}, ensure_ascii=False)}
    campaign_id = sql.insert_campaign(ws, record, members)
    control = int((drawn["arm"] == CONTROL).sum())
    return {"name": name, "campaign_id": campaign_id, "action": action, "channel": channel,
            "start": start.isoformat(), "window_days": window_days, "holdout": float(holdout), "seed": int(seed),
            "customers": len(drawn), "target": len(drawn) - control, "control": control}


def target_list(ws, name: str, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The customers a campaign contacts (never its control group), in the list's order,
    with the columns of ``customers`` (e.g. name, tier, top action) when given."""
    found = get_campaign(ws, name)
    m = sql.target_members(ws, found["campaign_id"], found["control_arm"])
    if customers is not None:
        m = m.merge(customers.assign(customer_id=customers["customer_id"].astype(str)), on="customer_id", how="left")
    return m


def get_campaign(ws, name: str) -> dict:
    found = sql.campaign(ws, str(name))
    if found is None:
        names = sql.campaigns(ws)["name"].tolist()
        raise UserError(t("There is no campaign named {name!r} in this workspace; there are: {names}.", name=name,
                          names=commas(repr(n) for n in names) or t("none")))
    return found


def list_campaigns(ws) -> list[dict]:
    """Every campaign (newest first) as plain values for the CLI and the page."""
    frame = sql.campaigns(ws)
    out = []
    for row in frame.to_dict(orient="records"):
        start = row["start_date"]
        out.append({"name": row["name"], "source": row["source"], "action": row["action"], "channel": row["channel"],
                    "start": None if start is None or pd.isna(start) else pd.Timestamp(start).date().isoformat(),
                    "window_days": None if pd.isna(row["window_days"]) else int(row["window_days"]),
                    "holdout": None if pd.isna(row["holdout"]) else float(row["holdout"]),
                    "seed": None if pd.isna(row["seed"]) else int(row["seed"]),
                    "control": row["control_arm"], "customers": int(row["customers"]),
                    "control_customers": int(row["control_customers"]),
                    "created": pd.Timestamp(row["created_at"]).isoformat()})
    return out


def measure(ws, name: str, arms: list[str] | None = None, window: int | None = None) -> dict:
    """``campaign measure --json``: every arm against the control group, with the verdict."""
    found = get_campaign(ws, name)
    frame = outcomes(ws, found, window)
    has_value = frame["value"].notna().all()
    result = measure_campaign(frame, control=found["control_arm"], name=found["name"], arms=arms,
                              value_column="value" if has_value else None)
    result["source"] = found["source"]
    if found["source"] == "app":
        from analysis.identify.facts import data_range

        start = pd.Timestamp(found["start_date"]).date()
        days = _window(window if window is not None else int(found["window_days"]))
        span = data_range(ws.tables())
        result.update(start=start.isoformat(), window_days=days,
                      window_end=(start + dt.timedelta(days=days - 1)).isoformat(),
                      complete=span is not None and span[1] >= start + dt.timedelta(days=days - 1))
    return result


def verdict_words(result: dict, currency: str = "") -> str:
    """The measured verdict in words that never overclaim (the response-rate interval decides)."""
    v = result["verdict"]
    if result.get("complete") is False:  # the data does not reach the end of the response window yet
        return t("too early to tell: the response window runs until {end}, and the data stops before it",
                 end=result["window_end"])
    lo, hi = (100 * x for x in v["rate_diff_ci"])
    points = 100 * v["rate_diff"]
    if v["code"] == WORKED:
        text = t("worked: {diff:+.1f} points (95% CI {lo:+.1f} to {hi:+.1f})", diff=points, lo=lo, hi=hi)
        # Revenue is claimed only when its own interval is above zero too.
        if v.get("incremental_value") is not None and (v.get("value_diff_ci") or [0])[0] > 0:
            text += t(", about {value} extra revenue", value=f"{currency}{v['incremental_value']:,.0f}")
        return text
    if v["code"] == INCONCLUSIVE:
        return t("inconclusive: the interval includes zero ({lo:+.1f} to {hi:+.1f} points)", lo=lo, hi=hi)
    return t("backfired: {diff:+.1f} points (95% CI {lo:+.1f} to {hi:+.1f})", diff=points, lo=lo, hi=hi)


def uplift_data(ws, name: str, arm: str, response: str | None = None, window: int | None = None):
    """(features X, treatment, y, frame) of a campaign's ``arm`` and control group."""
    found = get_campaign(ws, name)
    frame = outcomes(ws, found, window)
    control = found["control_arm"]
    arms = sorted(set(frame["arm"]) - {control})
    if str(arm) not in arms:
        raise UserError(t("The campaign has no group {arms} beside its control group; it has {found}.",
                          arms=repr(str(arm)), found=commas(repr(a) for a in arms)))
    frame = frame[frame["arm"].isin([str(arm), control])].reset_index(drop=True)
    X = _features(frame)
    y = frame["response"]
    if response is not None:
        if response not in X.columns:
            raise UserError(t("The campaign's customers have no column {column!r}; they have {available}.",
                              column=response, available=commas(repr(str(c)) for c in X.columns)))
        y = pd.to_numeric(X.pop(response), errors="coerce")
        bad = ~y.isin([0, 1])
        if bad.any():
            row = int(frame.loc[bad.idxmax(), "row_number"])
            raise UserError(t("Row {row} has {value!r} in column {column!r}; a response is 1 (responded) or 0 "
                              "(did not).", row=row, value=str(y[bad].iloc[0]), column=response))
    treatment = (frame["arm"] == str(arm)).astype(int)
    return X, treatment.to_numpy(), y.astype(int).to_numpy(), frame


def uplift(ws, name: str, arm: str, response: str | None = None, test_share: float = 0.5, seed: int = 0,
           window: int | None = None):
    """An uplift model of ``arm`` against the control group, evaluated on a held-out share
    (:func:`analysis.customize.uplift.evaluate_uplift`, two-model learner)."""
    from analysis.customize.uplift import evaluate_uplift

    X, treatment, y, _ = uplift_data(ws, name, arm, response, window)
    return evaluate_uplift(X, treatment, y, test_share=test_share, seed=seed)


# -- importing an experiment --------------------------------------------------------------------
_YES = {"1", "1.0", "true", "yes", "y", "是"}
_NO = {"0", "0.0", "false", "no", "n", "否"}


def import_experiment(ws, path: str | Path, name: str, arm: str, control: str, response: str,
                      value: str | None = None, customer: str | None = None) -> dict:
    """Store an experiment done elsewhere as a campaign (see the module docstring). A problem
    names the file, the row (its line number), the column and the value; nothing is stored."""
    from analysis.ingest.reading import read_any
    from analysis.ingest.values import parse_number

    name = _name(name)
    path = Path(path)
    file_name = path.name
    sheets = [s for s in read_any(file_name, path.read_bytes()) if not s.frame.empty]
    if not sheets:
        raise UserError(t("{file}: there are no rows to import.", file=file_name))
    sheet = sheets[0]
    data, lines = sheet.frame.reset_index(drop=True), np.asarray(sheet.lines)
    wanted = {"--arm": arm, "--response": response, "--value": value, "--customer": customer}
    missing = [f"{flag} {col!r}" for flag, col in wanted.items() if col is not None and col not in data.columns]
    if missing:
        raise UserError(t("{file} has no column {columns}; its columns are {available}.", file=file_name,
                          columns=commas(missing), available=commas(repr(str(c)) for c in data.columns)))

    def refuse(mask, column, expected):
        row = int(np.flatnonzero(np.asarray(mask))[0])
        raise UserError(t("{file}, row {row}, column {column!r}: {value!r} {expected}", file=file_name,
                          row=int(lines[row]), column=column, value="" if pd.isna(data[column].iloc[row])
                          else str(data[column].iloc[row]), expected=expected))

    arms = data[arm].astype("string").str.strip()
    if arms.isna().any() or arms.eq("").any():
        refuse(arms.isna() | arms.eq(""), arm, t("is empty; every row needs its group."))
    if str(control) not in set(arms):
        raise UserError(t("{file}: no row has {control!r} in column {column!r}; its groups are {arms}.",
                          file=file_name, control=control, column=arm, arms=commas(repr(a) for a in sorted(set(arms)))))
    if len(set(arms)) < 2:
        raise UserError(t("{file}: every row is in the control group {control!r}; there is nothing to compare.",
                          file=file_name, control=control))
    said = data[response].astype("string").str.strip().str.lower()
    yes, no = said.isin(_YES).fillna(False), said.isin(_NO).fillna(False)
    if not (yes | no).all():
        refuse(~(yes | no), response, t("is not a response; expected 1 (responded) or 0 (did not)."))
    members = pd.DataFrame({"row_number": lines.astype(np.int64), "arm": arms.to_numpy(dtype=object),
                            "response": yes.astype(int).to_numpy()})
    if value is not None:
        amounts, bad = parse_number(data[value])
        from analysis.money import in_range

        bad = bad | amounts.isna() | ~amounts.map(lambda v: pd.isna(v) or in_range(v))
        if bad.any():
            refuse(bad, value, t("is not an amount."))
        members["value"] = amounts.round(2).to_numpy()
    if customer is not None:
        ids = data[customer].astype("string").str.strip()
        if ids.isna().any() or ids.eq("").any():
            refuse(ids.isna() | ids.eq(""), customer, t("is empty; every row needs its customer id."))
        twice = ids.duplicated()
        if twice.any():
            refuse(twice, customer, t("appears twice; the file must list each customer once."))
        members["customer_id"] = ids.to_numpy(dtype=object)
    rest = data.drop(columns=[c for c in wanted.values() if c is not None])
    members["features_json"] = _features_json(rest.apply(_typed))
    record = {"name": name, "source": "import", "control_arm": str(control), "file_name": file_name,
              "window_days": None}
    campaign_id = sql.insert_campaign(ws, record, members)
    counts = members["arm"].value_counts()
    return {"name": name, "campaign_id": campaign_id, "file": file_name, "customers": len(members),
            "control": str(control), "arms": {str(a): int(n) for a, n in sorted(counts.items())},
            "features": [str(c) for c in rest.columns]}


def _typed(column: pd.Series) -> pd.Series:
    """A file's column as numbers when every filled cell is a number, else as text."""
    numbers = pd.to_numeric(column, errors="coerce")
    filled = column.notna() & column.astype("string").str.strip().ne("")
    if filled.any() and numbers[filled].notna().all():
        return numbers.where(filled)
    return column.astype("string").where(filled)


# -- for the Campaigns page ----------------------------------------------------------------------
def overview(ws, currency: str = "") -> pd.DataFrame:
    """Every campaign (newest first) with its measured verdict in words (the current language)."""
    rows = []
    for c in list_campaigns(ws):
        try:
            result = measure(ws, c["name"])
            code, words = result["verdict"]["code"], verdict_words(result, currency)
        except UserError as exc:  # e.g. a campaign whose groups cannot be compared: said, not hidden
            code, words = None, str(exc)
        rows.append({"name": c["name"], "source": c["source"], "action": c["action"], "start": c["start"],
                     "customers": c["customers"], "control_customers": c["control_customers"],
                     "verdict_code": code, "verdict": words})
    return pd.DataFrame(rows, columns=["name", "source", "action", "start", "customers", "control_customers",
                                       "verdict_code", "verdict"])


def group_rates(result: dict) -> pd.DataFrame:
    """Per group of a measured campaign: customers, responders, response rate and its 95%
    Wilson interval (the whiskers of the measurement chart), value per customer."""
    from analysis.interact.campaigns.measure import wilson_interval

    rows = []
    for arm in result["arms"]:
        lo, hi = wilson_interval(arm["responders"], arm["customers"])
        rows.append({"arm": arm["arm"], "control": arm["vs_control"] is None, "customers": arm["customers"],
                     "responders": arm["responders"], "response_rate": arm["response_rate"], "rate_lo": lo,
                     "rate_hi": hi, "value_per_customer": arm["value_per_customer"]})
    return pd.DataFrame(rows)


def group_members(ws, name: str, arm: str, window: int | None = None) -> pd.DataFrame:
    """The customers of one group of a campaign with their response and value."""
    frame = outcomes(ws, get_campaign(ws, name), window)
    frame = frame[frame["arm"] == str(arm)]
    return frame[["customer_id", "arm", "response", "value"]].reset_index(drop=True)


def planned_words(planned: dict) -> str:
    """What a campaign can detect, in words (:func:`plan`)."""
    mde = planned["minimum_detectable_effect"]
    if mde is None:
        if planned["base_rate"] in (0.0, 1.0):
            return t("With {target} targeted and {control} held out, nobody can say yet what this campaign can "
                     "detect: {rate:.0%} of these customers bought in the last {days} days, so there is no "
                     "variation to go by.", target=f"{planned['target']:,}", control=f"{planned['control']:,}",
                     rate=planned["base_rate"], days=planned["days"])
        return t("With {target} targeted and {control} held out, and no past response to go by, nobody can say "
                 "yet what this campaign can detect.", target=f"{planned['target']:,}",
                 control=f"{planned['control']:,}")
    return t("With {target} targeted and {control} held out, a lift smaller than {points:.1f} points will look "
             "like noise (past response rate {rate:.1%}; 80% power, 5% two-sided).",
             target=f"{planned['target']:,}", control=f"{planned['control']:,}", points=100 * mde,
             rate=planned["base_rate"])

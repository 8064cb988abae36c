"""The action rules' history inputs computed in the engine (analysis/customize/history.py),
checked figure for figure against plain Python computed here from the raw rows: on the demo
at three as-of dates, and on an ugly shop a consultant imports from its own files (Chinese and
accented ids, two lines on one day, refunds, blank categories, complaints resolved and
reopened, answers with and without an outcome, contacts after the as-of date)."""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import defaultdict

import pandas as pd
import pytest

from analysis.cli import main
from analysis.customize import history
from analysis.customize.history import PREPARED_COLUMNS
from analysis.identify.facts import data_range
from analysis.settings import ActionSettings
from analysis.store import Workspace

SETTINGS = ActionSettings()


# ---------------------------------------------------------------------------------------
# The reference: every input by hand, from the raw rows.
# ---------------------------------------------------------------------------------------
def _none(value):
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def norm(text):
    """Lower case, runs of whitespace/_/- as one space, trimmed (written without the app's code)."""
    text = _none(text)
    return None if text is None else " ".join(w for w in re.split(r"[\s_\-]+", text.lower()) if w)


def raw_rows(ws: Workspace) -> tuple[list[dict], list[dict]]:
    t = ws.tables()
    lines = t.transactions.select("customer_id", "date", "amount", "category").to_pandas()
    contacts = t.interactions.to_pandas()
    lines = [{**r, "date": pd.Timestamp(r["date"]).date(), "amount": float(r["amount"])} for r in lines.to_dict("records")]
    contacts = [{**r, "occurred_at": pd.Timestamp(r["occurred_at"]).to_pydatetime()} for r in contacts.to_dict("records")]
    return lines, contacts


def reference(lines, contacts, as_of: dt.date, s: ActionSettings = SETTINGS):
    """(inputs by customer, answers by (customer, action)) as of the end of ``as_of``."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    lines = [r for r in lines if r["date"] <= as_of]
    contacts = [r for r in contacts if r["occurred_at"] < end]
    days, owned = defaultdict(set), defaultdict(set)
    for r in lines:
        days[r["customer_id"]].add(r["date"])
        cat = _none(r["category"])
        if cat is not None and cat.strip() and r["amount"] > 0:
            owned[r["customer_id"]].add(cat)
    mine = defaultdict(list)
    for r in contacts:
        mine[r["customer_id"]].append(r)

    # cross-sell: customers per category and per pair, the usable rules, each customer's best
    n = len(owned)
    per_cat, both = defaultdict(int), defaultdict(int)
    for cats in owned.values():
        for a in cats:
            per_cat[a] += 1
            for b in cats:
                if a != b:
                    both[a, b] += 1
    usable = {}
    for (a, b), k in both.items():
        conf = k / per_cat[a]
        lift = conf / (per_cat[b] / n)
        if k >= s.crosssell_min_customers and conf >= s.crosssell_min_confidence and lift >= s.crosssell_min_lift:
            usable[a, b] = (conf, lift)

    out = {}
    for cid in set(days) | set(mine):
        d = sorted(days.get(cid, ()))
        gaps = [(y - x).days for x, y in zip(d, d[1:])]
        gap = float(statistics.median(gaps)) if len(d) >= s.min_purchase_days else None
        rows = mine.get(cid, [])
        kind = lambda r: r["kind"].lower().strip()  # noqa: E731
        surveys = [r["occurred_at"] for r in rows if _none(r["satisfaction"]) is not None]
        resolved = [r["occurred_at"] for r in rows if norm(r["outcome"]) == "resolved"
                    or (kind(r) == "resolution" and _none(r["outcome"]) is None)]
        last_resolved = max(resolved) if resolved else None
        open_ = sorted(r["occurred_at"] for r in rows if kind(r) == "complaint"
                       and (last_resolved is None or r["occurred_at"] > last_resolved))
        since = end - dt.timedelta(days=s.fatigue_days)
        recent = sum(1 for r in rows if kind(r) in s.fatigue_contact_kinds and r["occurred_at"] >= since)
        offers = [(conf, lift, b, a) for (a, b), (conf, lift) in usable.items()
                  if a in owned.get(cid, ()) and b not in owned.get(cid, ())]
        best = min(offers, key=lambda o: (-o[0], -o[1], o[2], o[3])) if offers else (None, None, None, None)
        out[cid] = {
            "gap_days": gap, "last_survey": max(surveys) if surveys else None,
            "open_complaints": len(open_), "open_complaint_at": open_[0] if open_ else None,
            "last_open_complaint_at": open_[-1] if open_ else None, "recent_contacts": recent,
            "crosssell_category": best[2], "crosssell_antecedent": best[3],
            "crosssell_confidence": best[0], "crosssell_lift": best[1],
        }

    answers = defaultdict(list)
    for r in contacts:
        if _none(r["answers_action"]) is not None:
            answers[r["customer_id"], r["answers_action"]].append(r)
    latest = {}
    for key, rows in answers.items():
        rows = sorted(rows, key=lambda r: (r["occurred_at"], r["interaction_id"]))
        named = [r for r in rows if _none(r["outcome"]) is not None]
        latest[key] = {"answered_at": rows[-1]["occurred_at"], "outcome_norm": norm(named[-1]["outcome"]) if named else None}
    return out, latest


def plain(value):
    value = _none(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def engine_figures(found: history.ActionInputs):
    frame = {r["customer_id"]: {c: plain(r[c]) for c in PREPARED_COLUMNS} for r in found.frame.to_dict("records")}
    answers = {(r["customer_id"], r["action"]): {"answered_at": plain(r["answered_at"]), "outcome_norm": plain(r["outcome_norm"])}
               for r in found.answers.to_dict("records")}
    return frame, answers


def assert_same_inputs(ws_or_tables, lines, contacts, as_of):
    expected, expected_answers = reference(lines, contacts, as_of)
    found = history.action_inputs(ws_or_tables, as_of, SETTINGS)
    got, got_answers = engine_figures(found)
    assert len(found.frame) == len(got)  # one row per customer
    assert set(got) == set(expected)
    for cid in sorted(expected):
        assert got[cid] == expected[cid], cid
    assert got_answers == expected_answers
    return found, expected


# ---------------------------------------------------------------------------------------
# The demo at three dates.
# ---------------------------------------------------------------------------------------
def test_demo_inputs_equal_the_hand_count_at_three_as_of_dates(demo_db):
    with Workspace(demo_db, read_only=True) as ws:
        lines, contacts = raw_rows(ws)
        last = data_range(ws.tables())[1]
        for as_of in (last, last - dt.timedelta(days=200), last - dt.timedelta(days=500)):
            found, expected = assert_same_inputs(ws.tables(), lines, contacts, as_of)
            figures = pd.DataFrame(expected.values())
            print(as_of, len(expected), "customers;", figures.notna().sum().to_dict())
            # every input is exercised, so the comparison is not hollow
            assert figures["gap_days"].notna().sum() > 100 and figures["last_survey"].notna().sum() > 100
            assert figures["open_complaints"].gt(0).sum() > 5 and figures["crosssell_category"].notna().sum() > 100
            assert figures["recent_contacts"].gt(0).sum() > 0 or as_of != last


# ---------------------------------------------------------------------------------------
# The ugly shop, imported and logged through the command line.
# ---------------------------------------------------------------------------------------
AS_OF = dt.date(2024, 7, 1)
LONG = "客户-01"
ACCENT = "Ünïcødé"
NOBUY = "会员 007"  # on the customer list, never bought


def shop_orders() -> pd.DataFrame:
    rows = [
        # two lines on one day, a refund, a purchase after the as-of date
        (LONG, "2024-01-05", 30.0, "文具"), (LONG, "2024-01-05", 12.5, "Électro"),
        (LONG, "2024-02-04", 20.0, "文具"), (LONG, "2024-03-05", -20.0, "Électro"),
        (LONG, "2024-04-20", 8.0, "  "), (LONG, "2024-08-01", 50.0, "Électro"),
        (ACCENT, "2024-06-01", 10.0, "Électro"), (ACCENT, "2024-06-02", 10.0, None),
    ]
    # enough customers buying both for usable rules: 8 buy 文具 and Électro, 4 only 文具, 6 only Tea
    for n in range(8):
        rows += [(f"b{n}", "2024-02-01", 15.0, "文具"), (f"b{n}", "2024-03-01", 15.0, "Électro")]
    for n in range(4):
        rows += [(f"s{n}", "2024-02-01", 15.0, "文具"), (f"s{n}", "2024-05-01", 9.0, "文具"),
                 (f"s{n}", "2024-05-03", 9.0, "文具")]
    for n in range(6):
        rows += [(f"t{n}", "2024-02-01", 5.0, "Tea")]
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "amount", "category"]).assign(
        order_id=lambda f: [f"o{i}" for i in range(len(f))])


def shop_contacts() -> pd.DataFrame:
    rows = [
        (LONG, "2024-03-01 09:00", "complaint", None, None, None),
        (LONG, "2024-03-10 09:00", "resolution", None, None, None),  # resolves the first
        (LONG, "2024-05-01 09:00", "complaint", None, None, None),  # reopened
        (LONG, "2024-06-20 18:00", "Complaint", None, None, None),
        (LONG, "2024-06-15 10:00", "survey", 2, None, None),
        (LONG, "2024-06-25 10:00", "contact", None, None, None),
        (LONG, "2024-07-10 10:00", "visit", None, None, None),  # after the as-of date
        (LONG, "2024-07-05 10:00", "call", None, "Resolved", None),  # after: still open on 1 July
        (ACCENT, "2024-06-01 08:00", "complaint", None, None, None),
        (ACCENT, "2024-06-05 08:00", "call", None, "  RESOLVED ", None),
        (ACCENT, "2024-06-20 08:00", "complaint", None, "resolved", None),  # resolved on the spot
    ]
    return pd.DataFrame(rows, columns=["customer_id", "date", "kind", "satisfaction", "outcome", "answers_action"]).assign(
        channel="phone")


# Answers to suggested actions, logged one by one at the counter (the order is the recording order).
ANSWERS = [
    (NOBUY, "2024-05-01 12:00", "Not_Interested", "win_back"),
    (NOBUY, "2024-06-01 12:00", None, "win_back"),  # no outcome: the earlier one stands
    (NOBUY, "2024-06-28 12:00", "refused", "cross_sell"),
    (NOBUY, "2024-06-28 12:00", "Accepted", "cross_sell"),  # same moment, recorded later
    (NOBUY, "2024-07-02 12:00", "done", "cross_sell"),  # after the as-of date
]


def run(capsys, *argv) -> dict:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out) if "--json" in argv else out


@pytest.fixture()
def shop(tmp_path, capsys):
    """A consultant's workspace: the shop's order export and contact sheet imported, then one
    more answer logged by hand."""
    db = tmp_path / "shop.duckdb"
    orders, contacts, people = tmp_path / "订单.csv", tmp_path / "contacts.csv", tmp_path / "customers.csv"
    pd.DataFrame({"customer_id": [LONG, ACCENT, NOBUY, "ghost"], "name": ["王芳", "Zoë", "李雷", "Nobody"]}).to_csv(
        people, index=False)
    run(capsys, "ingest", "--db", str(db), "--table", "customers", "--json", str(people))
    shop_orders().to_csv(orders, index=False, encoding="utf-8")
    shop_contacts().drop(columns="answers_action").to_csv(contacts, index=False)
    run(capsys, "ingest", "--db", str(db), "--json", str(orders))
    run(capsys, "ingest", "--db", str(db), "--table", "interactions", "--json", str(contacts))
    for cid, when, outcome, action in ANSWERS:
        run(capsys, "log", "--db", str(db), "--kind", "visit", "--channel", "visit", "--date", when,
            *(["--outcome", outcome] if outcome else []), "--answers", action, "--json", cid)
    return db


def test_ugly_shop_inputs_equal_the_hand_count(shop):
    with Workspace(shop, read_only=True) as ws:
        lines, contacts = raw_rows(ws)
        assert len(lines) == len(shop_orders()) and len(contacts) == len(shop_contacts()) + len(ANSWERS)
        for as_of in (AS_OF, dt.date(2024, 5, 15), dt.date(2024, 8, 31)):
            found, expected = assert_same_inputs(ws.tables(), lines, contacts, as_of)
            if as_of == AS_OF:
                on_date = expected
    expected = on_date
    # the figures the cases are about, written out
    long, accent = expected[LONG], expected[ACCENT]
    assert long["gap_days"] == 30.0  # days 5 Jan, 4 Feb, 5 Mar, 20 Apr: gaps 30, 30, 46
    assert long["open_complaints"] == 2 and long["open_complaint_at"] == dt.datetime(2024, 5, 1, 9)
    assert long["last_open_complaint_at"] == dt.datetime(2024, 6, 20, 18)
    assert long["recent_contacts"] == 2  # the survey and the contact; not the visit after 1 July
    assert long["crosssell_category"] is None  # bought both (Électro before its refund)
    assert accent["open_complaints"] == 0 and accent["gap_days"] is None
    assert expected["s0"]["crosssell_category"] == "Électro" and expected["s0"]["crosssell_antecedent"] == "文具"
    answers = {k: v["outcome_norm"] for k, v in reference(lines, contacts, AS_OF)[1].items()}
    assert answers == {(NOBUY, "win_back"): "not interested", (NOBUY, "cross_sell"): "accepted"}
    assert NOBUY in expected and expected[NOBUY]["gap_days"] is None
    assert "ghost" not in expected  # listed, but no history: no row



def test_one_customer_reads_only_their_rows_and_the_kept_rules(shop, monkeypatch):
    """The Customer page's question: one customer's inputs, computed on that customer's rows
    with the cross-sell rules kept for the data version, equal their row of everyone's."""
    with Workspace(shop, read_only=True) as ws:
        tables = ws.tables()
        everyone = history.action_inputs(tables, AS_OF, SETTINGS)
        assert everyone.rules["usable"].any()

        def refit(*args, **kwargs):
            raise AssertionError("one customer's inputs must not fit the cross-sell rules again")

        monkeypatch.setattr(history, "crosssell_rules", refit)
        for cid in (LONG, ACCENT, NOBUY, "s0", "t1"):
            one = history.inputs_frame(history.history_inputs(tables, AS_OF, SETTINGS, customer_id=cid, rules=everyone.rules))
            row = everyone.frame[everyone.frame["customer_id"] == cid].reset_index(drop=True)
            pd.testing.assert_frame_equal(one, row, check_dtype=False)
            mine = history.answers_frame(history.answers_table(tables, AS_OF, customer_id=cid))
            pd.testing.assert_frame_equal(
                mine, everyone.answers[everyone.answers["customer_id"] == cid].reset_index(drop=True), check_dtype=False)
        assert history.inputs_frame(history.history_inputs(tables, AS_OF, SETTINGS, customer_id="ghost", rules=everyone.rules)).empty


def test_inputs_are_stored_with_the_scores_and_follow_the_contacts(shop, capsys, monkeypatch):
    """Stored once per data version and as-of date: read back the same without computing; a
    contact logged after the as-of date keeps them, one inside the period changes them."""
    with Workspace(shop) as ws:
        first = history.action_inputs(ws, AS_OF, SETTINGS)
        kinds = ws.query('SELECT "kind", count(*) AS n FROM "results" GROUP BY "kind"')
        assert dict(zip(kinds["kind"], kinds["n"])) == {"action_inputs": 1, "action_rules": 1}
        real = history.history_inputs
        monkeypatch.setattr(history, "history_inputs", lambda *a, **k: pytest.fail("computed again"))
        again = history.action_inputs(ws, AS_OF, SETTINGS)
        for part in ("frame", "answers", "rules"):
            pd.testing.assert_frame_equal(getattr(first, part), getattr(again, part))
        monkeypatch.setattr(history, "history_inputs", real)
    # a contact after the as-of date: the stored inputs still answer
    run(capsys, "log", "--db", str(shop), "--kind", "contact", "--channel", "phone", "--date", "2024-09-01", "--json", LONG)
    with Workspace(shop) as ws:
        monkeypatch.setattr(history, "history_inputs", lambda *a, **k: pytest.fail("computed again"))
        history.action_inputs(ws, AS_OF, SETTINGS)
        monkeypatch.setattr(history, "history_inputs", real)
    # a contact inside the period: a new result with one more recent contact
    run(capsys, "log", "--db", str(shop), "--kind", "contact", "--channel", "phone", "--date", "2024-06-30", "--json", LONG)
    with Workspace(shop) as ws:
        after = history.action_inputs(ws, AS_OF, SETTINGS)
    before = first.frame.set_index("customer_id")["recent_contacts"]
    now = after.frame.set_index("customer_id")["recent_contacts"]
    assert now[LONG] == before[LONG] + 1 and (now.drop(LONG) == before.drop(LONG)).all()

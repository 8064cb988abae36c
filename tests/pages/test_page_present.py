"""The Workshop page through AppTest: one slide at a time, masked by default, the worksheet."""

import json

from analysis.store import Workspace
from tests.pagetest import open_page


def _chart_json(at) -> str:
    return "\n".join(c.proto.spec for c in at.get("plotly_chart"))


def _counter(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Slide "))


def test_next_and_previous_walk_the_story_masked_by_default(demo_copy):
    with Workspace(demo_copy) as ws:
        names = ws.query('SELECT "name" FROM "customers" ORDER BY "customer_id" LIMIT 300')["name"].tolist()
    at = open_page(demo_copy, "present")
    assert at.toggle(key="pr_mask").value is True
    assert _counter(at).startswith("Slide 1 of 9")
    assert at.button(key="pr_prev").disabled
    for n in range(2, 5):
        at.button(key="pr_next").click().run()
        assert not at.exception, at.exception
        assert at.session_state["pr_slide"] == n - 1
        assert _counter(at).startswith(f"Slide {n} of 9")
    assert "most valuable" in at.text[0].value  # slide 4: the value scatter, one hover per customer
    spec = _chart_json(at)
    assert "Customer " in spec and not [n for n in names if n in spec]
    at.button(key="pr_prev").click().run()
    assert _counter(at).startswith("Slide 3 of 9")
    at.button(key="pr_next").click().run()
    at.toggle(key="pr_mask").set_value(False).run()
    assert not at.exception, at.exception
    spec = _chart_json(at)
    assert [n for n in names if n in spec]  # unmasked, the hover names customers
    json.loads(at.get("plotly_chart")[0].proto.spec)


def test_worksheet_is_saved_with_the_workspace(demo_copy):
    at = open_page(demo_copy, "present")
    assert any("customers" in t.value and "active" in t.value for t in at.text)  # identify facts
    at.text_area(key="ws_identify").set_value("Collect e-mail addresses at the counter")
    at.text_area(key="ws_customize").set_value("A named account manager for the top tier")
    at.button(key="ws_save").click().run()
    assert not at.exception, at.exception
    assert at.success
    with Workspace(demo_copy) as ws:
        assert ws.get_note("worksheet:identify") == "Collect e-mail addresses at the counter"
        assert ws.get_note("worksheet:customize") == "A named account manager for the top tier"
    again = open_page(demo_copy, "present")
    assert again.text_area(key="ws_identify").value == "Collect e-mail addresses at the counter"


def test_presenter_mode_from_the_url(demo_copy):
    from streamlit.testing.v1 import AppTest

    from tests.pagetest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["workspace_path"] = str(demo_copy)
    at.query_params["mode"] = "present"
    at.run()
    at.switch_page("pages/present.py").run()
    assert not at.exception, at.exception
    assert at.toggle(key="pr_present").value is True
    assert not at.title  # no page title, no worksheet: only the slide
    assert not at.text_area
    assert _counter(at).startswith("Slide 1 of 9")



def test_the_last_slide_tells_what_the_campaigns_taught_in_both_languages(demo_copy):
    from tests.interact.counting import newcombe, responders_by_group

    counted = responders_by_group(demo_copy, "Spring catalogue e-mail")
    (n0, x0), (n1, x1) = counted["control"], counted["target"]
    lo, hi = newcombe(x1, n1, x0, n0)
    for lang, headline, words in (("en", "2 campaigns measured against their control groups: 1 worked",
                                   "inconclusive: the interval includes zero"),
                                  ("zh", "2 次营销活动已与对照组比较：1 次有效", "尚无定论")):
        at = open_page(demo_copy, "present", params={"lang": lang}, pr_slide=8)
        assert at.session_state["pr_slide"] == 8
        if lang == "en":
            assert _counter(at).startswith("Slide 9 of 9")
        texts = [x.value for x in at.text]
        assert texts[0] == headline
        line = next(x for x in texts[1].splitlines() if "Spring catalogue e-mail" in x)
        assert words in line and f"{100 * lo:+.1f}" in line and f"{100 * hi:+.1f}" in line
        spec = json.loads(at.get("plotly_chart")[0].proto.spec)
        assert "Spring win-back e-mail" in spec["data"][0]["y"]


def _trace_points(spec: str) -> list[str]:
    """The first customdata field (who the dot is) of every point of a chart, in trace order."""
    return [str(point[0]) for trace in json.loads(spec)["data"] for point in trace.get("customdata") or []]


def test_a_consultant_steps_through_the_story_of_a_workspace_with_stored_scores(demo_copy, monkeypatch):
    """Issue 15 §2: the Workshop page of a workspace whose scores are stored never reads every
    stored customer's row (the scores' frame stays unread: its figures are asked of what is
    stored), and the slides state the figures the raw rows give; masked, each dot carries the
    label the workspace's keyed order gives that customer."""
    import hashlib
    import hmac
    import math
    import re

    from analysis import scores as scores_module
    from analysis.scores import score_customers

    with Workspace(demo_copy) as ws:  # what the Data page does after an import
        score_customers(ws)
    made = []
    original = scores_module._Later.__init__

    def recording(self, make):
        def whole_frame():
            made.append(True)
            return make()
        original(self, whole_frame)

    monkeypatch.setattr(scores_module._Later, "__init__", recording)

    with Workspace(demo_copy, read_only=True) as ws:  # the figures from the raw rows
        as_of = ws.query('SELECT max("date") AS d FROM "transactions"')["d"].iloc[0]
        customers = int(ws.query('SELECT count(*) AS n FROM "customers"')["n"].iloc[0])
        revenue = float(ws.query('SELECT sum("amount") AS r FROM "transactions"')["r"].iloc[0])
        window = ws.query('SELECT "customer_id", sum("amount") AS r FROM "transactions" WHERE "date" > '
                          '(SELECT max("date") FROM "transactions") - INTERVAL 12 MONTH GROUP BY 1')
        surveyed_active = int(ws.query(
            'SELECT count(DISTINCT i."customer_id") AS n FROM "interactions" i WHERE i."kind" = \'survey\' AND '
            'i."customer_id" IN (SELECT "customer_id" FROM "transactions" WHERE "date" > '
            '(SELECT max("date") FROM "transactions") - INTERVAL 12 MONTH)')["n"].iloc[0])
        ids = ws.query('SELECT "customer_id" FROM "customers"')["customer_id"].astype(str).tolist()
    active = len(window)
    top = window["r"].astype(float).sort_values(ascending=False)
    top_share = top.head(math.ceil(0.2 * active)).sum() / top.sum()

    at = open_page(demo_copy, "present")
    headlines = [at.text[0].value]
    for _ in range(8):
        at.button(key="pr_next").click().run()
        assert not at.exception, at.exception
        headlines.append(at.text[0].value)
        if at.session_state["pr_slide"] == 3:  # the value scatter, masked by default
            masked = _trace_points(at.get("plotly_chart")[0].proto.spec)
    assert _counter(at).startswith("Slide 9 of 9")
    assert headlines[0] == (f"{customers:,} customers, {active:,} of them active in the last 12 months, "
                            f"${revenue:,.0f} revenue")
    assert headlines[1] == f"The top 20% of customers bring {top_share:.0%} of revenue"
    assert headlines[2].startswith(f"The top 5% of active customers ({round(0.05 * active):,}) bring")
    assert headlines[4].startswith(f"{surveyed_active:,} of {active:,} active customers answered a survey")
    assert not made, "the whole stored frame was read"

    at.session_state["pr_slide"] = 3
    at.toggle(key="pr_mask").set_value(False).run()
    assert not at.exception, at.exception
    named = _trace_points(at.get("plotly_chart")[0].proto.spec)
    shown = [re.search(r"\(([^()]*)\)$", p).group(1) if p.endswith(")") else p for p in named]
    with Workspace(demo_copy, read_only=True) as ws:
        key = ws.get_note("masking_secret").encode()
    order = sorted(ids, key=lambda c: hmac.new(key, c.encode(), hashlib.sha256).digest())
    width = len(str(len(order)))
    number = {c: f"Customer {n:0{width}d}" for n, c in enumerate(order, start=1)}
    assert len(masked) == len(shown) > 100
    assert masked == [number[c] for c in shown]
    assert not made


def test_after_an_import_the_workshop_opens_on_what_is_stored_without_loading_the_models(demo_copy):
    """A consultant imports the client's orders and contacts on the Data page, then opens the
    Workshop in front of the room (a fresh server process): the first slide and the worksheet's
    facts are the file's figures, and the page waits for neither scikit-learn nor SciPy (seconds
    of a first render at a million customers; the story reads the models stored after the import)."""
    import csv
    import io
    from decimal import ROUND_HALF_UP, Decimal

    from tests.pagetest import import_files, in_fresh_process
    from tests.pages.test_page_actions_after_import import _files

    orders, contacts, still_open = _files()
    import_files(demo_copy, "desk", [("orders.csv", orders), ("contacts.csv", contacts)])
    rows = list(csv.DictReader(io.StringIO(orders.decode())))
    customers = len({r["Customer"] for r in rows})
    revenue = sum(Decimal(r["Amount"]) for r in rows).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    shown = in_fresh_process(
        "at.switch_page('pages/present.py').run()\n"
        "result = {'errors': [str(e.value) for e in at.exception], 'texts': [t.value for t in at.text],\n"
        "          'captions': [c.value for c in at.caption],\n"
        "          'loaded': sorted(m for m in ('sklearn', 'scipy') if m in sys.modules)}",
        demo_copy.parent / "desk.duckdb")
    assert shown["errors"] == []
    assert shown["captions"][0].startswith("Slide 1 of ")
    assert shown["texts"][0].startswith(f"{customers} customers, ") and shown["texts"][0].endswith(f"{revenue:,} revenue")
    assert f"{len({r['Order'] for r in rows})} orders up to " in shown["texts"][1]
    assert f"• Follow up the open complaint: {len(still_open)} customers" in shown["texts"]
    assert shown["loaded"] == []

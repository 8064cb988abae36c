"""Presentation mode and name masking on every page (issue 6 §1, ui/presenting.py)."""

from __future__ import annotations

import re

from analysis.store import Workspace
from tests.test_sidebar import open_url


def _names(db) -> list[str]:
    with Workspace(db, read_only=True) as ws:
        frame = ws.query('SELECT "name", "email" FROM "customers" ORDER BY "customer_id" LIMIT 400')
    return [v for v in [*frame["name"], *frame["email"]] if isinstance(v, str) and v]


def _everything_shown(at) -> str:
    parts = [str(e.value) for kind in ("title", "subheader", "caption", "markdown", "text", "info") for e in getattr(at, kind)]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    parts += [d.value.to_csv() for d in at.dataframe]
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    return "\n".join(parts)


def test_mode_present_opens_the_story_and_masks_every_page(demo_copy):
    names = _names(demo_copy)
    at = open_url(demo_copy, None, mode="present")
    assert any(re.match(r"Slide 1 of \d+", c.value) for c in at.caption)  # the story is the first page
    assert any("display: none" in m.value for m in at.markdown)  # no sidebar, large type
    for page in ("value", "pyramid", "customer"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
        assert at.query_params["mode"] in ("present", ["present"])  # still presenting after moving
        shown = _everything_shown(at)
        assert "Customer " in shown, page
        leaks = [n for n in names if n in shown]
        assert not leaks, f"{page}: {leaks[:5]}"


def test_the_sidebar_switch_masks_lists_outside_presentation_mode(demo_copy):
    names = _names(demo_copy)
    at = open_url(demo_copy, "pyramid")
    table = at.dataframe[-1].value
    assert set(table["Name"]) & set(names)  # unmasked by default
    at.toggle(key="sb_mask").set_value(True).run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    assert not set(table["Name"]) & set(names)
    assert table["Customer"].str.match(r"Customer \d{4}$").all()
    assert (table["Customer"] == table["Name"]).all()


def test_the_same_customer_has_the_same_label_on_every_page(demo_copy):
    from analysis.masking import SECRET_NOTE, Masker

    at = open_url(demo_copy, None, mode="present")
    at.query_params["customer"] = "C00042"  # a link straight to the customer page carries it
    at.switch_page("pages/customer.py").run()
    assert not at.exception, at.exception
    shown = next(m.value for m in at.markdown if m.value.startswith("## "))
    with Workspace(demo_copy) as ws:  # the universe (listed, buying or contacted) and the workspace's key
        ids = ws.query('SELECT "customer_id" FROM "customers" UNION SELECT "customer_id" FROM "transactions" '
                       'UNION SELECT "customer_id" FROM "interactions"')["customer_id"]
        expected = Masker(ids, ws.get_note(SECRET_NOTE)).label("C00042")
    assert shown == f"## {expected}" and expected != "Customer 0042"  # not the id's digits
    at.switch_page("pages/present.py").run()  # the workshop story's masker labels the same way
    at.button(key="pr_next").click().run()
    at.button(key="pr_next").click().run()
    at.button(key="pr_next").click().run()  # slide 4: the value scatter names customers in its hovers
    spec = "\n".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "C00042" not in spec and "Customer " in spec


def test_masked_labels_are_not_the_ids_digits_and_stay_the_same_in_a_new_session(demo_copy):
    import streamlit as st

    def label_of(cid: str) -> str:
        at = open_url(demo_copy, None, mode="present")
        at.query_params["customer"] = cid
        at.switch_page("pages/customer.py").run()
        assert not at.exception, at.exception
        return next(m.value for m in at.markdown if m.value.startswith("## "))[3:]

    first = {cid: label_of(cid) for cid in ("C03905", "C00042", "C05999")}
    assert first["C03905"] != "Customer 3905" and first["C00042"] != "Customer 0042"
    assert not [c for c, label in first.items() if label.split()[-1] == c[-4:]]
    st.cache_data.clear()
    st.cache_resource.clear()  # as after a restart: the labels come from the workspace's own key
    assert {cid: label_of(cid) for cid in first} == first

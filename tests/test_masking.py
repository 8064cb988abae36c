"""Masking customers for presentation: stable, unique labels padded to the width of n."""

import pandas as pd

from analysis import i18n
from analysis.masking import PERSONAL_COLUMNS, Masker, mask_frame


def test_labels_follow_sorted_ids_and_pad_to_width_of_n():
    ids = [f"c{n}" for n in range(12, 0, -1)]  # 12 customers, given in reverse
    m = Masker(ids)
    assert m.width == 2
    assert m.label("c1") == "Customer 01"  # "c1" < "c10" < "c11" < "c12" < "c2" as text
    assert m.label("c10") == "Customer 02"
    assert m.label("c9") == "Customer 12"
    assert len(set(m.labels.values())) == 12


def test_same_customer_same_label_whatever_the_order_or_duplicates():
    a = Masker(["b", "a", "c"])
    b = Masker(["c", "c", "a", "b", None])
    assert a.labels == b.labels == {"a": "Customer 1", "b": "Customer 2", "c": "Customer 3"}
    assert Masker([str(n) for n in range(1000)]).label("999") == "Customer 1000"
    assert Masker([str(n) for n in range(1000)]).width == 4


def test_unknown_id_is_never_shown():
    assert Masker(["a"]).label("secret-id") == "Customer ?"


def test_mask_frame_replaces_ids_and_names_and_blanks_free_text():
    frame = pd.DataFrame({
        "customer_id": ["x2", "x1"], "name": ["Zyxwv Holdings", "Qwerty Ltd"],
        "email": ["z@zyxwv.example", "q@q.example"], "phone": ["+1 555 0101", None],
        "note": ["called about <b>invoice</b>", "fine"], "revenue": [10.0, 20.0],
    })
    masker = Masker(["x1", "x2", "x3"])
    out = masker.mask_frame(frame)
    assert list(out["customer_id"]) == ["Customer 2", "Customer 1"]
    assert list(out["name"]) == ["Customer 2", "Customer 1"]
    assert set(out["email"]) == set(out["phone"]) == set(out["note"]) == {""}
    assert list(out["revenue"]) == [10.0, 20.0]
    assert frame["name"].iloc[0] == "Zyxwv Holdings"  # the input is not changed
    assert "Zyxwv" not in out.to_csv()
    assert {"email", "phone", "note"} <= set(PERSONAL_COLUMNS)


def test_mask_frame_without_masker_uses_the_frames_ids():
    out = mask_frame(pd.DataFrame({"customer_id": ["b", "a"], "name": ["B Co", "A Co"]}))
    assert list(out["name"]) == ["Customer 2", "Customer 1"]


def test_labels_in_chinese_follow_the_language_at_call_time():
    masker = Masker([f"c{n:04d}" for n in range(1, 1001)])  # built in English ...
    frame = pd.DataFrame({"customer_id": ["c0042", "elsewhere"], "name": ["Acme", "Other"]})
    with i18n.using("zh"):  # ... shown in Chinese
        assert masker.label("c0042") == "客户 0042" and masker.label("nope") == "客户 ?"
        assert list(masker.mask_frame(frame)["name"]) == ["客户 0042", "客户 ?"]
        assert masker.labels["c1000"] == "客户 1000"
        assert list(mask_frame(pd.DataFrame({"name": ["x"]}))["name"]) == ["客户 ?"]
    assert masker.label("c0042") == "Customer 0042"
    assert masker.customer_id("Customer 0042") == "c0042" and masker.customer_id("客户 0042") is None
    with i18n.using("zh"):
        assert masker.customer_id("客户 0042") == "c0042" and masker.customer_id("Customer 0042") is None

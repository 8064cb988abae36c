"""Masking customers for presentation: stable, unique labels padded to the width of n, in an
order no one can work back to the customer without the workspace's secret."""

import pandas as pd

from analysis import i18n
from analysis.masking import PERSONAL_COLUMNS, SECRET_NOTE, Masker, mask_frame, workspace_secret
from analysis.store import Workspace

KEY = "0123456789abcdef0123456789abcdef"


def test_labels_number_every_customer_once_padded_to_the_width_of_n():
    ids = [f"c{n}" for n in range(12, 0, -1)]  # 12 customers
    m = Masker(ids, KEY)
    assert m.width == 2
    assert sorted(m.labels.values()) == [f"Customer {n:02d}" for n in range(1, 13)]
    assert Masker([str(n) for n in range(1000)], KEY).width == 4
    assert sorted(Masker([str(n) for n in range(1000)], KEY).labels.values())[-1] == "Customer 1000"


def test_same_customer_same_label_whatever_the_order_or_duplicates():
    a = Masker(["b", "a", "c"], KEY)
    b = Masker(["c", "c", "a", "b", None], KEY)
    assert a.labels == b.labels


def test_labels_do_not_give_the_customer_away():
    ids = [f"C{n:05d}" for n in range(1, 6001)]  # the demo's ids: sorted, "C03905" would be "Customer 3905"
    m = Masker(ids, KEY)
    numbers = [int(m.label(c).split()[-1]) for c in ids]
    assert sum(n == k for k, n in enumerate(numbers, start=1)) < 10  # not the id's digits ...
    assert abs(pd.Series(numbers).corr(pd.Series(range(1, 6001)), method="spearman")) < 0.05  # ... nor their order
    assert Masker(ids, "another secret").labels != m.labels  # the order comes from the key


def test_the_secret_is_kept_in_the_workspace(tmp_path):
    with Workspace(tmp_path / "a.duckdb") as ws:
        first = workspace_secret(ws)
        assert ws.get_note(SECRET_NOTE) == first and len(first) == 32
    with Workspace(tmp_path / "a.duckdb") as ws:  # reopened (another session, a restart): the same key
        assert workspace_secret(ws) == first
    with Workspace(tmp_path / "b.duckdb") as ws:  # another workspace: its own
        assert workspace_secret(ws) != first


def test_unknown_id_is_never_shown():
    assert Masker(["a"]).label("secret-id") == "Customer ?"


def test_mask_frame_replaces_ids_and_names_and_blanks_free_text():
    frame = pd.DataFrame({
        "customer_id": ["x2", "x1"], "name": ["Zyxwv Holdings", "Qwerty Ltd"],
        "email": ["z@zyxwv.example", "q@q.example"], "phone": ["+1 555 0101", None],
        "note": ["called about <b>invoice</b>", "fine"], "revenue": [10.0, 20.0],
    })
    masker = Masker(["x1", "x2", "x3"], KEY)
    out = masker.mask_frame(frame)
    assert list(out["customer_id"]) == [masker.label("x2"), masker.label("x1")]
    assert list(out["name"]) == list(out["customer_id"]) and out["name"].str.match(r"^Customer \d$").all()
    assert set(out["email"]) == set(out["phone"]) == set(out["note"]) == {""}
    assert list(out["revenue"]) == [10.0, 20.0]
    assert frame["name"].iloc[0] == "Zyxwv Holdings"  # the input is not changed
    assert "Zyxwv" not in out.to_csv()
    assert {"email", "phone", "note"} <= set(PERSONAL_COLUMNS)


def test_mask_frame_without_masker_uses_the_frames_ids():
    out = mask_frame(pd.DataFrame({"customer_id": ["b", "a"], "name": ["B Co", "A Co"]}))
    assert sorted(out["name"]) == ["Customer 1", "Customer 2"]


def test_labels_in_chinese_follow_the_language_at_call_time():
    masker = Masker([f"c{n:04d}" for n in range(1, 1001)], KEY)  # built in English ...
    label = masker.label("c0042")
    number = label.split()[-1]
    frame = pd.DataFrame({"customer_id": ["c0042", "elsewhere"], "name": ["Acme", "Other"]})
    assert len(number) == 4 and label == f"Customer {number}"
    with i18n.using("zh"):  # ... shown in Chinese
        assert masker.label("c0042") == f"客户 {number}" and masker.label("nope") == "客户 ?"
        assert list(masker.mask_frame(frame)["name"]) == [f"客户 {number}", "客户 ?"]
        assert masker.labels["c1000"] == "客户 " + masker.label("c1000").split()[-1]
        assert list(mask_frame(pd.DataFrame({"name": ["x"]}))["name"]) == ["客户 ?"]
    assert masker.label("c0042") == label
    assert masker.customer_id(label) == "c0042" and masker.customer_id(f"客户 {number}") is None
    with i18n.using("zh"):
        assert masker.customer_id(f"客户 {number}") == "c0042" and masker.customer_id(label) is None


def test_labels_numbered_in_the_engine_are_the_labels_of_the_whole_list():
    """A page that shows a few customers of a million asks the engine for their ranks in the
    keyed-hash order (issue 15 §2): the labels are those of the masker built from every id,
    here checked against HMAC-SHA256 computed by the standard library."""
    import hashlib
    import hmac

    import ibis

    from analysis.masking import engine_masker

    ids = [f"C{i:05d}" for i in range(2500)] + ["张三", "Zoë & Co", "x" * 90]
    table = ibis.memtable(pd.DataFrame({"customer_id": ids}))
    for secret in ("ab12cd34", "k" * 100):  # a key longer than SHA-256's block is hashed first (RFC 2104)
        key = secret.encode()
        order = sorted(ids, key=lambda c: hmac.new(key, c.encode(), hashlib.sha256).digest())
        expected = {c: f"Customer {n:04d}" for n, c in enumerate(order, start=1)}
        shown = ids[::97] + ["张三", "Zoë & Co", "x" * 90]
        few = engine_masker(table, secret, shown + ["not a customer"])
        assert {c: few.label(c) for c in shown} == {c: expected[c] for c in shown}
        assert few.label("not a customer") == "Customer ?"
        every = engine_masker(table, secret)
        assert every.labels == expected
        assert every.customer_id(expected["张三"]) == "张三"
        assert Masker(ids, secret).labels == expected

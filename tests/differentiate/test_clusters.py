"""Customer clusters: features from a hand-built workspace, k chosen on obvious groups,
stable numbering, personas, the report and the charts."""

from __future__ import annotations

import datetime as dt
import json

import ibis
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from analysis.charts.clusters import profile_heatmap, projection_chart, sizes_chart
from analysis.differentiate.clusters import (
    MIN_CUSTOMERS, CustomerClusters, cluster_features, cluster_report, feature_table, fill_features,
    filled_table, make_personas, projection, silhouettes,
)
from analysis.identify.facts import hash_sample
from analysis.errors import NotEnoughData
from analysis.store import Workspace

SEED = 20261123
AS_OF = dt.date(2024, 6, 1)
# Three obvious kinds of customer: (recency days, orders, spend per order, favourite category)
GROUPS = {
    "loyal": (10, 30, 400.0, "Electronics"),
    "lapsed": (400, 1, 20.0, "Books"),
    "middle": (120, 5, 80.0, "Garden"),
}


def group_features(sizes=(40, 30, 20), seed=SEED) -> tuple[pd.DataFrame, pd.Series]:
    """Feature rows for the three GROUPS with 10% noise; returns (features, true group)."""
    print("seed", seed)
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for (group, (recency, orders, aov, fav)), n in zip(GROUPS.items(), sizes):
        for i in range(n):
            noise = rng.lognormal(0, 0.1, 4)
            freq = max(1.0, round(orders * noise[1]))
            row = {
                "recency_days": recency * noise[0], "frequency": freq,
                "monetary": freq * aov * noise[2], "avg_order_value": aov * noise[2],
                "tenure_days": 500 * noise[3],
            }
            for _, (_, _, _, cat) in GROUPS.items():
                row[f"cat_{cat}"] = 0.9 if cat == fav else 0.05
            rows.append(row)
            truth.append(group)
    ids = [f"c{i:04d}" for i in range(len(rows))]
    return pd.DataFrame(rows, index=pd.Index(ids, name="customer_id")), pd.Series(truth, index=ids)


def test_well_separated_groups_give_k3_one_cluster_each():
    features, truth = group_features()
    model = CustomerClusters().fit(features)
    assert model.k_ == 3
    assert max(model.silhouette_by_k_, key=model.silhouette_by_k_.get) == 3
    assert set(model.silhouette_by_k_) == set(range(2, 9))
    table = pd.crosstab(truth, model.labels_)
    assert (table > 0).sum(axis=1).tolist() == [1, 1, 1]  # every group in one cluster
    assert (table > 0).sum(axis=0).tolist() == [1, 1, 1]  # every cluster one group
    # cluster 0 = highest mean monetary = the loyal big spenders
    assert set(truth[model.labels_ == 0]) == {"loyal"}
    assert set(truth[model.labels_ == 2]) == {"lapsed"}
    assert model.profiles_["size"].tolist() == [40, 20, 30]
    assert model.profiles_["share"].sum() == pytest.approx(1.0)
    # centres are in original units: the loyal centre buys ~30 times, the lapsed ~once
    assert model.centers_.loc[0, "frequency"] == pytest.approx(30, rel=0.15)
    assert model.centers_.loc[2, "frequency"] == pytest.approx(1, rel=0.15)
    assert model.silhouette_ > 0.5


def test_two_fits_and_shuffled_rows_give_identical_labels():
    features, _ = group_features()
    a = CustomerClusters().fit(features)
    b = CustomerClusters().fit(features)
    assert np.array_equal(a.labels_, b.labels_)
    assert a.personas_ == b.personas_
    shuffled = features.sample(frac=1.0, random_state=1)
    c = CustomerClusters().fit(shuffled)
    assert pd.Series(c.labels_, index=shuffled.index).loc[features.index].tolist() == a.labels_.tolist()
    assert [p["name"] for p in c.personas_] == [p["name"] for p in a.personas_]


def test_k_override_and_predict_on_new_rows():
    features, truth = group_features()
    model = CustomerClusters(k=2).fit(features)
    assert model.k_ == 2 and set(model.silhouette_by_k_) == {2}
    assert set(model.labels_) == {0, 1}
    assert len(model.personas_) == 2
    new, new_truth = group_features(sizes=(3, 3, 3), seed=SEED + 1)
    full = CustomerClusters().fit(features)
    predicted = pd.Series(full.predict(new), index=new.index)
    fitted = pd.Series(full.labels_, index=features.index)
    for group in GROUPS:
        expected = set(fitted[truth[truth == group].index])
        assert set(predicted[new_truth[new_truth == group].index]) == expected
    # the pipeline itself predicts the renumbered clusters
    assert np.array_equal(full.pipeline_.predict(features.to_numpy()), full.labels_)


def test_sample_fit_assigns_everyone():
    """Above sample_size rows k-means is fit on a sample; every row still gets a cluster."""
    features, truth = group_features(sizes=(400, 300, 200))
    model = CustomerClusters(sample_size=100).fit(features)
    assert model.k_ == 3 and len(model.labels_) == 900
    assert (pd.crosstab(truth, model.labels_) > 0).sum(axis=1).tolist() == [1, 1, 1]


def test_personas_unique_and_name_the_favourite_category():
    features, truth = group_features()
    model = CustomerClusters().fit(features)
    names = [p["name"] for p in model.personas_]
    assert len(set(names)) == len(names)
    assert [p["cluster"] for p in model.personas_] == [0, 1, 2]
    assert sum(p["size"] for p in model.personas_) == len(features)
    for persona in model.personas_:
        group = truth[model.labels_ == persona["cluster"]].iloc[0]
        fav = GROUPS[group][3]
        assert fav in persona["sentence"]
        others = [g[3] for g in GROUPS.values() if g[3] != fav]
        assert not any(o in persona["sentence"] for o in others)
        assert f"{persona['size']:,} customers" in persona["sentence"]
    loyal = model.personas_[0]
    assert "recent" in loyal["name"].lower() or "frequent" in loyal["name"].lower()
    lapsed = model.personas_[2]["name"].lower()
    assert "books" in lapsed and ("lapsed" in lapsed or "occasional" in lapsed)


def _three_alike_groups() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Profiles and z-scores of three groups that differ only in tenure (their names collide)."""
    cols = ["recency_days", "frequency", "monetary", "tenure_days"]
    profiles = pd.DataFrame(
        [[10, 9, 900, 100], [11, 9, 800, 900], [12, 9, 850, 950]], columns=cols
    ).assign(size=[5, 5, 5], share=[1 / 3] * 3)
    zscores = pd.DataFrame(
        [[-1.0, 0.9, 1.0, -0.5], [-1.0, 0.9, 1.0, 0.6], [-1.0, 0.9, 1.0, 0.0]], columns=cols
    )
    return profiles, zscores


def test_duplicate_persona_names_get_a_distinguishing_word():
    profiles, zscores = _three_alike_groups()
    personas = make_personas(profiles, zscores)
    names = [p["name"] for p in personas]
    assert len(set(names)) == 3
    assert names[0] == "Recent frequent big spenders (new)"
    assert names[1] == "Recent frequent big spenders (long-standing)"
    assert names[2] == "Recent frequent big spenders (group 2)"
    assert personas[1]["sentence"].startswith(names[1] + ": 5 customers (33%), last bought 11 days ago")


def test_fast_silhouette_matches_scikit_learn():
    rng = np.random.default_rng(SEED)
    z = np.vstack([rng.normal(size=(60, 3)), rng.normal(size=(40, 3)) + 3])
    labelings = [np.repeat([0, 1], [60, 40]), rng.integers(0, 4, 100), np.r_[np.zeros(99, int), 7]]
    ours = silhouettes(z, labelings, chunk_bytes=800)  # several chunks
    theirs = [silhouette_score(z, labels) for labels in labelings]
    assert ours == pytest.approx(theirs, abs=1e-5)


def test_too_few_customers_raise_not_enough_data(tmp_path):
    features, _ = group_features(sizes=(7, 6, MIN_CUSTOMERS - 14))
    with pytest.raises(NotEnoughData, match=str(MIN_CUSTOMERS)):
        CustomerClusters().fit(features)
    ws = Workspace(tmp_path / "w.duckdb")
    _add(ws, transactions=[_line(f"c{i}", "2024-05-01", 10.0 * (i + 1), "o" + str(i)) for i in range(5)])
    with pytest.raises(NotEnoughData, match="there are 5"):
        cluster_report(ws.tables(), AS_OF)


def test_identical_customers_raise_not_enough_data():
    features = pd.DataFrame({"recency_days": [5.0] * 30, "frequency": [2.0] * 30, "monetary": [50.0] * 30})
    with pytest.raises(NotEnoughData):
        CustomerClusters().fit(features)


# -- workspace level ------------------------------------------------------------------------
def _line(customer, date, amount, order, category=None):
    return {"customer_id": customer, "date": date, "amount": amount, "order_id": order, "category": category}


def _add(ws, transactions=(), interactions=(), customers=()):
    with ws.transaction() as cur:
        if customers:
            ws.append(cur, "customers", pd.DataFrame(customers))
        if transactions:
            frame = pd.DataFrame(transactions)
            frame["date"] = pd.to_datetime(frame["date"]).dt.date
            ws.append(cur, "transactions", frame)
        if interactions:
            frame = pd.DataFrame(interactions)
            frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
            ws.append(cur, "interactions", frame)


def test_cluster_features_on_a_hand_built_workspace(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")
    _add(
        ws,
        customers=[{"customer_id": "c3", "name": "Never bought"}],
        transactions=[
            _line("c1", "2024-01-01", 100.0, "o1", "Books"),
            _line("c1", "2024-03-01", 50.0, "o2", "Music"),
            _line("c1", "2024-03-01", -20.0, "o2", "Music"),  # a refund on the same order
            _line("c2", "2024-06-01", 200.0, "o4", "Books"),
            _line("c5", "2024-05-01", 10.0, "o5", None),
            _line("c4", "2024-07-01", 999.0, "o6", "Books"),  # after as-of: not a buyer yet
        ],
        interactions=[
            {"interaction_id": 1, "customer_id": "c1", "occurred_at": "2024-02-01", "kind": "survey",
             "satisfaction": 8.0, "scale": 10.0},
            {"interaction_id": 2, "customer_id": "c5", "occurred_at": "2024-05-02", "kind": "survey",
             "satisfaction": 2.0, "scale": 5.0},
        ],
    )
    f = cluster_features(ws.tables(), AS_OF)
    assert list(f.index) == ["c1", "c2", "c5"]
    assert list(f.columns) == [
        "recency_days", "frequency", "monetary", "avg_order_value", "tenure_days",
        "satisfaction_5", "has_survey", "cat_Books", "cat_Music", "cat_(none)",
    ]
    assert f.loc["c1", "recency_days"] == 92
    assert f.loc["c1", "frequency"] == 2
    assert f.loc["c1", "monetary"] == pytest.approx(130.0)
    assert f.loc["c1", "avg_order_value"] == pytest.approx(65.0)
    assert f.loc["c1", "tenure_days"] == 152
    assert f.loc["c1", "cat_Books"] == pytest.approx(100 / 130)
    assert f.loc["c1", "cat_Music"] == pytest.approx(30 / 130)
    assert f.loc["c2"].to_dict() == pytest.approx({
        "recency_days": 0, "frequency": 1, "monetary": 200, "avg_order_value": 200, "tenure_days": 0,
        "satisfaction_5": 3.0, "has_survey": 0.0, "cat_Books": 1.0, "cat_Music": 0.0, "cat_(none)": 0.0,
    })  # no survey: the median of 4.0 (8 of 10) and 2.0
    assert f.loc["c1", "satisfaction_5"] == pytest.approx(4.0)
    assert f.loc["c5", "cat_(none)"] == 1.0 and f.loc["c5", "recency_days"] == 31


def test_cluster_features_without_surveys_or_categories(tmp_path):
    ws = Workspace(tmp_path / "w.duckdb")
    _add(ws, transactions=[_line("a", "2024-05-01", 10.0, "o1"), _line("b", "2024-04-01", 20.0, "o2")])
    f = cluster_features(ws.tables(), AS_OF)
    assert list(f.columns) == ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days"]


def test_small_categories_are_pooled_as_other(tmp_path, monkeypatch):
    monkeypatch.setattr("analysis.differentiate.clusters.features.MAX_CATEGORIES", 2)
    ws = Workspace(tmp_path / "w.duckdb")
    _add(ws, transactions=[
        _line("a", "2024-05-01", 60.0, "o1", "Big"), _line("a", "2024-05-01", 30.0, "o1", "Mid"),
        _line("a", "2024-05-01", 10.0, "o1", "Small"), _line("b", "2024-05-01", 5.0, "o2", "Tiny"),
        _line("b", "2024-05-01", 15.0, "o2", "Big"),
    ])
    f = cluster_features(ws.tables(), AS_OF)
    assert [c for c in f.columns if c.startswith("cat_")] == ["cat_Big", "cat_Mid", "cat_other"]
    assert f.loc["a", ["cat_Big", "cat_Mid", "cat_other"]].tolist() == pytest.approx([0.6, 0.3, 0.1])
    assert f.loc["b", ["cat_Big", "cat_Mid", "cat_other"]].tolist() == pytest.approx([0.75, 0.0, 0.25])


def _group_workspace(tmp_path) -> Workspace:
    """60 customers in the three GROUPS, as purchase lines."""
    ws = Workspace(tmp_path / "w.duckdb")
    rng = np.random.default_rng(SEED)
    lines = []
    for g, (recency, orders, aov, fav) in enumerate(GROUPS.values()):
        for i in range(20):
            cid = f"{fav[0]}{i:02d}"
            last = AS_OF - dt.timedelta(days=int(recency + rng.integers(0, 5)))
            for o in range(orders):
                day = last - dt.timedelta(days=7 * o)
                lines.append(_line(cid, day.isoformat(), aov * rng.uniform(0.9, 1.1), f"{cid}-{o}", fav))
    _add(ws, transactions=lines)
    return ws


def test_cluster_report_keys_and_json_types(tmp_path):
    ws = _group_workspace(tmp_path)
    report = cluster_report(ws.tables(), AS_OF)
    assert set(report) == {"k", "silhouette", "sizes", "names"}
    assert json.loads(json.dumps(report)) == report
    assert type(report["k"]) is int and type(report["silhouette"]) is float
    assert all(type(s) is int for s in report["sizes"]) and all(type(n) is str for n in report["names"])
    assert report["k"] == 3 and report["sizes"] == [20, 20, 20]
    assert "Electronics" in report["names"][0]
    assert len(set(report["names"])) == 3
    forced = cluster_report(ws.tables(), AS_OF, k=2)
    assert forced["k"] == 2 and sum(forced["sizes"]) == 60 and len(forced["names"]) == 2


def test_projection_and_assignment_expression(tmp_path):
    features, truth = group_features()
    model = CustomerClusters().fit(features)
    points = projection(features, model, max_points=50)
    assert list(points.columns) == ["customer_id", "x", "y", "cluster", "persona"]
    assert len(points) == 50 and points["customer_id"].is_unique
    assert points.equals(projection(features, model, max_points=50))
    names = {p["cluster"]: p["name"] for p in model.personas_}
    assert (points["persona"] == points["cluster"].map(names)).all()
    labels = pd.Series(model.labels_, index=features.index)
    assert (points["cluster"].to_numpy() == labels.loc[points["customer_id"]].to_numpy()).all()
    # the groups are far apart on the map: group centroids differ by more than the spread
    xy = points.groupby("cluster")[["x", "y"]].mean()
    assert np.linalg.norm(xy.iloc[0] - xy.iloc[2]) > 2

    table = ibis.memtable(features.reset_index())
    out = model.assign(table).order_by("customer_id").to_pandas()
    assert out["cluster"].tolist() == model.labels_.tolist()


def test_charts_show_every_cluster():
    features, _ = group_features()
    model = CustomerClusters().fit(features)
    names = [p["name"] for p in model.personas_]
    scatter = projection_chart(projection(features, model))
    assert [t.name for t in scatter.data] == names
    assert sum(len(t.x) for t in scatter.data) == len(features)
    heat = profile_heatmap(model)
    assert list(heat.data[0].y) == names
    assert "Days since last purchase" in heat.data[0].x and "Share of Books" in heat.data[0].x
    assert heat.data[0].text[0][model.feature_names_.index("cat_Electronics")] == "90%"
    bars = sizes_chart(model)
    assert list(bars.data[0].x) == [40, 20, 30] and list(bars.data[0].y) == names


def test_personas_and_charts_in_chinese():
    from analysis import i18n
    from analysis.differentiate.clusters import feature_label

    profiles, zscores = _three_alike_groups()
    with i18n.using("zh"):
        personas = make_personas(profiles, zscores, "$")
        labels = [feature_label("recency_days"), feature_label("cat_Books")]
        with pytest.raises(NotEnoughData, match="聚类至少需要 20 位有购买记录的客户；目前只有 5 位"):
            CustomerClusters().fit(group_features(sizes=(3, 1, 1))[0])
    names = [p["name"] for p in personas]
    assert names == ["最近购买过且购买频繁的大额消费客户 (新近加入)", "最近购买过且购买频繁的大额消费客户 (长期合作)",
                     "最近购买过且购买频繁的大额消费客户 (第 2 组)"]
    assert personas[1]["sentence"] == (names[1] + "：5 位客户（占 33%），平均 11 天前最后一次购买，平均 9.0 笔订单，"
                                       "人均消费 $800。")
    assert labels == ["距上次购买的天数", "Books 占比"]

    features, _ = group_features()
    with i18n.using("zh"):
        model = CustomerClusters().fit(features)
        bars, heat = sizes_chart(model), profile_heatmap(model)
    lapsed = model.personas_[2]
    assert lapsed["name"] == "偶尔购买且低消费的Books客户"  # the category is data and stays as it is
    assert lapsed["sentence"].startswith("偶尔购买且低消费的Books客户：30 位客户（占 33%）")
    assert bars.layout.title.text == "各聚类的客户数" and "Books 占比" in heat.data[0].x


def test_assignment_in_the_engine_equals_predict_for_every_demo_customer(demo_db):
    """Fitted on a hash sample of the demo's buyers, then every buyer assigned by the Ibis
    expression in DuckDB: the same cluster as the in-memory predict, customer by customer."""
    with Workspace(demo_db, read_only=True) as ws:
        tables = ws.tables()
        table, columns = feature_table(tables)
        n = int(table.count().to_pyarrow().as_py())
        rows = hash_sample(table, n, n // 3).to_pandas().set_index("customer_id").sort_index()
        assert 0.25 * n < len(rows) < 0.42 * n
        sample = fill_features(rows, columns)
        model = CustomerClusters().fit(sample)
        filled = filled_table(table, sample, columns)
        engine = (model.assign(filled).select("customer_id", "cluster")
                  .order_by("customer_id").to_pandas())
        features = cluster_features(tables)
        local = filled.order_by("customer_id").to_pandas().set_index("customer_id")[sample.columns]
    assert engine["customer_id"].tolist() == features.index.tolist()
    assert sample.columns.tolist() == features.columns.tolist()
    expected = model.predict(local)
    assert len(set(expected)) == model.k_ >= 2
    assert engine["cluster"].tolist() == expected.tolist()


def test_report_above_the_local_limit_samples_and_counts_in_the_engine(demo_db):
    with Workspace(demo_db, read_only=True) as ws:
        whole = cluster_report(ws.tables())
        n = len(cluster_features(ws.tables()))
        sampled = cluster_report(ws.tables(), max_local=n // 2)
        same_limit = cluster_report(ws.tables(), max_local=n // 2)
    assert sum(whole["sizes"]) == sum(sampled["sizes"]) == n  # every buyer assigned, not the sample
    assert sampled == same_limit  # the sample is fixed
    assert len(sampled["sizes"]) == len(sampled["names"]) == sampled["k"]
    # k is chosen on a different sample, so it may differ by one; the fit quality may not
    assert abs(sampled["k"] - whole["k"]) <= 1, (sampled, whole)
    assert sampled["silhouette"] == pytest.approx(whole["silhouette"], abs=0.05), (sampled, whole)


def test_a_stored_model_reads_back_as_fitted_and_draws_the_same_charts(tmp_path):
    from analysis.differentiate.clusters.stored import clusters_record, from_record

    features, _ = group_features()
    model = CustomerClusters(currency="$").fit(features)
    points = projection(features, model)
    frames, meta = clusters_record(model, points)
    with Workspace(tmp_path / "w.duckdb") as ws:  # through the workspace, as the scores are stored
        ws.save_result("clusters_model", "k", frames, meta)
        stored, read_points = from_record(*ws.load_result("k"), "$")
    assert (stored.k_, stored.silhouette_, stored.silhouette_by_k_) == (model.k_, model.silhouette_,
                                                                        model.silhouette_by_k_)
    assert stored.personas_ == model.personas_
    pd.testing.assert_frame_equal(read_points, points)
    for chart in (sizes_chart, lambda m: profile_heatmap(m, "$")):
        assert chart(stored).to_json() == chart(model).to_json()
    assert projection_chart(read_points).to_json() == projection_chart(points).to_json()

"""Each model is fitted once per data version and settings, whatever pages a person opens
(issue 14): the scores, the CLV page and the Clusters page share one fit of each model."""

from analysis.differentiate.clusters.model import CustomerClusters
from analysis.predict import fit as clv_fits
from tests.pagetest import open_page


def test_a_tour_of_the_pages_fits_each_model_once(demo_copy, monkeypatch):
    fits = {"clusters": 0, "model choice": 0}
    clusters_fit, choose = CustomerClusters.fit, clv_fits.choose_model

    def counted_clusters(self, features):
        fits["clusters"] += 1
        return clusters_fit(self, features)

    def counted_choice(transactions, as_of):
        fits["model choice"] += 1
        return choose(transactions, as_of)

    monkeypatch.setattr(CustomerClusters, "fit", counted_clusters)
    monkeypatch.setattr(clv_fits, "choose_model", counted_choice)
    at = open_page(demo_copy, "clv")
    for page in ("clusters", "pyramid", "value", "customer", "clv", "clusters"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
    assert fits == {"clusters": 1, "model choice": 1}

    at.number_input(key="cl_k").set_value(3).run()  # another k is another model: fitted once
    assert not at.exception, at.exception
    at.switch_page("pages/pyramid.py").run()
    at.switch_page("pages/clusters.py").run()
    assert fits == {"clusters": 2, "model choice": 1}

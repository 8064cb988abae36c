"""The workshop story: slides in order with figures in their headlines, masking that leaves no
customer name, contact or id in any figure or export, offline HTML, PNG export."""

import json
import re
import shutil

import pytest

from analysis.workshop import story
from analysis.workshop.images import story_pngs, story_zip
from analysis.workshop.report import story_html
from analysis.identify import overview
from analysis.settings import ReportSettings, SegmentSettings
from analysis.store import Workspace
from tests.builders import make_workspace

XSS = "<img src=x onerror=alert(1)>"
NAMES = {"ZQ-001": "Zyxwv Holdings", "ZQ-002": XSS, "ZQ-003": "Qqjjx Trading & Sons", "ZQ-004": "Vvkkp Outfitters"}
PRIVATE = ["Zyxwv", "Qqjjx", "Vvkkp", "onerror", "zyxwv@holdings.example", "555 0199", "ZQ-00", "secret remark"]


def _tiny(tmp_path):
    """Four named customers with contacts, a survey and repeat purchases over a year."""
    customers = [{"customer_id": cid, "name": name, "email": f"{name.split()[0].lower()}@holdings.example",
                  "phone": "+1 555 0199", "region": "North"} for cid, name in NAMES.items()]
    transactions = [
        {"customer_id": cid, "order_id": f"{cid}-{m}", "date": f"2024-{m:02d}-10", "amount": amount * m}
        for cid, amount in zip(NAMES, (500.0, 40.0, 120.0, 15.0)) for m in range(1, 13, 2)
    ]
    interactions = [
        {"customer_id": "ZQ-001", "occurred_at": "2024-11-02", "kind": "survey", "satisfaction": 5, "scale": 5},
        {"customer_id": "ZQ-002", "occurred_at": "2024-11-03", "kind": "complaint", "note": "secret remark"},
        {"customer_id": "ZQ-003", "occurred_at": "2024-11-04", "kind": "survey", "satisfaction": 1, "scale": 5},
    ]
    return make_workspace(tmp_path, customers, transactions, interactions)


@pytest.fixture(scope="module")
def demo_data(demo_db):
    with Workspace(demo_db, read_only=True) as ws:
        return story.story_data(ws)


@pytest.fixture()
def tiny_data(tmp_path):
    ws = _tiny(tmp_path)
    try:
        yield story.story_data(ws.tables())
    finally:
        ws.close()


def _everything(slides) -> str:
    """Every text of every slide and every figure, serialised."""
    return "\n".join(
        f"{s.title}\n{s.headline}\n{s.note}\n" + (s.figure.to_json() if s.figure is not None else "")
        for s in slides
    )


def test_demo_story_in_order_with_a_figure_in_every_headline(demo_db, demo_data):
    slides = story.slides(demo_data)
    assert [s.key for s in slides] == [k for k, _, _ in story.SLIDES] == [
        "overview", "pareto", "pyramid", "value", "matrix", "clusters", "clv", "actions", "learned"]
    assert [s.step for s in slides][:3] == ["identify", "identify", "differentiate"]
    assert slides[-1].step == "customize"
    assert demo_data.reasons == {}
    for s in slides:
        assert s.figure is not None, s.key
        assert re.search(r"\d", s.headline), s.headline
    with Workspace(demo_db) as ws:
        top20 = overview.pareto(ws.tables(), demo_data.as_of, demo_data.settings.window_months)[1]
    assert slides[1].headline == f"The top 20% of customers bring {top20:.0%} of revenue"


def test_masked_demo_story_shows_no_customer_name(demo_db, demo_data):
    with Workspace(demo_db) as ws:
        names = ws.query('SELECT "name" FROM "customers" ORDER BY "customer_id" LIMIT 200')["name"].tolist()
    plain = _everything(story.slides(demo_data, mask=False))
    masked = _everything(story.slides(demo_data, mask=True))
    assert any(n in plain for n in names)  # the unmasked hover texts do name customers
    assert not [n for n in names if n in masked]
    assert "Customer " in masked


def test_transactions_only_workspace_tells_why_slides_are_missing(tmp_path):
    rows = [{"customer_id": f"c{n}", "date": "2024-05-01", "amount": float(n)} for n in range(1, 6)]
    ws = make_workspace(tmp_path, transactions=rows)
    try:
        slides = story.build_story(ws.tables())
    finally:
        ws.close()
    assert [s.key for s in slides] == [k for k, _, _ in story.SLIDES]
    by_key = {s.key: s for s in slides}
    assert by_key["pareto"].figure is not None
    assert by_key["pareto"].headline.startswith("The top 20% of customers bring")
    assert "5 customers" in by_key["overview"].headline
    assert by_key["matrix"].figure is None and "survey" in by_key["matrix"].headline.lower()
    assert by_key["clusters"].figure is None and by_key["clusters"].headline
    for s in slides:
        assert s.figure is not None or s.headline  # a missing slide still says why


def test_masking_removes_every_private_value_from_figures_and_html(tiny_data):
    plain = story.slides(tiny_data, mask=False)
    masked = story.slides(tiny_data, mask=True)
    assert "Zyxwv Holdings" in _everything(plain)  # otherwise this test could not fail
    text = _everything(masked)
    assert not [p for p in PRIVATE if p in text]
    from plotly.offline import get_plotlyjs

    page = story_html(masked, "Workshop").replace(get_plotlyjs(), "")  # the library says "onerror"
    assert not [p for p in PRIVATE if p in page]
    assert re.search(r"Customer \d", page)


def test_html_escapes_names_title_and_worksheet(tiny_data):
    from analysis.workshop.worksheet import worksheet

    sheet = worksheet(tiny_data, {"identify": XSS + " **bold**"})
    page = story_html(story.slides(tiny_data, mask=False), f"Report {XSS}", sheet)
    assert XSS not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # title and worksheet, escaped
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page  # the name in the chart data, escaped
    assert "**bold**" in page and "<b>bold</b>" not in page


def test_html_opens_offline(tiny_data):
    from plotly.offline import get_plotlyjs

    page = story_html(story.slides(tiny_data), "Workshop")
    bundle = get_plotlyjs()
    assert page.count(bundle) == 1  # plotly.js embedded once
    assert not re.search(r"<script[^>]*\bsrc\s*=", page)  # nothing fetched
    assert page.count('class="plotly-graph-div"') == sum(s.figure is not None for s in story.slides(tiny_data))
    assert page.startswith("<!DOCTYPE html>")


def test_png_export(tiny_data):
    if not (shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")):
        pytest.skip("no Chromium on this machine: kaleido needs a system Chrome/Chromium to draw images")
    slides = [s for s in story.slides(tiny_data, mask=True) if s.figure is not None][:2]
    images = story_pngs(slides)
    assert list(images) == [f"{n:02d}-{s.key}.png" for n, s in enumerate(slides, start=1)]
    for data in images.values():
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(story_zip(slides))) as z:
        assert z.namelist() == list(images)


def test_story_and_its_html_read_in_chinese(tmp_path):
    from analysis import i18n
    from analysis.workshop.worksheet import worksheet

    ws = _tiny(tmp_path)
    try:
        with i18n.using("zh"):
            data = story.story_data(ws.tables(), settings=ReportSettings(SegmentSettings(currency="¥")))
            slides = story.slides(data, mask=True)
            sheet = worksheet(data, {})
            page = story_html(slides, "研讨会", sheet)
        english = story_html(story.slides(story.story_data(ws.tables()), mask=True), "Workshop")
    finally:
        ws.close()
    by_key = {s.key: s for s in slides}
    assert [s.title for s in slides][:3] == ["数据概况", "谁带来了收入", "客户金字塔"]
    assert by_key["overview"].headline == "4 位客户，其中 4 位在近 12 个月内活跃，收入 ¥24,300"
    assert by_key["overview"].note.startswith("截至 2024年11月10日共 24 笔订单；平均订单金额 ¥1,013；")  # 1,012.50
    assert by_key["value"].headline.endswith("位负值客户")
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh">') and english.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "1. 识别 · 数据概况" in page and "<h2>研讨会工作表</h2>" in page and "<h3>区分</h3>" in page
    assert "（尚未记录任何决定）" in page and "(no decisions" not in page
    assert "Workshop worksheet" not in english  # no worksheet given


def test_png_export_draws_chinese_glyphs():
    """Chinese in exported images needs a CJK font (make test installs fonts-wqy-microhei): without
    one, every Chinese character is the same empty box, so two different titles draw the same."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")):
        pytest.skip("no Chromium on this machine: kaleido needs a system Chrome/Chromium to draw images")
    import plotly.graph_objects as go

    def slide(title: str) -> story.Slide:
        figure = go.Figure(go.Bar(x=[1], y=[1])).update_layout(title=title, width=400, height=200)
        return story.Slide("t", "identify", title, title, figure)

    images = story_pngs([slide("客户金字塔"), slide("满意度矩阵"), slide("□□□□□")], width=400, height=200)
    first, second, boxes = images.values()
    assert first != second, "two different Chinese titles drew the same image: no CJK font"
    assert first != boxes and second != boxes


def test_the_html_report_is_a_template_whose_every_text_is_escaped():
    """The offline report is rendered by Jinja2 with autoescape (issue 14): a consultant's
    title, a slide's headline and note (which quote customer names and categories), the
    worksheet's facts and decisions all arrive as text, never as markup; the only scripts
    are plotly's library and the charts plotly writes."""
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    from analysis.workshop import report
    from analysis.workshop.worksheet import WorksheetStep

    assert report.ENV.autoescape is True
    attack = '<script>alert("x")</script>'
    figure = go.Figure(go.Bar(x=[attack], y=[1]))
    slides = [story.Slide("pyramid", "differentiate", f"Tiers {attack}", f"Top: {attack} & co", figure,
                          note=f"Mostly {attack}"),
              story.Slide("clv", "differentiate", "Lifetime value", f"Not enough data: {attack}", None)]
    sheet = [WorksheetStep("identify", "Who?", [f"Biggest: {attack}"], f"Call {attack}\nthen <b>visit</b>")]
    page = report.story_html(slides, f"Workshop {attack}", sheet).replace(get_plotlyjs(), "")
    assert attack not in page and "<b>visit</b>" not in page
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    # <title>, <h1>, a slide title, two headlines, a note, a fact and the decisions
    assert page.count(escaped) == 8
    assert "Call " + escaped + "\nthen &lt;b&gt;visit&lt;/b&gt;" in page  # decisions keep their lines
    assert "Top: " + escaped + " &amp; co" in page
    # scripts: the library's tag, and one per chart (plotly's own, data as escaped JSON)
    assert page.count("<script") == 1 + 1


def test_what_we_learned_lists_the_demo_campaigns_with_their_intervals(demo_db, demo_data):
    from tests.interact.counting import newcombe, responders_by_group

    slide = {s.key: s for s in story.slides(demo_data)}["learned"]
    assert slide.title == "What we learned" and slide.step == "customize"
    assert slide.headline == "2 campaigns measured against their control groups: 1 worked"
    lines = slide.note.splitlines()
    for name, words in (("Spring win-back e-mail", "worked"), ("Spring catalogue e-mail", "inconclusive")):
        counted = responders_by_group(demo_db, name)
        (n0, x0), (n1, x1) = counted["control"], counted["target"]
        lo, hi = newcombe(x1, n1, x0, n0)
        line = next(x for x in lines if x.startswith(f"“{name}”: "))
        assert line.split(": ", 1)[1].startswith(words)
        assert f"{100 * lo:+.1f} to {100 * hi:+.1f}" in line
        # The chart: the difference in points with its interval as whiskers.
        trace = slide.figure.data[0]
        row = list(trace.y).index(name)
        assert trace.x[row] == pytest.approx(100 * (x1 / n1 - x0 / n0))
        assert trace.x[row] - trace.error_x.arrayminus[row] == pytest.approx(100 * lo)
        assert trace.x[row] + trace.error_x.array[row] == pytest.approx(100 * hi)


def test_a_workspace_without_campaigns_says_how_to_learn(tmp_path):
    ws = _tiny(tmp_path)
    try:
        slide = {s.key: s for s in story.build_story(ws)}["learned"]
    finally:
        ws.close()
    assert slide.figure is None and "Campaigns page" in slide.headline


def test_a_story_made_from_stored_scores_is_masked_after_its_workspace_is_closed(demo_copy):
    """A consultant's story is built while the workspace is open and shown (masked for the
    room) later, from another process's cache, after it was closed: the masked labels are
    read from the stored ids again, and are the ones of the story shown unmasked-and-masked
    while it was open."""
    from analysis.scores import score_customers

    with Workspace(demo_copy) as ws:
        score_customers(ws)  # stored, as after an import: the story reads what is stored
        data = story.story_data(ws)
        open_masked = _everything(story.slides(data, mask=True, secret="room"))
    assert data.customer_ids is None  # built from the stored scores, not from every customer's row
    closed_masked = _everything(story.slides(data, mask=True, secret="room"))
    assert closed_masked == open_masked
    assert re.search(r"Customer \d+", closed_masked)

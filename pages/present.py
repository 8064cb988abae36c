"""Workshop (issue 6): the IDIC story one chart per screen, names masked for the room, the
team's worksheet, and the story as an offline HTML report or PNG images.

Open with ``?mode=present`` (or the *Presentation mode* switch) for the presenter's view on every
page (see ``ui/presenting.py``): large type, no sidebar, names masked everywhere. The current
slide is kept in the URL (``?slide=4``), so a link opens the same slide.
"""

import streamlit as st

from analysis import i18n
from analysis.workshop import images, report, story, worksheet
from analysis.i18n import t
from ui import cached, presenting, show, sidebar, workspace

as_of, settings = sidebar.as_of(), sidebar.settings()
present = presenting.active()

# Our own static CSS only (never data): large type for the slide; in presenter view no sidebar.
CSS = """<style>
.st-key-pr_headline [data-testid="stText"], .st-key-pr_headline [data-testid="stText"] * {
  font-family: inherit; font-size: 2.1rem; font-weight: 600; line-height: 1.25; white-space: normal; }
.st-key-pr_note [data-testid="stText"], .st-key-pr_note [data-testid="stText"] * {
  font-family: inherit; font-size: 1.15rem; white-space: pre-line; color: #566573; }
</style>"""
st.markdown(CSS, unsafe_allow_html=True)

if not present:
    st.title("🎤 " + t("Workshop"))
    st.markdown(t(
        "Walk a team through the one-to-one story of this workspace, one chart per screen: who the customers "
        "are (**identify**), which ones matter most and why (**differentiate**), how you hear from them "
        "(**interact**) and what to do for each (**customize**). Keep **Mask names** on in front of a room: "
        "every customer becomes “Customer 0042”, the same label on every slide and in the exports."
    ))

top = st.columns([1, 1, 2])
mask = top[0].toggle(t("Mask names"), value=True, key="pr_mask", disabled=present,
                     help=t("Replace customer names and ids by labels such as “Customer 0042”, in charts and "
                            "exports. Always on in presentation mode.")) or present
wanted = top[1].toggle(t("Presentation mode"), value=present, key="pr_present",
                       help=t("Large type, no sidebar and names masked on every page; the address gets "
                              "?mode=present, so a link opens it the same way."))
if wanted != present:
    presenting.set_active(wanted)
    st.rerun()

show.demo_notice()
data = cached.story_data(as_of, settings, sidebar.action_settings())
slides = cached.story_slides(as_of, settings, sidebar.action_settings(), mask)
count = len(slides)
if "pr_slide" not in st.session_state:  # a shared link may name the slide (1-based)
    wanted_slide = st.query_params.get("slide", "1")
    st.session_state["pr_slide"] = int(wanted_slide) - 1 if wanted_slide.isdigit() else 0
st.session_state["pr_slide"] = min(max(int(st.session_state["pr_slide"]), 0), count - 1)


def _move(step: int) -> None:
    st.session_state["pr_slide"] = min(max(st.session_state["pr_slide"] + step, 0), count - 1)
    st.query_params["slide"] = str(st.session_state["pr_slide"] + 1)


current = st.session_state["pr_slide"]
slide = slides[current]
nav = st.columns([1, 1, 4])
nav[0].button(t("◀ Previous"), key="pr_prev", on_click=_move, args=(-1,), disabled=current == 0, width="stretch")
nav[1].button(t("Next ▶"), key="pr_next", on_click=_move, args=(1,), disabled=current == count - 1, width="stretch")
nav[2].caption(t("Slide {number} of {count} · {step}: {title}", number=current + 1, count=count,
                 step=story.step_label(slide.step).capitalize(), title=slide.title))

with st.container(key="pr_headline"):
    st.text(slide.headline)  # persona and action names come from the data: text, never Markdown
if slide.figure is not None:
    show.chart(slide.figure, key=f"pr_chart_{slide.key}")
else:
    st.caption(t("Not enough data for this slide yet; the next slides go on."))
if slide.note:
    with st.container(key="pr_note"):
        st.text(slide.note)

if not present:
    st.divider()
    st.subheader(t("Workshop worksheet"))
    st.markdown(t("For each step, the current figures from the data and the team's decisions. The decisions are "
                  "saved with the workspace and printed in the report."))
    ws = workspace.current()
    saved = worksheet.load_decisions(ws)
    sheet = worksheet.worksheet(data, saved)
    texts = {}
    for item in sheet:
        with st.container(border=True):
            st.markdown(f"**{story.step_label(item.step).capitalize()}**: {item.question}")
            for fact in item.facts:
                st.text(f"• {fact}")
            texts[item.step] = st.text_area(t("Our decisions"), value=item.decisions, key=f"ws_{item.step}", height=100)
    if st.button(t("Save the worksheet"), key="ws_save", type="primary"):
        worksheet.save_decisions(ws, texts)
        st.success(t("Worksheet saved with the workspace."))
        sheet = worksheet.worksheet(data, texts)

    st.subheader(t("Take the story with you"))
    st.caption(t("The report is one HTML file with interactive charts that opens in any browser without internet; "
                 "the images are one PNG per chart for slides. Both follow the Mask names switch."))
    title = t("One-to-one workshop: {workspace} as of {date}", workspace=sidebar.workspace_name(),
              date=i18n.date(as_of))
    stem = f"workshop-{as_of:%Y%m%d}" + ("-masked" if mask else "") + ("-zh" if i18n.language() == "zh" else "")
    down = st.columns(2)
    down[0].download_button(t("Download the report (HTML)"), key="pr_html", mime="text/html",
                            file_name=f"{stem}.html", on_click="ignore",
                            data=show.in_this_language(lambda: report.story_html(slides, title, sheet)))
    down[1].download_button(t("Download the charts (PNG, zip)"), key="pr_png", mime="application/zip",
                            file_name=f"{stem}-charts.zip", on_click="ignore",
                            data=show.in_this_language(lambda: images.story_zip(slides)))

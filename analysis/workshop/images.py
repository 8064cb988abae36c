"""PNG images of the workshop's charts, for slides in another tool: through plotly's image
export (kaleido 1.x driving the system Chromium; one browser for all images)."""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Iterable

from analysis.workshop.story import Slide


def story_pngs(slides: Iterable[Slide], width: int = 1200, height: int = 700) -> dict[str, bytes]:
    """{"01-overview.png": PNG bytes, ...} for each slide with a chart, through plotly's
    image export (kaleido 1.x driving the system Chromium; one browser for all images)."""
    import kaleido

    charted = [(n, s) for n, s in enumerate(slides, start=1) if s.figure is not None]
    started = False
    if hasattr(kaleido, "start_sync_server"):
        try:
            kaleido.start_sync_server(silence_warnings=True)
            started = True
        except RuntimeError:  # already running (another export in this process): reuse it
            pass
    try:
        with warnings.catch_warnings():  # plotly warns that kaleido options are unused with a server
            warnings.simplefilter("ignore", UserWarning)
            return {f"{n:02d}-{s.key}.png": s.figure.to_image(format="png", width=width, height=height)
                    for n, s in charted}
    finally:
        if started:
            kaleido.stop_sync_server(silence_warnings=True)


def story_zip(slides: Iterable[Slide]) -> bytes:
    """The PNGs of :func:`story_pngs` in one zip file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in story_pngs(slides).items():
            z.writestr(name, data)
    return buf.getvalue()

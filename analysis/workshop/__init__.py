"""Workshop: what a consultant shows and hands out: the story slides (figures.py their data,
story.py the slides), the worksheet (worksheet.py), the offline HTML report (report.py,
Jinja2 templates) and PNG images of the charts."""

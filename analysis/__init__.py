"""One-to-One's analysis engine. Never imports streamlit: the CLI, the tests and the pages
all call the same functions here."""

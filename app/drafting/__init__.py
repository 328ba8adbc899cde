"""Draft seed records from a new article: rule-based, offline, for a curator to confirm.

`python -m app draft ARTICLE.txt` (app/cli.py) reads the article, finds its quotations
(quotes.py), figures (figures.py), dates (dates.py) and events (events.py), and writes draft
records in the seed files' format beside it (writer.py), each with a confidence and the clue it
rests on, plus a report of what it could not decide (report.py).
"""

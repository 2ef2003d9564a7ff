"""The baseline every figure is divided by: a bare Flask view, one query, a 25-row Jinja table.

Like the "fortunes" test of the TechEmpower benchmarks, it does the least a
database-backed page can do: no sessions, no templates' inheritance, no
extensions. It is a separate Flask app mounted under /_baseline by
bench/wsgi.py, so the product's own hooks do not slow it down.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import create_engine, text

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fortunes</title></head>
<body><table>
<tr><th>id</th><th>name</th></tr>
{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.name }}</td></tr>
{% endfor %}</table></body></html>"""


def create(url: str) -> Flask:
    app = Flask("baseline")
    engine = create_engine(url)
    template = app.jinja_env.from_string(TEMPLATE)

    @app.get("/")
    def fortunes() -> str:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, name FROM councils ORDER BY name LIMIT 25")
            ).all()
        return template.render(rows=rows)

    return app

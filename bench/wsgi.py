"""What gunicorn serves in the benchmark: the product, the baseline beside it, queries counted.

gunicorn bench.wsgi:application
"""

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench import baseline, settings
from bench.queries import CountQueries
from core.app import create_app

app = create_app(settings.app_config())
application = CountQueries(
    DispatcherMiddleware(app.wsgi_app, {"/_baseline": baseline.create(settings.database_url())})
)

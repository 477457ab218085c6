import os

from django.core.wsgi import get_wsgi_application

from designiaBackend.observability.tracing import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")

# Before the application loads its middleware: the Django instrumentation adds its own.
configure_tracing()
application = get_wsgi_application()
